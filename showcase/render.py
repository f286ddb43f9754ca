"""Pages: the Jinja2 environment and the list of pages a hall has; renders, writes nothing.

``page_jobs`` lists every page (home, list pages, entry pages, data pages, terms, 404, feed, sitemap,
robots.txt) with the template and context it needs; ``Renderer.render`` turns one job into
bytes.  Links are relative, so a site works under any sub-path and from a folder; only 404.html,
which a host serves at any depth, uses links rooted at base_url's path.

``link()`` writes a site-relative URL behind a ROOT mark; when a page is finished, every mark is
replaced by that page's way back to the site root (``../../``).  A fragment such as a card is
therefore the same on every page and is rendered once per process.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

import jinja2
from jinja2.sandbox import MAX_RANGE, SandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from . import charts, kiosk
from .attachments import file_size
from .cache import CODE_VERSION, Reads, cache_dir, sign, verified
from .content import Attachment, Entry
from .deadline import Stopped, TooBig, TooSlow, within
from .errors import Report, did_you_mean
from .fsutil import EncodingProblem, decode_text, write_atomic
from .images import Picture
from .refs import Resolved
from .markup import html_tags, replace_html_tags
from .schema import ImageRef, PartialDate, content_path, describe
from .stats import Figure, number_text


PER_PAGE = 48
PAGE_SECONDS = 20  # a page still rendering after this long is stopped (the largest page of a 10,000-worker hall takes 0.1 s)
PAGE_MEMORY = 512 * 2**20  # a page during which the process grows by more bytes is stopped (that hall's sitemap needs 3 MB)


@dataclass(frozen=True)
class Pager:
    """Where a page of a paginated listing sits among its siblings."""

    number: int
    urls: tuple

    @property
    def count(self) -> int:
        """How many pages the listing has."""
        return len(self.urls)

    @property
    def previous(self) -> str | None:
        """URL of the previous page."""
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        """URL of the next page."""
        return self.urls[self.number] if self.number < len(self.urls) else None

    @property
    def window(self) -> list:
        """(number, url) of the first, last and nearby pages; None where numbers are skipped."""
        shown = [n for n in range(1, self.count + 1) if n in (1, self.count) or abs(n - self.number) <= 2]
        result: list = []
        for n in shown:
            if result and n - result[-1][0] > 1:
                result.append(None)
            result.append((n, self.urls[n - 1]))
        return result


def paginate(url: str, items: list, per_page: int = PER_PAGE):
    """Split a listing into pages: (url, items, Pager) for url, url/page/2/, …"""
    chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]
    urls = tuple(url if n == 1 else f"{url}page/{n}/" for n in range(1, len(chunks) + 1))
    return [(urls[n], chunk, Pager(n + 1, urls)) for n, chunk in enumerate(chunks)]


@dataclass
class PageJob:
    """One page to render: where it goes, which template, what it shows."""

    path: str
    template: str
    title: str
    context: dict = field(default_factory=dict)
    description: str = ""
    image: ImageRef | None = None
    sitemap: bool = True


def out_path(url: str) -> str:
    """Output file of a site-relative URL: workers/aiziyang/ → workers/aiziyang/index.html."""
    return url + "index.html" if url.endswith("/") or url == "" else url


EXTERNAL = ("http://", "https://", "mailto:", "tel:", "#", "data:")


ROOT = "\x00"
BODY_IMAGE_SIZES = "(min-width: 48em) 42em, 100vw"  # .prose is at most 42em wide
LONE_PICTURE = re.compile(r"<p>(<img\s[^<>]*>)</p>")  # a picture that is a paragraph of its own
LAZY = "\x00\x01"  # where an <img> says how to load: eager for the first picture of a page, lazy after


def root_prefix(page_path: str) -> str:
    """The way from the page at page_path back to the site root: ./ or ../../"""
    depth = page_path.count("/")
    return "../" * depth if depth else "./"


def date_text(value, year: bool = True) -> str:
    """2019年5月1日 for a date (5月1日 without the year, '' for a year alone), the value itself otherwise."""
    if value is None:
        return ""
    if year or not isinstance(value, PartialDate):
        return str(value)
    return (f"{value.month}月" if value.month else "") + (f"{value.day}日" if value.day else "")


def atom_time(value: PartialDate | None) -> str:
    """An RFC 3339 time for Atom, at midnight China time."""
    if value is None:
        return "2000-01-01T00:00:00+08:00"
    return f"{value.year:04d}-{value.month or 1:02d}-{value.day or 1:02d}T00:00:00+08:00"


def template_for(env: jinja2.Environment, preferred: str, fallback: str) -> str:
    """The preferred template if the theme has it, else the fallback."""
    return preferred if preferred and preferred in env.list_templates() else fallback


MAX_BITS = 4096  # the largest integer a template may compute (about 1,200 digits)
MAX_REPEAT = 1_000_000  # the longest text or list a template may make with *
# Attribute names the sandbox must judge: the way to Python's internals (__class__, f_globals,
# gi_frame, tb_frame, co_code, mro) and to str.format.  Every other name is read directly.
SANDBOX_PREFIXES = ("_", "f_", "co_", "gi_", "cr_", "ag_", "tb_")
SANDBOX_NAMES = frozenset({"mro", "format", "format_map"})
DIRECT_CALLS = (jinja2.runtime.Macro, types.BuiltinMethodType)


class RecordingEnvironment(SandboxedEnvironment):
    """Jinja2's sandbox (a template, maybe a theme from elsewhere, cannot reach Python's internals, nor
    make an enormous number or text with ** or *) that notes which entries and templates the page being rendered reads."""

    reads: Reads | None = None
    intercepted_binops = frozenset({"**", "*"})
    entry_body = staticmethod(lambda entry: entry.body)  # the Renderer's: the body with its pictures and links made for the site
    entry_markup = staticmethod(lambda entry, html: html)  # the Renderer's: the same for a Markdown field

    def getattr(self, obj, attribute):
        """obj.attribute, noting an entry; only names in SANDBOX_PREFIXES and SANDBOX_NAMES go through
        the sandbox's checks (pages read attributes millions of times)."""
        if attribute.startswith(SANDBOX_PREFIXES) or attribute in SANDBOX_NAMES:
            return super().getattr(obj, attribute)
        if type(obj) is Entry:
            if self.reads is not None:
                self.reads.entries.add(obj.key)
            if attribute == "body":
                return self.entry_body(obj)
            try:
                value = getattr(obj, attribute)
            except AttributeError:  # Entry.__getattr__ has already looked among the fields, as obj[attribute] would
                return self.undefined(obj=obj, name=attribute)
            return self.entry_markup(obj, value) if type(value) is Markup and (obj.body_images or obj.link_targets) else value
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja2's signature: no name may clash with a keyword
        """A call from a template; its own macros and built-in methods such as dict.get (most calls) skip
        the sandbox's check, which looks for markers neither can carry (str.format is wrapped by getattr)."""
        if type(__obj) in DIRECT_CALLS:
            return __context.call(__obj, *args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator: str, left, right):
        """a ** b and a * b, refused when the result would be enormous (a page would never finish)."""
        if operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right * abs(left).bit_length() > MAX_BITS:
                raise SecurityError(f"乘方 {left} ** {right} 的结果太大")
            return left ** right
        count, sequence = (right, left) if isinstance(right, int) else (left, right)
        if isinstance(count, int) and isinstance(sequence, (str, list, tuple)) and len(sequence) * count > MAX_REPEAT:
            raise SecurityError(f"重复 {count} 次得到的文字或列表太长")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_BITS:
            raise SecurityError("乘出来的数太大")
        return left * right

    def getitem(self, obj, argument):
        """entry['name'], noting the entry."""
        if self.reads is not None and type(obj) is Entry:
            self.reads.entries.add(obj.key)
        return super().getitem(obj, argument)

    def get_template(self, name, parent=None, globals=None):
        """A template by name (pages, extends, include, import), noting its name."""
        if self.reads is not None and isinstance(name, str):
            self.reads.templates.add(name)
        return super().get_template(name, parent, globals)


