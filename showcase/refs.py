"""Resolving the library: URLs, references both ways, taxonomy terms and zones; pure.

After ``resolve`` every Ref in an entry's data is replaced by the Entry it names, every entry
knows who links to it (``entry.linked_from[collection]``), and URL clashes are reported naming
both files.
"""
from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field

from .content import ATTACHMENT_KINDS, PICTURE_SUFFIXES, Attachment, BodyLink, Entry, Library, nested
from .content import field_values as content_values
from .errors import Report, did_you_mean, quote
from .markup import slugify
from .schema import Ref, normalise, split_items

GENERATED = {"": "首页", "404.html": "404 页面", "sitemap.xml": "站点地图", "feed.xml": "订阅源",
             "robots.txt": "robots.txt", "assets/": "assets 文件夹", "images/": "图片文件夹",
             "search/": "搜索页", "search-index.js": "搜索索引"}


@dataclass
class Term:
    """One value of a taxonomy (such as the region 吉林长春) and its entries."""

    name: str
    slug: str
    url: str
    entries: list = field(default_factory=list)


@dataclass
class ZoneView:
    """A zone ready to show: its intro page and the entries it presents."""

    id: str
    title: str
    intro: Entry | None
    collection: str
    entries: list
    total: int
    chosen: list = field(default_factory=list)


@dataclass
class Resolved:
    """The library plus what the refs stage worked out."""

    library: Library
    taxonomies: dict = field(default_factory=dict)
    zones: list = field(default_factory=list)
    urls: dict = field(default_factory=dict)
    attachments: dict = field(default_factory=dict)  # content path → the Attachment every link to that file shares


def loose(key: str) -> str:
    """A name as references match it: full-width letters, digits and brackets as half-width, any case.

    「中交一公局（重庆）万州公司」 then finds the entry titled 中交一公局(重庆)万州公司, and the other way round.
    """
    return normalise(key).casefold()


class Index:
    """Finds entries by slug, file name or title, for references and 'did you mean'."""

    def __init__(self, library: Library):
        self.site = library.site
        self.unread: dict[str, list[str]] = {}
        self.by_collection: dict[str, dict[str, list[Entry]]] = {}
        self.keys: dict[str, list[str]] = {}  # the keys of each collection as written, for suggestions
        for name, entries in library.entries.items():
            table: dict[str, list[Entry]] = {}
            for entry in entries:
                for key in {loose(k) for k in (entry.slug, entry.stem, entry.title)}:
                    table.setdefault(key, []).append(entry)
            self.by_collection[name] = table
            self.keys[name] = sorted({k for entry in entries for k in (entry.slug, entry.stem, entry.title)})

    def find(self, collection: str, key: str) -> list[Entry]:
        """Entries of collection (or any, or 'collection/slug') answering to key."""
        if collection == "any":
            if "/" in key:
                head, _, tail = key.partition("/")
                return self.find(head, tail) if head in self.by_collection else []
            return [e for name in sorted(self.by_collection) for e in self.by_collection[name].get(loose(key), [])]
        return list(self.by_collection.get(collection, {}).get(loose(key), []))

    def names(self, collection: str, key: str = "") -> list[str]:
        """Every key of a collection (or all; as collection/key when key is written so), as written, for suggestions."""
        if collection == "any" and "/" in key:
            return sorted({f"{name}/{k}" for name, keys in self.keys.items() for k in keys})
        lists = self.keys.values() if collection == "any" else [self.keys.get(collection, [])]
        return sorted({k for keys in lists for k in keys})


def entry_url(pattern: str, slug: str) -> str:
    """The site-relative URL of an entry, such as workers/aiziyang/."""
    return pattern.replace("{slug}", slug).strip("/") + "/"


def list_url(collection) -> str:
    """The site-relative URL of a collection's list page, such as workers/."""
    return f"{collection.url.split('{slug}')[0].strip('/')}/"


