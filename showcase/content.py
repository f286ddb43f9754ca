"""Reading content: files → typed entries, with every mistake collected.

``parse_entry(text, source, collection, ...)`` is pure; ``entry_from_file`` does the reading;
``load_library`` walks content/, parses every collection and data file (on all cores for large
sites) and returns a ``Library`` plus the problems found.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from sys import intern
from types import MappingProxyType

from . import yamldoc
from markupsafe import Markup

from .cache import EntryCache, record, stamp
from .config import Collection, DataSet, Site
from .errors import Report, did_you_mean, quote
from .fsutil import EncodingProblem, decode_text, read_text
from .markup import KNOWN_SLUGS, Renderer, excerpt, html_tags, markdown_problem, markdown_text, normalise, plain_text, slugify
from .schema import Checker, ImageRef, content_path
from .yamldoc import YList, YMap

MAX_FILE_BYTES = 2_000_000
DASHES = "-—－–―─━‐‑‒﹣一ー"
FENCE_LIKE = re.compile(rf"^\s*[{DASHES}]{{2,}}\s*$")
PARALLEL_THRESHOLD = 400


KNOWN_PINYIN: dict[str, list[str]] = {}  # title → its pinyin, learnt from cached entries (learn_pinyin)
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def learn_pinyin(entries) -> None:
    """Remember the pinyin and slugs cached entries carry, so re-reading a few files needs no pypinyin (0.5 s to load)."""
    for entry in entries:
        KNOWN_PINYIN[entry.title] = entry.sort_key[0]
        KNOWN_SLUGS.update(entry.slugs)


def pinyin_key(text: str) -> list[str]:
    """The pinyin of each character of a title, read as words (长春 → chang chun, not zhang); any other
    character as it is, ASCII in lower case.  It orders titles and spells them for search."""
    known = KNOWN_PINYIN.get(text)
    if known is None:
        known = [char.lower() for char in text]
        if HAN.search(text):
            from pypinyin import Style, pinyin  # 55 MB: loaded in the parse workers, not in the renderers

            read = [item[0].lower() for item in pinyin(text, style=Style.NORMAL, errors=list)]
            known = read if len(read) == len(text) else known
        KNOWN_PINYIN[text] = known
    return known


SYLLABLE = re.compile(r"[a-z]+")  # one syllable of pinyin_key's (ü is written v, as input methods type it)


def spelling(text: str, syllables: list[str]) -> str:
    """The pinyin of text's Chinese characters, a space between syllables (吉林长春 → "ji lin chang chun");
    syllables are pinyin_key's for text, and any other character is left out."""
    return " ".join(s for c, s in zip(text, syllables) if not c.isascii() and SYLLABLE.fullmatch(s))


_MARKDOWN: dict[bool, Renderer] = {}


def markdown_renderer(allow_html: bool) -> Renderer:
    """This process's Markdown converter for the site's raw-HTML policy."""
    if allow_html not in _MARKDOWN:
        _MARKDOWN[allow_html] = Renderer(allow_html)
    return _MARKDOWN[allow_html]


@dataclass(frozen=True)
class Body:
    """Where an entry's Markdown body is: its text, or its file and first line to read it again."""

    text: str | None
    file: str
    line: int
    allow_html: bool

    def markdown(self) -> str:
        """The Markdown text, read again from the file when it travelled light."""
        return self.text if self.text is not None else _body_from_file(self.file, self.line)

    def html(self) -> Markup:
        """The body converted to HTML."""
        text = self.markdown()
        return Markup(markdown_renderer(self.allow_html)(text) if text.strip() else "")


def _body_from_file(file: str, line: int) -> str:
    """Read a file again and return its text from line on (the body after the front matter)."""
    try:
        return "\n".join(read_text(Path(file)).split("\n")[line - 1:])
    except (OSError, EncodingProblem):
        return ""


