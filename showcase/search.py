"""Search: the index the browser loads (search-index.js) and the same matching in Python.

``build_index`` turns the resolved library into plain data: per entry its URL, title,
collection, facet values, pinyin initials, card picture and its text normalised by
``normalise``.  ``index_script`` writes that as a script, so the search page works from a
folder (file://) with no server.  ``search`` is the matcher; assets/search.js is the same
matcher for the browser, and tests prove both give identical results.

Matching is an exact substring search over normalised text: every word of the query must occur;
results rank exact-title hits first, then entries whose title holds more of the words (a
shorter such title first: 子洋 finds the worker 艾子洋 before his studio), then by how often the words occur, then in the site's own order (collection, then pinyin).  Facets are
disjunctive: values of one facet are alternatives, facets combine, and each facet's counts ignore
that facet's own selection so the other choices stay visible.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field

from markupsafe import Markup

from .config import Collection, Site
from .content import Entry, field_values, nested
from .markup import plain_text
from .refs import Resolved
from .render import PageJob
from .schema import ImageRef, Record

INDEX_FILE = "search-index.js"
INDEX_GLOBAL = "SHOWCASE_SEARCH_INDEX"
SEARCH_PAGE = "search/index.html"
TEXT_TYPES = ("text", "markdown", "enum", "ref")
# Full-width punctuation is kept as written (，：（）) so snippets keep Chinese typography;
# everything else goes through NFKC (full-width letters and digits become half-width).
KEEP = "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
NOT_KEPT = re.compile(f"[^{KEEP}]+")
SPACES = re.compile("[ \t\n\r\f\v\u2028\u2029\ufeff]+")
MAX_QUERY = 200
MAX_WORDS = 10
MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKDOWN_MARKS = re.compile(r"<[^>]*>|^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+|[*_`~]+", re.MULTILINE)


def normalise(text: str) -> str:
    """Text as the index stores it: NFKC (full-width punctuation kept), lower case, spaces collapsed."""
    text = NOT_KEPT.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return SPACES.sub(" ", text.lower()).strip()


def query_words(query: str) -> list[str]:
    """The distinct words of a query, normalised, in order (a long query is cut)."""
    words: list[str] = []
    for word in normalise(query[:MAX_QUERY]).split(" "):
        if word and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def clean_initials(letters: str) -> str:
    """Keypad input as the index stores initials: upper-case A–Z only."""
    return re.sub(r"[^A-Z]", "", normalise(letters).upper())


def markdown_text(markdown: str) -> str:
    """Readable text of a Markdown body (link and image text kept, markup dropped)."""
    return MARKDOWN_MARKS.sub("", MARKDOWN_LINK.sub(r"\1", markdown))


def entry_initials(entry: Entry, override: str) -> str:
    """Pinyin initials of the title (艾子洋 → AZY), or the entry's own override field."""
    written = entry.data.get(override) if override in entry.fields else None
    if written:
        return str(written)
    syllables = entry.sort_key[0]  # pinyin per character, worked out by the parse workers
    return clean_initials("".join(s[:1] for s in syllables if s[:1].isascii()))


def default_fields(collection: Collection) -> list[str]:
    """Every text, Markdown, choice and reference field at any depth, then the body."""
    paths: list[str] = []

    def visit(fields, prefix: str) -> None:
        for spec in fields:
            inner = spec.item if spec.type == "list" and spec.item else spec
            if inner.type in TEXT_TYPES:
                paths.append(prefix + spec.name)
            elif inner.type == "object":
                visit(inner.fields, f"{prefix}{spec.name}.")

    visit(collection.fields, "")
    return paths + ["body"]


def value_texts(value) -> list[str]:
    """The words a field value shows: text, an entry's title, a record's text fields."""
    if isinstance(value, Entry):
        return [value.title]
    if isinstance(value, Markup):
        return [plain_text(value)]
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, Record)):
        items = value.values() if isinstance(value, Record) else value
        return [text for item in items for text in value_texts(item)]
    return []


def entry_text(entry: Entry, paths: list[str]) -> str:
    """The entry's searchable text, normalised: title first, then each field, then the body."""
    parts = [entry.title]
    for path in paths:
        if path == "body":
            parts.append(markdown_text(entry.source_body.markdown()))
        elif path != entry.title_field:
            parts.extend(text for value in field_values(entry.data, path) for text in value_texts(value))
    return normalise(" ".join(parts))


def _picture(entry: Entry, collection: Collection, pictures: dict) -> list | None:
    """[url, width, height] of a small copy of the entry's picture (its image field, else its first image), or None."""
    ref = entry.data.get(collection.image_field) if collection.image_field else None
    ref = ref if isinstance(ref, ImageRef) else next(nested(entry.data, ImageRef), None)
    picture = pictures.get(ref.path) if isinstance(ref, ImageRef) else None
    return [picture.thumbnail.url, picture.thumbnail.width, picture.thumbnail.height] if picture else None