def _stop_message(exc: BaseException) -> tuple[str, str]:
    """The problem and the fix for a page stopped because it ran too long or took too much memory."""
    again = "改好后再生成（这次其余的页面都没有生成）。"
    if isinstance(exc, TooSlow):
        return (f"一个页面生成了 {PAGE_SECONDS} 秒还没有完成，已经停下：模板在这一行可能陷入了非常大或没有尽头的循环。",
                "检查这一行所在的 {% for %} 循环：不要在遍历全部条目的循环里再遍历全部条目，range(…) 不要套好几层。" + again)
    found = f"占用的内存超过了 {PAGE_MEMORY // 2**20} MB" if isinstance(exc, TooBig) else "时电脑的内存不够用了"
    return (f"生成一个页面{found}，已经停下：模板在这一行可能在循环里把文字或列表越接越长。",
            "检查这一行和它所在的 {% for %} 循环：不要每一轮都把变量接上它自己（如 {% set ns.s = ns.s ~ ns.s %}），"
            "不要用很大的数去 range、slice、center、lipsum。" + again)


def _at_render_time(function):
    """A filter Jinja2 must not run while compiling ('style.css'|asset would be frozen in the template cache)."""
    @jinja2.pass_context
    def at_render_time(context, *args, **kwargs):
        return function(*args, **kwargs)

    return at_render_time


