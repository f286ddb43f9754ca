"""Which pages must be rendered again: fingerprints of what each page read, compared with last time.

Rendering a page notes what it read (``cache.Reads``): the entries whose fields it used, the
templates it loaded, the assets, pictures and globals it used.  A page's fingerprint is a hash of
its job (path, template, title, context reduced to entry keys) and of the current state of each of
those inputs.  When the fingerprint computed now from last build's reads equals the one stored,
nothing the page read has changed, so its file is taken from the previous output.  Adding, removing
or renaming entries changes the jobs and contexts that show them, so lists, terms and back-links
are caught too; site.yaml or the tool's code changing changes every fingerprint.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import fields, is_dataclass
from pathlib import Path

import jinja2
import jinja2.meta

from . import cache
from .fsutil import write_atomic
from .config import Collection, DataSet, Taxonomy, Zone
from .content import Attachment, Entry
from .render import PageJob, Renderer

CONFIG_TYPES = (Collection, Taxonomy, Zone, DataSet)


class Fingerprints:
    """The current state of everything a page can read, hashed on first use."""

    def __init__(self, renderer: Renderer, file_digests: dict, template_globals: dict, by_key: dict | None = None):
        self.renderer = renderer
        resolved = renderer.resolved
        self.library = resolved.library
        self.site = self.library.site
        self.by_key = by_key if by_key is not None else {entry.key: entry for entry in self.library.all()}
        self.file_digests = file_digests
        self._entries: dict[str, str] = {}
        self._templates: dict[str, tuple] = {}
        self.template_globals = template_globals  # source hash → globals used, kept between builds by PageBook
        self._shapes: dict[int, object] = {}
        self._pictures: dict[str, str] = {}
        self.site_digest = cache.digest_of(cache.CODE_VERSION, cache.file_digest(self.site.root / "site.yaml"),
                                           self.site.base_url, self.site.edition, sorted(renderer.env.list_templates()))
        self.globals = {
            "data": lambda: cache.digest_of(self.library.data),
            "collections": self._library_shape,
            "hall": self._library_shape,
            "free_pages": lambda: cache.digest_of([e.key for e in renderer.env.globals["free_pages"]]),
            "terms": lambda: cache.digest_of(sorted(renderer.term_urls.items())),
            "stats": lambda: cache.digest_of(renderer.figures),
            "attract_slides": lambda: cache.digest_of(self.shape(renderer.env.globals.get("attract_slides", []))),
        }
        self._global_values: dict[str, str] = {}
        self._analysis = jinja2.Environment()  # like the site's, but without globals, which would hide their use
        self._analysis.filters, self._analysis.tests = renderer.env.filters, renderer.env.tests

    def entry(self, key: str) -> str:
        """An entry's state: its file, URL, what it links to (the files its body links, by size) and what links to it."""
        found = self._entries.get(key)
        if found is None:
            entry = self.by_key.get(key)
            if entry is None:
                found = "gone"
            else:
                links = [e.key for e in entry.references]
                files = [(f.path, f.size) for f in entry.link_targets.values() if isinstance(f, Attachment)]
                back = [(name, [e.key for e in items]) for name, items in sorted(entry.linked_from.items())]
                found = cache.digest_of(entry.source, self.file_digests.get(entry.source), entry.url, links, files, back)
            self._entries[key] = found
        return found

    def template(self, name: str) -> tuple:
        """A template's source hash and the globals (data, collections…) it uses."""
        found = self._templates.get(name)
        if found is None:
            env = self.renderer.env
            try:
                source = env.loader.get_source(env, name)[0]
                digest = hashlib.sha256(source.encode()).hexdigest()
                if digest not in self.template_globals:
                    tree = self._analysis.parse(source)
                    used = jinja2.meta.find_undeclared_variables(tree) & self.globals.keys()
                    self.template_globals[digest] = tuple(sorted(used))
                found = (digest, self.template_globals[digest])
            except Exception:  # missing or broken: the page renders again and reports it
                found = ("missing", ())
            self._templates[name] = found
        return found

    def global_value(self, name: str) -> str:
        """The state of a global such as data or collections."""
        if name not in self._global_values:
            make = self.globals.get(name)
            self._global_values[name] = make() if make else "unknown"
        return self._global_values[name]

    def _library_shape(self) -> str:
        """Every entry, term and zone in order: changes when anything is added, removed or moved."""
        resolved = self.renderer.resolved
        return cache.digest_of([(name, [e.key for e in items]) for name, items in self.library.entries.items()],
                               [self.shape(terms) for _, terms in sorted(resolved.taxonomies.items())],
                               self.shape(resolved.zones), self.global_value("data"))

    def job(self, job: PageJob) -> str:
        """What identifies a page apart from what it reads: path, template, titles, context."""
        picture = self.picture(job.image.path) if job.image is not None else repr(None)
        return cache.digest_of(self.site_digest, job.path, job.template, job.title, job.description,
                               repr(job.image), picture, job.sitemap, self.shape(job.context))

    def picture(self, path: str) -> str:
        """A processed picture's state (its files and sizes), worked out once per build: many pages show one picture."""
        found = self._pictures.get(path)
        if found is None:
            found = self._pictures[path] = repr(self.renderer.pictures.get(path))
        return found

    def shape(self, value):
        """A context value with entries reduced to keys and site.yaml settings to names."""
        if isinstance(value, Entry):
            return value.key
        if isinstance(value, CONFIG_TYPES):
            return (type(value).__name__, value.name)
        if isinstance(value, (list, tuple)):
            return tuple(self.shape(item) for item in value)
        if isinstance(value, dict):
            return tuple((key, self.shape(item)) for key, item in value.items())
        if isinstance(value, PageJob):
            return (value.path, value.title, value.sitemap)
        if is_dataclass(value) and not isinstance(value, type):
            found = self._shapes.get(id(value))
            if found is None:
                found = self._shapes[id(value)] = (type(value).__name__,) + tuple(
                    self.shape(getattr(value, f.name)) for f in fields(value))
            return found
        return repr(value)

    def page(self, job_digest: str, reads: tuple) -> str:
        """The fingerprint of a page: its job and the current state of everything it read."""
        entries, templates, assets, pictures, globals_ = reads
        template_states = [self.template(name) for name in templates]
        used = set(globals_).union(*(names for _, names in template_states)) if template_states else set(globals_)
        versions = self.renderer.asset_versions
        return cache.digest_of(job_digest, [self.entry(key) for key in entries], template_states,
                               [versions.get(name) for name in assets], [self.picture(path) for path in pictures],
                               [(name, self.global_value(name)) for name in sorted(used)])


