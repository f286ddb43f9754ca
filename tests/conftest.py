"""Shared fixtures for the 展厅 showcase tests.

* ``demo_site``     – the repo's demo hall, built once per session; returns the output folder.
* ``chromium``      – one headless Debian Chromium (Playwright ``Browser``) per session.
* ``served``        – ``served(folder)`` serves a folder on 127.0.0.1 and returns its base URL.
* ``make_project``  – ``make_project(files)`` makes a project folder (repo theme + given files).
* ``build_project`` – ``build_project(root, base_url=...)`` builds a project and returns the output.
* ``tiny_hall``     – the files of a small valid hall, to pass to ``make_project``.

Nothing here is ever skipped: a missing browser, Java or npm tool is a test failure that says
how to install it (``bash tests/run.sh`` installs everything).
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from showcase.httpserve import LocalServer

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
BUILD_PY = REPO / "build.py"
NODE_MODULES = TESTS / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# Only for developing the tests: build another project folder instead of the repo's demo.
DEMO_ROOT = Path(os.environ.get("SHOWCASE_DEMO_ROOT") or REPO)
THEME = ("site.yaml", "templates", "assets")


# --------------------------------------------------------------------------- building

def run_build(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``python build.py --root ROOT ARGS...``; return the finished process (text output)."""
    return subprocess.run([sys.executable, str(BUILD_PY), "--root", str(root), *args],
                          cwd=str(REPO), capture_output=True, text=True, encoding="utf-8", timeout=600)


def build_site(root: Path, output: Path, base_url: str | None = None, *args: str) -> Path:
    """Build project ``root`` into ``output`` (must not exist yet); fail the test unless exit 0."""
    extra = [*args] + (["--base-url", base_url] if base_url else [])
    proc = run_build(root, "--output", str(output), *extra)
    if proc.returncode != 0:
        pytest.fail(f"build of {root} failed with exit code {proc.returncode}:\n{proc.stderr}{proc.stdout}",
                    pytrace=False)
    assert (output / "index.html").is_file(), f"build of {root} wrote no index.html:\n{proc.stdout}"
    return output


def write_files(root: Path, files: dict) -> None:
    """Write ``{relative path: str | bytes}`` under root, making folders (str is UTF-8)."""
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)


def html_pages(output: Path) -> list[str]:
    """Every HTML file of a built site, as sorted POSIX paths relative to output."""
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html") if p.is_file())


def page_url(base: str, relative: str) -> str:
    """URL of a built file under base: ``workers/x/index.html`` → ``BASE/workers/x/``."""
    from urllib.parse import quote
    if relative == "index.html" or relative.endswith("/index.html"):
        relative = relative[: -len("index.html")]
    return base + quote(relative)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The repo's demo hall built once per session (default site.yaml settings); returns the output folder."""
    return build_site(DEMO_ROOT, tmp_path_factory.mktemp("demo") / "out")


@pytest.fixture
def make_project(tmp_path):
    """Factory ``make_project(files, theme=True)`` → a new project folder in tmp_path with the repo's site.yaml, templates/, assets/ (if theme) plus ``files``."""
    count = 0

    def make(files: dict | None = None, theme: bool = True) -> Path:
        nonlocal count
        count += 1
        root = tmp_path / f"project{count}"
        root.mkdir()
        if theme:
            for name in THEME:
                source = REPO / name
                if source.is_dir():
                    shutil.copytree(source, root / name)
                elif source.is_file():
                    shutil.copyfile(source, root / name)
        write_files(root, files or {})
        return root

    return make


@pytest.fixture
def build_project(tmp_path):
    """Factory ``build_project(root, base_url=None, *args)`` → output Path of a successful build into a fresh folder in tmp_path."""
    count = 0

    def build(root: Path, base_url: str | None = None, *args: str) -> Path:
        nonlocal count
        count += 1
        return build_site(root, tmp_path / f"output{count}", base_url, *args)

    return build


def _jpeg(width: int = 1600, height: int = 2000) -> bytes:
    """A valid portrait JPEG of one plain colour, as wide as the widest image width (so no warning)."""
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (166, 27, 27)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@pytest.fixture
def tiny_hall() -> dict:
    """Files (``content/...``) of a small valid hall: one worker with a photo, one studio, one enterprise, zone pages, data."""
    return {
        "content/workers/艾子洋.md": """---
name: 艾子洋
slug: ai-ziyang
photo: images/ai-ziyang.jpg
photo_alt: 艾子洋在调试车间的示意照片
position: 调试二班高级技师
enterprise: 中车长客
studio: aizy-studio
region: 吉林长春
industry: 轨道交通装备制造
skill_level: 高级技师
honours:
  - name: 中车资深技能专家
    year: 2020
    level: 企业级
quote: 畅通渠道了，我们工人干活更有劲头。
summary: 37岁的高级技师，带领班组攻克调试难题。
date: 2024-05-01
sources:
  - title: 向“新”前行
    publisher: 吉林日报
    url: https://example.com/news/1
---
第一段正文，介绍这位工匠的成长经历。

第二段正文。
""",
        "content/workers/images/ai-ziyang.jpg": _jpeg(),
        "content/images/share.jpg": _jpeg(1200, 630),  # site.yaml's share_image
        "content/studios/aizy-studio.md": """---
name: 艾子洋技能大师工作室
slug: aizy-studio
kind: 国家级技能大师工作室
level: 国家级
leader: ai-ziyang
enterprise: 中车长客
region: 吉林长春
industry: 轨道交通装备制造
figures:
  patents: 3
summary: 以调试技术攻关为主的工作室。
---
工作室正文。
""",
        "content/enterprises/中车长客.md": """---
name: 中车长春轨道客车股份有限公司
short_name: 中车长客
region: 吉林长春
industry: 轨道交通装备制造
summary: 轨道客车制造企业。
---
企业正文。
""",
        "content/pages/zone-workers.md": "---\ntitle: 劳模风采\n---\n劳模展区导语。\n",
        "content/pages/zone-studios.md": "---\ntitle: 创新工作室\n---\n工作室展区导语。\n",
        "content/pages/zone-enterprises.md": "---\ntitle: 产改试点\n---\n试点企业展区导语。\n",
        "content/data/numbers.yaml": "- value: 648\n  unit: 个\n  caption: 劳模创新工作室\n  source: 示例来源\n",
        "content/data/timeline.yaml": "- date: 2017\n  title: 改革方案印发\n  source: 示例来源\n  entries: [workers/ai-ziyang]\n",
    }


# --------------------------------------------------------------------------- serving

@pytest.fixture(scope="session")
def served():
    """Factory ``served(folder, not_found=None)`` → base URL ``http://127.0.0.1:PORT/`` serving folder until the session ends
    (showcase.httpserve, the kiosk's server; missing files get ``folder/not_found`` with status 404 when given)."""
    servers = []

    def serve(folder: Path, not_found: str | None = None) -> str:
        folder = Path(folder)
        assert folder.is_dir(), f"cannot serve {folder}: not a folder"
        servers.append(LocalServer(folder, not_found=not_found or "").start())
        return servers[-1].url

    yield serve
    for server in servers:
        server.stop()


# --------------------------------------------------------------------------- browser

@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium (/usr/bin/chromium) as a Playwright Browser, shared by the session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium fonts-noto-cjk) "
                    "or run bash tests/run.sh, which does.", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.fail(f"Playwright for Python is missing ({exc}): python -m pip install -e '.[test]'", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
