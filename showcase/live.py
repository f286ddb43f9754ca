"""Live edits for the preview: apply a saved text edit to the last build in memory.

The preview keeps its last full build's state (pipeline.BuildState).  When every file saved since is
an entry file that already existed, and the edit changed only the body or text and Markdown fields
that nothing else is arranged by — not the title, slug, references, images, a picture or link added
to the text, choices, numbers, dates, or the fields of taxonomies, facets, charts, sorting or
initials — ``apply`` parses those files again and puts the new text into the same Entry objects
(every page showing an entry holds that object), renders again the pages that read those entries in
the last build, remakes their search text shard, and writes each file atomically into the served
folder.  For anything else it returns None and the preview runs a normal incremental build.

The build's own caches stay right: the pages written here are noted in the page book as dirty,
so the next build renders them again, and the build's "nothing changed" shortcut is forgotten.
"""
from __future__ import annotations

import hashlib
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

from . import search
from .cache import LastBuild
from .changes import Fingerprints, PageBook
from .config import Collection, Site
from .content import ATTACHMENT_KINDS, PICTURE_SUFFIXES, Entry, ignored_file, entry_from_file, markdown_renderer
from .errors import Report
from .fsutil import write_atomic
from .pipeline import BuildState, render_jobs
from .render import out_path

TEXT_TYPES = ("text", "markdown")
IGNORED = object()  # what _edited_entry says of a file no build reads
WATCHED_SUFFIXES = (".md", ".yaml", ".yml", *PICTURE_SUFFIXES, *ATTACHMENT_KINDS)


@dataclass
class LiveResult:
    """What a live edit did: entries re-read, pages rendered again, seconds."""

    entries: int
    pages: int
    seconds: float


def apply(state: BuildState, paths: set[str]) -> LiveResult | None:
    """Apply the saved files to the state and the served folder; None when a normal build is needed."""
    started = time.perf_counter()
    prepare(state)
    edits = []
    for path in sorted(paths):
        found = _edited_entry(state, Path(path))
        if found is None:
            return None
        if found is not IGNORED:
            edits.append(found)
    parsed = []
    for entry, path in edits:
        found = _parse_again(state, entry, path)
        if found is None:
            return None
        parsed.append((entry, *found, path))
    for entry, new, old_problems, path in parsed:
        _take_text(entry, new, state.site.collection(entry.collection))
        state.latest[entry.source] = (new, old_problems)
        state.digests[entry.source] = hashlib.sha256(path.read_bytes()).hexdigest()
    written = _render_and_write(state, [entry for entry, *_ in parsed])
    if written is None:
        return None
    return LiveResult(len(parsed), written, time.perf_counter() - started)


def prepare(state: BuildState) -> None:
    """Make ready what the first live edit would otherwise make: the Markdown renderer, who reads what."""
    if state.markdown is None:
        state.markdown = markdown_renderer(state.site.allow_html)
    _readers(state)


def _edited_entry(state: BuildState, path: Path):
    """(entry, path) for an existing entry's file; IGNORED for a file no build reads; None otherwise."""
    site = state.site
    try:
        relative = path.resolve().relative_to(site.root)
    except ValueError:
        return None
    if relative.parts[:1] != ("content",) or ignored_file(path):
        return IGNORED if relative.parts[:1] == ("content",) else None
    entry = state.by_source.get(relative.as_posix())
    if entry is not None:
        return (entry, path) if path.is_file() else None
    if path.exists() or path.suffix.lower() in WATCHED_SUFFIXES:
        return None  # a new file, an image, a data file, or one that was deleted
    return IGNORED  # an editor's passing temporary file


def _parse_again(state: BuildState, entry: Entry, path: Path) -> tuple[Entry, list] | None:
    """The file parsed afresh and its problems, when they are the same as before and only text fields changed."""
    site = state.site
    collection = site.collection(entry.collection)
    before, old_problems = _last_parse(state, entry.source)
    if before is None:
        return None
    report = Report()
    new = entry_from_file(path, site.root, collection, state.markdown, report)
    if new is None or report.problems != old_problems or not text_only(before, new, site, collection):
        return None
    return new, old_problems


def _last_parse(state: BuildState, source: str) -> tuple[Entry | None, list]:
    """The entry as last parsed (before references were resolved) and that parse's problems."""
    if source in state.latest:
        return state.latest[source]
    found = state.entry_cache.new.get(source)
    if found is None:
        return None, []
    try:
        return pickle.loads(found[2])
    except Exception:  # an unreadable record: let the normal build handle it
        return None, []


