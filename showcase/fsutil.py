"""Reading text the way Windows editors save it, safe paths, atomic writes and the tree swap."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import posixpath
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import unquote

HOW_TO_SAVE_UTF8 = (
    "请把文件另存为 UTF-8 编码：记事本选“文件 → 另存为”，在“编码”里选“UTF-8”后保存；"
    "WPS 或 VS Code 也可在右下角或“另存为”里选择 UTF-8。"
)


NOT_TEXT_FIX = "确认这是用记事本、WPS 等写的文字文件；图片请放进 images 文件夹，再在字段里写它的路径。"


class EncodingProblem(Exception):
    """The bytes are not UTF-8 text; the message says what they look like, ``fix`` what to do."""

    def __init__(self, message: str, fix: str = HOW_TO_SAVE_UTF8):
        super().__init__(message)
        self.fix = fix


PASTED_INVISIBLES = {0x200B: None, 0x2060: None, 0xFEFF: None, 0x2028: "\n", 0x2029: "\n"}  # zero-width spaces, word joiners, stray BOMs; line separators


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (BOM allowed), normalise line endings, or explain the real encoding.

    Invisible characters that text copied from web pages and WeChat carries are dropped (a name
    with a zero-width space inside would not be found by search), and Unicode line separators
    become line breaks (YAML counts them as such, so line numbers stay right)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        raise EncodingProblem("文件是 UTF-16 编码（Windows 记事本里叫“Unicode”），展厅只读 UTF-8。")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            raise EncodingProblem(f"文件第 {line} 行起不是 UTF-8 编码，也不像 GBK：可能已损坏，"
                                  "或者是图片、Word 文档等改成了这个扩展名。", NOT_TEXT_FIX) from None
        raise EncodingProblem(f"文件是 GBK/GB18030 编码（中文 Windows 的“ANSI”），展厅只读 UTF-8（第 {line} 行起无法读取）。") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise EncodingProblem(f"文件第 {line} 行有空字符（\\0），不像文字文件：可能已损坏，"
                              "或者是图片、Word 文档等改成了这个扩展名。", NOT_TEXT_FIX)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(chr(code) in text for code in PASTED_INVISIBLES):
        text = text.translate(PASTED_INVISIBLES)
    return text


def _looks_utf16(data: bytes) -> bool:
    """True when the zero bytes of the start sit on one side of each pair, as in BOM-less UTF-16."""
    head = data[:200]
    if len(head) < 4:
        return False
    zeros_even = head[0::2].count(0)
    zeros_odd = head[1::2].count(0)
    return max(zeros_even, zeros_odd) >= len(head) // 4 and min(zeros_even, zeros_odd) <= len(head) // 40


def read_text(path: Path) -> str:
    """Read a UTF-8 text file; raise EncodingProblem when it is saved in another encoding."""
    return decode_text(path.read_bytes())


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename."""
    write_atomic_with(path, lambda handle: handle.write(data))


def write_atomic_with(path: Path, fill) -> None:
    """Like write_atomic, with fill(handle) writing the bytes (so large data need not be in memory at once)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            fill(handle)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def inside(root: Path, relative: str) -> Path | None:
    """Join relative onto root; None if the result would leave root."""
    root = root.resolve()
    target = (root / relative).resolve()
    return target if target.is_relative_to(root) else None


def content_file(root: Path, relative: str) -> Path | None:
    """The file a content path names, inside root: the one of that name, else one whose own name holds
    the %XX that was read as a web address (a name written 方案%2B附件.pdf, meant as it is); None if neither."""
    path = inside(root, relative)
    if path is None or path.is_file() or not path.parent.is_dir():
        return path
    wanted = unicodedata.normalize("NFC", path.name)
    for candidate in sorted(path.parent.iterdir()):
        if "%" in candidate.name and unicodedata.normalize("NFC", unquote(candidate.name)) == wanted:
            found = inside(root, str(candidate.relative_to(root.resolve())))  # a link named so may lead out
            if found is not None and found.is_file():
                return found
    return path


def missing_file_fix(content_dir: Path, path: Path, source: str, spelling: str) -> str:
    """How to fix a file that source names and content/ lacks: the file it may mean, beside it or elsewhere
    in content/, or what to check (spelling says what a file name includes, such as its extension)."""
    similar = _similar_file(path)
    if similar:
        return f"文件夹里有「{similar}」，是不是它？检查文件名{spelling}。"
    elsewhere = _same_name_elsewhere(content_dir, path.name)
    if elsewhere:
        return f"它在 content/{elsewhere}：写成 {posixpath.relpath(f'content/{elsewhere}', posixpath.dirname(source))}。"
    return f"检查文件名{spelling}和所在文件夹。"


def _similar_file(path: Path) -> str:
    """A file in the same folder whose name differs only in case or extension."""
    folder = path.parent
    if not folder.is_dir():
        return ""
    for candidate in sorted(folder.iterdir()):
        if candidate.stem.lower() == path.stem.lower() or candidate.name.lower() == path.name.lower():
            return candidate.name
    return ""


def _same_name_elsewhere(content_dir: Path, name: str) -> str:
    """The first file under content_dir called name (in any case), as a path inside it; '' when there is none."""
    wanted = unicodedata.normalize("NFC", name).lower()
    for folder, folders, files in os.walk(content_dir):
        folders.sort()
        found = next((file for file in sorted(files) if unicodedata.normalize("NFC", file).lower() == wanted), None)
        if found:
            return Path(folder, found).relative_to(content_dir).as_posix()
    return ""


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux renameat2; False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if os.name != "posix" or not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def swap_tree(new: Path, target: Path) -> Path | None:
    """Put the finished tree new in place of target; return where the old tree now is, to delete.

    On Linux the two folders are exchanged in one atomic step; elsewhere target is renamed to
    target.old first, and ``recover_tree`` puts it back if the process dies between the renames.
    """
    if not target.exists():
        os.replace(new, target)
        return None
    if _exchange(new, target):
        return new
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    os.replace(target, old)
    os.replace(new, target)
    return old


def remove_tree_soon(folder: Path) -> None:
    """Delete a folder no one uses any more, in a detached child process where fork exists."""
    if hasattr(os, "fork"):
        try:
            pid = os.fork()
        except OSError:
            pid = -1
        if pid == 0:
            try:
                os.setsid()
                shutil.rmtree(folder, ignore_errors=True)
            finally:
                os._exit(0)
        if pid > 0:
            return
    shutil.rmtree(folder, ignore_errors=True)


def recover_tree(target: Path) -> None:
    """Restore target from the .old copy a build killed mid-swap left behind."""
    old = target.with_name(target.name + ".old")
    if old.exists() and not target.exists():
        os.replace(old, target)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)
