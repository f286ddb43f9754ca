"""Attachments: the files (PDF, Word, Excel…) bodies link for visitors to open or download.

``refs.resolve`` turns a body's link to such a file (``[实施方案](../files/方案.pdf)``) into an
``Attachment``; ``check`` finds each file in content/, notes its size for the page to show and
reports a missing, empty or very large one at the link's line; ``publish`` copies the files as they
are into the output, at their path under content/ (content/files/方案.pdf → files/方案.pdf).  The
kiosk edition publishes none: its pages show a QR code of the file on the web edition instead.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from .content import Attachment, Library
from .errors import Report, quote
from .fsutil import content_file, missing_file_fix

LARGE = 20 * 2**20  # a file visitors on a phone would wait for; warned, still published


def check(library: Library, report: Report) -> dict[str, Attachment]:
    """Every attachment the bodies link whose file is there, by content path, with its size; the others reported."""
    content_dir = library.site.content_dir
    found: dict[str, Attachment] = {}
    for entry in library.all():
        for link in entry.body_links:
            attachment = entry.link_targets.get(link.href)
            if not isinstance(attachment, Attachment) or attachment.path in found:
                continue
            problem = _measure(content_dir, attachment, entry.source)
            if problem:
                report.error(entry.source, link.line, link.place.link_label,
                             f"{link.place.name}里的链接{quote(link.href)}{problem[0]}", problem[1])
                continue
            found[attachment.path] = attachment
            if attachment.size > LARGE:
                report.warn(entry.source, link.line, link.place.link_label,
                            f"附件{quote('content/' + attachment.path)}有 {file_size(attachment.size)}，用手机流量打开要等很久。",
                            "PDF 可以在 WPS 或 Acrobat 里用“压缩 PDF”变小，也可以只放需要的几页；视频请压缩后再放。")
    return found


def _measure(content_dir: Path, attachment: Attachment, source: str) -> tuple[str, str] | None:
    """Set the attachment's size from its file; (what is wrong, how to fix it) when it cannot be published."""
    path = content_file(content_dir, attachment.path)
    shown = quote(f"content/{attachment.path}")
    if path is None:  # through a folder link that leads out of content/
        return "指向 content 文件夹以外。", "把文件复制进 content/files/ 文件夹，再链接它。"
    try:
        size = path.stat().st_size if path.is_file() else None
    except OSError as exc:
        return f"指向的文件{shown}无法读取（{exc.strerror or exc}）。", "检查文件是否被其他程序占用，或重新复制一份。"
    if size is None:
        return f"指向的文件{shown}不存在。", missing_file_fix(content_dir, path, source, "（包括 .pdf、.docx 这样的扩展名和大小写）")
    if size == 0:
        return f"指向的文件{shown}是空文件（0 字节）。", "重新复制原文件；复制时不要中断。"
    attachment.size = size
    return None


def file_size(size: int) -> str:
    """A file's size as pages show it: 860 KB, 1.2 MB, 35 MB."""
    if size < 2**20:
        return f"{max(1, round(size / 1024))} KB"
    megabytes = size / 2**20
    return f"{megabytes:.1f} MB" if megabytes < 10 else f"{round(megabytes)} MB"


def publish(found: dict[str, Attachment], content_dir: Path, tree) -> int:
    """Copy every attachment into the output tree at its path under content/; return how many."""
    for path in sorted(found):
        target = tree.path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(content_file(content_dir, path), target)
    return len(found)
