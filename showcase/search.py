"""Search: the index the browser loads (search-index.js) and the same matching in Python.

``build_index`` turns the resolved library into plain data: per entry its URL, title,
collection, facet values, pinyin initials, card picture, the title's pinyin and its text normalised by
``normalise``.  ``index_files`` writes that as scripts — a core of everything but the texts, and
the texts in shards the page loads on the first query with words — so the search page works from
a folder (file://) with no server and a big hall's page opens without its whole text.  ``search`` is the matcher; assets/search.js is the same
matcher for the browser, and tests prove both give identical results.

Matching is an exact substring search over normalised text: every word of the query must occur
(a word of letters may instead spell the title in pinyin: aiziyang, ziyang or azy find 艾子洋; or one
of the entry's facet values: changchun finds the workers of 吉林长春);
results rank exact-title hits first, then entries whose title holds more of the words (a
shorter such title first: 子洋 finds the worker 艾子洋 before his studio), then by how often the words occur, then in the site's own order (collection, then pinyin).  Facets are
disjunctive: values of one facet are alternatives, facets combine, and each facet's counts ignore
that facet's own selection so the other choices stay visible.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from markupsafe import Markup

from .config import Collection, Site
from .content import Entry, field_values, nested, spelling
from .markup import markdown_text, normalise, plain_text
from .refs import Resolved
from .render import PageJob
from .schema import ImageRef, Record

INDEX_FILE = "search-index.js"
INDEX_GLOBAL = "SHOWCASE_SEARCH_INDEX"
SHARD_GLOBAL = "SHOWCASE_SEARCH_TEXTS"
SHARD_FOLDER = "search/"
SHARD_ENTRIES = 400
CORE_VERSION = 4  # 3: each entry ends with its title's pinyin; 4: facets spell their values
SEARCH_PAGE = "search/index.html"
TEXT_TYPES = ("text", "markdown", "enum", "ref")
MAX_QUERY = 200
MAX_WORDS = 10
PINYIN_WORD = re.compile(r"[a-z]{2,}")  # a query word that may be pinyin: one letter would match too much
MAX_SYLLABLES = 40  # a visitor types no more of a title or facet value; a longer one would cost its square in every query


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


def entry_initials(entry: Entry, override: str) -> str:
    """Pinyin initials of the title (艾子洋 → AZY), or the entry's own override field."""
    written = entry.data.get(override) if override in entry.fields else None
    if written:
        return str(written)
    syllables = entry.sort_key[0]  # pinyin per character, worked out by the parse workers
    return clean_initials("".join(s[:1] for s in syllables if s[:1].isascii()))


def entry_pinyin(entry: Entry) -> str:
    """The pinyin of the title's Chinese characters, a space between syllables (艾子洋 → "ai zi yang"),
    up to MAX_SYLLABLES of them (matching tries each syllable as a start)."""
    return capped(spelling(entry.title, entry.sort_key[0]))


def capped(syllables: str) -> str:
    """The first MAX_SYLLABLES of syllables ("ai zi yang")."""
    return " ".join(syllables.split(" ")[:MAX_SYLLABLES])


def spells(syllables: str, word: str) -> bool:
    """True when word is the syllables ("ai zi yang") run together from one of them on: aiziyang, ziyang, aiziy."""
    parts = syllables.split(" ")
    return any("".join(parts[start:]).startswith(word) for start in range(len(parts)))


def pinyin_hit(entry: list, word: str) -> bool:
    """True when word is letters that spell the title in pinyin from one of its syllables on (aiziyang,
    ziyang, aiziy) or that are a run of its initials (azy, zy): what a visitor types without choosing characters."""
    if not entry[7] or not PINYIN_WORD.fullmatch(word):
        return False
    return word in entry[5].lower() or spells(entry[7], word)  # the initials, or the entry's own override of them (单田芳 STF)


def spelt_values(facets: list, word: str) -> list[set[int]] | None:
    """Per facet, the numbers of the values word spells in pinyin (changchun: 吉林长春); None when it spells
    none (a word that is no pinyin, most words)."""
    if not PINYIN_WORD.fullmatch(word):
        return None
    spelt = [{n for n, s in enumerate(f.get("spellings", ())) if s and spells(s, word)} for f in facets]
    return spelt if any(spelt) else None


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


