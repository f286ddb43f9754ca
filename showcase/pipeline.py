"""The order of a build: config → content → refs → images, attachments → render → output.

``build`` runs every stage, collects every problem, and only when there are none swaps the new
site into place.  Large sites render on all cores (fork); each stage's time is recorded.
"""
from __future__ import annotations

import ctypes
import errno
import gc
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .cache import EntryCache, LastBuild, file_digest, input_signature
from .config import Site, load_site
from .errors import ConfigError, ContentError, OutputError, Report
from .output import OutputTree, write_into

if TYPE_CHECKING:  # the stages' modules load only when there is work (see _check_all)
    from .render import PageJob, Renderer

PARALLEL_PAGES = 400


@dataclass
class BuildResult:
    """What a build did: counts, time per stage and the problems it found."""

    output: Path | None
    pages: int = 0
    rendered: int = 0
    images: int = 0
    attachments: int = 0
    unchanged: bool = False
    report: Report = field(default_factory=Report)
    timings: dict = field(default_factory=dict)
    state: BuildState | None = None
    reminder: str = ""  # for the check before publishing: what to change before the site goes online

    @property
    def seconds(self) -> float:
        """Total wall time of the build."""
        return sum(self.timings.values())


@dataclass
class BuildState:
    """What a finished build holds in memory, kept by the live preview to apply small edits (live.py)."""

    site: Site
    strict: bool
    renderer: Renderer
    entry_cache: EntryCache
    pages: dict  # page path → (fingerprint, what it read), as PageBook keeps them
    template_globals: dict
    jobs: dict  # page path → PageJob
    search: object | None  # the search index and its files (search.IndexFiles), when the site has search
    digests: dict  # content file → hash of its bytes (updated by live edits)
    latest: dict = field(default_factory=dict)  # content file → (entry as parsed, problems) after a live edit
    markdown: object = None  # the Markdown renderer live edits parse with, made on first use
    readers: dict | None = None  # entry key → paths of the pages that read it, made on first use

    def __post_init__(self) -> None:
        entries = self.renderer.resolved.library.all()
        self.by_source = {e.source: e for e in entries}
        self.by_key = {e.key: e for e in entries}
        self.search_numbers = {e[0]: n for n, e in enumerate(self.search.index["entries"])} if self.search else {}


class _Clock:
    """Records how long each stage takes."""

    def __init__(self, timings: dict):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        """Close the current stage."""
        now = time.perf_counter()
        self.timings[stage] = now - self.last
        self.last = now


def build(root: Path, output: str | None = None, base_url: str | None = None, strict: bool = False,
          jobs: int | None = None, write: bool = True, clean: bool = False, kiosk: bool = False,
          keep_state: bool = False) -> BuildResult:
    """Build the site in root (the kiosk edition when kiosk); raise ConfigError/ContentError carrying the report on problems.

    Unless clean is set, files parsed and pages rendered by earlier builds are reused when
    nothing they depend on changed (see cache.py and changes.py); the output is the same.
    keep_state returns the build's state in memory (result.state) for the live preview.
    """
    report = Report()
    result = BuildResult(None, report=report)
    clock = _Clock(result.timings)
    site = load_site(root, report, output, base_url, kiosk)
    if site is None:
        raise ConfigError(report)
    if not site.base_url.startswith(("http://", "https://")):
        report.warn("site.yaml", 0, "base_url", f"base_url「{unquote(site.base_url)}」不是完整网址，分享卡片、订阅源和站点地图里的地址会不完整。",
                    "上线前改成完整网址，如 https://example.org/zhanting/。")
    if not write and _example_address(site.base_url):
        result.reminder = (f"提醒：site.yaml 的 base_url 还是示例地址 {site.base_url}。上线前改成网站的真实地址，"
                           "分享卡片、订阅源和站点地图里的链接才能打开。")
    signature = input_signature(site.root / "site.yaml", [site.content_dir, site.templates_dir, site.assets_dir],
                                (site.base_url, strict, site.edition))
    last = LastBuild(site.root, site.output, enabled=write and not clean)
    clock.lap("config")
    if write and not keep_state and last.unchanged(signature):
        report.problems[:] = last.warnings
        result.output, result.unchanged = site.output, True
        return result
    _make(site, result, clock, strict, jobs, write, clean, keep_state)
    if result.output is not None:
        last.store(signature, report.warnings)
    return result


def _return_free_memory() -> None:
    """Give the memory freed so far back to the system (glibc keeps it otherwise: 20–40 MB at 10,000 workers)."""
    if os.name != "posix":
        return
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc only
    if trim is not None:
        trim(0)


def _example_address(url: str) -> bool:
    """True for an address on a domain reserved for examples (example.org, *.example, *.test, localhost)."""
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "example.org", "example.com", "example.net") or host.endswith(
        (".example.org", ".example.com", ".example.net", ".example", ".test", ".invalid", ".localhost"))