class Entry:
    """One content file: its typed fields, URL, back-links and (converted when first used) body."""

    # What a body points to, set only on the few entries whose body has any (a class default costs no memory per entry):
    body_images: tuple[ImageRef, ...] = ()  # the pictures it shows (set by parse_entry)
    body_links: tuple[BodyLink, ...] = ()  # its links to other content files (set by parse_entry)
    link_targets: dict[str, Entry | str | Attachment] = MappingProxyType({})  # href of such a link → the entry, page URL or file it names (set by refs.resolve)

    def __init__(self, collection: str, slug: str, source: str, stem: str, data: dict, lines: dict, body: Body,
                 fields: frozenset, title_field: str):
        self.collection = collection
        self.slug = slug
        self.key = f"{collection}/{slug}"  # unique across the site (read on every attribute a page reads: kept, not computed)
        self.source = source
        self.stem = stem
        self.data = data
        self.lines = lines
        self.source_body = body
        self.fields = fields
        self.title_field = title_field
        self.url = ""
        self.linked_from: dict[str, list[Entry]] = {}
        self.references: list[Entry] = []  # the entries its fields name, set by refs.resolve
        self.sort_key = (pinyin_key(self.title), self.title, slug)
        self._html: Markup | None = None
        self.slugs: dict[str, str] = {}  # a term's or picture's name → its slug (set by add_pinyin)
        self.spellings: dict[str, str] = {}  # a facet value → its pinyin, for search (set by add_pinyin; set here, not later,
        # so that every entry's attributes share one key table: added afterwards, they cost 18 MB at 10,000 entries)
        self.body_words: str | None = None  # the body's searchable text, normalised (set by the parse workers, kept by the cache)

    @property
    def body(self) -> Markup:
        """The body as HTML, converted on first use (in whichever process renders the page)."""
        if self._html is None:
            self._html = self.source_body.html()
        return self._html

    def converted_body(self) -> Markup:
        """The body as HTML without keeping it (a render worker would otherwise keep every body it showed)."""
        return self._html if self._html is not None else self.source_body.html()

    def image_refs(self) -> list[ImageRef]:
        """Every picture the entry names: in its fields, then in its body."""
        return [*nested(self.data, ImageRef), *self.body_images]

    def travel_light(self) -> "Entry":
        """Forget the body text before crossing to another process; it is read again when needed."""
        if self.source_body.file:
            self.source_body = Body(None, self.source_body.file, self.source_body.line, self.source_body.allow_html)
        self._html = None
        return self

    @property
    def title(self) -> str:
        """The value of the collection's title field."""
        return str(self.data.get(self.title_field) or self.stem)

    @property
    def description(self) -> str:
        """One or two sentences for cards and share previews."""
        return self.data.get("summary") or excerpt(plain_text(self.body))

    def __getitem__(self, name: str):
        if name in self.fields:
            return self.data.get(name)
        raise KeyError(name)

    def __getattr__(self, name: str):
        """Field values as attributes (entry.name), without the exception Jinja would otherwise catch."""
        fields = self.__dict__.get("fields")
        if fields is not None and name in fields:
            return self.data.get(name)
        raise AttributeError(name)

    def get(self, name: str, default=None):
        """A field's value, or default when it is not set."""
        value = self.data.get(name)
        return default if value is None else value

    def __repr__(self) -> str:
        return f"<Entry {self.key}>"

    def __setstate__(self, state: dict) -> None:
        """Unpickled (from a parse worker or the cache): short texts and field names shared between entries.

        Each pickle brings its own copy of every field name and of values such as 高级技师; at
        10,000 entries sharing them saves tens of megabytes.
        """
        state["data"] = {intern(k): _shared_text(v) for k, v in state["data"].items()}
        state["lines"] = {intern(k): v for k, v in state["lines"].items()}
        state["fields"] = _SHARED.setdefault(state["fields"], state["fields"])
        state["slugs"] = {intern(k): intern(v) for k, v in state["slugs"].items()}
        state["spellings"] = {intern(k): intern(v) for k, v in state["spellings"].items()}
        syllables, title, slug = state["sort_key"]
        state["sort_key"] = ([intern(s) for s in syllables], title, slug)
        self.__dict__.update((intern(k), v) for k, v in state.items())


_SHARED: dict = {}  # one copy of each collection's set of field names
SHARED_TEXT = 24  # values up to this long are shared (names of regions, levels, publishers…)