class FilterMisuse(jinja2.TemplateRuntimeError):
    """A filter of ours given a value it cannot use; the message says which filter wants what."""


def expect(name: str, value, kind, wanted: str) -> None:
    """Raise FilterMisuse unless value is a kind (the filter name's input, described as wanted)."""
    if not isinstance(value, kind):
        given = describe(value) if isinstance(value, (str, int, float, list, dict, type(None))) else f" {type(value).__name__} 对象"
        raise FilterMisuse(f"过滤器「{name}」要的是{wanted}，这里给的是{given}。")


def template_position(frame: types.FrameType, lineno: int, templates: str) -> tuple[str, int] | None:
    """('templates/<name>', line) when frame runs the code of a template under the folder templates, else None.

    A frame of compiled template code maps its line through its template; a frame Jinja2 has
    rewritten in an error's traceback already names the template file and line."""
    template = frame.f_globals.get("__jinja_template__")
    if template is not None:
        filename, line = template.filename or "", template.get_corresponding_lineno(lineno)
    else:
        filename, line = frame.f_code.co_filename, lineno
    if not filename.startswith(templates):
        return None
    return f"templates/{Path(filename).relative_to(templates).as_posix()}", line or 0


def calling_template(templates: str) -> tuple[str, int]:
    """The template file and line running the innermost template code of this thread's stack."""
    frame = sys._getframe(1)
    while frame is not None:
        found = template_position(frame, frame.f_lineno, templates)
        if found:
            return found
        frame = frame.f_back
    return "templates", 0


class TemplateFileError(jinja2.TemplateError):
    """A template file that cannot be read as text (saved as GBK or UTF-16, or a pipe); the message says what, ``fix`` what to do."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.fix = fix


class TemplateLoader(jinja2.FileSystemLoader):
    """Jinja2's loader, reading templates the way content files are read (fsutil.decode_text): a BOM
    and CRLF are accepted, a file saved as GBK or UTF-16 is explained instead of failing somewhere inside Jinja2."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple:
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            filename = posixpath.join(folder, *pieces)  # posixpath, as Jinja2's: no drive or UNC part can leave the folder
            if os.path.isfile(filename):
                break
            if os.path.exists(filename):  # a pipe would make the read wait for ever, a device never end
                raise TemplateFileError("这不是一个普通文件（是管道、设备或指向它们的链接），无法读取。", "删掉它，换成真正的模板文件。")
        else:
            raise jinja2.TemplateNotFound(template)
        with open(filename, "rb") as handle:
            data = handle.read()
        try:
            text = decode_text(data)
        except EncodingProblem as exc:
            raise TemplateFileError(str(exc), exc.fix) from None
        mtime = os.path.getmtime(filename)
        return text, os.path.normpath(filename), lambda: _modified_at(filename) == mtime


def _modified_at(filename: str) -> float | None:
    """A file's modification time, or None when it is gone."""
    try:
        return os.path.getmtime(filename)
    except OSError:
        return None