def linkable_pages(site) -> dict[str, str]:
    """Site URLs of the pages a body may link by their file or folder: the home page (content/ itself),
    data sets with a page, collection lists."""
    pages = {"content/": ""}
    pages.update({f"content/data/{dataset.name}.yaml": dataset.url for dataset in site.data if dataset.page})
    pages.update({f"content/{collection.folder}": list_url(collection) for collection in site.collections if collection.list})
    return pages


def resolve(library: Library, report: Report) -> Resolved:
    """Assign URLs, resolve references and back-links, build terms and zones."""
    site = library.site
    resolved = Resolved(library)
    claims: dict[str, str] = dict(GENERATED)
    for dataset in site.data:
        if dataset.page:
            _claim(claims, dataset.url, f"「{dataset.page}」页面（site.yaml 的 data.{dataset.name}）", report, "site.yaml", 0)
    for collection in site.collections:
        if collection.list:
            _claim(claims, list_url(collection), f"「{collection.label}」列表页（site.yaml）", report, "site.yaml", 0)
        for entry in library.entries.get(collection.name, []):
            entry.url = entry_url(collection.url, entry.slug)
            _claim(claims, entry.url, entry.source, report, entry.source, entry.lines.get("slug", 1))
    _warn_of_copies(library, report)
    index = Index(library)
    index.unread = _unread(library, report)
    for collection in site.collections:
        names = ref_fields(collection.fields)
        for entry in library.entries.get(collection.name, []):
            linked: set[str] = set()
            entry.references = []
            for name in names:
                entry.data[name] = value = _resolve_value(entry.data.get(name), index, entry, report)
                for target in nested(value, Entry):
                    entry.references.append(target)
                    if target.key not in linked:
                        linked.add(target.key)
                        target.linked_from.setdefault(entry.collection, []).append(entry)
    linking = [entry for entry in library.all() if entry.body_links]
    by_source = {unicodedata.normalize("NFC", entry.source): entry for entry in library.all()} if linking else {}  # links are NFC (schema.content_path)
    by_source.update(linkable_pages(site) if linking else {})
    for entry in linking:
        entry.link_targets = {link.href: target for link in entry.body_links
                              if (target := _link_target(link, entry, by_source, index, resolved.attachments, report)) is not None}
    for name, records in library.data.items():
        for record in records:
            source = f"content/data/{name}.yaml"
            holder = _Holder(source)
            for key, value in list(record.items()):
                record[key] = _resolve_value(value, index, holder, report)
    resolved.taxonomies = {t.name: _terms(library, t, claims, report) for t in site.taxonomies}
    resolved.zones = [_zone(library, index, zone, report) for zone in site.zones]
    resolved.urls = claims
    return resolved


class _Holder:
    """Stands in for an entry when a data file holds the reference."""

    def __init__(self, source: str):
        self.source = source


def _unread(library: Library, report: Report) -> dict[str, list[str]]:
    """Content files of each collection that had errors and so are not in the library."""
    read = {entry.source for entry in library.all()}
    result: dict[str, list[str]] = {}
    for collection in library.site.collections:
        folder = f"content/{collection.folder}/"
        result[collection.name] = sorted({p.path for p in report.errors
                                          if p.path.startswith(folder) and p.path.endswith(".md") and p.path not in read})
    return result


COPY_NAME = re.compile(r"(.+?)(?:\s*-?\s*(?:副本|的副本|复件|拷贝|[Cc]opy)(?:\s*[(（]\d+[)）])?|\s*[(（]\d+[)）])\.md", re.IGNORECASE)