def text_paths(site: Site, collection: Collection) -> list[str]:
    """The fields searched in a collection's entries: site.yaml's search.fields, else default_fields."""
    return list(site.search.fields) or default_fields(collection)


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
    """The entry's searchable text, normalised: title first, then each field, then the body (always last)."""
    parts = [entry.title]
    for path in paths:
        if path != entry.title_field and path != "body":
            parts.extend(text for value in field_values(entry.data, path) for text in value_texts(value))
    text = normalise(" ".join(parts))
    if "body" not in paths:
        return text
    body = entry.body_words  # normalised by the parse worker; worked out here after a live edit
    if body is None:
        body = normalise(markdown_text(entry.source_body.markdown()))
    return f"{text} {body}" if text and body else text or body


def _picture(entry: Entry, collection: Collection, pictures: dict) -> list | None:
    """[url, width, height] of a small copy of the entry's picture (its image field, else its first image), or None."""
    ref = entry.data.get(collection.image_field) if collection.image_field else None
    ref = ref if isinstance(ref, ImageRef) else next(nested(entry.data, ImageRef), None)
    picture = pictures.get(ref.path) if isinstance(ref, ImageRef) else None
    return [picture.thumbnail.url, picture.thumbnail.width, picture.thumbnail.height] if picture else None


def build_index(resolved: Resolved, pictures: dict) -> dict:
    """The search index of a resolved library: collections, facets with their values, entries.

    Each body's text was normalised by the parse workers (and kept by the entry cache), so
    this only joins it to the fields' texts; the entry lets go of it then (the index holds it).
    """
    site: Site = resolved.library.site
    options = site.search
    collections = [site.collection(name) for name in options.collections]
    facets = [{"name": "collection", "label": "类别", "values": [c.name for c in collections], "labels": [c.label for c in collections]}]
    facets += [{"name": f.name, "label": f.label, "values": [], "spellings": []} for f in options.facets]
    positions: list[dict] = [{} for _ in facets]
    entries = []
    for number, collection in enumerate(collections):
        paths = text_paths(site, collection)
        for entry in resolved.library.entries.get(collection.name, []):
            values = [[number]]
            for slot, facet in enumerate(options.facets, start=1):
                found = field_values(entry.data, facet.field) if collection.name in facet.collections else []
                values.append(_value_numbers(found, facets[slot], positions[slot], entry.spellings))
            entries.append([entry.url, entry.title, number, entry_text(entry, paths), values,
                            entry_initials(entry, options.initials), _picture(entry, collection, pictures),
                            entry_pinyin(entry)])
            entry.body_words = None
    return {"version": 1, "facets": facets, "entries": entries}


def _value_numbers(found: list, facet: dict, positions: dict, spellings: dict) -> list[int]:
    """Numbers of an entry's facet values in the facet's value table (added when new, with their pinyin)."""
    numbers = []
    for text in (t for value in found for t in value_texts(value)):
        if text not in positions:
            positions[text] = len(facet["values"])
            facet["values"].append(text)
            facet["spellings"].append(capped(spellings.get(text, "")))
        if positions[text] not in numbers:
            numbers.append(positions[text])
    return numbers


