"""Markdown for Chinese text, and slugs.

* A line break inside a Chinese paragraph joins without a space (a browser would show the
  newline as a space between two Chinese characters); code blocks keep their newlines.
* Raw HTML is shown as text unless site.yaml allows it; links may only use safe schemes.
* One Markdown instance per process is reused (``reset()`` between documents), and inline
  patterns are skipped for text that has none of their trigger characters: identical output,
  about twice as fast on plain Chinese prose.
"""
from __future__ import annotations

import functools
import html as html_module
import re
import unicodedata

import markdown
from markdown.treeprocessors import InlineProcessor, Treeprocessor

from .chinese import joins_tight

INLINE_TAGS = r"(?:</?(?:a|abbr|b|code|del|em|i|mark|small|span|strong|sub|sup)\b[^<>\n]*>)+"
TRAILING_TAGS = re.compile(rf"{INLINE_TAGS}$")
LEADING_TAGS = re.compile(rf"^{INLINE_TAGS}")
PRE_BLOCK = re.compile(r"(<pre[\s>].*?</pre>)", re.DOTALL)
INLINE_TRIGGERS = re.compile(r"[\\`*_\[\]!<&]|  \n")
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:", "#", "/", "./", "../")


def join_cjk_lines(html: str) -> str:
    """Remove a newline next to a Chinese character or punctuation mark, outside <pre> blocks."""
    if "\n" not in html:
        return html
    parts = PRE_BLOCK.split(html) if "<pre" in html else [html]
    for index in range(0, len(parts), 2):
        parts[index] = _join(parts[index])
    return "".join(parts)


def _join(text: str) -> str:
    """Join the lines of text where either side of the break is Chinese (inline tags looked through)."""
    lines = text.split("\n")
    pieces = [lines[0]]
    for line in lines[1:]:
        before = pieces[-1]
        last = before.rstrip(" \t")
        last = TRAILING_TAGS.sub("", last)[-1:] if last.endswith(">") else last[-1:]
        after = line.lstrip(" \t")
        first = LEADING_TAGS.sub("", after)[:1] if after.startswith("<") else after[:1]
        if last and first and last not in "<>" and first not in "<>" and joins_tight(last, first):
            pieces[-1] = before.rstrip(" \t")
            pieces.append(after)
        else:
            pieces.append("\n")
            pieces.append(line)
    return "".join(pieces)


class _FastInline(InlineProcessor):
    """InlineProcessor that skips text no inline pattern could match."""

    def _InlineProcessor__handleInline(self, data, patternIndex=0):  # noqa: N802 - overrides a mangled name
        if patternIndex == 0 and not INLINE_TRIGGERS.search(data):
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


class _SafeLinks(Treeprocessor):
    """Drop href/src values with schemes such as javascript:."""

    def run(self, root):
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is None:
                    continue
                cleaned = "".join(value.split()).lower()
                if ":" in cleaned.split("/")[0] and not cleaned.startswith(SAFE_SCHEMES):
                    element.set(attribute, "#")
        return None


def make_markdown(allow_html: bool) -> markdown.Markdown:
    """A Markdown converter with the showcase's rules."""
    md = markdown.Markdown(extensions=["tables", "sane_lists", "fenced_code"], output_format="html")
    md.treeprocessors.register(_FastInline(md), "inline", 20)
    if not allow_html:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 1)
    return md


PLAIN_LINE = re.compile(r"^(?![#>|=\-+*]|\d+[.)]|[ \t])[^\\`*_\[\]!<>&|\t#]*(?:\*\*[^\s*\\`_\[\]!<>&|#][^*\\`_\[\]!<>&|#]*(?<=[^\s*])\*\*[^\\`*_\[\]!<>&|\t#]*)*(?<! )$")
PLAIN_HEADING = re.compile(r"^(#{1,6}) +([^\\`*_\[\]!<>&|#\s][^\\`*_\[\]!<>&|#]*(?<=\S))$")
STRONG = re.compile(r"\*\*(.+?)\*\*")


def plain_html(text: str) -> str | None:
    """HTML for prose made only of paragraphs, # headings and **strong**; None for anything else.

    Output is byte-identical to Python-Markdown's (tests/test_markup.py compares them on
    generated documents); it exists because such prose is nearly all a hall contains and
    converting it directly is several times faster.
    """
    if "\t" in text or "\r" in text:
        return None
    blocks: list[str] = []
    paragraph: list[str] = []
    for line in text.strip("\n").split("\n"):
        if not line:
            if paragraph:
                blocks.append("<p>" + "\n".join(paragraph) + "</p>")
                paragraph = []
            continue
        heading = PLAIN_HEADING.match(line) if line.startswith("#") else None
        if heading and not paragraph:
            blocks.append(f"<h{len(heading.group(1))}>{heading.group(2)}</h{len(heading.group(1))}>")
            continue
        if not PLAIN_LINE.match(line) or (paragraph and set(line) <= {"=", "-"}):
            return None
        paragraph.append(STRONG.sub(r"<strong>\1</strong>", line) if "**" in line else line)
    if paragraph:
        blocks.append("<p>" + "\n".join(paragraph) + "</p>")
    return "\n".join(blocks)


