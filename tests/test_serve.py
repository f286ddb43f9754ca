"""The publicist's loop: python build.py serve with a real server, real edits and Chromium watching."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import BUILD_PY, REPO, run_build, write_files

CONNECTED = "document.addEventListener('LiveReloadConnect', () => { window.__connected = true; });"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """python build.py serve running on a free port, with its terminal output collected."""

    def __init__(self, root: Path, *args: str):
        self.port = free_port()
        self.log = root.parent / f"serve-{self.port}.log"
        self.process = subprocess.Popen(
            [sys.executable, str(BUILD_PY), "serve", "--root", str(root), "--port", str(self.port), *args],
            cwd=str(REPO), stdout=self.log.open("w", encoding="utf-8"), stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.wait_for("预览地址")

    def output(self) -> str:
        """Everything the server printed so far."""
        return self.log.read_text(encoding="utf-8")

    def wait_for(self, text: str, count: int = 1, seconds: float = 60) -> None:
        """Wait until the terminal shows text (count times), failing with the output otherwise."""
        deadline = time.monotonic() + seconds
        while self.output().count(text) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve did not print {text!r} ×{count}:\n{self.output()}", pytrace=False)
            time.sleep(0.05)

    def get(self, path: str) -> tuple[int, str, bytes]:
        """A raw HTTP GET (the path is sent exactly as given): status, content type, body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, response.getheader("Content-Type", ""), body

    def stop(self) -> int:
        """Ctrl-C, as a publicist would press it; return the exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                return self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                pytest.fail("serve did not stop on Ctrl-C", pytrace=False)
        return self.process.returncode


@pytest.fixture
def project(make_project, tiny_hall):
    """A small valid hall."""
    return make_project(tiny_hall)


@pytest.fixture
def server(project):
    """serve running on the project; stopped at the end of the test."""
    running = Server(project)
    yield running
    running.stop()


def replace(root: Path, relative: str, old: str, new: str) -> None:
    """Edit a project file the way an editor saves it."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


WORKER = "content/workers/艾子洋.md"


def open_page(chromium, url: str):
    """A page at url whose livereload connection is up."""
    page = chromium.new_page()
    page.add_init_script(CONNECTED)
    page.goto(url)
    page.wait_for_function("window.__connected === true", timeout=15000)
    time.sleep(0.3)  # the server registers the page when livereload.js sends its info message
    return page


def test_an_edit_reloads_the_page_in_the_browser(server, project, chromium):
    page = open_page(chromium, server.url + "workers/ai-ziyang/")
    page.evaluate("window.__before_reload = true")
    replace(project, WORKER, "第一段正文，介绍这位工匠的成长经历。", "改过的正文：他带出了十二个徒弟。")
    page.wait_for_function("document.body.innerText.includes('他带出了十二个徒弟')", timeout=20000)
    assert page.evaluate("window.__before_reload === undefined")
    page.close()


def test_errors_show_over_every_page_and_clear_when_fixed(server, project, chromium):
    page = open_page(chromium, server.url + "workers/ai-ziyang/")
    replace(project, WORKER, "skill_level: 高级技师", "skill_level: 大师级")
    overlay = page.locator("#showcase-errors")
    overlay.wait_for(timeout=20000)
    text = overlay.inner_text()
    assert "content/workers/艾子洋.md 第 11 行" in text and "技能等级" in text and "改法" in text
    status, _, body = server.get("/studios/aizy-studio/")
    assert status == 200 and "大师级" in body.decode("utf-8")  # every page, not just the one that is open
    replace(project, WORKER, "skill_level: 大师级", "skill_level: 技师")
    overlay.wait_for(state="detached", timeout=20000)
    assert "技师" in page.locator("main").inner_text()
    page.close()


@pytest.mark.parametrize("breakage", ["template", "site_yaml"])
def test_the_server_survives_a_broken_template_or_site_yaml(server, project, breakage):
    relative, old, new = {
        "template": ("templates/workers.html", "{% block main %}", "{% block main %}{% if %}"),
        "site_yaml": ("site.yaml", "collections:", "collections: [\n"),
    }[breakage]
    replace(project, relative, old, new)
    server.wait_for("个错误")
    status, _, body = server.get("/")
    assert status == 200 and b"showcase-errors" in body and relative.encode() in body
    replace(project, relative, new, old)
    server.wait_for("完成：", count=2)
    status, _, body = server.get("/")
    assert status == 200 and b"showcase-errors" not in body
    assert server.process.poll() is None


def test_a_burst_of_saves_gives_one_rebuild(server, project):
    write_files(project, {f"content/workers/images/p{n}.jpg": (project / "content/workers/images/ai-ziyang.jpg").read_bytes()
                          for n in range(5)})  # a folder of photos copied in
    for number in range(6):
        replace(project, WORKER, "第二段正文" + "。" * number, "第二段正文" + "。" * (number + 1))
    server.wait_for("完成：", count=2)
    time.sleep(1.5)
    assert server.output().count("完成：") == 2
    assert "。。。。。。" in server.get("/workers/ai-ziyang/")[2].decode("utf-8")