def _shared_text(value):
    """The one copy of a short text value; anything else as it is."""
    return intern(value) if type(value) is str and len(value) <= SHARED_TEXT else value


@dataclass
class Library:
    """Every entry of every collection and every data file."""

    site: Site
    entries: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)

    def all(self) -> list[Entry]:
        """All entries, collection by collection."""
        return [entry for c in self.site.collections for entry in self.entries.get(c.name, [])]


def split_front_matter(text: str, source: str, report: Report):
    """Split '---' front matter from the body; (yaml, first_line, body) or None after reporting."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        report.error(source, 1, "", "文件是空的。", "至少写上 --- 包起来的字段，如：\n   ---\n   name: 艾子洋\n   ---")
        return None
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip())
    opening = lines[start].strip()
    if opening != "---":
        if FENCE_LIKE.match(lines[start]):
            report.error(source, start + 1, "", f"开头的分隔线写成了「{opening}」。",
                         "分隔线必须是三个半角减号 ---（切换到英文输入法输入），不能用全角符号或破折号。")
        else:
            report.error(source, start + 1, "", "文件开头缺少 --- 分隔线，读不到字段。",
                         "在第一行写 ---，在字段结束处再写一行 ---，正文写在第二个 --- 之后。")
        return None
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped == "---":
            return "\n".join(lines[start + 1:index]), start + 2, "\n".join(lines[index + 1:]), index + 2
        if FENCE_LIKE.match(lines[index]) and not lines[index].startswith(" "):
            report.error(source, index + 1, "", f"结尾的分隔线写成了「{stripped}」。",
                         "分隔线必须是三个半角减号 ---（切换到英文输入法输入）。")
            return None
    report.error(source, start + 1, "", "第 {} 行的 --- 之后没有找到结尾的 ---。".format(start + 1),
                 "在最后一个字段下面加一行 ---，正文写在它后面。")
    return None


def parse_entry(text: str, source: str, collection: Collection, base_dir: str, stem: str,
                render: Renderer, report: Report, file: str = "", collections: tuple = ()) -> Entry | None:
    """Turn the text of one content file into an Entry; report every mistake (or, for a file in the wrong
    folder among collections, that one)."""
    parts = split_front_matter(text, source, report)
    if parts is None:
        return None
    front, first_line, body, body_line = parts
    data, issues = yamldoc.parse(front, first_line)
    if yamldoc.report_issues(issues, source, report):
        return None
    if data is None:
        data = YMap()
        data.line, data.key_lines = first_line, {}
    if not isinstance(data, YMap):
        report.error(source, first_line, "", "两个 --- 之间应该是「字段: 值」的列表。", "每行写一个字段，如 name: 艾子洋。")
        return None
    home = _home_collection(data, collection, collections)
    if home is not None:
        strange = "、".join(sorted(set(data) - {f.name for f in collection.fields} - {"slug"})[:4])
        report.error(source, first_line, "", f"这个文件的字段（{strange}）是「{home.label}」的，它却放在了 content/{collection.folder}/ 里。",
                     f"把它移到 content/{home.folder}/ 文件夹里。")
        return None
    checker = Checker(source, report, base_dir)
    values = checker.fields(collection.fields, data, first_line - 1, known_extra=("slug",))
    pictures, links = (), ()
    for spec in collection.fields:
        if spec.type == "markdown" and values.get(spec.name) is not None:  # an optional field left empty is None
            line = data.key_lines.get(spec.name, first_line)
            fits = markdown_fits(values[spec.name], source, line, spec.label, report)
            if fits:
                found = body_targets(values[spec.name], _value_line(front, first_line, line), base_dir, render, source, report,
                                     Place(f"「{spec.label}」", spec.label, spec.label))
                pictures, links = pictures + found[0], links + found[1]
            values[spec.name] = Markup(render(values[spec.name]) if fits else "")
    if markdown_fits(body, source, body_line, "正文", report):
        found = body_targets(body, body_line, base_dir, render, source, report)
        pictures, links = pictures + found[0], links + found[1]
    slug = _entry_slug(data.get("slug"), stem, source, data.key_lines.get("slug", first_line), report)
    if slug is None:
        return None
    entry = Entry(collection.name, slug, source, stem, values, dict(data.key_lines), Body(body, file, body_line, render.allow_html),
                  frozenset(f.name for f in collection.fields), collection.title_field)
    if pictures or links:
        entry.body_images, entry.body_links = pictures, links
    return entry


def _value_line(front: str, first_line: int, key_line: int) -> int:
    """The line a field's value starts on: its key's, or the next for a block (key: | or key: >)."""
    lines = front.split("\n")
    index = key_line - first_line
    return key_line + 1 if 0 <= index < len(lines) and yamldoc.BLOCK_START.search(lines[index]) else key_line


def _home_collection(data: YMap, collection: Collection, collections: tuple) -> Collection | None:
    """The other collection whose fields a file's all are, when two or more of them are not its own folder's."""
    keys = set(data) - {"slug"}
    if len(keys - {f.name for f in collection.fields}) < 2:
        return None
    return next((other for other in collections if other.name != collection.name and keys <= {f.name for f in other.fields}), None)


@dataclass(frozen=True, slots=True)
class Place:
    """Where in a file a piece of Markdown is, for messages: the body, or a Markdown field (「比赛介绍」)."""

    name: str  # as messages say it: 正文里的图片…, 「赛制」里的图片…
    image_label: str  # the label of a problem with a picture written here
    link_label: str  # the label of a problem with a link written here


BODY = Place("正文", "正文图片", "正文链接")
MAY_POINT = re.compile(r"\]\(|\]:|<img|<a\s", re.IGNORECASE)  # what a picture or a link needs: ](, a [name]: definition, raw HTML


@dataclass(frozen=True, slots=True)
class BodyLink:
    """A link in a body to another content file (refs.resolve finds the entry it names)."""

    href: str  # as the page has it: ../workers/李帅.md#荣誉
    path: str  # content-relative: workers/李帅.md
    line: int
    place: Place = BODY


# Files a body may link for visitors to open or download, by extension, and what pages call each kind.
ATTACHMENT_KINDS = {
    ".pdf": "PDF", ".ofd": "OFD", ".doc": "Word", ".docx": "Word", ".wps": "WPS 文字", ".xls": "Excel", ".xlsx": "Excel",
    ".et": "WPS 表格", ".csv": "CSV 表格", ".ppt": "PPT", ".pptx": "PPT", ".dps": "WPS 演示",
    ".zip": "压缩包", ".rar": "压缩包", ".7z": "压缩包", ".mp3": "音频", ".m4a": "音频", ".mp4": "视频",
}


PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".heic", ".heif", ".avif")


@dataclass(slots=True)
class Attachment:
    """A file a body links for visitors to open or download (content/files/方案.pdf), published as it is."""

    path: str  # content-relative, and its place in the output: files/方案.pdf
    kind: str  # what pages call it: PDF, Word…
    size: int = 0  # in bytes, once attachments.check has found the file


class _Lines:
    """Lines of the body where each of a series of texts is written, looked for in order."""

    def __init__(self, body: str, first_line: int):
        self.body, self.first_line, self.at = body, first_line, 0

    def of(self, text: str) -> int:
        """The line of the next place text is written (the page shows pictures and links in the order they are written)."""
        where = self.body.find(text, self.at) if text else -1
        self.at = (where if where >= 0 else max(self.body.find(text), 0)) + len(text)
        return self.first_line + self.body.count("\n", 0, self.at)


def body_targets(body: str, body_line: int, base_dir: str, render: Renderer, source: str, report: Report,
                 place: Place = BODY) -> tuple[tuple[ImageRef, ...], tuple[BodyLink, ...]]:
    """The pictures a body (or a Markdown field) shows and the content files it links to, each checked and with its line."""
    if not MAY_POINT.search(body):
        return (), ()
    html = render(body)
    folder = f"content/{base_dir}/images/" if base_dir else "content/images/"
    lines = _Lines(body, body_line)
    pictures = [_body_image(tag.get("src", ""), tag.get("alt", "").strip(), lines, base_dir, folder, source, report, place)
                for tag in html_tags(html, "img")]
    lines = _Lines(body, body_line)
    links = [_body_link(tag["href"], lines, base_dir, source, report, place) for tag in html_tags(html, "a") if _is_local(tag.get("href", ""))]
    return tuple(p for p in pictures if p), tuple(link for link in links if link)


def _body_image(src: str, alt: str, lines: _Lines, base_dir: str, folder: str, source: str, report: Report,
                place: Place) -> ImageRef | None:
    """A picture of the body (![说明](images/x.jpg)) as an ImageRef, or None after reporting what is wrong."""
    line, label, where = lines.of(src), place.image_label, place.name
    path = content_path(src, base_dir)
    if "://" in src or src.startswith("//") or src.lower().startswith("data:"):
        report.error(source, line, label, f"{where}里的图片{quote(src)}在别的网站上：离线的展厅和触摸屏显示不出来，分享出去也可能失效。",
                     f"把图片保存下来放进 {folder}，再写成 ![图片说明](images/文件名.jpg)。")
    elif path is None:
        report.error(source, line, label, f"{where}里的图片路径{quote(src)}指向 content 文件夹以外。",
                     f"把图片放进 {folder}，再写相对路径，如 ![图片说明](images/文件名.jpg)。")
    elif not alt:
        report.error(source, line, label, f"{where}里的图片{quote(src)}没有写图片说明。",
                     f"在方括号里写一句说明，如 ![张毅在工作室调试设备]({src})：看不见图片的人靠读屏软件听到它，图片显示不出来时也显示它。")
    else:
        return ImageRef(path, line, label)
    return None


def _is_local(href: str) -> bool:
    """True for a link to a file of the project (not a web address, mail, phone or a place on the same page)."""
    return bool(href) and not href.startswith(("#", "?", "//")) and ":" not in href.split("/")[0]


def _body_link(href: str, lines: _Lines, base_dir: str, source: str, report: Report, place: Place) -> BodyLink | None:
    """A link of the body to a content file as a BodyLink, or None after reporting one that leaves content/."""
    line = lines.of(href)
    written = href.split("#")[0].split("?")[0]
    path = _link_path(written, base_dir)
    if path is None:
        report.error(source, line, place.link_label, f"{place.name}里的链接{quote(href)}指向 content 文件夹以外。",
                     "链接展厅里的条目，写对方文件相对本文件的路径，如 [李帅](../workers/李帅.md)；链接网上的文章，写完整网址（https:// 开头）。")
        return None
    return BodyLink(href, path, line, place)


def _link_path(written: str, base_dir: str) -> str | None:
    """The content-relative path a body link names: '' for content/ itself (/ or ../ from a collection:
    the home page), None when it leaves content/."""
    if written.strip("/") == "" or posixpath.normpath(posixpath.join(base_dir, written)) == ".":
        return ""
    return content_path(written, base_dir)


def markdown_fits(markdown: str, source: str, line: int, label: str, report: Report) -> bool:
    """True when Markdown can be converted; else report why at its line (counted from line) and return False."""
    problem = markdown_problem(markdown)
    if problem is None:
        return True
    offset, found, fix = problem
    report.error(source, line + offset, label, found, fix)
    return False


def _entry_slug(explicit, stem: str, source: str, line: int, report: Report) -> str | None:
    """The entry's slug: an explicit one wins, else the file name (pinyin for Chinese)."""
    if explicit is not None and not isinstance(explicit, str):
        report.error(source, line, "slug", "slug 应该是一段文字。", "写成如 slug: ai-ziyang。")
        return None
    slug = slugify(explicit or stem)
    if not slug:
        report.error(source, line, "slug", f"无法从「{explicit or stem}」得到网址名。", "给文件起一个含汉字、字母或数字的名字，或加一行 slug: 英文名。")
        return None
    return slug