def _claim(claims: dict, url: str, owner: str, report: Report, source: str, line: int) -> None:
    """Record that owner wants url; report when someone else has it."""
    if url in claims and claims[url] != owner:
        copy = next((name for name in (owner, claims[url]) if _original_of(name, {owner, claims[url]} - {name})), None)
        fix = (f"{copy} 看起来是复制文件时自动起的名字：不需要它就删掉；要把它改写成另一个条目，就改它的文件名，并把它的 slug 改成另一个英文名。"
               if copy else "改其中一个文件的文件名，或在它的字段里加一行 slug: 另一个英文名。")
        where = (source, line) if copy in (None, source) else (copy, 0)  # the copy's own line of it is not known here
        report.error(*where, "网址", f"网址 /{url} 被两个地方同时使用：{claims[url]} 和 {owner}。", fix)
        return
    claims[url] = owner


def _original_of(path: str, sources) -> str | None:
    """The file of sources that path is named as a copy of (艾子洋 - 副本.md, 艾子洋 (1).md, 艾子洋 - Copy.md), if any."""
    match = COPY_NAME.fullmatch(posixpath.basename(path))
    original = posixpath.join(posixpath.dirname(path), match.group(1).strip() + ".md") if match else None
    return original if original in sources else None


def _warn_of_copies(library: Library, report: Report) -> None:
    """Warn of a file named as a copy of another (Windows names a copy「艾子洋 - 副本.md」): both would be shown."""
    by_source = {entry.source: entry for entry in library.all()}
    for entry in library.all():
        original = _original_of(entry.source, by_source)
        if original and by_source[original].url != entry.url:  # one URL for both is reported as an error already
            report.warn(entry.source, 0, "文件名", f"这个文件的名字像是复制出来的副本，而 {original} 也在：两个都会作为条目展出。",
                        "不需要它就删掉；要把它改写成另一个条目，就给它起个新文件名。")


def ref_fields(fields) -> list[str]:
    """Names of the fields whose values can hold a reference (directly, in a list or an object)."""
    def holds_ref(field) -> bool:
        return field.type == "ref" or any(holds_ref(f) for f in field.fields) or (field.item is not None and holds_ref(field.item))

    return [f.name for f in fields if holds_ref(f)]


def _resolve_value(value, index: Index, entry, report: Report):
    """Replace Refs (at any depth) by the entries they name."""
    if isinstance(value, Ref):
        return _resolve_ref(value, index, entry, report)
    if isinstance(value, list):
        return [v for v in (_resolve_value(item, index, entry, report) for item in value) if v is not None]
    if isinstance(value, dict):
        return type(value)((k, _resolve_value(v, index, entry, report)) for k, v in value.items())
    return value


def _resolve_ref(ref: Ref, index: Index, entry, report: Report) -> Entry | None:
    """Find the entry a reference names, reporting missing and ambiguous ones."""
    found = index.find(ref.to, ref.key)
    if len({e.key for e in found}) == 1:
        return found[0]
    label = ref.label or "引用"
    if found:
        names = "、".join(sorted({e.source for e in found}))
        report.error(entry.source, ref.line, label, f"「{ref.key}」同时对应多个条目：{names}。", "改写成其中一个条目的文件名（不含 .md）或 slug。")
        return None
    parts = split_items(ref.key)
    if len(parts) > 1 and all(len({e.key for e in index.find(ref.to, part)}) == 1 for part in parts):
        report.error(entry.source, ref.line, label, f"{quote(ref.key)}是 {len(parts)} 个条目写在了一起。",
                     f"列表一项写一行：从下一行起写{'、'.join(f'「  - {part}」' for part in parts)}（减号前两个空格）；"
                     "只能填一个条目的字段，只留其中一个。")
        return None
    guess = did_you_mean(ref.key, index.names(ref.to, ref.key))
    collection = index.site.collection(ref.to)
    where = "任何集合" if collection is None else f"「{collection.label}」（content/{collection.folder}/）"
    wanted = ref.key.partition("/")[0] if ref.to == "any" and "/" in ref.key else ref.to
    unread = [s for name, sources in index.unread.items() if wanted in ("any", name) for s in sources]
    shown = "、".join(unread[:3]) + (f" 等 {len(unread)} 个文件" if len(unread) > 3 else "")
    note = f"（{shown} 有错误，没能读取，可能就是它：先改好那个文件）" if unread else ""
    hint = f"您是不是想写「{guess}」？" if guess else ""
    if unread and hint:
        hint = f"先改好 {shown}；如果要引用的不是它，您是不是想写「{guess}」？"
    report.error(entry.source, ref.line, label, f"{where}里没有「{ref.key}」这个条目{note}。",
                 hint + "填写条目的文件名（不含 .md）、slug 或名称；若该条目还没建，请先新建它。")
    return None