class IndexFiles:
    """The files the browser loads: search-index.js (everything but the texts) and the text shards.

    The core index names each shard and the entries it fills; a shard holds the normalised texts of
    up to SHARD_ENTRIES consecutive entries of one collection, in a file named by its content's
    hash.  Shards are cut by count, not size, so an edited text changes only its own shard, and
    ``update`` remakes just that shard and the core (whose entries part it keeps from last time).
    """

    def __init__(self, index: dict):
        self.index = index
        self.shards: list[list] = []
        self._entries_json = ""

    def all(self) -> dict[str, bytes]:
        """Every file, by its path in the site."""
        return dict(self.each())

    def each(self):
        """Every file as (path in the site, bytes), one at a time: the shards, then the core."""
        entries = self.index["entries"]
        self.shards = []
        for first, stop in _shard_bounds(entries):
            name, key, data = self._shard(first, stop)
            self.shards.append([name, key, first, stop - first])
            yield name, data
        self._entries_json = _json([e[:3] + [""] + e[4:] for e in entries])
        yield INDEX_FILE, self._core()

    def update(self, changed: set[int]) -> dict[str, bytes]:
        """The files to write after the texts of the entries numbered changed were replaced in the index."""
        files: dict[str, bytes] = {}
        for shard in self.shards:
            first, count = shard[2], shard[3]
            if any(first <= n < first + count for n in changed):
                name, key, data = self._shard(first, first + count)
                files[name] = data
                shard[:2] = [name, key]
        files[INDEX_FILE] = self._core()
        return files

    @property
    def names(self) -> set[str]:
        """The paths of the current files."""
        return {shard[0] for shard in self.shards} | {INDEX_FILE}

    def _shard(self, first: int, stop: int) -> tuple[str, str, bytes]:
        """(path, key, bytes) of the shard of entries[first:stop]."""
        texts = _json([e[3] for e in self.index["entries"][first:stop]])
        key = hashlib.sha256(texts.encode("utf-8")).hexdigest()[:12]
        data = f'(window.{SHARD_GLOBAL}||(window.{SHARD_GLOBAL}={{}}))["{key}"]={texts};\n'
        return f"{SHARD_FOLDER}text-{key}.js", key, data.encode("utf-8")

    def _core(self) -> bytes:
        """search-index.js: version, facets, shards and the entries without their texts."""
        core = (f'{{"version":{CORE_VERSION},"facets":{_json(self.index["facets"])},"shards":{_json(self.shards)},'
                f'"entries":{self._entries_json}}}')
        return f"window.{INDEX_GLOBAL}={core};\n".encode("utf-8")


def _json(value) -> str:
    """Compact JSON with Chinese as it is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def index_files(index: dict) -> dict[str, bytes]:
    """Every file of the search index (see IndexFiles)."""
    return IndexFiles(index).all()


def _shard_bounds(entries: list) -> list[tuple[int, int]]:
    """(first, stop) of each shard: runs of up to SHARD_ENTRIES entries of one collection."""
    bounds = []
    first = 0
    for n, entry in enumerate(entries):
        if n > first and (entry[2] != entries[first][2] or n - first == SHARD_ENTRIES):
            bounds.append((first, n))
            first = n
    if entries:
        bounds.append((first, len(entries)))
    return bounds


def read_index(folder) -> dict:
    """The whole index a build wrote into folder (core and text shards put back together)."""
    from pathlib import Path

    folder = Path(folder)
    text = (folder / INDEX_FILE).read_text(encoding="utf-8")
    index = json.loads(text[text.index("=") + 1:text.rindex(";")])
    if index.get("version") != CORE_VERSION:
        raise ValueError(f"{INDEX_FILE} was written by another version of the tool")
    for name, _, first, count in index.pop("shards"):
        shard = (folder / name).read_text(encoding="utf-8")
        texts = json.loads(shard[shard.index("]=") + 2:shard.rindex(";")])
        if len(texts) != count:
            raise ValueError(f"{name}: {len(texts)} texts, the index expects {count}")
        for entry, entry_text in zip(index["entries"][first:first + count], texts):
            entry[3] = entry_text
    return index


def page_job(site: Site, script: bytes) -> PageJob:
    """The search page (search/; the kiosk's 找人 keypad), told the core index's version so browsers fetch a changed index."""
    version = hashlib.sha256(script).hexdigest()[:8]
    if site.edition == "kiosk":
        return PageJob(SEARCH_PAGE, "search.html", "找人", {"index_version": version},
                       f"在{site.title}里按姓名的拼音首字母和类别找人")
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
    spelt = [(w, spelt_values(facets, w)) for w in words]
    base = [n for n, e in enumerate(entries)
            if e[5].startswith(letters) and all(w in e[3] or pinyin_hit(e, w) or _has_any(e[4], hits) for w, hits in spelt)]
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


def _has_any(values: list[list[int]], wanted: list[set[int]] | None) -> bool:
    """True when an entry's facet values (per facet, value numbers) include one of the wanted ones (spelt_values')."""
    return wanted is not None and any(wanted[slot].intersection(numbers) for slot, numbers in enumerate(values) if wanted[slot])


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
    """Sort key: exact title first, then more words in the title (or its pinyin), then a shorter such title,
    then more occurrences."""
    title = normalise(entry[1])
    exact = " ".join(words) == title or bool(entry[7]) and "".join(words) == entry[7].replace(" ", "")
    in_title = sum(1 for w in words if w in title or pinyin_hit(entry, w))
    occurrences = sum(entry[3].count(w) for w in words)
    return (not exact, -in_title, len(title) if in_title else 0, -occurrences)
