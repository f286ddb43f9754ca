"""Quality of the built demo hall: valid HTML, accessible, self-contained, works without
JavaScript, and every internal link works at the root and under a sub-path.

Tools: the Nu Html Checker (vnu.jar) and axe-core from tests/node_modules (``npm ci --prefix
tests``), Java, Debian's Chromium driven by Playwright.  ``bash tests/run.sh`` installs them all.
"""
from __future__ import annotations

import html.parser
import http.client
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest

from conftest import AXE_JS, DEMO_ROOT, VNU_JAR, build_site, html_pages, page_url

SUB_PATH = "sub/path/"
SUB_BASE_URL = f"https://example.org/{SUB_PATH}"

# <link rel=...> values that make the browser fetch something (the others only describe).
FETCHING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon",
                 "preload", "prefetch", "modulepreload", "manifest", "preconnect", "dns-prefetch", "prerender"}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""")


# --------------------------------------------------------------------------- parsing

def css_refs(text: str) -> list[str]:
    """Every url(...) and @import "..." in CSS text."""
    return [next(g for g in m.groups() if g is not None) for m in CSS_URL.finditer(text)]


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset attribute."""
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


class Refs(html.parser.HTMLParser):
    """Collects what a page refers to: ``links`` (navigated to) and ``resources`` (fetched by the browser)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []       # (where, url)
        self.resources: list[tuple[str, str]] = []   # (where, url)
        self.ids: set[str] = set()
        self.base: str | None = None
        self._style = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        for key in ("id", "name") if tag in ("a",) else ("id",):
            if a.get(key):
                self.ids.add(a[key])
        where = f"<{tag}>"
        if tag == "base" and "href" in a:
            self.base = a["href"]
        if tag in ("a", "area") and "href" in a:
            self.links.append((f"<{tag} href>", a["href"]))
        elif tag == "link" and "href" in a:
            rels = set(a.get("rel", "").lower().split())
            (self.resources if rels & FETCHING_RELS else self.links).append((f"<link rel={a.get('rel')}>", a["href"]))
        fetched = ["src", "poster"] + (["data"] if tag == "object" else [])
        fetched += ["href", "xlink:href"] if tag in ("image", "use", "feimage") else []
        for attr in fetched:
            if a.get(attr):
                self.resources.append((f"{where} {attr}", a[attr]))
        if a.get("srcset"):
            self.resources += [(f"{where} srcset", u) for u in srcset_urls(a["srcset"])]
        if a.get("style"):
            self.resources += [(f"{where} style", u) for u in css_refs(a["style"])]
        if tag == "style":
            self._style = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "style":
            self._style = False

    def handle_data(self, data):
        if self._style:
            self.resources += [("<style>", u) for u in css_refs(data)]


def parse(text: str) -> Refs:
    """Parse an HTML document's references."""
    refs = Refs()
    refs.feed(text)
    refs.close()
    return refs


def listing(lines: list[str], limit: int = 60) -> str:
    """Lines for an assertion message, cut after limit with a count of the rest."""
    shown = "\n".join(lines[:limit])
    return shown + (f"\n… and {len(lines) - limit} more" if len(lines) > limit else "")


def is_external(url: str) -> bool:
    """True for a URL that leaves the site: with a host, or protocol-relative."""
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme not in ("", "data", "blob")


# --------------------------------------------------------------------------- 1. valid HTML