def _bytecode_cache(root: Path) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between builds, per version of this tool (Jinja2 checks each source)."""
    folder = cache_dir(root) / "templates" / CODE_VERSION
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for other in folder.parent.iterdir():
            if other != folder:
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        return None
    return _TemplateCache(str(folder))


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache, keyed by template name alone (the same project run as --root . or by its
    full path shares it) and signed like every cache (compiled code from a foreign .cache never runs)."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha1(name.encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = verified(Path(self._get_cache_filename(bucket)).read_bytes())
        except OSError:
            return
        if data is not None:
            bucket.bytecode_from_string(bytes(data))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        blob = sign(bucket.bytecode_to_string())
        if blob is not None:
            try:
                write_atomic(Path(self._get_cache_filename(bucket)), blob)
            except OSError:
                pass


class Renderer:
    """Renders page jobs with the site's templates."""

    def __init__(self, resolved: Resolved, pictures: dict, report: Report, figures: list | None = None):
        self.resolved = resolved
        self.figures = figures or []
        self.site = resolved.library.site
        self.pictures = pictures
        self.report = report
        self.base_path = urlparse(self.site.base_url).path or "/"
        self.cards: dict = {}
        self.last_reads = Reads()
        self.stopped = False  # a page ran past PAGE_SECONDS or PAGE_MEMORY: render no more
        self._last_body: tuple = (None, Markup(""))  # (entry, its body as HTML): kept for the page that reads it twice, not for ever
        self.missing_assets: set[str] = set()  # asset names templates use that assets/ does not have (warned once)
        self.term_urls = {(name, term.name): term.url for name, terms in resolved.taxonomies.items() for term in terms}
        self.env = self._environment()
        self.asset_versions = self._asset_versions()

    def _environment(self) -> jinja2.Environment:
        """The Jinja2 environment: autoescape on, undefined names are errors."""
        env = RecordingEnvironment(
            loader=self._loader(),
            autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            bytecode_cache=_bytecode_cache(self.site.root),
        )
        env.filters.update(
            date=date_text,
            atom_time=atom_time,
            link=_at_render_time(self._link),
            asset=_at_render_time(self._asset),
            picture=_at_render_time(self._picture),
            image=_at_render_time(self._image),
            absolute=_at_render_time(self._absolute),
            card=_at_render_time(self._card),
            term_url=_at_render_time(self._term_url),
            collection_of=self.site.collection,
            number=number_text,
            chart=self._chart,
        )
        env.tests["entry"] = lambda value: isinstance(value, Entry)
        env.entry_body = self._body
        env.entry_markup = self._for_site
        if self.site.edition == "kiosk":
            env.filters.update(qr=self._qr, web_url=self._web_url)
            env.globals.update(attract_slides=kiosk.attract_slides(self.resolved), kiosk_settings=kiosk.settings_json(self.site))
        env.globals.update(
            edition=self.site.edition,
            site=self.site,
            hall=self.resolved,
            collections=self.resolved.library.entries,
            data=self.resolved.library.data,
            stats=self.figures,
            nav=self._nav(),
            free_pages=self._free_pages(),
        )
        return env

    def _loader(self) -> jinja2.BaseLoader:
        """templates/; for the kiosk edition templates/kiosk/ first, the web ones also as web/NAME."""
        web = TemplateLoader(str(self.site.templates_dir))
        if self.site.edition != "kiosk":
            return web
        overlay = TemplateLoader(str(self.site.templates_dir / "kiosk"))
        return jinja2.ChoiceLoader([overlay, web, jinja2.PrefixLoader({"web": web})])

    def _web_url(self, target) -> str:
        """The web edition's full address of a page or entry (what a kiosk QR code points to)."""
        return kiosk.web_url(self.site.base_url, target.url if isinstance(target, Entry) else target)

    def _qr(self, target, label: str = "") -> Markup:
        """An inline SVG QR code of the web edition's address of a page or entry."""
        url = self._web_url(target)
        return kiosk.qr_svg(url, label or f"二维码：{url}")

    def _asset_versions(self) -> dict:
        """A short content hash per asset file, for cache-busting query strings."""
        versions = {}
        assets = self.site.assets_dir
        if assets.is_dir():
            for path in sorted(assets.rglob("*")):
                if path.is_file():
                    versions[path.relative_to(assets).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
        return versions

    def _note(self, kind: str, name: str) -> None:
        """Note that the page being rendered read something (an entry, asset or picture)."""
        if self.env.reads is not None:
            getattr(self.env.reads, kind).add(name)

    def _link(self, target) -> str:
        """Link to a site-relative URL or an entry, from whichever page this ends up on."""
        if isinstance(target, Entry):
            self._note("entries", target.key)
            return ROOT + target.url
        expect("link", target, str, "一个条目或站内地址（如 'workers/'）")
        return target if target.startswith(EXTERNAL) else ROOT + target

    def _asset(self, name: str) -> str:
        """Link to a file under assets/, with a version for caching; a file that is not there is warned about."""
        expect("asset", name, str, "一个 assets 文件夹里的文件名（如 'style.css'）")
        self._note("assets", name)
        version = self.asset_versions.get(name)
        if version is None and name not in self.missing_assets:
            self.missing_assets.add(name)
            where, line = calling_template(str(self.site.templates_dir))
            guess = did_you_mean(name, self.asset_versions)
            self.report.warn(where, line, "模板", f"模板用到的 assets/{name} 不存在，页面上会缺这个文件。",
                             (f"您是不是想写「{guess}」？" if guess else "") + "检查文件名，或把这个文件放进 assets 文件夹。")
        return f"{ROOT}assets/{name}?v={version}" if version else f"{ROOT}assets/{name}"

    def _nav(self) -> list[NavItem]:
        """The main navigation: every listed collection, every data page, then every taxonomy."""
        items = [NavItem(c.url.split("{slug}")[0].strip("/") + "/", c.label, c.name, False) for c in self.site.collections if c.list]
        items += [NavItem(d.url, d.page, d.name, False) for d in self.site.data if d.page]
        return items + [NavItem(t.name + "/", t.label, t.name, True) for t in self.site.taxonomies]

    def _free_pages(self) -> list[Entry]:
        """Entries of collections without a list page (such as 关于本展厅), except zone intros."""
        intros = {zone.intro.key for zone in self.resolved.zones if zone.intro is not None}
        return [entry for c in self.site.collections if not c.list
                for entry in self.resolved.library.entries.get(c.name, []) if entry.key not in intros]

    def _term_url(self, value, taxonomy: str) -> str | None:
        """The page of a taxonomy term (such as the region 吉林长春), or None."""
        self._note("globals", "terms")
        return self.term_urls.get((taxonomy, str(value)))

    def _card(self, entry: Entry) -> Markup:
        """The entry's card (partials/card.html), rendered once and reused on every page.

        A card may therefore depend on its entry only, never on the page that shows it.
        """
        expect("card", entry, Entry, "一个条目（如 entry、entries 里的一项）")
        card = self.cards.get(entry.key)
        if card is None:
            page_reads, self.env.reads = self.env.reads, Reads()
            try:
                html = Markup(self.env.get_template("partials/card.html").render(item=entry))
                card = self.cards[entry.key] = (html, self.env.reads)
            finally:
                self.env.reads = page_reads
        if self.env.reads is not None:
            self.env.reads.merge(card[1])
        return card[0]

    def _chart(self, figure: Figure) -> Markup:
        """A computed figure as a chart (stats.Figure → inline SVG and a data table)."""
        expect("chart", figure, Figure, "一项统计（如 stats[0]）")
        return charts.chart(figure, self.site.theme)

    def forget(self, keys) -> None:
        """Forget the cards of entries whose text changed since they were rendered."""
        for key in keys:
            self.cards.pop(key, None)

    def _picture(self, ref):
        """The processed picture for an image field (url, width, height), or None."""
        if isinstance(ref, ImageRef):
            self._note("pictures", ref.path)
            return self.pictures.get(ref.path)
        return None

    def _image(self, value, alt: str = "", sizes: str = "100vw", crop: str = "full", css: str = "") -> Markup:
        """A <picture> for an image field or picture: modern formats, srcset, size, placeholder, lazy loading.

        ``crop='square'`` uses the square crop of a portrait (cards, thumbnails); ``sizes`` says how
        wide the template shows it, so the browser fetches the smallest file that is sharp enough.
        """
        picture = value if isinstance(value, Picture) else self._picture(value)
        if picture is None:
            return Markup("")
        return Markup(picture_html(picture, alt or "", sizes, crop, css))

    def _body(self, entry: Entry) -> Markup:
        """An entry's body as the site shows it: each picture (![说明](images/x.jpg)) a <picture> of its web
        copies, each link to another entry's file (../workers/李帅.md) a link to that entry's page."""
        if self._last_body[0] is not entry:  # by identity: the live preview's new Entry for an edited file has the same key
            self._last_body = (entry, entry.converted_body())
        return self._for_site(entry, self._last_body[1])

    def _for_site(self, entry: Entry, html: Markup) -> Markup:
        """HTML converted from an entry's Markdown (its body or a Markdown field), with its pictures and links made for the site."""
        if not (entry.body_images or entry.link_targets):
            return html  # as it is: no copy of every body on every page
        if entry.body_images:
            base_dir = posixpath.dirname(entry.source).removeprefix("content").strip("/")
            html = LONE_PICTURE.sub(lambda match: self._body_figure(match, base_dir), html)
            html = replace_html_tags(html, "img", lambda tag: self._body_picture(tag, base_dir))
        if entry.link_targets:
            html = replace_html_tags(html, "a", lambda tag: self._body_link(tag, entry.link_targets))
        return Markup(html)

    def _body_figure(self, match: re.Match, base_dir: str) -> str:
        """A picture alone in its paragraph with a title (![说明](images/x.jpg "图注")) as a figure with that caption."""
        tag = html_tags(match.group(1), "img")[0]
        caption = tag.get("title", "").strip()
        picture = self._body_picture(tag, base_dir) if caption else None
        if picture is None:
            return match.group(0)
        return f'<figure class="prose-figure">{picture}<figcaption>{escape(caption)}</figcaption></figure>'

    def _body_picture(self, tag: dict, base_dir: str) -> str | None:
        """A <picture> for an <img> of a body, or None when its picture was not made."""
        path = content_path(tag.get("src", ""), base_dir)
        picture = self._picture(ImageRef(path, 0)) if path else None
        return picture_html(picture, tag.get("alt", ""), BODY_IMAGE_SIZES, "full", "") if picture else None

    def _body_link(self, tag: dict, targets: dict) -> str | None:
        """An <a> of a body with its link to a content file or folder turned into a link to its page, or to
        the published file (its kind and size shown after it; on the kiosk, the web edition's copy)."""
        href = tag.get("href", "")
        target = targets.get(href)
        if target is None:
            return None
        place = href.partition("#")[2]
        if isinstance(target, Attachment):
            address = quote(target.path)
            url = kiosk.web_url(self.site.base_url, address) if self.site.edition == "kiosk" else ROOT + address
            tag = {**tag, "data-file": f"{target.kind}，{file_size(target.size)}"}
        else:
            if isinstance(target, Entry):
                self._note("entries", target.key)
            url = ROOT + (target.url if isinstance(target, Entry) else target)
        tag = {**tag, "href": url + (f"#{place}" if place else "")}
        return "<a " + " ".join(f'{name}="{escape(value)}"' for name, value in tag.items()) + ">"

    def _absolute(self, target) -> str:
        """A full URL from base_url, for share cards, the feed and the sitemap."""
        if isinstance(target, Entry):
            self._note("entries", target.key)
            target = target.url
        expect("absolute", target, str, "一个条目或站内地址")
        if target.startswith(("http://", "https://")):
            return target
        return self.site.base_url + target

    def check_templates(self) -> bool:
        """Compile every template, reporting syntax errors; True when all compile."""
        ok = True
        for name in sorted(self.env.list_templates()):
            if name.startswith("web/") or not name.endswith((".html", ".xml", ".txt", ".svg")):
                continue
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                ok = False
                line, found, fix = explain_syntax(exc, self.env.loader.get_source(self.env, name)[0])
                self.report.error(f"templates/{name}", line, "模板", found, fix)
            except TemplateFileError as exc:
                ok = False
                self.report.error(f"templates/{name}", 0, "模板", str(exc), exc.fix)
            except jinja2.TemplateError as exc:
                ok = False
                self.report.error(f"templates/{name}", 0, "模板", f"模板无法读取：{exc}。", "检查模板文件。")
        return ok

    def render(self, job: PageJob) -> bytes | None:
        """Render one page; None (after reporting where in which template) on a template error.

        A page still rendering after PAGE_SECONDS, or growing the process by PAGE_MEMORY, is stopped
        and reported; as its template will likely do the same on the next page, this renderer then
        renders nothing more (the build fails).
        """
        if self.stopped:
            return None
        self.env.reads = self.last_reads = Reads()
        try:
            picture = self._picture(job.image) or self._picture(self.site.share_image)
            page = PageMeta(job.path, job.title, job.description, picture.share if picture else None)
            template = self.env.get_template(job.template)
            with within(PAGE_SECONDS, PAGE_MEMORY):
                html = template.render(page=page, **job.context)
            prefix = self._not_found_root() if job.path == "404.html" else root_prefix(job.path)
            html = html.replace(LAZY, 'loading="eager"', 1).replace(LAZY, 'loading="lazy"').replace(ROOT, prefix)
            if self.site.edition == "kiosk" and job.path.endswith(".html"):
                html = kiosk.offsite_to_qr(html)
            return html.encode("utf-8")
        except jinja2.TemplateNotFound as exc:
            self.report.error(f"templates/{exc.name}", 0, "模板", f"找不到模板「{exc.name}」。", "在 templates 文件夹里建这个模板，或从示例项目复制。")
        except (Stopped, MemoryError) as exc:
            self.stopped = True
            name, line = self._template_frame(exc)
            self.report.error(name, line, "模板", *_stop_message(exc))
        except Exception as exc:  # a user-edited template can fail in any way
            name, line = self._template_frame(exc)
            self.report.error(name, line, "模板", f"模板出错：{_explain(exc, self.known_names())}", "检查模板这一行用到的变量和字段名（字段名见 site.yaml）。")
        finally:
            self.env.reads = None
        return None

    def _not_found_root(self) -> str:
        """Where 404.html's links start: base_url's path on the web, the local server's root on a kiosk."""
        return self.base_path if self.site.edition == "web" else "/"

    def known_names(self) -> list[str]:
        """Field and variable names a template may use, for suggestions."""
        names = set(self.env.globals) | set(self.env.filters) | {"entry", "page", "collection", "zone", "entries", "pager", "term", "taxonomy", "terms", "zones"}
        names |= {"title", "url", "body", "description", "linked_from", "slug", "collection"}

        def add(fields) -> None:
            for spec in fields:
                names.add(spec.name)
                add(spec.fields)
                if spec.item:
                    add(spec.item.fields)

        for collection in self.site.collections:
            add(collection.fields)
        return sorted(names)

    def _template_frame(self, exc: BaseException) -> tuple[str, int]:
        """The template file and line where exc happened, the innermost template frame of its traceback
        (Jinja2 rewrites the traceback of an error to template lines, not that of a Stopped, which arrives from outside)."""
        templates = str(self.site.templates_dir)
        found = ("templates", 0)
        tb = exc.__traceback__
        while tb is not None:
            found = template_position(tb.tb_frame, tb.tb_lineno, templates) or found
            tb = tb.tb_next
        return found


def picture_html(picture: Picture, alt: str, sizes: str, crop: str, css: str) -> str:
    """<picture> with a <source> per modern format and an <img> fallback; links behind the ROOT mark."""
    rendition = picture.square if crop == "square" and picture.square else picture.full
    sizes_attr = escape(sizes)

    def srcset(kind: str) -> str:
        return escape(", ".join(f"{ROOT}{f.url} {f.width}w" for f in rendition.sized(kind)))

    parts = ["<picture>"]
    for kind in rendition.formats[:-1]:
        parts.append(f'<source type="{rendition.sized(kind)[0].mime}" srcset="{srcset(kind)}" sizes="{sizes_attr}">')
    fallback = rendition.sized(rendition.formats[-1])
    src = next((f for f in reversed(fallback) if f.width <= 960), fallback[0])
    largest = fallback[-1]
    style = f' style="background-color:{picture.placeholder}"' if picture.placeholder else ""
    css_attr = f' class="{escape(css)}"' if css else ""
    parts.append(f'<img src="{ROOT}{escape(src.url)}" srcset="{srcset(rendition.formats[-1])}" sizes="{sizes_attr}" '
                 f'width="{largest.width}" height="{largest.height}" alt="{escape(alt)}"{css_attr} {LAZY} decoding="async"{style}>')
    parts.append("</picture>")
    return "".join(parts)


BLOCK_TAGS = {"if", "for", "block", "macro", "call", "filter", "with", "raw", "autoescape", "trans"}
TAG = re.compile(r"{%-?\s*(end)?(\w+)([^%]*)%}")


def unclosed_block(source: str, before_line: int) -> tuple[str, int] | None:
    """The innermost block tag still open at before_line, and the line it opens on."""
    stack: list[tuple[str, int]] = []
    for match in TAG.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        if line > before_line:
            break
        end, name, rest = match.groups()
        if name not in BLOCK_TAGS and not (name == "set" and "=" not in rest):
            continue
        if not end:
            stack.append((name, line))
        elif stack and stack[-1][0] == name:
            stack.pop()
    return stack[-1] if stack else None


def explain_syntax(exc: jinja2.TemplateSyntaxError, source: str) -> tuple[int, str, str]:
    """Line, Chinese description and fix for a template syntax error."""
    message = exc.message or ""
    open_block = unclosed_block(source, exc.lineno or 0) if ("Unexpected end of template" in message or "Encountered unknown tag 'end" in message) else None
    if open_block:
        name, line = open_block
        return line, f"第 {line} 行的「{{% {name} %}}」没有对应的「{{% end{name} %}}」。", f"在这个块结束的地方加上「{{% end{name} %}}」。"
    unknown = re.search(r"Encountered unknown tag '(\w+)'", message)
    if unknown:
        return exc.lineno, f"模板里有不认识的标签「{{% {unknown.group(1)} %}}」。", "检查拼写；可用的标签有 if、for、set、block、include、extends 等。"
    if "expected token" in message or "unexpected" in message:
        return exc.lineno, f"这一行的模板表达式写得不完整（{message}）。", "检查 {{ }} 和 {% %} 是否成对，括号和引号是否配对。"
    return exc.lineno, f"模板语法错误（{message}）。", "检查这一行的 {{ }}、{% %} 是否成对，括号和引号是否配对。"


def _explain(exc: Exception, known: list[str]) -> str:
    """A short Chinese explanation of a template runtime error, with 'did you mean'."""
    if isinstance(exc, SecurityError):
        return (f"模板里有为安全起见不允许的写法（{exc}）：模板不能使用以下划线开头的名称，"
                "也不能算出极大的数、极长的文字。")
    if isinstance(exc, FilterMisuse):
        return exc.message or ""
    if isinstance(exc, OverflowError) and "MAX_RANGE" in str(exc):
        return f"模板里的 range(…) 太大：最多 {MAX_RANGE} 个数。"
    if isinstance(exc, jinja2.UndefinedError):
        missing = re.search(r"has no attribute '([^']+)'|'([^']+)' is undefined|no element for key '?([^']+?)'?$", exc.message or "")
        name = next((g for g in missing.groups() if g), "") if missing else ""
        if name in known:  # a variable of other pages (entries on an entry page), a field of another collection
            return f"用到了这个页面没有的字段或变量「{name}」：别的页面或别的集合才有它（每种页面有哪些变量，见 README 的“模板”一节）。"
        if name:
            guess = did_you_mean(name, known)
            return f"用到了不存在的字段或变量「{name}」。" + (f"您是不是想写「{guess}」？" if guess else "")
        return f"用到了不存在的字段或变量（{exc.message}）。"
    return f"{type(exc).__name__}: {exc}。"


@dataclass(frozen=True)
class NavItem:
    """One link of the main navigation."""

    url: str
    label: str
    name: str
    taxonomy: bool


@dataclass
class PageMeta:
    """What every template knows about the page it renders."""

    path: str
    title: str
    description: str
    image: object

    @property
    def url(self) -> str:
        """Site-relative URL of the page."""
        return self.path[: -len("index.html")] if self.path.endswith("index.html") else self.path


def page_jobs(resolved: Resolved, env: jinja2.Environment) -> list[PageJob]:
    """Every page of the site, in a stable order."""
    library = resolved.library
    site = library.site
    jobs = [PageJob("index.html", "home.html", site.title, {"zones": resolved.zones}, site.description)]
    for collection in site.collections:
        entries = library.entries.get(collection.name, [])
        if collection.list:
            prefix = collection.url.split("{slug}")[0].strip("/")
            template = template_for(env, collection.list_template or f"{collection.name}-list.html", "list.html")
            for url, chunk, pager in paginate(f"{prefix}/", entries):
                title = collection.label + (f"（第 {pager.number} 页）" if pager.number > 1 else "")
                jobs.append(PageJob(out_path(url), template, title, {"collection": collection, "entries": chunk, "total": len(entries), "pager": pager},
                                    f"{site.title}·{collection.label}，共 {len(entries)} 个{collection.item_label}"))
        template = template_for(env, collection.template or f"{collection.name}.html", "entry.html")
        image_field = collection.image_field
        for entry in entries:
            image = entry.data.get(image_field) if image_field else None
            zone = next((z for z in resolved.zones if z.intro is entry), None)
            jobs.append(PageJob(out_path(entry.url), template, entry.title,
                                {"entry": entry, "collection": collection, "zone": zone}, entry.description, image))
    for dataset in site.data:
        if dataset.page:
            records = library.data.get(dataset.name, [])
            jobs.append(PageJob(out_path(dataset.url), dataset.template, dataset.page, {"dataset": dataset, "records": records},
                                f"{site.title}·{dataset.page}：{dataset.label}共 {len(records)} 项"))
    for taxonomy in site.taxonomies:
        terms = resolved.taxonomies.get(taxonomy.name, [])
        jobs.append(PageJob(out_path(f"{taxonomy.name}/"), "taxonomy.html", taxonomy.label, {"taxonomy": taxonomy, "terms": terms},
                            f"按{taxonomy.label}浏览{site.title}"))
        for term in terms:
            for url, chunk, pager in paginate(term.url, term.entries):
                title = f"{term.name} · {taxonomy.label}" + (f"（第 {pager.number} 页）" if pager.number > 1 else "")
                jobs.append(PageJob(out_path(url), "term.html", title, {"taxonomy": taxonomy, "term": term, "entries": chunk, "pager": pager},
                                    f"{site.title}中与「{term.name}」有关的 {len(term.entries)} 个条目"))
    jobs.append(PageJob("404.html", "404.html", "页面不存在", {}, "没有找到这个页面。", sitemap=False))
    return jobs


def feed_entries(resolved: Resolved) -> list[Entry]:
    """The most recent dated entries for the Atom feed, newest first."""
    site = resolved.library.site
    dated = [e for c in site.collections if c.feed for e in resolved.library.entries.get(c.name, []) if e.get("date")]
    dated.sort(key=lambda e: (e.data["date"], e.key), reverse=True)
    return dated[: site.feed_limit]


def extra_jobs(resolved: Resolved, jobs: list[PageJob]) -> list[PageJob]:
    """feed.xml, sitemap.xml and robots.txt, which list the pages."""
    pages = [job for job in jobs if job.sitemap]
    return [
        PageJob("feed.xml", "feed.xml", resolved.library.site.title, {"entries": feed_entries(resolved)}, sitemap=False),
        PageJob("sitemap.xml", "sitemap.xml", "", {"pages": pages}, sitemap=False),
        PageJob("robots.txt", "robots.txt", "", {}, sitemap=False),
    ]