def entry_from_file(path: Path, root: Path, collection: Collection, render: Renderer, report: Report) -> Entry | None:
    """Read one content file and parse it."""
    return parse_file(path, root, collection, render, report)[0]


def parse_file(path: Path, root: Path, collection: Collection, render: Renderer, report: Report,
               collections: tuple = ()) -> tuple[Entry | None, str]:
    """Read one content file and parse it (collections: all the site's, to tell a file in the wrong folder);
    also the hash of the bytes read ('' when unreadable), for the entry cache."""
    source = path.relative_to(root).as_posix()
    content_dir = root / "content"
    base_dir = path.parent.relative_to(content_dir).as_posix()
    data = _read_bytes(path, source, report)
    if data is None:
        return None, ""
    digest = hashlib.sha256(data).hexdigest()
    text = _decode(data, source, report)
    if text is None:
        return None, digest
    stem = unicodedata.normalize("NFC", path.stem)
    entry = parse_entry(text, source, collection, "" if base_dir == "." else base_dir, stem, render, report, str(path), collections)
    return entry, digest


def _read(path: Path, source: str, report: Report) -> str | None:
    """Read a text file, reporting encoding and size problems."""
    data = _read_bytes(path, source, report)
    return None if data is None else _decode(data, source, report)


def _read_bytes(path: Path, source: str, report: Report) -> bytes | None:
    """A file's bytes, or None after reporting a file too large or unreadable."""
    too_large = (f"文件太大（超过 {MAX_FILE_BYTES // 1_000_000} MB），不像一篇介绍。", "检查是否放错了文件；图片请单独放，并在字段里写路径。")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe would make the read wait for ever, a device never end
            report.error(source, 0, "", "这不是一个普通文件（是管道、设备或指向它们的链接），无法读取。", "删掉它，换成真正的文本文件。")
            return None
        if info.st_size > MAX_FILE_BYTES:
            report.error(source, 0, "", *too_large)
            return None
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # a file still growing stops here too
        if len(data) > MAX_FILE_BYTES:
            report.error(source, 0, "", *too_large)
            return None
        return data
    except OSError as exc:
        report.error(source, 0, "", f"无法读取文件（{exc.strerror}）。", "检查文件是否被其他程序占用，或是否有读取权限。")
    return None