def _link_target(link: BodyLink, entry: Entry, by_source: dict, index: Index, attachments: dict,
                 report: Report) -> Entry | str | Attachment | None:
    """What a link of a body names by its file or folder: an entry (../workers/李帅.md), the URL of a page
    (../data/timeline.yaml, ../workers/) or a file to publish (../files/方案.pdf); None after reporting why not."""
    target = by_source.get(f"content/{link.path}")
    if target is not None:
        return target
    extension = posixpath.splitext(link.path)[1].lower()
    if extension in ATTACHMENT_KINDS:  # whether the file is there is for attachments.check: this stage reads no files
        return attachments.setdefault(link.path, Attachment(link.path, ATTACHMENT_KINDS[extension]))
    here = posixpath.dirname(entry.source)
    unread = any(f"content/{link.path}" in sources for sources in index.unread.values())
    if unread:
        found = f"{link.place.name}里的链接{quote(link.href)}指向的 content/{link.path} 有错误，没能读取。"
        fix = f"先改好 content/{link.path}。"
    elif link.path.lower().endswith(".md"):
        guess = did_you_mean(f"content/{link.path}", [source for source in by_source if source.endswith(".md")])
        found = f"{link.place.name}里的链接{quote(link.href)}指向的 content/{link.path} 不存在。"
        fix = (f"您是不是想写「{posixpath.relpath(guess, here)}」？" if guess else "") + "写对方条目文件相对本文件的路径，如 [李帅](../workers/李帅.md)。"
    else:
        named = index.find("any", posixpath.basename(link.path))
        page = did_you_mean(f"content/{link.path}", [source for source in by_source if source.endswith(".yaml")]) if link.path.startswith("data/") else None
        found = f"{link.place.name}里的链接{quote(link.href)}指向的不是展厅里的条目、页面或能发布的文件，点开会找不到。"
        fix = (f"要链接「{named[0].title}」，就写成「{posixpath.relpath(named[0].source, here)}」；" if len({e.key for e in named}) == 1 else
               f"您是不是想写「{posixpath.relpath(page, here)}」？" if page else
               f"要在正文里显示这张图片，在方括号前加一个感叹号：![图片说明]({link.href})；" if extension in PICTURE_SUFFIXES else
               "链接展厅里的条目，写对方文件相对本文件的路径，如 [李帅](../workers/李帅.md)；"
               f"附件能发布的只有 {'、'.join(ATTACHMENT_KINDS)} 文件；") + "链接网上的文章，写完整网址（https:// 开头）。"
    report.error(entry.source, link.line, link.place.link_label, found, fix)
    return None


def field_values(entry: Entry, path: str) -> list[str]:
    """The text values at a dotted field path such as honours.name (entries by their title)."""
    return [v.title if isinstance(v, Entry) else str(v) for v in content_values(entry.data, path)]