@dataclass
class Checked:
    """What the checking stages made of the content, ready to be written."""

    entry_cache: EntryCache
    resolved: object  # refs.Resolved
    pictures: dict  # content path → images.Picture
    files: dict  # content path → content.Attachment
    renderer: Renderer


def _make(site: Site, result: BuildResult, clock: _Clock, strict: bool, jobs: int | None, write: bool, clean: bool,
          keep_state: bool = False) -> None:
    """Every stage after config: check everything, then write the site when nothing is wrong and write is set."""
    report = result.report
    checked = _check_all(site, report, clock, jobs, clean, keep_state)
    if checked.renderer.check_templates() and (report.failed(strict) or not write):
        _try_each_template(checked.renderer, checked.resolved)
    if report.failed(strict):
        raise ContentError(report)
    if write:
        _write(site, result, clock, checked, strict, jobs, clean, keep_state)


def _check_all(site: Site, report: Report, clock: _Clock, jobs: int | None, clean: bool, keep_state: bool) -> Checked:
    """Read the content and run every stage that checks it, up to a renderer ready for the pages.

    The stages' modules are imported here, not at the top, so that a build with nothing to do
    starts without loading Jinja2, Pillow and Markdown (0.3 s)."""
    from . import attachments, images, refs, stats
    from .content import load_library
    from .render import Renderer

    entry_cache = EntryCache(site.root, enabled=not clean, schema=file_digest(site.root / "site.yaml"))
    gc.disable()  # a million objects come out of the parse workers' pickles; none of them in cycles
    try:
        library = load_library(site, report, jobs, entry_cache)
    finally:
        gc.enable()
    entry_cache.store()
    if not keep_state:  # the live preview reads the records again (live._last_parse)
        entry_cache.drop_records()
    _return_free_memory()
    clock.lap("content")
    resolved = refs.resolve(library, report)
    clock.lap("refs")
    pictures = images.plan(library, report)
    clock.lap("images.plan")
    pictures = images.process(pictures, site.root, report, jobs)
    clock.lap("images.process")
    files = attachments.check(library, report)
    clock.lap("attachments")
    figures = stats.compute(resolved)
    clock.lap("stats")
    return Checked(entry_cache, resolved, pictures, files, Renderer(resolved, pictures, report, figures))


def _write(site: Site, result: BuildResult, clock: _Clock, checked: Checked, strict: bool, jobs: int | None,
           clean: bool, keep_state: bool) -> None:
    """Write the site into a new tree and swap it into place; on any failure the old output stays as it was."""
    from .changes import PageBook

    try:
        tree = OutputTree(site.output)
    except OSError as exc:
        raise OutputError(_os_problem(exc, site.output)) from None
    book = PageBook(site.root, site.output, enabled=not clean)
    try:
        page_list, search, digests = _fill(tree, book, result, clock, checked, jobs, keep_state)
        if result.report.failed(strict):
            raise ContentError(result.report)
        tree.commit()
        book.store()
        if keep_state:
            result.state = BuildState(site, strict, checked.renderer, checked.entry_cache, book.new, book.template_globals,
                                      {job.path: job for job in page_list}, search, digests)
        clock.lap("swap")
    except OSError as exc:
        tree.abort()
        raise OutputError(_os_problem(exc, site.output)) from None
    except BaseException:
        tree.abort()
        raise
    result.output = site.output


def _fill(tree: OutputTree, book, result: BuildResult, clock: _Clock, checked: Checked, jobs: int | None,
          keep_state: bool) -> tuple[list, object, dict]:
    """Render the pages that changed (the others are linked from the old output) and publish pictures,
    attachments and assets into tree; return the page list, the search files (when kept) and the content digests."""
    from . import attachments, images, kiosk
    from .changes import Fingerprints

    site, renderer = checked.resolved.library.site, checked.renderer
    digests = checked.entry_cache.digests()
    page_list, search = _page_list(renderer, checked.resolved, checked.pictures, tree)
    if not keep_state:
        search = None  # its texts (20 MB at 10,000 entries) would otherwise sit in every render worker
    _return_free_memory()  # before the render workers fork: each would otherwise start with the parse's and index's leftovers
    clock.lap("search")
    marks = Fingerprints(renderer, digests, book.template_globals)
    todo, kept = book.split(page_list, marks)
    tree.link_from(site.output, [job.path for job in kept])
    done = _render_all(renderer, todo, tree, jobs or os.cpu_count() or 1, marks)
    book.new.update(done)
    result.pages = sum(1 for job in page_list if job.path.endswith(".html"))
    result.rendered = sum(1 for path in done if path.endswith(".html"))
    clock.lap("render")
    result.images = images.publish(checked.pictures, site.root, tree)
    if site.edition != "kiosk":  # the kiosk shows a QR code of each file on the web edition
        result.attachments = attachments.publish(checked.files, site.content_dir, tree)
    if site.assets_dir.is_dir():
        tree.copy_tree(site.assets_dir, "assets", skip=() if site.edition == "kiosk" else kiosk.KIOSK_ASSETS)
    if site.edition == "kiosk":
        tree.write(kiosk.VERSION_FILE, kiosk.build_version(tree.root))
    clock.lap("images+assets")
    return page_list, search, digests