def test_a_deleted_entry_leaves_no_stale_page(server, project):
    write_files(project, {"content/workers/王刚.md": (project / WORKER).read_text(encoding="utf-8")
                          .replace("艾子洋", "王刚").replace("ai-ziyang", "wang-gang").replace("images/wang-gang.jpg", "images/ai-ziyang.jpg")})
    server.wait_for("完成：", count=2)
    assert server.get("/workers/wang-gang/")[0] == 200
    (project / "content/workers/王刚.md").unlink()
    server.wait_for("完成：", count=3)
    status, _, body = server.get("/workers/wang-gang/")
    assert status == 404 and "页面不存在" in body.decode("utf-8")


def test_serves_nothing_outside_the_output_and_the_right_types(server, project):
    (project / "secret.txt").write_text("秘密", encoding="utf-8")
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2f%2e%2e%2fetc/passwd", "//etc/passwd"):
        status, _, body = server.get(path)
        assert status in (400, 403, 404) and "秘密".encode() not in body and b"root:" not in body
    assert server.get("/assets/logo.svg")[1].startswith("image/svg+xml")
    assert server.get("/livereload.js")[1].startswith("text/javascript")
    assert server.get("/")[1].startswith("text/html")
    import mimetypes
    from showcase import serve  # noqa: F401 - registers the types the server uses
    assert mimetypes.guess_type("a.avif")[0] == "image/avif" and mimetypes.guess_type("a.webp")[0] == "image/webp"


def test_binds_to_localhost_and_stops_cleanly_on_ctrl_c(project):
    running = Server(project)
    with socket.socket() as probe:
        # not reachable on another address of this machine
        address = socket.gethostbyname(socket.gethostname())
        if not address.startswith("127."):
            assert probe.connect_ex((address, running.port)) != 0
    assert running.stop() == 0
    assert "预览已停止" in running.output()
    assert "Traceback" not in running.output()


def test_open_shows_the_preview_in_the_default_browser(project, monkeypatch):
    opened = project.parent / "opened.txt"
    browser = project.parent / "browser.py"  # stands in for the default browser: notes the address it is given
    browser.write_text(f"import sys\nopen({str(opened)!r}, 'w').write(sys.argv[1])\n", encoding="utf-8")
    monkeypatch.setenv("BROWSER", f"{sys.executable} {browser} %s")
    running = Server(project, "--open")
    deadline = time.monotonic() + 20
    while not opened.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.stop() == 0
    assert opened.read_text() == running.url
    assert "Traceback" not in running.output()


def test_new_writes_every_field_and_refuses_to_overwrite(project):
    proc = run_build(project, "new", "worker", "王小明")
    assert proc.returncode == 0, proc.stderr
    path = project / "content/workers/王小明.md"
    text = path.read_text(encoding="utf-8")
    assert "slug: wangxiaoming" in text and "name: 王小明" in text
    for label in ("姓名（必填）", "照片（必填）", "技能等级（选填）：从这些里选一个：初级工", "荣誉（选填）", "资料来源（选填）"):
        assert label in text
    check = run_build(project, "check")
    assert check.returncode == 1
    assert "content/workers/王小明.md 第" in check.stderr and "「岗位职务」是必填的" in check.stderr
    again = run_build(project, "new", "worker", "王小明")
    assert again.returncode == 1 and "已经存在" in again.stderr
    assert path.read_text(encoding="utf-8") == text
    assert run_build(project, "new", "studio", "王小明劳模创新工作室").returncode == 0
    assert run_build(project, "new", "wrker", "甲").returncode == 2


@pytest.mark.parametrize("name, says", [
    ("CON", "「CON」是 Windows 留给设备的名字，不能用作文件名。"),
    ("nul.txt", "「nul.txt」是 Windows 留给设备的名字"),
    ("长" * 61, "名称有 61 个字，太长了，不便用作文件名（最多 60 个字）。"),
    ("王小明.", "「王小明.」以句点结尾，Windows 会把句点去掉。"),
    ("王/小明", "「王/小明」不能用作文件名。去掉其中的 \\ / : * ? \" < > | 等符号再试。"),
])
def test_new_refuses_names_windows_cannot_keep(project, name, says):
    """A name Windows could not save (a device name, too long, a final dot, a slash) is a usage error, and nothing is written."""
    before = sorted((project / "content").rglob("*"))
    proc = run_build(project, "new", "worker", name)
    assert proc.returncode == 2 and says in proc.stderr and "内部错误" not in proc.stderr, proc.stderr
    assert sorted((project / "content").rglob("*")) == before


def test_new_takes_a_name_typed_with_md(project):
    """new worker 李四.md makes 李四.md (not 李四.md.md) with the slug of 李四."""
    proc = run_build(project, "new", "worker", "李四.md")
    assert proc.returncode == 0, proc.stderr
    assert "slug: lisi" in (project / "content/workers/李四.md").read_text(encoding="utf-8")
    assert not (project / "content/workers/李四.md.md").exists()


def test_a_filled_in_scaffold_builds(project):
    assert run_build(project, "new", "enterprise", "示例机械厂").returncode == 0
    path = project / "content/enterprises/示例机械厂.md"
    text = path.read_text(encoding="utf-8")
    for key, value in {"region": "江苏仪征", "industry": "机械制造", "summary": "一家示例企业。"}.items():
        text = text.replace(f"\n{key}:\n", f"\n{key}: {value}\n")
    path.write_text(text, encoding="utf-8")
    proc = run_build(project, "check")
    assert proc.returncode == 0, proc.stderr