def _terms(library: Library, taxonomy, claims: dict, report: Report) -> list[Term]:
    """The terms of one taxonomy, each with its entries, slugs made unique."""
    terms: dict[str, Term] = {}
    for cname in taxonomy.collections:
        for entry in library.entries.get(cname, []):
            for value in dict.fromkeys(field_values(entry, taxonomy.field)):
                term = terms.setdefault(value, Term(value, "", ""))
                term.entries.append(entry)
    _warn_of_spellings(terms, taxonomy, report)
    known = {text: slug for cname in taxonomy.collections for entry in library.entries.get(cname, []) for text, slug in entry.slugs.items()}
    slugs = {name: known.get(name) or slugify(name) for name in terms}
    used: set[str] = set()
    ordered = sorted(terms.values(), key=lambda t: (slugs[t.name], t.name))
    for term in ordered:
        base = slugs[term.name] or "term"
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        term.slug = slug
        term.url = f"{taxonomy.name}/{slug}/"
    _claim(claims, f"{taxonomy.name}/", f"「{taxonomy.label}」索引页（site.yaml）", report, "site.yaml", 0)
    return ordered


SPELLING_NOISE = re.compile(r"[\s\"'“”‘’「」『』·・]")  # what two ways of writing one term may differ in
OPTIONAL_PARTS = re.compile(r"(?<=.)[省市]|(?:获得者|称号)$")  # a term written with or without them is one: 吉林省长春市 is 吉林长春, 全国劳动模范称号 is 全国劳动模范
SHORT_FORMS = (("劳模", "劳动模范"),)  # 全国劳模 is 全国劳动模范


def spelling_key(name: str) -> str:
    """What two ways of writing one term share: no spaces, quotes or middle dots, half-width, lower case,
    short forms written out, 省 and 市 after a name and a closing 获得者 or 称号 left out."""
    key = SPELLING_NOISE.sub("", loose(name))
    for short, full in SHORT_FORMS:
        key = key.replace(short, full)
    return OPTIONAL_PARTS.sub("", key)


def _warn_of_spellings(terms: dict[str, Term], taxonomy, report: Report) -> None:
    """Warn where one term seems written two ways (吉林 长春, 吉林长春, 吉林省长春市; 全国劳模, 全国劳动模范):
    each way would get a page of its own.  The way most entries write it is the one to keep."""
    groups: dict[str, list[Term]] = {}
    for term in terms.values():
        groups.setdefault(spelling_key(term.name), []).append(term)
    field_name = taxonomy.field.split(".")[0]  # honours.name is written under honours
    for group in groups.values():
        kept = max(group, key=lambda term: len(term.entries))
        for term in group:
            if term is kept:
                continue
            for entry in term.entries:
                report.warn(entry.source, entry.lines.get(field_name, 0), "",
                            f"{taxonomy.label}「{term.name}」和别的文件里的「{kept.name}」像是一个{taxonomy.label}的两种写法，会分成两个{taxonomy.label}页面。",
                            f"是同一个的话，统一写成「{kept.name}」（{len(kept.entries)} 个条目这样写）。")


def _zone(library: Library, index: Index, zone, report: Report) -> ZoneView:
    """Pick the intro page and entries of one zone."""
    intro = None
    if zone.intro:
        found = index.find("pages", zone.intro)
        if found:
            intro = found[0]
        else:
            guess = did_you_mean(zone.intro, index.names("pages"))
            report.error("site.yaml", 0, f"zones · {zone.id}", f"展区「{zone.title}」的导语页「{zone.intro}」不存在。",
                         (f"您是不是想写「{guess}」？" if guess else "") + "在 content/pages/ 里建这个页面，或改 intro。")
    pool = library.entries.get(zone.collection, [])
    if zone.entries:
        chosen = []
        for key in zone.entries:
            found = index.find(zone.collection, key)
            if found:
                chosen.append(found[0])
            else:
                report.error("site.yaml", 0, f"zones · {zone.id}", f"展区「{zone.title}」里的条目「{key}」不存在。", "填写条目的文件名（不含 .md）或 slug。")
    else:
        chosen = sorted(pool, key=lambda e: (not e.get("featured", False),))
    shown = chosen[: zone.limit] if zone.limit else chosen
    return ZoneView(zone.id, zone.title, intro, zone.collection, shown, len(chosen), chosen)