def frozen_fields(site: Site, collection: Collection) -> set[str]:
    """Fields of a collection that lists, terms, facets, charts, order or initials depend on."""
    frozen = {collection.title_field, collection.image_field, collection.sort.lstrip("-"), site.search.initials}
    frozen.update(t.field for t in site.taxonomies if collection.name in t.collections)
    frozen.update(f.field for f in site.search.facets if collection.name in f.collections)
    frozen.update(name for s in site.stats if collection.name in s.collections for name in (s.by, s.sum))
    return {path.split(".")[0] for path in frozen if path}


def text_only(before: Entry, after: Entry, site: Site, collection: Collection) -> bool:
    """True when after differs from before only in its body and free text fields, on the same lines, and
    shows no picture and links no file that before did not (those were made and resolved by the build)."""
    if (after.slug, after.stem, after.lines) != (before.slug, before.stem, before.lines):
        return False
    if not ({ref.path for ref in after.body_images} <= {ref.path for ref in before.body_images}
            and {link.href for link in after.body_links} <= {link.href for link in before.body_links}):
        return False
    frozen = frozen_fields(site, collection)
    for name in before.data.keys() | after.data.keys():
        if before.data.get(name) != after.data.get(name):
            spec = collection.field(name)
            if spec is None or spec.type not in TEXT_TYPES or name in frozen:
                return False
    return True


def _take_text(entry: Entry, new: Entry, collection: Collection) -> None:
    """Put new's text fields and body into the resolved entry, which every page holds."""
    for spec in collection.fields:
        if spec.type in TEXT_TYPES:
            if spec.name in new.data:
                entry.data[spec.name] = new.data[spec.name]
            else:
                entry.data.pop(spec.name, None)
    entry.source_body = new.source_body
    entry._html = None
    entry.body_words = None  # worked out again from the new body by the search index


def _render_and_write(state: BuildState, entries: list[Entry]) -> int | None:
    """Render the pages that read entries and remake the search files; write them all. Pages written, or None."""
    keys = {entry.key for entry in entries}
    readers = _readers(state)
    paths = sorted({path for key in keys for path in readers.get(key, ())})
    for entry in entries:
        job = state.jobs.get(out_path(entry.url))
        if job is not None:
            job.description = entry.description
    files, stale = _search_files(state, entries)
    if files:
        paths.append(_search_page(state, files[search.INDEX_FILE]))
    renderer = state.renderer
    renderer.forget(keys)
    renderer.report, renderer.stopped = Report(), False  # a stopped page stops a build, not the preview for good
    marks = Fingerprints(renderer, state.digests, state.template_globals, state.by_key)
    pages: dict[str, bytes] = {}
    done = render_jobs(renderer, [state.jobs[path] for path in dict.fromkeys(paths)], marks, pages.__setitem__)
    if renderer.report.failed(state.strict):
        return None
    output = state.site.output
    PageBook(state.site.root, output, enabled=False).mark_dirty(pages)
    LastBuild(state.site.root, output, enabled=False).forget()
    for name, data in {**files, **pages}.items():
        write_atomic(output / name, data)
    for name in stale:
        (output / name).unlink(missing_ok=True)
    for path, (_, reads) in done.items():
        for key in state.pages[path][1][0]:
            readers[key].discard(path)
        for key in reads[0]:
            readers.setdefault(key, set()).add(path)
    state.pages.update(done)
    return len(pages)


def _readers(state: BuildState) -> dict[str, set]:
    """Entry key → the pages that read it in their last rendering (worked out once per build)."""
    if state.readers is None:
        state.readers = {}
        for path, (_, reads) in state.pages.items():
            for key in reads[0]:
                state.readers.setdefault(key, set()).add(path)
    return state.readers


def _search_files(state: BuildState, entries: list[Entry]) -> tuple[dict[str, bytes], set[str]]:
    """The search files to write after entries' texts changed, and the shard files they replace."""
    if state.search is None:
        return {}, set()
    index = state.search.index
    changed = set()
    for entry in entries:
        number = state.search_numbers.get(entry.url)
        if number is not None:
            collection = state.site.collection(entry.collection)
            index["entries"][number][3] = search.entry_text(entry, search.text_paths(state.site, collection))
            changed.add(number)
    if not changed:
        return {}, set()
    before = state.search.names
    files = state.search.update(changed)
    return files, before - state.search.names


def _search_page(state: BuildState, script: bytes) -> str:
    """Tell the search page the core index's new version; its path."""
    fresh = search.page_job(state.site, script)
    state.jobs[fresh.path].context.update(fresh.context)
    return fresh.path