def _decode(data: bytes, source: str, report: Report) -> str | None:
    """A file's bytes as text, or None after reporting an encoding that is not UTF-8."""
    try:
        return decode_text(data)
    except EncodingProblem as exc:
        report.error(source, 0, "", str(exc), exc.fix)
    return None


def load_data(site: Site, dataset: DataSet, report: Report) -> list:
    """Read content/data/<name>.yaml: a list of records checked against the dataset's fields."""
    path = site.content_dir / "data" / f"{dataset.name}.yaml"
    source = path.relative_to(site.root).as_posix()
    if not path.exists():
        return []
    text = _read(path, source, report)
    if text is None:
        return []
    data, issues = yamldoc.parse(text)
    if yamldoc.report_issues(issues, source, report) or data is None:
        return []
    if not isinstance(data, YList):
        report.error(source, getattr(data, "line", 1), "", f"{dataset.label}文件应该是一个列表，每项以「- 」开头。", "每一项写成「- 字段: 值」，下面的字段缩进两个空格。")
        return []
    checker = Checker(source, report, "data")
    records = []
    for item, line in zip(data, data.item_lines):
        if not isinstance(item, YMap):
            report.error(source, line, "", f"{dataset.label}的每一项应该是一组字段。", "写成「- 字段: 值」。")
            continue
        record = checker.fields(dataset.fields, item, line)
        record["_line"] = line
        records.append(record)
    return records


