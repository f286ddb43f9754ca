"""fsutil: decoding what Windows editors save, safe joins under a folder, atomic writes."""
from __future__ import annotations

import os

import pytest

from showcase.fsutil import EncodingProblem, content_file, decode_text, inside, read_text

TEXT = "---\nname: 艾子洋\nregion: 吉林长春\n---\n第一段正文。\n"


@pytest.mark.parametrize("data, expected", [
    (TEXT.encode("utf-8"), TEXT),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT),                         # Notepad's "UTF-8 with BOM"
    (TEXT.replace("\n", "\r\n").encode("utf-8"), TEXT),                     # Windows line endings
    (b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode("utf-8"), TEXT),   # both
    (TEXT.replace("\n", "\r").encode("utf-8"), TEXT),                       # old Mac line endings
    (b"", ""),
    (b"\xef\xbb\xbf", ""),                                                  # only a BOM
    ("ＡＢＣ１２３，。".encode("utf-8"), "ＡＢＣ１２３，。"),                  # full-width text is kept as written
    (TEXT.replace("艾子洋", "艾\u200b子\u2060洋\ufeff").encode("utf-8"), TEXT),       # invisibles pasted from WeChat
    (TEXT.replace("。\n", "。\u2028").encode("utf-8"), TEXT),                 # a Unicode line separator (Word)
    ("👨\u200d🔧".encode("utf-8"), "👨\u200d🔧"),                              # an emoji's joiner is kept
], ids=["utf8", "bom", "crlf", "bom-crlf", "cr", "empty", "only-bom", "full-width", "invisibles", "line-separator", "emoji"])
def test_decode_accepts_utf8_in_every_windows_form(data, expected):
    assert decode_text(data) == expected


@pytest.mark.parametrize("data, words", [
    (TEXT.encode("gbk"), ["GBK/GB18030", "ANSI", "第 2 行起"]),
    (TEXT.encode("gb18030"), ["GBK/GB18030", "第 2 行起"]),
    ("艾".encode("gbk"), ["GBK/GB18030", "第 1 行起"]),
    (TEXT.encode("utf-16"), ["UTF-16", "Unicode"]),                          # with BOM, as Notepad saves it
    (b"\xfe\xff" + TEXT.encode("utf-16-be"), ["UTF-16", "Unicode"]),         # big-endian with BOM
    (TEXT.encode("utf-16-le"), ["UTF-16"]),                                  # no BOM
    (TEXT.encode("utf-16-be"), ["UTF-16"]),
    (b"---\nname: a\x00b\n---\n", ["第 2 行", "空字符", "不像文字文件"]),
    (b"\x00" * 100, ["第 1 行", "空字符"]),                                   # zeros are not UTF-16
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x08\xff\xfe\x80\x81", ["不是 UTF-8", "也不像 GBK", "改成了这个扩展名"]),
    ("café\n".encode("latin-1"), ["不是 UTF-8", "也不像 GBK"]),
], ids=["gbk", "gb18030", "gbk-one-char", "utf16-bom", "utf16be-bom", "utf16le", "utf16be", "nul", "zeros",
        "png", "latin1"])
def test_decode_names_the_encoding_it_looks_like(data, words):
    with pytest.raises(EncodingProblem) as caught:
        decode_text(data)
    message = str(caught.value)
    for word in words:
        assert word in message, message


def test_decode_never_raises_anything_but_encoding_problem():
    for seed in range(50):
        data = bytes((seed * 7919 + i * 104729) % 256 for i in range(300 + seed))
        try:
            decode_text(data)
        except EncodingProblem:
            pass


def test_read_text_reads_a_file(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode())
    assert read_text(path) == TEXT
    path.write_bytes(TEXT.encode("gbk"))
    with pytest.raises(EncodingProblem):
        read_text(path)


@pytest.mark.parametrize("relative, expected", [
    ("workers/a.jpg", "workers/a.jpg"),
    ("workers/../studios/b.png", "studios/b.png"),
    ("./a.jpg", "a.jpg"),
    ("../a.jpg", None),
    ("../../etc/passwd", None),
    ("workers/../../x", None),
    ("/etc/passwd", None),
])
def test_inside_refuses_paths_that_leave_the_folder(tmp_path, relative, expected):
    root = tmp_path / "content"
    root.mkdir()
    result = inside(root, relative)
    if expected is None:
        assert result is None
    else:
        assert result == (root / expected).resolve()


@pytest.mark.parametrize("on_disk, named, expected", [
    ("images/a.jpg", "images/a.jpg", "images/a.jpg"),
    ("images/100%25 照片.jpg", "images/100% 照片.jpg", "images/100%25 照片.jpg"),  # written as it is: %25 was read as %
    ("files/方案%2B附件.pdf", "files/方案+附件.pdf", "files/方案%2B附件.pdf"),
    ("images/李 帅.jpg", "images/李 帅.jpg", "images/李 帅.jpg"),
    ("images/100%25.jpg", "images/100%.jpeg", "images/100%.jpeg"),  # no such file: the path named, for the message
    ("images/a.jpg", "../a.jpg", None),
])
def test_content_file_finds_a_file_whose_own_name_holds_a_web_address_escape(tmp_path, on_disk, named, expected):
    root = tmp_path / "content"
    (root / on_disk).parent.mkdir(parents=True)
    (root / on_disk).write_bytes(b"x")
    result = content_file(root, named)
    assert result == (None if expected is None else (root / expected).resolve())


def test_content_file_follows_no_link_named_with_an_escape_out_of_the_folder(tmp_path):
    root = tmp_path / "content"
    (root / "images").mkdir(parents=True)
    (tmp_path / "secret.jpg").write_bytes(b"x")
    os.symlink(tmp_path / "secret.jpg", root / "images/a%20b.jpg")
    assert content_file(root, "images/a b.jpg") == (root / "images/a b.jpg").resolve()  # reported missing, not read


def test_inside_refuses_a_symlink_that_points_out(tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("x")
    os.symlink(tmp_path / "secret.txt", root / "link.jpg")
    assert inside(root, "link.jpg") is None