# Bounds within which Python-Markdown converts any text in a few seconds at worst, and a real profile in
# a millisecond.  Past them it recurses too deep or slows down quadratically (measured: 4,000 "[[" take 14 s;
# 2,000 "[a](" before 150,000 characters 53 s; 12,500 lines of "a\n=" 25 s; 2,000 levels of > 1 GB and 20 s).
MAX_MARKDOWN = 100_000  # characters of one body or field (a long profile has 5,000)
MAX_BLOCK_LINES = 500  # lines with no blank line between them (one block)
BRACKET_BUDGET = 10_000_000  # [ times characters: each [ may make the link parser read on to the end
MAX_QUOTES = 20  # levels of > quoting
MAX_INDENT = 160  # spaces before a line (40 list levels)
TOO_DEEP = re.compile(rf"^(?:[ \t]*>){{{MAX_QUOTES + 1}}}|^ {{{MAX_INDENT + 1}}}", re.MULTILINE)


def markdown_problem(text: str) -> tuple[int, str, str] | None:
    """Why Markdown text is beyond those bounds, as (line offset, what is wrong, how to fix it); None when it is within."""
    if len(text) > MAX_MARKDOWN:
        return 0, f"有 {len(text)} 个字，太长了（最多 {MAX_MARKDOWN} 个字）。", "把内容分成几个条目或页面。"
    brackets, allowed = text.count("["), BRACKET_BUDGET // max(len(text), 1)
    if brackets > allowed:
        return (0, f"有 {brackets} 个方括号「[」，对这么长的文字太多了（最多 {allowed} 个）。",
                "方括号是写链接用的，如 [报道](https://…)；普通文字里的括号请用中文的【】或（）。")
    if "\t" in text:
        text = text.expandtabs(4)
    deep = TOO_DEEP.search(text)
    if deep is not None:
        offset = text.count("\n", 0, deep.start())
        if deep.group(0).lstrip().startswith(">"):
            return offset, f"这一行的引用符号 > 套了 {MAX_QUOTES} 层以上，太深了，排不了版。", f"引用最多套 {MAX_QUOTES} 层：删掉行首多余的 >。"
        return (offset, f"这一行行首的空格超过 {MAX_INDENT} 个，缩进太深了，排不了版。",
                f"列表最多缩进 {MAX_INDENT // 4} 层（行首不超过 {MAX_INDENT} 个空格）：删掉多余的行首空格。")
    if text.count("\n") >= MAX_BLOCK_LINES:
        return _long_block(text)
    return None


def _long_block(text: str) -> tuple[int, str, str] | None:
    """The first run of more than MAX_BLOCK_LINES lines without a blank line, as markdown_problem gives it."""
    start = 0
    for number, line in enumerate(text.split("\n")):
        if not line.strip():
            start = number + 1
        elif number - start + 1 > MAX_BLOCK_LINES:
            return (start, f"从这一行起超过 {MAX_BLOCK_LINES} 行之间没有空行，一段太长了，排版会非常慢。",
                    "在段落之间空一行；很长的表格或列表分成几个，中间空一行。")
    return None


HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def shift_headings(html: str) -> str:
    """Renumber body headings so the highest is <h2> (the page title is the only <h1>)."""
    if "<h" not in html:
        return html
    levels = [int(level) for _, level in HEADING_TAG.findall(html)]
    shift = 2 - min(levels) if levels else 0
    if not shift:
        return html
    return HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}>", html)


PASTED_INDENT = re.compile(r"^([ \t]*)[\u3000\u00a0]+", re.MULTILINE)  # 「　　」before a paragraph, as Word and WeChat paste it
CHINESE_POINT = r"[ \t]*(?:\d{1,2}[、．]|[（(](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]|[一二三四五六七八九十]{1,3}、|[\u2460-\u2473])"
POINT_AFTER_TEXT = re.compile(rf"(?<=[^\n])\n(?={CHINESE_POINT})")  # 「1、」「（二）」「三、」「①」starting a line under text
POINT_HEADING = re.compile(rf"^((?={CHINESE_POINT})[^\n]{{2,20}}(?<![。，；：！？、,;:!?]))\n(?=[ \t]*\S)", re.MULTILINE)  # 「一、总体情况」over its text
MAYBE_POINT = re.compile(r"(?:^|\n)[ \t]*[\d（(一二三四五六七八九十\u2460-\u2473]")  # a quick first look for CHINESE_POINT (5× faster)
FENCED_CODE = re.compile(r"(^(?:```|~~~).*?^(?:```|~~~)[^\n]*$)", re.MULTILINE | re.DOTALL)