def content_files(site: Site, report: Report) -> list[tuple[Collection, Path]]:
    """Every content file to parse, in a stable order, warning about files that will be ignored."""
    files = []
    folders = {c.folder: c for c in site.collections}
    content_dir = site.content_dir
    if not content_dir.is_dir():
        report.error("content", 0, "", "找不到 content 文件夹。", "在项目文件夹里建一个 content 文件夹，每个集合一个子文件夹。")
        return files
    for child in sorted(content_dir.iterdir()):
        if (child.is_dir() and child.name not in folders and child.name not in ("data", "images") and not child.name.startswith(".")
                and any(path.suffix.lower() == ".md" for path in _walk(child))):  # a folder of pictures or attachments is used by links
            guess = did_you_mean(child.name, folders)
            report.warn(f"content/{child.name}", 0, "", f"文件夹「{child.name}」不对应任何集合，里面的文件不会出现在展厅里。",
                        (f"您是不是想放进「{guess}」？" if guess else "") + "已有集合的文件夹：" + "、".join(folders) + "。")
    for collection in site.collections:
        folder = content_dir / collection.folder
        if not folder.is_dir():
            continue
        for path in _walk(folder):
            if ignored_file(path):
                continue
            if path.suffix.lower() == ".md":
                files.append((collection, path))
            elif path.suffix.lower() in (".txt", ".markdown", ".yaml", ".yml", ".docx", ".doc"):
                source = path.relative_to(site.root).as_posix()
                report.warn(source, 0, "", f"这个文件以 {path.suffix} 结尾，不会被读取。",
                            "条目文件要以 .md 结尾。Windows 可能隐藏了扩展名：在资源管理器“查看”里勾选“文件扩展名”后改名。"
                            + ("如果它是正文里链接的附件，请把它移到 content/files/ 文件夹。" if path.suffix.lower() in ATTACHMENT_KINDS else ""))
    return files


