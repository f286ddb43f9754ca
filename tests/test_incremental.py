"""Incremental builds: a rebuild reuses what did not change and its output equals a clean build's."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import run_build, write_files

SECOND_WORKER = """---
name: 张先志
slug: zhang-xianzhi
photo: images/ai-ziyang.jpg
photo_alt: 张先志在车间
position: 钳工
enterprise: 中车长客
region: 吉林长春
industry: 轨道交通装备制造
summary: 钳工技师。
date: 2023-03-01
---
张先志的正文。
"""


def settle(root: Path) -> None:
    """Date the files saved in the last half minute one minute back, as if saved a while ago (see cache.RACY_SECONDS).

    Files dated before keep their times, so the next build finds them unchanged and takes them from its caches."""
    now = time.time()
    for path in root.rglob("*"):
        if ".cache" not in path.parts and path.is_file() and path.stat().st_mtime > now - 30:
            os.utime(path, (now - 60, now - 60))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of an output folder (except the build marker) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".showcase-output"}


def build(root: Path, out: Path, *args: str) -> str:
    """Build root into out; return the summary line, failing the test on a non-zero exit."""
    proc = run_build(root, "--output", str(out), *args)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc.stdout


def assert_same_as_clean(root: Path, out: Path, tmp_path: Path) -> None:
    """The incremental output equals a clean build of a cache-less copy of the project, byte for byte."""
    copy = tmp_path / f"copy-{time.monotonic_ns()}"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".cache"))
    clean = tmp_path / f"clean-{time.monotonic_ns()}"
    build(copy, clean)
    ours, theirs = snapshot(out), snapshot(clean)
    assert sorted(ours) == sorted(theirs)
    different = [name for name in ours if ours[name] != theirs[name]]
    assert different == []


@pytest.fixture
def hall(make_project, tiny_hall, tmp_path):
    """A small project with two workers, built once into tmp_path/out."""
    files = dict(tiny_hall)
    files["content/workers/张先志.md"] = SECOND_WORKER
    root = make_project(files)
    settle(root)
    out = tmp_path / "out"
    build(root, out)
    return root, out


def edit(root: Path, relative: str, old: str, new: str) -> None:
    """Replace text in a project file and date it as saved a minute ago."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    settle(root)


def test_nothing_changed_stops_at_once_and_leaves_output_alone(hall):
    root, out = hall
    before = (out / "index.html").stat().st_ino
    line = build(root, out)
    assert line.startswith("没有变化：")
    assert (out / "index.html").stat().st_ino == before


def test_editing_one_body_renders_only_the_pages_that_show_it(hall, tmp_path):
    root, out = hall
    edit(root, "content/workers/张先志.md", "张先志的正文。", "张先志的正文，多了一句新的话。")
    line = build(root, out)
    pages = int(line.split("完成：")[1].split(" 个页面")[0])
    redone = int(line.split("其中 ")[1].split(" 个")[0])
    assert 0 < redone < pages
    assert "多了一句新的话" in (out / "workers/zhang-xianzhi/index.html").read_text(encoding="utf-8")
    assert_same_as_clean(root, out, tmp_path)


@pytest.mark.parametrize("change", [
    "rename_title", "rename_file", "delete_worker", "add_worker", "template", "site_yaml", "field_type",
    "data_file", "asset", "photo", "body_photo", "body_link", "attachment", "reference", "computed_figure",
])
def test_every_kind_of_change_gives_the_clean_output(hall, tmp_path, change):
    root, out = hall
    workers = root / "content/workers"
    if change == "rename_title":
        edit(root, "content/workers/张先志.md", "name: 张先志", "name: 张先知")
    elif change == "rename_file":
        text = (workers / "张先志.md").read_text(encoding="utf-8").replace("slug: zhang-xianzhi\n", "")
        (workers / "张先志.md").unlink()
        write_files(root, {"content/workers/张先知.md": text})
    elif change == "delete_worker":
        (workers / "张先志.md").unlink()
    elif change == "add_worker":
        write_files(root, {"content/workers/王刚.md": SECOND_WORKER.replace("张先志", "王刚").replace("zhang-xianzhi", "wang-gang")})
    elif change == "template":
        edit(root, "templates/partials/card.html", '<h3 class="card-title">', '<h3 class="card-title card-title-new">')
    elif change == "site_yaml":
        edit(root, "site.yaml", "title: 产改成果展厅", "title: 新的展厅名称")
    elif change == "field_type":  # every file is parsed again: the cached quotes are text, now they are Markdown
        edit(root, "site.yaml", "quote: {label: 金句, type: text", "quote: {label: 金句, type: markdown")
    elif change == "data_file":
        edit(root, "content/data/numbers.yaml", "value: 648", "value: 650")
    elif change == "asset":
        edit(root, "assets/style.css", "}", "}\n/* 新样式 */", )
    elif change == "photo":
        from PIL import Image
        Image.new("RGB", (300, 400), (20, 90, 160)).save(workers / "images/ai-ziyang.jpg", "JPEG")
    elif change == "body_photo":  # a picture shown in a body is replaced by another of the same name
        from PIL import Image
        Image.new("RGB", (500, 300), (200, 40, 40)).save(workers / "images/车间.jpg", "JPEG")
        edit(root, "content/workers/张先志.md", "张先志的正文。", "张先志的正文。\n\n![张先志在车间](images/车间.jpg)")
        build(root, out)
        Image.new("RGB", (300, 500), (20, 90, 160)).save(workers / "images/车间.jpg", "JPEG")
    elif change == "body_link":  # a studio's body links a worker's file; then the worker's address changes
        text = (root / "content/studios/aizy-studio.md").read_text(encoding="utf-8")
        (root / "content/studios/aizy-studio.md").write_text(text + "\n也带出了[张先志](../workers/张先志.md)。\n", encoding="utf-8")
        settle(root)
        build(root, out)
        assert 'href="../../workers/zhang-xianzhi/"' in (out / "studios/aizy-studio/index.html").read_text(encoding="utf-8")
        edit(root, "content/workers/张先志.md", "slug: zhang-xianzhi", "slug: zhang-xz")
    elif change == "attachment":  # a studio's body links a PDF; then the PDF is replaced by a larger one
        write_files(root, {"content/files/方案.pdf": "%PDF-1.4 第一版"})
        text = (root / "content/studios/aizy-studio.md").read_text(encoding="utf-8")
        (root / "content/studios/aizy-studio.md").write_text(text + "\n全文见[方案](../files/方案.pdf)。\n", encoding="utf-8")
        settle(root)
        build(root, out)
        assert 'data-file="PDF，1 KB"' in (out / "studios/aizy-studio/index.html").read_text(encoding="utf-8")
        write_files(root, {"content/files/方案.pdf": "%PDF-1.4 第二版" + "正文" * 200_000})
    elif change == "reference":
        edit(root, "content/studios/aizy-studio.md", "leader: ai-ziyang", "leader: zhang-xianzhi")
    elif change == "computed_figure":  # only the stats (数据 page, home band) read it besides the studio page
        edit(root, "content/studios/aizy-studio.md", "  patents: 3", "  patents: 30")
    settle(root)
    build(root, out)
    assert_same_as_clean(root, out, tmp_path)
    if change in ("rename_file", "delete_worker"):
        assert not (out / "workers/zhang-xianzhi/index.html").exists()