def build_index(resolved: Resolved, pictures: dict, texts: TextMemo | None = None) -> dict:
    """The search index of a resolved library: collections, facets with their values, entries.

    texts, when given, remembers each entry's normalised text from earlier builds (reading and
    normalising every body is most of the work): see TextMemo.
    """
    texts = texts if texts is not None else TextMemo({}, {})
    site: Site = resolved.library.site
    options = site.search
    collections = [site.collection(name) for name in options.collections]
    facets = [{"name": "collection", "label": "类别", "values": [c.name for c in collections], "labels": [c.label for c in collections]}]
    facets += [{"name": f.name, "label": f.label, "values": []} for f in options.facets]
    positions: list[dict] = [{} for _ in facets]
    entries = []
    for number, collection in enumerate(collections):
        paths = list(options.fields) or default_fields(collection)
        for entry in resolved.library.entries.get(collection.name, []):
            values = [[number]]
            for slot, facet in enumerate(options.facets, start=1):
                found = field_values(entry.data, facet.field) if collection.name in facet.collections else []
                values.append(_value_numbers(found, facets[slot]["values"], positions[slot]))
            entries.append([entry.url, entry.title, number, texts.text(entry, paths), values,
                            entry_initials(entry, options.initials), _picture(entry, collection, pictures)])
    return {"version": 1, "facets": facets, "entries": entries}


@dataclass
class TextMemo:
    """Entries' searchable texts by a key of their file's hash, the fields searched and the titles they name."""

    file_digests: dict
    known: dict
    used: dict = field(default_factory=dict)

    def text(self, entry: Entry, paths: list[str]) -> str:
        """entry_text, from the memo when the entry's file and what it names are unchanged."""
        digest = self.file_digests.get(entry.source)
        if digest is None:
            return entry_text(entry, paths)
        key = (digest, tuple(paths), tuple(e.title for e in nested(entry.data, Entry)))
        found = self.known.get(key)
        if found is None:
            found = entry_text(entry, paths)
        self.used[key] = found
        return found


def _value_numbers(found: list, table: list, positions: dict) -> list[int]:
    """Numbers of an entry's facet values in the facet's value table (added when new)."""
    numbers = []
    for text in (t for value in found for t in value_texts(value)):
        if text not in positions:
            positions[text] = len(table)
            table.append(text)
        if positions[text] not in numbers:
            numbers.append(positions[text])
    return numbers


def index_script(index: dict) -> bytes:
    """search-index.js: the index as a script that sets one global (works from file://)."""
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    return f"window.{INDEX_GLOBAL}={data};\n".encode("utf-8")


def page_job(site: Site, script: bytes) -> PageJob:
    """The search page (search/), told the index's version so browsers fetch a changed index."""
    version = hashlib.sha256(script).hexdigest()[:8]
    return PageJob(SEARCH_PAGE, "search.html", "搜索", {"index_version": version},
                   f"在{site.title}里按姓名、地区、行业、荣誉或事迹查找")


@dataclass
class Result:
    """What a search finds: entry URLs in ranked order and, per facet, value → count."""

    urls: list
    counts: dict = field(default_factory=dict)


def search(index: dict, query: str = "", filters: dict | None = None, initials: str = "") -> Result:
    """Entries matching every word of query, the facet filters and the initials prefix, ranked."""
    words = query_words(query)
    letters = clean_initials(initials)
    facets = index["facets"]
    entries = index["entries"]
    chosen = _chosen(facets, filters or {})
    base = [n for n, e in enumerate(entries) if e[5].startswith(letters) and all(w in e[3] for w in words)]
    counts = [[0] * len(f["values"]) for f in facets]
    shown = []
    for n in base:
        values = entries[n][4]
        misses = [slot for slot, wanted in chosen if not wanted.intersection(values[slot])]
        if not misses:
            shown.append(n)
        for slot in range(len(facets)):
            if not misses or misses == [slot]:
                for value in values[slot]:
                    counts[slot][value] += 1
    if words:
        shown.sort(key=lambda n: _rank(entries[n], words) + (n,))
    table = {f["name"]: {v: c for v, c in zip(f["values"], counts[slot]) if c} for slot, f in enumerate(facets)}
    return Result([entries[n][0] for n in shown], table)


def _chosen(facets: list, filters: dict) -> list[tuple[int, set]]:
    """(facet slot, wanted value numbers) for each facet the filters name; unknown values match nothing."""
    chosen = []
    for slot, facet in enumerate(facets):
        wanted = filters.get(facet["name"])
        if wanted:
            wanted = [wanted] if isinstance(wanted, str) else wanted
            chosen.append((slot, {n for n, v in enumerate(facet["values"]) if v in wanted}))
    return chosen


def _rank(entry: list, words: list[str]) -> tuple:
    """Sort key: exact title first, then more words in the title, then a shorter such title, then more occurrences."""
    title = normalise(entry[1])
    exact = title == " ".join(words)
    in_title = sum(1 for w in words if w in title)
    occurrences = sum(entry[3].count(w) for w in words)
    return (not exact, -in_title, len(title) if in_title else 0, -occurrences)