def _page_list(renderer, resolved, pictures: dict, tree: OutputTree) -> tuple[list, object]:
    """Every page of the site (the pages of render.page_jobs, the search page, feed and sitemap) and the search index."""
    from .render import extra_jobs, page_jobs

    page_list = page_jobs(resolved, renderer.env)
    search = None
    if "search.html" in renderer.env.list_templates():
        job, search = _search_index(resolved, pictures, tree)
        page_list.append(job)
    return page_list + extra_jobs(resolved, page_list), search


def _search_index(resolved, pictures: dict, tree: OutputTree) -> tuple:
    """Write search-index.js and its text shards; return the search page's job and the files."""
    from . import search

    files = search.IndexFiles(search.build_index(resolved, pictures))
    for name, data in files.each():  # written as made: the shards are 30 MB at 10,000 entries
        tree.write(name, data)
    return search.page_job(resolved.library.site, data), files  # the core comes last


def _os_problem(exc: OSError, output: Path) -> str:
    """A Chinese explanation of a failure to write the output folder."""
    where = exc.filename or output
    if exc.errno == errno.ENOSPC:
        return f"磁盘空间不够，写不下 {where}。清理磁盘后再生成；原来的 {output} 保持不变。"
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return f"{where} 是一个文件，不是文件夹，输出文件夹没法建在它里面。换一个输出文件夹；原来的 {output} 保持不变。"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EBUSY):
        return (f"没有权限或文件被占用，无法写入 {where}（{exc.strerror}）。关闭正在打开其中文件的程序"
                f"（如资源管理器预览、浏览器、上传工具）后再试；原来的 {output} 保持不变。")
    return f"无法写入 {where}（{exc.strerror}）。检查磁盘和文件夹权限后再试；原来的 {output} 保持不变。"


def _try_each_template(renderer: Renderer, resolved) -> None:
    """Render, without writing, one page per template so template errors join the content errors.

    Entry pages are tried with an entry whose file has no errors; other pages only when the
    content has none (a broken reference would otherwise look like a template mistake).
    """
    from .render import extra_jobs, page_jobs

    broken = {p.path for p in renderer.report.errors}
    jobs = page_jobs(resolved, renderer.env)
    jobs += extra_jobs(resolved, jobs)
    tried: set[str] = set()
    for job in jobs:
        entry = job.context.get("entry")
        clean = entry.source not in broken if entry is not None else not broken
        if job.template not in tried and clean:
            tried.add(job.template)
            renderer.render(job)


def _render_all(renderer: Renderer, jobs: list[PageJob], tree: OutputTree, cores: int, marks) -> dict[str, tuple]:
    """Render and write pages, on several cores for many; per written page, its fingerprint and what it read."""
    if cores > 1 and len(jobs) >= PARALLEL_PAGES and "fork" in multiprocessing.get_all_start_methods():
        return _render_parallel(renderer, jobs, tree, cores, marks)
    return render_jobs(renderer, jobs, marks, tree.write)


def render_jobs(renderer: Renderer, jobs: list[PageJob], marks, write) -> dict[str, tuple]:
    """Render jobs and write each page with write(path, bytes); per page, its fingerprint and reads."""
    done = {}
    for job in jobs:
        data = renderer.render(job)
        if data is not None:
            write(job.path, data)
            reads = renderer.last_reads.frozen()
            done[job.path] = (marks.page(marks.job(job), reads), reads)
    return done


_STATE: tuple | None = None


def _render_slice(bounds: tuple[int, int]) -> tuple[dict, list]:
    """Render jobs[start:stop] in a forked worker; per page its fingerprint and reads, and the problems."""
    renderer, jobs, root, marks = _STATE
    renderer.report = Report()
    done = render_jobs(renderer, jobs[bounds[0]:bounds[1]], marks, lambda path, data: write_into(root, path, data))
    return done, renderer.report.problems


def _render_parallel(renderer: Renderer, jobs: list[PageJob], tree: OutputTree, cores: int, marks) -> dict[str, tuple]:
    """Fork workers that share the resolved library and render slices of the page list."""
    global _STATE
    _STATE = (renderer, jobs, tree.root, marks)
    step = max(1, len(jobs) // (cores * 8))
    slices = [(i, min(i + step, len(jobs))) for i in range(0, len(jobs), step)]
    gc.freeze()  # the workers' garbage collector leaves the inherited library alone: no copying, no scanning
    try:
        with multiprocessing.get_context("fork").Pool(cores) as pool:
            parts = pool.map(_render_slice, slices)
    finally:
        _STATE = None
        gc.unfreeze()
    all_done = {}
    for done, problems in parts:
        tree.claim(done)
        renderer.report.extend(problems)
        all_done.update(done)
    return all_done
