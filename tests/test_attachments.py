"""Attachments (showcase/attachments.py): files a body links for visitors to open or download.

The built page links the published file with its kind and size; the file's bytes are copied as
they are; a missing, empty, foreign or very large file is reported at the link's line; the kiosk
shows a QR code of the web edition's copy instead.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import sitekit
from showcase import attachments
from showcase.attachments import file_size
from sitekit import STUDIO, problems, run, write

S = "content/studios/s.md"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 1200  # 307,209 bytes: 300 KB


@pytest.fixture
def site(tmp_path) -> Path:
    """A small valid site whose studio body links a PDF with a space in its name, on page 2."""
    root = sitekit.make_site(tmp_path / "site")
    write(root, "content/files/仪征 实施方案.pdf", PDF)
    write(root, S, STUDIO.replace("正文", "正文\n\n全文见[实施方案](../files/仪征 实施方案.pdf#page=2)。"))
    return root


def built(capsys, root: Path, *args: str) -> tuple[str, str]:
    """Build root into root/out; (the studio's page, the summary line)."""
    code, out, err = run(capsys, root, "--output", str(root / "out"), *args)
    assert code == 0, err
    return (root / "out/studios/aizy-studio/index.html").read_text(encoding="utf-8"), out.strip().splitlines()[-1]


def test_a_linked_file_is_published_as_it_is_and_the_link_shows_its_kind_and_size(capsys, site):
    page, summary = built(capsys, site)
    assert ('全文见<a href="../../files/%E4%BB%AA%E5%BE%81%20%E5%AE%9E%E6%96%BD%E6%96%B9%E6%A1%88.pdf#page=2"'
            ' data-file="PDF，300 KB">实施方案</a>。') in page
    assert (site / "out/files/仪征 实施方案.pdf").read_bytes() == PDF
    assert "，1 个附件，" in summary


def test_a_file_whose_own_name_holds_a_web_address_escape_is_published(capsys, site):
    write(site, "content/files/方案%2B附件.pdf", PDF)  # a name a browser gave a download
    write(site, S, STUDIO.replace("正文", "正文\n\n见[方案](../files/方案%2B附件.pdf)。"))
    page, summary = built(capsys, site)
    assert '见<a href="../../files/%E6%96%B9%E6%A1%88%2B%E9%99%84%E4%BB%B6.pdf" data-file="PDF，300 KB">方案</a>。' in page
    assert (site / "out/files/方案+附件.pdf").read_bytes() == PDF  # where that link leads
    assert "，1 个附件，" in summary


def test_the_kiosk_shows_a_qr_code_of_the_web_editions_file_and_publishes_none(capsys, site):
    page, summary = built(capsys, site, "--kiosk", "--base-url", "https://example.org/zt/")
    assert '<span class="offsite-text">实施方案</span>' in page
    assert '<span class="offsite-caption">扫码查看文件</span>' in page
    assert "files/%E4%BB%AA" not in page.split('class="offsite"')[0]  # no link to a file the kiosk does not have
    assert not (site / "out/files").exists() and "附件" not in summary


@pytest.mark.parametrize("written, on_disk, found, fix", [
    ("../files/方案.docx", None, "正文里的链接「../files/方案.docx」指向的文件「content/files/方案.docx」不存在。",
     "检查文件名（包括 .pdf、.docx 这样的扩展名和大小写）和所在文件夹。"),
    ("../files/方案.pdf", "content/files/方案.PDF", "指向的文件「content/files/方案.pdf」不存在。", "文件夹里有「方案.PDF」，是不是它？"),
    ("方案.pdf", "content/files/方案.pdf", "指向的文件「content/studios/方案.pdf」不存在。", "它在 content/files/方案.pdf：写成 ../files/方案.pdf。"),
    ("../files/空.pdf", "content/files/空.pdf", "指向的文件「content/files/空.pdf」是空文件（0 字节）。", "重新复制原文件"),
    ("../files/装机.exe", "content/files/装机.exe", "指向的不是展厅里的条目、页面或能发布的文件，点开会找不到。",
     "附件能发布的只有 .pdf、.ofd、.doc、.docx、.wps、.xls、.xlsx、.et、.csv、.ppt、.pptx、.dps、.zip、.rar、.7z、.mp3、.m4a、.mp4 文件"),
    ("../images/车间.jpg", "content/images/车间.jpg", "指向的不是展厅里的条目、页面或能发布的文件",
     "要在正文里显示这张图片，在方括号前加一个感叹号：![图片说明](../images/车间.jpg)；"),
])
def test_a_link_to_a_file_that_cannot_be_published_is_named_at_its_line(capsys, site, written, on_disk, found, fix):
    if on_disk:
        write(site, on_disk, PDF if on_disk.endswith((".PDF", ".pdf")) and "空" not in on_disk else b"")
    text = STUDIO.replace("正文", f"正文\n\n见[全文]({written})。")
    write(site, S, text)
    code, _, err = run(capsys, site, "--output", str(site / "out"))
    assert code == 1 and "Traceback" not in err
    [block] = problems(err)
    assert block.split("\n")[0] == f"1. [错误] {S} 第 {text.split(chr(10)).index(f'见[全文]({written})。') + 1} 行 · 正文链接"
    assert found in block and fix in block


def test_a_very_large_file_is_published_with_a_warning(capsys, site, monkeypatch):
    monkeypatch.setattr(attachments, "LARGE", 100_000)
    page, summary = built(capsys, site)
    assert "data-file=\"PDF，300 KB\"" in page and "1 个警告" in summary
    code, _, err = run(capsys, site, "--output", str(site / "out"), "--strict")
    assert code == 1
    assert "附件「content/files/仪征 实施方案.pdf」有 300 KB，用手机流量打开要等很久。" in problems(err)[0]


def test_a_folder_of_attachments_is_not_warned_about_but_a_folder_of_unused_entries_is(capsys, site):
    write(site, "content/旧稿/张三.md", STUDIO)
    write(site, "content/workers/工作总结.docx", b"PK\x03\x04")
    code, _, err = run(capsys, site, "--output", str(site / "out"))
    assert code == 0, err
    found = problems(err)
    assert len(found) == 2, err
    assert "文件夹「旧稿」不对应任何集合" in found[1]
    assert "这个文件以 .docx 结尾，不会被读取。" in found[0] and "如果它是正文里链接的附件，请把它移到 content/files/ 文件夹。" in found[0]


@pytest.mark.parametrize("size, shown", [
    (1, "1 KB"), (300, "1 KB"), (307_209, "300 KB"), (1023 * 1024, "1023 KB"), (2**20, "1.0 MB"),
    (int(1.26 * 2**20), "1.3 MB"), (int(9.94 * 2**20), "9.9 MB"), (35 * 2**20 + 1, "35 MB"),
])
def test_file_size_reads_like_a_download_link(size, shown):
    assert file_size(size) == shown