def test_every_page_is_valid_html(demo_site):
    """The Nu Html Checker finds no error in any HTML page of the demo."""
    java = shutil.which("java")
    assert java, "java is missing: install a Java runtime (Debian: default-jre-headless) or run bash tests/run.sh"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run npm ci --prefix tests (or bash tests/run.sh)"
    pages = html_pages(demo_site)
    assert len(pages) >= 5, f"the demo built only {len(pages)} HTML pages: {pages}"
    proc = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", "--skip-non-html",
                           str(demo_site)], capture_output=True, text=True, encoding="utf-8", timeout=600)
    try:
        messages = json.loads(proc.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar gave no JSON report (exit {proc.returncode}):\n{proc.stderr}\n{proc.stdout}", pytrace=False)
    lines = []
    for m in messages:
        page = unquote(m.get("url", "?")).replace(f"file:{demo_site.as_posix()}/", "")
        extract = (m.get("extract") or "").replace("\n", " ").strip()
        lines.append(f"{page}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: [{m.get('type')}] {m.get('message')}"
                     f"{'  «' + extract[:120] + '»' if extract else ''}")
    lines.sort()
    assert not lines, f"{len(lines)} HTML errors in the demo:\n" + listing(lines)
    assert proc.returncode == 0, f"vnu.jar exited {proc.returncode}:\n{proc.stderr}"


# --------------------------------------------------------------------------- 2+3. every page in a browser

@pytest.fixture(scope="module")
def sub_path_site(tmp_path_factory) -> tuple[Path, Path]:
    """The demo built with base_url …/sub/path/ into WWW/sub/path; returns (WWW, output)."""
    www = tmp_path_factory.mktemp("www")
    output = build_site(DEMO_ROOT, www / SUB_PATH.strip("/"), SUB_BASE_URL)
    return www, output



@pytest.fixture(scope="module")
def demo_visits(sub_path_site, served, chromium):
    """Open every demo page once, served where its base_url says (so 404.html too is styled): axe-core violations and off-site requests per page."""
    assert AXE_JS.is_file(), f"{AXE_JS} is missing: run npm ci --prefix tests (or bash tests/run.sh)"
    www, output = sub_path_site
    base = served(www) + SUB_PATH
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(path=str(AXE_JS))  # faster than injecting a <script> into each page
    page = context.new_page()
    current = {"url": ""}
    external: list[tuple[str, str]] = []

    def route(r):
        host = urlsplit(r.request.url).hostname
        if host == "127.0.0.1":
            r.continue_()
        else:
            external.append((current["url"], r.request.url))
            r.abort()

    page.route("**/*", route)
    violations: list[str] = []
    visited = []
    try:
        for relative in html_pages(output):
            url = page_url(base, relative)
            current["url"] = relative
            response = page.goto(url, wait_until="load")
            assert response is not None and response.status == 200, f"{url} answered {response and response.status}"
            found = page.evaluate("""async () => {
                const result = await axe.run(document, {resultTypes: ['violations']});
                return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                               summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)}))}));
            }""")
            for v in found:
                for n in v["nodes"]:
                    violations.append(f"{relative}: {v['id']} ({v['impact']}: {v['help']}) at {n['target']}  {n['html']}  — {n['summary']}")
            visited.append(relative)
    finally:
        context.close()
    return {"pages": visited, "axe": violations, "external": external}


def test_no_accessibility_violations(demo_visits):
    """axe-core, default rules, finds no violation on any page of the demo."""
    assert demo_visits["pages"], "no pages were opened"
    v = demo_visits["axe"]
    assert not v, f"{len(v)} axe-core violations on {len(demo_visits['pages'])} pages:\n" + listing(v)


def test_pages_request_nothing_off_site(demo_visits):
    """In the browser, no page requests anything from a host other than the site's own."""
    assert demo_visits["pages"], "no pages were opened"
    ext = demo_visits["external"]
    assert not ext, "pages request off-site resources:\n" + listing(sorted({f"{page}: {url}" for page, url in ext}))


WIDER_THAN_SCREEN_JS = """(width) => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .slice(0, 3).map(el => `<${el.tagName.toLowerCase()} class="${el.className}"> ${(el.textContent || '').trim().slice(0, 30)}`)"""


@pytest.mark.parametrize("width", [360, 1920])
def test_no_page_scrolls_sideways(demo_site, served, chromium, width):
    """On a 360 px phone and a 1920 px screen, no page of the demo is wider than the screen."""
    base = served(demo_site)
    context = chromium.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    wide = []
    try:
        page = context.new_page()
        for relative in html_pages(demo_site):
            page.goto(page_url(base, relative), wait_until="load")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                wide.append(f"{relative}: {scroll_width} px wide, because of {page.evaluate(WIDER_THAN_SCREEN_JS, width)}")
    finally:
        context.close()
    assert not wide, f"pages wider than a {width} px screen:\n" + listing(wide)


def test_phone_cards_set_their_text_beside_the_picture(demo_site, served, chromium):
    """On a phone, a studio or enterprise card shows its picture on the left and title and text on the right."""
    base = served(demo_site)
    context = chromium.new_context(viewport={"width": 360, "height": 800}, locale="zh-CN")
    try:
        page = context.new_page()
        for relative in ("studios/index.html", "enterprises/index.html"):
            page.goto(page_url(base, relative), wait_until="load")
            cards = page.evaluate("""() => [...document.querySelectorAll('.card:not(.card-portrait)')].map(card => {
                const box = (el) => el.getBoundingClientRect();
                return {title: card.querySelector('.card-title').textContent, right: box(card.querySelector('.card-img')).right,
                        text: box(card.querySelector('.card-body')).left, head: box(card.querySelector('.card-title')).left};
            })""")
            assert cards, f"{relative}: no studio or enterprise cards"
            beside = [c for c in cards if c["text"] >= c["right"] - 1 and c["head"] >= c["right"] - 1]
            assert beside == cards, f"{relative}: text under the picture instead of beside it: {[c['title'] for c in cards if c not in beside]}"
    finally:
        context.close()


@pytest.mark.parametrize("relative, current", [("workers/index.html", "劳模工匠"), ("regions/index.html", "地区"),
                                               ("industries/index.html", "行业")])
def test_phone_navigation_is_one_row_showing_the_current_item(demo_site, served, chromium, relative, current):
    """On a 360 px phone the navigation is one row that scrolls sideways, and the page's own item is in view."""
    base = served(demo_site)
    context = chromium.new_context(viewport={"width": 360, "height": 800}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(page_url(base, relative), wait_until="load")
        items = page.evaluate("""() => [...document.querySelectorAll('.nav a')].map(a => {
            const box = a.getBoundingClientRect();
            return {text: a.textContent.trim(), top: Math.round(box.top), left: box.left, right: box.right,
                    current: a.hasAttribute('aria-current')};
        })""")
        assert len({item["top"] for item in items}) == 1, f"navigation rows: {sorted({item['top'] for item in items})}"
        shown = [item for item in items if item["current"]]
        assert [item["text"] for item in shown] == [current]
        assert 0 <= shown[0]["left"] and shown[0]["right"] <= 360, f"{current} is off screen: {shown[0]}"
        scrolled, mask = page.evaluate("(n => [n.scrollLeft, getComputedStyle(n).maskImage])(document.querySelector('.nav'))")
        fades_left = mask.startswith("linear-gradient(to right, rgba(0, 0, 0, 0)")
        assert fades_left == (scrolled > 0), f"scrolled {scrolled} px, mask {mask}"  # the left edge fades once scrolled
    finally:
        context.close()


def test_no_off_site_resources_in_files(demo_site):
    """No stylesheet, script, image or font in the built HTML/CSS comes from another site (links to articles may)."""
    found = []
    for path in sorted(demo_site.rglob("*")):
        relative = path.relative_to(demo_site).as_posix()
        if path.suffix == ".html":
            refs = parse(path.read_text(encoding="utf-8"))
            found += [f"{relative}: {where} {url}" for where, url in refs.resources if is_external(url)]
        elif path.suffix == ".css":
            found += [f"{relative}: url() {url}" for url in css_refs(path.read_text(encoding="utf-8")) if is_external(url)]
    assert not found, "off-site resources in the built files:\n" + listing(found)


# --------------------------------------------------------------------------- 4. JavaScript off

VISIBILITY_JS = """(main) => {
    const hiddenOnPurpose = (el) => el.closest('[hidden], template, details:not([open]), [aria-hidden="true"]');
    const problems = [];
    let visibleChars = 0;
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim();
        const el = node.parentElement;
        if (!text || !el || hiddenOnPurpose(el) || ['SCRIPT', 'STYLE'].includes(el.tagName)) continue;
        const box = el.getBoundingClientRect();
        const shown = el.checkVisibility({opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true})
                      && box.width > 0 && box.height > 0;
        if (shown) visibleChars += text.length;
        else problems.push(`<${el.tagName.toLowerCase()} class="${el.className}"> ${text.slice(0, 40)}`);
    }
    const h1 = main.querySelector('h1');
    return {problems, visibleChars, h1: h1 ? h1.innerText.trim() : null,
            h1Shown: !!h1 && h1.checkVisibility({opacityProperty: true, visibilityProperty: true})};
}"""


def first_worker_page(output: Path) -> str:
    """The first worker entry page of a built site."""
    pages = [p for p in html_pages(output) if p.startswith("workers/") and p.count("/") == 2]
    assert pages, f"the demo has no worker pages (workers/<slug>/index.html): {html_pages(output)[:20]}"
    return pages[0]


def test_pages_work_without_javascript(demo_site, served, chromium):
    """With JavaScript off, the home page and a worker page show their main content."""
    base = served(demo_site)
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        for relative in ("index.html", first_worker_page(demo_site)):
            response = page.goto(page_url(base, relative), wait_until="load")
            assert response is not None and response.status == 200, f"{relative} answered {response and response.status}"
            main = page.locator("main")
            assert main.count() == 1, f"{relative}: expected one <main>, found {main.count()}"
            assert main.is_visible(), f"{relative}: <main> is not visible without JavaScript"
            state = main.evaluate(VISIBILITY_JS)
            assert state["h1"] and state["h1Shown"], f"{relative}: no visible <h1> in <main> without JavaScript ({state['h1']!r})"
            assert not state["problems"], (f"{relative}: text in <main> is invisible without JavaScript:\n"
                                           + listing(state["problems"]))
            assert state["visibleChars"] >= 20, f"{relative}: only {state['visibleChars']} characters visible in <main>"
        worker_html = (demo_site / first_worker_page(demo_site)).read_text(encoding="utf-8")
        assert state["h1"] in worker_html, f"the worker page's <h1> {state['h1']!r} is not from the HTML file"
    finally:
        context.close()


# --------------------------------------------------------------------------- 5. links at root and under a sub-path

class Crawler:
    """Fetches URLs of one local server (no redirects followed), caching status, type and body."""

    def __init__(self, base: str):
        self.base = base
        self.netloc = urlsplit(base).netloc
        self.cache: dict[str, tuple[int, str, bytes]] = {}
        self.css_checked: set[str] = set()

    def get(self, url: str) -> tuple[int, str, bytes]:
        """Status, content type and body of url (fragment dropped)."""
        parts = urlsplit(url)
        target = quote(parts.path, safe="/%:@!$&'()*+,;=-._~") + (f"?{parts.query}" if parts.query else "")
        if target not in self.cache:
            conn = http.client.HTTPConnection(self.netloc, timeout=30)
            try:
                conn.request("GET", target)
                resp = conn.getresponse()
                self.cache[target] = (resp.status, resp.getheader("Content-Type", ""), resp.read())
            finally:
                conn.close()
        return self.cache[target]

    def check_refs(self, page_label: str, page_url_: str, doc: Refs) -> list[str]:
        """Problems with the internal refs of one parsed document: not 200, or a #fragment with no such id."""
        problems = []
        base = urljoin(page_url_, doc.base) if doc.base else page_url_
        for where, ref in doc.links + doc.resources:
            ref = ref.strip()
            if not ref or ref == "#" or ref.startswith(("mailto:", "tel:", "javascript:", "data:")):
                continue
            if ref.startswith("#"):  # same document, wherever it is served
                if unquote(ref[1:]) not in doc.ids:
                    problems.append(f"{page_label}: {where} {ref!r} → no such id in the page")
                continue
            url = urljoin(base, ref)
            parts = urlsplit(url)
            if parts.netloc != self.netloc:
                continue
            status, ctype, body = self.get(url)
            if status != 200:
                problems.append(f"{page_label}: {where} {ref!r} → {parts.path} answered {status}")
                continue
            css_url = url.split("#")[0]
            if "text/css" in ctype and css_url not in self.css_checked:
                self.css_checked.add(css_url)
                for inner in css_refs(body.decode("utf-8", "replace")):
                    if inner.startswith("data:") or is_external(inner):
                        continue
                    s, _, _ = self.get(urljoin(css_url, inner))
                    if s != 200:
                        problems.append(f"{page_label}: {parts.path} url({inner!r}) answered {s}")
            if parts.fragment and "text/html" in ctype:
                ids = parse(body.decode("utf-8", "replace")).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{page_label}: {where} {ref!r} → no id {unquote(parts.fragment)!r} in {parts.path}")
        return problems


def crawl(output: Path, base: str, skip: tuple[str, ...] = ()) -> list[str]:
    """Open every page of the site at base and check every internal link and asset it refers to."""
    crawler = Crawler(base)
    problems = []
    pages = [p for p in html_pages(output) if p not in skip]
    assert len(pages) >= 5, f"only {len(pages)} pages to crawl in {output}"
    for relative in pages:
        url = page_url(base, relative)
        status, ctype, body = crawler.get(url)
        if status != 200:
            problems.append(f"{relative}: the page itself answered {status} at {url}")
            continue
        problems += crawler.check_refs(relative, url, parse(body.decode("utf-8")))
    return problems


def test_every_link_works_at_root(demo_site, served):
    """Served at the root of a host, every internal link and asset of every page answers 200 (404.html is checked under its base_url below)."""
    problems = crawl(demo_site, served(demo_site), skip=("404.html",))
    assert not problems, f"{len(problems)} broken internal references (site at /):\n" + listing(problems)


def test_every_link_works_under_sub_path(sub_path_site, served):
    """Built for and served under /sub/path/, every internal link and asset of every page answers 200."""
    www, output = sub_path_site
    base = served(www) + SUB_PATH
    problems = crawl(output, base)
    assert not problems, f"{len(problems)} broken internal references (site at /{SUB_PATH}):\n" + listing(problems)


def test_not_found_page_links_work_from_a_deep_path(sub_path_site, served):
    """404.html, served for a missing deep URL, links to pages and assets rooted at base_url's path."""
    www, output = sub_path_site
    assert (output / "404.html").is_file(), "the build wrote no 404.html"
    base = served(www, not_found=f"{SUB_PATH}404.html")
    crawler = Crawler(base)
    deep = base + SUB_PATH + "no/such/deep/page/"
    status, ctype, body = crawler.get(deep)
    assert status == 404 and body == (output / "404.html").read_bytes(), "the test server did not answer with 404.html"
    refs = parse(body.decode("utf-8"))
    internal = [r for r in refs.links + refs.resources if not is_external(r[1])]
    assert any(w.startswith("<link rel=stylesheet") for w, _ in internal), f"404.html has no local stylesheet: {internal}"
    assert any(w == "<a href>" for w, _ in internal), f"404.html has no internal link: {internal}"
    problems = crawler.check_refs(f"404.html at /{SUB_PATH}no/such/deep/page/", deep, refs)
    assert not problems, "broken references in 404.html served from a deep path:\n" + listing(problems)


def test_a_copy_opened_from_a_folder_is_browsed_by_clicking(demo_site, chromium):
    """From file:// (a USB stick) a click on a folder link opens that folder's index.html, not a file listing."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto((demo_site / "index.html").as_uri(), wait_until="load")
        page.locator(".nav a", has_text="劳模工匠").first.click()
        page.wait_for_load_state("load")
        assert page.url == (demo_site / "workers" / "index.html").as_uri()
        assert page.locator("h1").inner_text().strip() == "劳模工匠"
        page.locator("a.card-link").first.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/index.html") and page.locator("h1.entry-title").count() == 1
        page.locator("a.brand").click()
        page.wait_for_load_state("load")
        assert page.url == (demo_site / "index.html").as_uri()
    finally:
        context.close()