class PageBook:
    """The pages of the last successful build into one output folder: what each read, and its fingerprint."""

    def __init__(self, root: Path, output: Path, enabled: bool):
        self.file = cache.cache_dir(root) / f"pages-{cache.output_name(output)}.pickle"
        self.dirty_file = self.file.with_suffix(".dirty")
        self.output = output
        stored = cache.load(self.file) if enabled else None
        self.pages, self.template_globals = stored or ({}, {})
        for path in self._dirty():
            self.pages.pop(path, None)
        self.new: dict[str, tuple] = {}

    def _dirty(self) -> list[str]:
        """Pages rewritten since the book was stored (by live edits in the preview)."""
        try:
            return self.dirty_file.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []

    def mark_dirty(self, paths) -> None:
        """Note pages rewritten outside a build, so that the next build renders them again."""
        known = self._dirty()
        seen = set(known)
        fresh = [path for path in paths if path not in seen]
        if fresh:
            write_atomic(self.dirty_file, "\n".join(known + fresh).encode("utf-8"))

    def split(self, jobs: list[PageJob], marks: Fingerprints) -> tuple[list, list]:
        """(jobs to render, jobs whose previous file is still right)."""
        render, keep = [], []
        for job in jobs:
            old = self.pages.get(job.path)
            if old is not None and old[0] == marks.page(marks.job(job), old[1]) and os.path.isfile(self.output / job.path):
                keep.append(job)
                self.new[job.path] = old
            else:
                render.append(job)
        return render, keep

    def store(self) -> None:
        """Save this build's pages, after its output was swapped into place."""
        cache.save(self.file, (self.new, self.template_globals))
        self.dirty_file.unlink(missing_ok=True)
