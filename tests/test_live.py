"""Live edits in the preview (showcase/live.py): a text edit applied in memory gives a clean build's output.

Everything else — a new title, a reference, a region, a photo, a new or deleted file, a mistake —
is handed back to the normal build, and the output is left as it was.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from showcase import live, pipeline
from showcase.search import read_index
from test_incremental import SECOND_WORKER, assert_same_as_clean, build, settle, snapshot, write_files

WORKER = "content/workers/艾子洋.md"


@pytest.fixture
def preview(make_project, tiny_hall, tmp_path):
    """A project with two workers, built in this process as the preview does; (root, out, state)."""
    files = dict(tiny_hall)
    files["content/workers/张先志.md"] = SECOND_WORKER
    root = make_project(files)
    settle(root)
    out = tmp_path / "out"
    result = pipeline.build(root, str(out), keep_state=True)
    assert result.state is not None
    return root, out, result.state


def save(root: Path, relative: str, old: str, new: str) -> str:
    """Replace text in a project file as an editor saves it; return its path as the watcher reports it."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return str(path)


def test_a_body_edit_is_applied_live_and_equals_a_clean_build(preview, tmp_path):
    root, out, state = preview
    done = live.apply(state, {save(root, WORKER, "第二段正文。", "第二段正文，今天补充的一句。")})
    assert done is not None and done.entries == 1
    page = (out / "workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert "今天补充的一句" in page
    assert any("今天补充的一句" in e[3] for e in read_index(out)["entries"])  # the search text too
    assert_same_as_clean(root, out, tmp_path)


def test_text_fields_and_a_second_edit_of_the_same_file_go_live_too(preview, tmp_path):
    root, out, state = preview
    assert live.apply(state, {save(root, WORKER, "summary: 37岁的高级技师", "summary: 三十七岁的高级技师")}) is not None
    assert live.apply(state, {save(root, WORKER, "quote: 畅通渠道了", "quote: 渠道畅通了")}) is not None
    assert live.apply(state, {save(root, WORKER, "position: 调试二班高级技师", "position: 调试二班班长")}) is not None
    shown = (out / "workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert "渠道畅通了" in shown and "三十七岁的高级技师" in shown
    assert "调试二班班长" in (out / "workers/index.html").read_text(encoding="utf-8")  # the card on the list
    assert_same_as_clean(root, out, tmp_path)


def test_an_editors_passing_temporary_file_is_ignored(preview):
    root, out, state = preview
    before = snapshot(out)
    done = live.apply(state, {str(root / "content/workers/4913"), str(root / "content/workers/.艾子洋.md.swp")})
    assert done is not None and done.pages == 0
    assert snapshot(out) == before


@pytest.mark.parametrize("change", [
    "title", "slug", "reference", "region", "skill_level", "photo_field", "date", "unknown_field",
    "yaml_mistake", "new_file", "deleted_file", "data_file", "template", "site_yaml", "image", "lines_move",
    "new_link", "new_picture", "attachment",
])
def test_anything_but_a_text_edit_is_left_to_the_build(preview, change):
    root, out, state = preview
    before = snapshot(out)
    path = root / WORKER
    edits = {
        "title": ("name: 艾子洋", "name: 艾子阳"),
        "slug": ("slug: ai-ziyang", "slug: ai-zi-yang"),
        "reference": ("enterprise: 中车长客", "enterprise: 另一家企业"),
        "region": ("region: 吉林长春", "region: 重庆"),
        "skill_level": ("skill_level: 高级技师", "skill_level: 技师"),
        "photo_field": ("photo: images/ai-ziyang.jpg", "photo: images/other.jpg"),
        "date": ("date: 2024-05-01", "date: 2024-06-01"),
        "unknown_field": ("quote:", "honor: 劳模\nquote:"),
        "yaml_mistake": ("quote: 畅通渠道了", "quote：畅通渠道了"),
        "lines_move": ("summary: 37岁的高级技师，带领班组攻克调试难题。", "summary: >-\n  37岁的高级技师，带领班组攻克调试难题。"),
        "new_link": ("第二段正文。", "第二段正文，见[张先志](张先志.md)。"),  # the link to his page is made by the build
        "new_picture": ("第二段正文。", "第二段正文。\n\n![艾子洋在调试](images/ai-ziyang.jpg)"),
    }
    if change in edits:
        saved = save(root, WORKER, *edits[change])
    elif change == "new_file":
        write_files(root, {"content/workers/王刚.md": SECOND_WORKER.replace("张先志", "王刚").replace("zhang-xianzhi", "wang-gang")})
        saved = str(root / "content/workers/王刚.md")
    elif change == "deleted_file":
        path.unlink()
        saved = str(path)
    elif change == "data_file":
        saved = save(root, "content/data/numbers.yaml", "value: 648", "value: 650")
    elif change == "template":
        saved = save(root, "templates/partials/card.html", '<h3 class="card-title">', '<h3 class="card-title x">')
    elif change == "site_yaml":
        saved = save(root, "site.yaml", "title: 产改成果展厅", "title: 新的展厅名称")
    elif change == "attachment":  # a file a body may link, deleted (its size and copy are the build's)
        saved = str(root / "content/files/方案.pdf")
    else:  # an image the content uses
        from PIL import Image
        Image.new("RGB", (300, 400), (20, 90, 160)).save(root / "content/workers/images/ai-ziyang.jpg", "JPEG")
        saved = str(root / "content/workers/images/ai-ziyang.jpg")
    assert live.apply(state, {saved, str(root / WORKER)}) is None
    assert snapshot(out) == before


def test_after_live_edits_and_an_undo_the_next_build_is_still_clean(preview, tmp_path):
    root, out, state = preview
    saved = save(root, WORKER, "第二段正文。", "第二段正文，临时改动。")
    assert live.apply(state, {saved}) is not None
    save(root, WORKER, "第二段正文，临时改动。", "第二段正文。")  # undone after the preview was closed
    settle(root)
    build(root, out)
    assert "临时改动" not in (out / "workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert_same_as_clean(root, out, tmp_path)