def _walk(folder: Path) -> list[Path]:
    """Every file under folder, sorted, skipping hidden folders (one scandir per folder)."""
    found = []
    for parent, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(parent, name) for name in names)
    return sorted(found)


def ignored_file(path: Path) -> bool:
    """Editor backups, lock files and hidden files."""
    name = path.name
    return name.startswith((".", "~$", "_")) or name.endswith(("~", ".bak", ".tmp", ".swp"))


def field_values(data: dict, path: str) -> list:
    """The values at a dotted field path such as honours.name (lists are flattened)."""
    if "." not in path:  # most paths: one look-up (the search index asks 200,000 times at 10,000 entries)
        item = data.get(path)
        if isinstance(item, list):
            return [v for v in item if v not in (None, "")]
        return [] if item in (None, "") else [item]
    values = [data]
    for part in path.split("."):
        next_values = []
        for value in values:
            item = value.get(part) if isinstance(value, dict) else None
            if isinstance(item, list):
                next_values.extend(item)
            elif item is not None:
                next_values.append(item)
        values = next_values
    return [v for v in values if v not in (None, "")]


def nested(value, kind):
    """Every instance of kind inside a value of lists and records, depth first."""
    if isinstance(value, kind):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from nested(item, kind)
    elif isinstance(value, dict):
        for item in value.values():
            yield from nested(item, kind)


def add_pinyin(entry: Entry, term_paths, facet_paths=()) -> None:
    """Work out now the pinyin later stages need: slugs (taxonomy terms, image names) and the spelling of
    search facets' values (a visitor's changchun finds the workers of 吉林长春).

    Parse workers do this so that the main process and the renderers never load pypinyin.
    """
    for path in term_paths:
        for value in field_values(entry.data, path):
            if isinstance(value, str) and value not in entry.slugs:
                entry.slugs[value] = slugify(value)
    for ref in entry.image_refs():
        stem = PurePosixPath(ref.path).stem
        if stem not in entry.slugs:
            entry.slugs[stem] = slugify(stem)
    entry.spellings.update((value, spelling(value, pinyin_key(value))) for path in facet_paths
                           for value in field_values(entry.data, path) if isinstance(value, str) and HAN.search(value))


def facet_paths(site: Site) -> dict[str, list[str]]:
    """Collection name → the field paths its search facets filter by."""
    paths: dict[str, list[str]] = {}
    for facet in site.search.facets:
        for name in facet.collections:
            paths.setdefault(name, []).append(facet.field)
    return paths


def term_paths(site: Site) -> dict[str, list[str]]:
    """Collection name → the field paths its taxonomies and charts group by."""
    paths: dict[str, list[str]] = {}
    for taxonomy in site.taxonomies:
        for name in taxonomy.collections:
            paths.setdefault(name, []).append(taxonomy.field)
    for stat in site.stats:  # chart labels are ordered by pinyin too
        for name in stat.collections:
            if stat.by and stat.by not in paths.get(name, []):
                paths.setdefault(name, []).append(stat.by)
    return paths