def tidy_chinese_text(text: str) -> str:
    """Markdown as a Chinese writer means it, outside code blocks.

    * Full-width and no-break spaces that start a line are dropped: text pasted from Word or a
      WeChat article starts paragraphs with「　　」and separates them by lines of such spaces, which
      Markdown does not see as blank, so the paragraphs would run together.
    * A line starting with a Chinese enumerator (1、 （1） 一、 （一） ①) starts a paragraph of its
      own: written one under another, the points would otherwise be joined into one line.
    * Such a line that is short and ends without punctuation is a heading (「一、总体情况」): the
      text under it starts a paragraph of its own.  A point's own wrapped lines still join.
    """
    if "\u3000" not in text and "\u00a0" not in text and not (
            MAYBE_POINT.search(text) and (POINT_AFTER_TEXT.search(text) or POINT_HEADING.search(text))):
        return text
    parts = FENCED_CODE.split(text) if "```" in text or "~~~" in text else [text]
    return "".join(part if number % 2 else _separate_points(PASTED_INDENT.sub(r"\1", part))
                   for number, part in enumerate(parts))


def _separate_points(text: str) -> str:
    """Text with each Chinese point, and the text under a point that is a heading, in a paragraph of its own."""
    return POINT_HEADING.sub("\\1\n\n", POINT_AFTER_TEXT.sub("\n\n", text))


class Renderer:
    """Converts Markdown to HTML, reusing one converter (made when first needed: it takes 0.2 s)."""

    def __init__(self, allow_html: bool = False):
        self.allow_html = allow_html
        self._md: markdown.Markdown | None = None

    @property
    def md(self) -> markdown.Markdown:
        """The Python-Markdown converter."""
        if self._md is None:
            self._md = make_markdown(self.allow_html)
        return self._md

    def __call__(self, text: str) -> str:
        """Markdown text → HTML with Chinese lines joined."""
        text = tidy_chinese_text(text)
        html = plain_html(text)
        if html is None:
            self.md.reset()
            html = self.md.convert(text)
        return shift_headings(join_cjk_lines(html))


KNOWN_SLUGS: dict[str, str] = {}  # slugs earlier builds worked out (content.learn_pinyin): no pypinyin needed


@functools.lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """A URL slug: Chinese becomes pinyin (长春 → changchun), other text lower-case ASCII."""
    known = KNOWN_SLUGS.get(text)
    if known is not None:
        return known
    text = unicodedata.normalize("NFKC", text).strip()
    words: list[str] = []
    for chunk in re.split(r"([\u3400-\u4dbf\u4e00-\u9fff]+)", text):
        if not chunk:
            continue
        if re.match(r"[\u3400-\u4dbf\u4e00-\u9fff]", chunk):
            from pypinyin import Style, lazy_pinyin  # 55 MB: loaded only where Chinese needs it

            words.append("".join(lazy_pinyin(chunk, style=Style.NORMAL, errors="ignore")))
        else:
            ascii_text = unicodedata.normalize("NFKD", chunk).encode("ascii", "ignore").decode()
            words.extend(re.findall(r"[a-z0-9]+", ascii_text.lower()))
    return "-".join(w for w in words if w)


# Full-width punctuation is kept as written (，：（）) so snippets keep Chinese typography;
# everything else goes through NFKC (full-width letters and digits become half-width).
KEEP = "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
NOT_KEPT = re.compile(f"[^{KEEP}]+")
SPACES = re.compile("[ \t\n\r\f\v\u2028\u2029\ufeff]+")
MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKDOWN_MARKS = re.compile(r"<[^>]*>|^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+|[*_`~]+", re.MULTILINE)


def normalise(text: str) -> str:
    """Text as the search index stores it: NFKC (full-width punctuation kept), lower case, spaces collapsed."""
    text = NOT_KEPT.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return SPACES.sub(" ", text.lower()).strip()


def markdown_text(markdown: str) -> str:
    """Readable text of a Markdown body (link and image text kept, markup dropped, Chinese lines joined as on the page)."""
    return join_cjk_lines(MARKDOWN_MARKS.sub("", MARKDOWN_LINK.sub(r"\1", markdown)))


def plain_text(html: str) -> str:
    """Text of an HTML fragment, for descriptions."""
    text = re.sub(r"<[^>]+>", "", html)
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#39;", "'")
    return re.sub(r"\s+", " ", text).strip()


TAGS = {name: re.compile(rf"<{name}\s([^<>]*?)\s*/?>", re.IGNORECASE) for name in ("img", "a")}
HTML_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')


def html_tags(html: str, name: str) -> list[dict]:
    """The attributes (unescaped) of every <img> or <a> in an HTML fragment, in order."""
    return [_attributes(match.group(1)) for match in TAGS[name].finditer(html)]


def replace_html_tags(html: str, name: str, replacement) -> str:
    """HTML with every <img> or <a> for which replacement(attributes) gives HTML replaced by that HTML."""
    def swap(match: re.Match) -> str:
        return replacement(_attributes(match.group(1))) or match.group(0)

    return TAGS[name].sub(swap, html) if f"<{name}" in html else html


def _attributes(text: str) -> dict:
    """The double-quoted attributes of a tag, unescaped."""
    return {name.lower(): html_module.unescape(value) for name, value in HTML_ATTRIBUTE.findall(text)}


def excerpt(text: str, limit: int = 110) -> str:
    """Shorten text to limit characters at a sentence end if possible."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(p) for p in "。！？；")
    return cut[: end + 1] if end > limit // 2 else cut.rstrip() + "…"