def test_a_site_yaml_change_checks_unchanged_files_again(hall):
    """A field made required in site.yaml is reported in files that did not change since the last build."""
    root, out = hall
    edit(root, "site.yaml", "quote: {label: 金句, type: text", "quote: {label: 金句, type: text, required: true")
    proc = run_build(root, "--output", str(out))
    assert proc.returncode == 1 and "content/workers/张先志.md" in proc.stderr and "缺少必填字段「金句」（quote）" in proc.stderr, proc.stderr


def test_a_damaged_cache_only_costs_time(hall, tmp_path):
    root, out = hall
    for path in (root / ".cache/showcase").glob("*.pickle"):
        path.write_bytes(b"\x80\x04garbage")
    edit(root, "content/workers/张先志.md", "钳工技师。", "钳工技师，带徒二十人。")
    build(root, out)
    assert_same_as_clean(root, out, tmp_path)


def test_the_old_search_memo_is_removed(hall):
    """Earlier versions kept every search text in .cache/showcase/search.pickle; nothing reads it now, so a build deletes it."""
    root, out = hall
    memo = root / ".cache/showcase/search.pickle"
    memo.write_bytes(b"old memo")
    edit(root, "content/workers/张先志.md", "钳工技师。", "钳工技师，带徒二十人。")
    build(root, out)
    assert not memo.exists()


def test_failed_build_keeps_output_and_the_next_good_build_is_right(hall, tmp_path):
    root, out = hall
    before = snapshot(out)
    edit(root, "content/workers/张先志.md", "enterprise: 中车长客", "enterprise: 不存在的企业")
    proc = run_build(root, "--output", str(out))
    assert proc.returncode == 1 and "不存在的企业" in proc.stderr
    assert snapshot(out) == before
    edit(root, "content/workers/张先志.md", "enterprise: 不存在的企业", "enterprise: 中车长客")
    edit(root, "content/workers/张先志.md", "钳工技师。", "钳工技师，改好了。")
    build(root, out)
    assert "改好了" in (out / "workers/zhang-xianzhi/index.html").read_text(encoding="utf-8")
    assert_same_as_clean(root, out, tmp_path)


def test_a_file_saved_just_now_is_read_again_even_with_the_same_size_and_time(hall, tmp_path):
    root, out = hall
    path = root / "content/workers/张先志.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("钳工技师。", "钳工技师甲。"), encoding="utf-8")
    stamp = path.stat().st_mtime_ns
    build(root, out)
    path.write_text(text.replace("钳工技师。", "钳工技师乙。"), encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))  # same size, same time: only the content differs
    build(root, out)
    assert "钳工技师乙" in (out / "workers/zhang-xianzhi/index.html").read_text(encoding="utf-8")


class _Planted:
    """An object whose unpickling would create a file: what a crafted cache could do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_cache_from_someone_else_is_never_unpickled(hall, tmp_path):
    """A project folder received with a crafted .cache/ (unsigned, or signed with another key) runs nothing from it."""
    import hashlib
    import hmac
    import pickle

    from showcase.cache import CODE_VERSION
    root, out = hall
    marker = tmp_path / "planted-code-ran"
    payload = pickle.dumps((CODE_VERSION, _Planted(marker)))
    foreign = payload + hmac.new(b"k" * 32, payload, hashlib.sha256).digest()
    for index, path in enumerate(sorted((root / ".cache/showcase").glob("*.pickle"))):
        path.write_bytes(payload if index % 2 else foreign)
    for path in (root / ".cache/showcase/templates").rglob("*.cache"):
        path.write_bytes(foreign)
    edit(root, "content/workers/张先志.md", "钳工技师。", "钳工技师，缓存是别人的。")
    build(root, out)
    assert not marker.exists()
    assert_same_as_clean(root, out, tmp_path)