def _parse_chunk(args) -> list[tuple]:
    """Parse a chunk of files (in a worker process); per file (entry, problems), or the cache's record of them.

    The body's searchable text is worked out here too, on all cores, from the text in hand.
    """
    root, allow_html, items, keep, light, paths, collections = args
    render = markdown_renderer(allow_html)
    results = []
    for collection, path in items:
        report = Report()
        before = stamp(path) if keep else None
        entry, digest = parse_file(path, root, collection, render, report, collections)
        if entry is not None:
            add_pinyin(entry, paths[0].get(entry.collection, ()), paths[1].get(entry.collection, ()))
            if not report.errors:  # a body beyond markup.markdown_problem's bounds could take minutes
                entry.body_words = normalise(markdown_text(entry.source_body.markdown()))
            if light:
                entry.travel_light()
        results.append(record(before, digest, entry, report.problems) if keep else (entry, report.problems))
    return results


def load_library(site: Site, report: Report, jobs: int | None = None, cache: EntryCache | None = None) -> Library:
    """Read every collection and data file (unchanged files from the cache); problems go into report."""
    files = content_files(site, report)
    sources = [_source(site, path) for _, path in files]
    found: dict[int, tuple] = {}
    if cache is not None:
        for number, (_, path) in enumerate(files):
            hit = cache.get(path, sources[number])
            if hit is not None:
                found[number] = hit
    missing = [item for number, item in enumerate(files) if number not in found]
    learn_pinyin(entry for entry, _ in found.values() if entry is not None)
    parsed = iter(_parse(site, missing, jobs, keep=cache is not None))
    results = []
    for number, (_, path) in enumerate(files):
        if number in found:
            results.append(found[number])
        elif cache is not None:
            results.append(cache.add(sources[number], next(parsed)))
        else:
            results.append(next(parsed))
    library = Library(site)
    entries = []
    for entry, problems in results:
        report.extend(problems)
        if entry is not None:
            entries.append(entry)
    for collection in site.collections:
        mine = [e for e in entries if e.collection == collection.name]
        library.entries[collection.name] = sort_entries(mine, collection.sort)
    for dataset in site.data:
        library.data[dataset.name] = load_data(site, dataset, report)
    return library


def _source(site: Site, path: Path) -> str:
    """A content file's path as problems name it (content/workers/艾子洋.md)."""
    text, root = str(path), str(site.root) + os.sep
    return (text[len(root):] if text.startswith(root) else os.path.relpath(text, site.root)).replace(os.sep, "/")


def _parse(site: Site, files: list, jobs: int | None, keep: bool) -> list[tuple]:
    """Parse files, on several cores when there are many; per file what _parse_chunk gives, in order."""
    jobs = jobs or os.cpu_count() or 1
    paths = (term_paths(site), facet_paths(site))
    if jobs > 1 and len(files) >= PARALLEL_THRESHOLD and _can_fork():
        return _parse_parallel(site, files, jobs, paths, keep)
    return _parse_chunk((site.root, site.allow_html, files, keep, keep, paths, site.collections))


def sort_entries(entries: list[Entry], sort: str) -> list[Entry]:
    """Entries in display order: by the sort field if set, then by the pinyin of the title."""
    keyed = sorted(entries, key=lambda e: e.sort_key)
    if sort:
        name = sort.lstrip("-")
        present = [e for e in keyed if e.data.get(name) is not None]
        missing = [e for e in keyed if e.data.get(name) is None]
        present.sort(key=lambda e: e.data[name], reverse=sort.startswith("-"))
        keyed = present + missing
    return keyed


def _can_fork() -> bool:
    """Parallel parsing uses fork (Linux, macOS); elsewhere it runs in one process."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _parse_parallel(site: Site, files: list, jobs: int, paths: tuple, keep: bool) -> list[tuple]:
    """Parse files on several cores, keeping their order."""
    import multiprocessing

    size = max(1, len(files) // (jobs * 4))
    chunks = [(site.root, site.allow_html, files[i:i + size], keep, True, paths, site.collections) for i in range(0, len(files), size)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        parts = pool.map(_parse_chunk, chunks)
    return [result for part in parts for result in part]
