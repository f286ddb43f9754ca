"""The kiosk's 找人 page (issue 6, kiosk part): an A–Z pinyin-initial keypad and facet buttons instead of
a text box, large cards with photos, everything cleared by the idle reset.  In real Chromium on the
kiosk build of the demo hall, served by the kiosk's own server and opened from a folder; results and
counts are compared with the Python matcher (showcase.search.search).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from urllib.parse import quote

import pytest

from conftest import AXE_JS, REPO, VNU_JAR, html_pages
from showcase.search import read_index, search
import test_kiosk
from test_kiosk import AXE_JS_RUN, CLICKABLE, TARGETS_JS, arrive, eventually, set_kiosk, shown, tap, touch_page
from test_search import titles

kiosk_site = test_kiosk.kiosk_site   # the demo's kiosk build and its local server, fixtures here too
kiosk_url = test_kiosk.kiosk_url

BROWSED = ["workers", "studios", "enterprises"]   # the demo's collections with a list page; not its free pages
KEYS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]


@pytest.fixture(scope="module")
def index(kiosk_site) -> dict:
    """The search index the kiosk build wrote."""
    return read_index(kiosk_site)


def expected(index: dict, letters: str = "", **filters):
    """What the Python matcher finds on the 找人 page: letters and filters, within the collections it offers."""
    chosen = {"collection": BROWSED, **{name: values for name, values in filters.items()}}
    return search(index, "", chosen, letters)


def names(page) -> list[str]:
    """The names on the result cards, in order."""
    return page.locator(".finder-card-name").all_inner_texts()


def lit_keys(page) -> set[str]:
    """The letter keys not dimmed as leading nowhere."""
    return set(page.eval_on_selector_all("[data-letter]:not(.key-none)", "keys => keys.map(k => k.dataset.letter)"))


def next_letters(index: dict, letters: str, **filters) -> set[str]:
    """Letters that extend letters to at least one result, by the Python matcher."""
    found = set(expected(index, letters, **filters).urls)
    return {e[5][len(letters)] for e in index["entries"] if e[0] in found and len(e[5]) > len(letters)}


def value_counts(page) -> dict[str, int]:
    """The open facet's value buttons: value → the count shown on it."""
    return {b["value"]: int(b["count"]) for b in page.eval_on_selector_all(
        ".finder-value[data-value]", "bs => bs.map(b => ({value: b.dataset.value, count: b.querySelector('.finder-value-count').textContent}))")}


def address(page) -> str:
    """The page's address now (page.url can lag behind history.replaceState)."""
    return page.evaluate("location.href")


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    """The counts that are not 0 (the Python matcher leaves values with 0 out)."""
    return {value: count for value, count in counts.items() if count}


def open_facet(page, name: str) -> None:
    """Tap a facet's button so that its values are shown."""
    if page.get_attribute(f'.finder-tab[data-facet="{name}"]', "aria-expanded") != "true":
        tap(page, f'.finder-tab[data-facet="{name}"]')
    assert page.get_attribute(f'.finder-tab[data-facet="{name}"]', "aria-expanded") == "true"


def type_letters(page, letters: str) -> None:
    """Tap the keys of letters one by one."""
    for letter in letters:
        tap(page, f'[data-letter="{letter}"]')


# --------------------------------------------------------------------------- the built page

def test_the_kiosk_has_a_keypad_page_and_no_text_box_anywhere(kiosk_site, demo_site):
    """The kiosk's search page is the keypad (26 letters, 删除, 清除) with no text input; every kiosk page has a 找人 button
    instead of the search box; the web edition keeps its search box and does not ship kiosk-search.js."""
    page = (kiosk_site / "search/index.html").read_text(encoding="utf-8")
    assert re.search(r"<title>找人 · ", page), "the keypad page's title should say 找人, as its heading does"
    assert re.findall(r'data-letter="([A-Z])"', page) == KEYS
    assert ">删除</button>" in page and ">清除</button>" in page and "kiosk-search.js" in page
    for relative in html_pages(kiosk_site):
        text = (kiosk_site / relative).read_text(encoding="utf-8")
        assert not re.search(r"<(input|textarea|select)\b", text), f"kiosk page {relative} has a text box"
        assert re.search(r'<a class="kiosk-find" href="[^"]*search/"[^>]*>.*找人</a>', text), f"{relative} has no 找人 button"
    assert (kiosk_site / "assets/kiosk-search.js").is_file()
    assert not (demo_site / "assets/kiosk-search.js").exists()
    web = (demo_site / "search/index.html").read_text(encoding="utf-8")
    assert 'id="search-q"' in web and "data-letter" not in web and "kiosk" not in web
    assert 'id="site-q"' in (demo_site / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- in Chromium, served by the kiosk's server

def test_tapping_a_z_y_finds_ai_ziyang_with_his_photo(kiosk_url, index, chromium):
    """From the home screen 找人 leads to the keypad; A, Z, Y show the letters large and find 艾子洋 (card with his photo)
    and his studio, as the Python matcher does; only keys that lead somewhere stay lit; his card opens his page and
    返回 brings the same results back."""
    context, page = touch_page(chromium, kiosk_url, clock=False)
    try:
        tap(page, ".kiosk-find")
        arrive(page, kiosk_url + "search/")
        assert page.locator("main input, main textarea").count() == 0
        assert len(names(page)) == len(expected(index).urls) == 23, "the page does not start with everything it offers"
        assert "关于本展厅" not in names(page)
        assert lit_keys(page) == next_letters(index, "")
        type_letters(page, "AZY")
        assert page.inner_text("#finder-typed") == "AZY"
        assert float(page.eval_on_selector("#finder-typed", "el => parseFloat(getComputedStyle(el).fontSize)")) >= 60
        assert names(page) == titles(index, expected(index, "AZY").urls) == ["艾子洋", "艾子洋领衔的国家级技能大师工作室"]
        assert "找到 2 个" in page.inner_text("#finder-status")
        assert lit_keys(page) == next_letters(index, "AZY") == {"L"}
        card = page.locator(".finder-card", has=page.locator(".finder-card-name", has_text=re.compile("^艾子洋$")))
        picture = next(e[6] for e in index["entries"] if e[1] == "艾子洋")
        img = card.locator("img")
        assert img.get_attribute("src").endswith(picture[0])
        eventually(page, lambda: img.evaluate("i => i.complete && i.naturalWidth > 0"), "his photo loaded")
        box = img.bounding_box()
        assert box["width"] >= 200 and box["height"] >= 200, f"the photo is small: {box}"
        assert card.locator(".finder-card-kind").inner_text() == "劳模工匠"
        assert "吉林长春" in card.locator(".finder-card-meta").inner_text()
        tap(page, ".finder-card-link")
        arrive(page, kiosk_url + "workers/ai-ziyang/")
        tap(page, '[data-kiosk-action="back"]')
        arrive(page, re.compile(r"/search/\?letters=AZY$"))
        assert page.inner_text("#finder-typed") == "AZY"
        assert names(page) == ["艾子洋", "艾子洋领衔的国家级技能大师工作室"]
    finally:
        context.close()


def test_facet_buttons_filter_show_the_python_counts_and_combine_with_letters(kiosk_url, index, chromium):
    """Each facet's buttons show the counts the Python matcher gives; tapping values filters (values of one facet are
    alternatives), facets and letters combine, a value with nothing left cannot be tapped, 清除筛选 clears them."""
    context, page = touch_page(chromium, kiosk_url + "search/", clock=False)
    try:
        open_facet(page, "collection")
        assert value_counts(page) == {c: expected(index).counts["collection"][c] for c in BROWSED}
        open_facet(page, "region")
        assert value_counts(page) == expected(index).counts["region"]
        tap(page, '.finder-value[data-value="重庆"]')
        assert page.get_attribute('.finder-value[data-value="重庆"]', "aria-pressed") == "true"
        chongqing = expected(index, region=["重庆"])
        assert names(page) == titles(index, chongqing.urls) and names(page)
        assert "重庆" in page.inner_text('.finder-tab[data-facet="region"]')
        assert nonzero(value_counts(page)) == chongqing.counts["region"], "a facet's counts must ignore its own choice"
        tap(page, '.finder-value[data-value="浙江宁波"]')
        both = expected(index, region=["重庆", "浙江宁波"])
        assert names(page) == titles(index, both.urls) and len(names(page)) > len(chongqing.urls)
        open_facet(page, "collection")
        assert nonzero(value_counts(page)) == {c: n for c, n in both.counts["collection"].items() if c in BROWSED}
        tap(page, '.finder-value[data-value="workers"]')
        workers = expected(index, collection=["workers"], region=["重庆", "浙江宁波"])
        assert names(page) == titles(index, workers.urls)
        assert all(k == "劳模工匠" for k in page.locator(".finder-card-kind").all_inner_texts())
        type_letters(page, "Z")
        combined = expected(index, "Z", collection=["workers"], region=["重庆", "浙江宁波"])
        assert names(page) == titles(index, combined.urls) and 0 < len(combined.urls) < len(workers.urls)
        open_facet(page, "studio_level")
        assert page.locator(".finder-value[data-value]:not([disabled])").count() == 0, "values with nothing to find are tappable"
        assert set(value_counts(page).values()) == {0}
        status = page.inner_text("#finder-status")
        assert f"找到 {len(combined.urls)} 个" in status and "Z" in status and "重庆" in status
        tap(page, ".finder-reset")
        assert names(page) == titles(index, expected(index, "Z").urls)
        assert address(page).endswith("/search/?letters=Z")
    finally:
        context.close()


def test_letters_that_find_nothing_say_so_and_delete_and_clear_recover(kiosk_url, index, chromium):
    """A key that leads nowhere is dimmed but still answers: the page says plainly that nobody has those initials and
    what to do; 删除 takes the last letter back, 清除 all of them."""
    assert not expected(index, "AQ").urls and expected(index, "A").urls
    context, page = touch_page(chromium, kiosk_url + "search/", clock=False)
    try:
        type_letters(page, "A")
        assert "Q" not in lit_keys(page)
        type_letters(page, "Q")
        assert names(page) == []
        message = page.inner_text("#finder-status")
        assert "没有找到姓名首字母为 AQ 的展项" in message and "删除" in message
        assert page.locator("#finder-status").is_visible()
        assert lit_keys(page) == set()
        tap(page, '[data-key="back"]')
        assert page.inner_text("#finder-typed") == "A"
        assert names(page) == titles(index, expected(index, "A").urls)
        type_letters(page, "ZY")
        tap(page, '[data-key="clear"]')
        assert page.inner_text("#finder-typed") == ""
        assert len(names(page)) == 23 and address(page).endswith("/search/")
        open_facet(page, "region")
        tap(page, '.finder-value[data-value="吉林长春"]')
        assert not expected(index, "B", region=["吉林长春"]).urls and expected(index, "B").urls
        type_letters(page, "B")
        assert names(page) == [] and "去掉一些筛选条件" in page.inner_text("#finder-status")
    finally:
        context.close()


def test_the_idle_reset_clears_letters_and_facets_for_the_next_visitor(kiosk_url, chromium):
    """Letters and facet choices do not outlive the idle reset: back home, 找人 starts blank, and even the old address
    (as a browser's history would hold it) shows a blank page."""
    context, page = touch_page(chromium, kiosk_url + "search/")
    try:
        type_letters(page, "ZY")
        open_facet(page, "region")
        tap(page, '.finder-value[data-value="重庆"]')
        used = address(page)
        assert used == kiosk_url + "search/?letters=ZY&region=" + quote("重庆")
        page.clock.run_for(121_000)
        assert shown(page, ".kiosk-idle"), "no idle prompt on the 找人 page"
        page.clock.run_for(21_000)
        arrive(page, kiosk_url)
        tap(page, ".kiosk-find")
        arrive(page, kiosk_url + "search/")
        assert page.inner_text("#finder-typed") == "" and len(names(page)) == 23
        assert page.locator('.finder-value[aria-pressed="true"]').count() == 0
        page.goto(used, wait_until="load")
        assert address(page) == kiosk_url + "search/", "the old visitor's address was not cleaned"
        assert page.inner_text("#finder-typed") == "" and len(names(page)) == 23
        assert "重庆" not in page.inner_text('.finder-tab[data-facet="region"]')
    finally:
        context.close()


def test_the_attract_loop_also_voids_a_search(kiosk_url, chromium):
    """A search left behind on its page is void once the home screen's attract loop has run (it clears the visit)."""
    context, page = touch_page(chromium, kiosk_url + "search/")
    try:
        type_letters(page, "AZ")
        used = address(page)
        assert used.endswith("?letters=AZ")
        page.goto(kiosk_url, wait_until="load")
        page.clock.run_for(61_000)
        assert shown(page, ".kiosk-attract")
        page.goto(used, wait_until="load")
        assert page.inner_text("#finder-typed") == "" and len(names(page)) == 23
    finally:
        context.close()


def test_the_keypad_never_reads_the_entries_text(kiosk_url, chromium):
    """The text slot of every index entry throws when read (it is going to be loaded lazily): the page still works."""
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True, locale="zh-CN")
    context.add_init_script("""(() => {
        let held;
        Object.defineProperty(window, 'SHOWCASE_SEARCH_INDEX', {configurable: true, get: () => held, set: (value) => {
            value.entries.forEach((entry) => Object.defineProperty(entry, 3, {get() { throw new Error('the text slot was read'); }}));
            held = value;
        }});
    })()""")
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(kiosk_url + "search/", wait_until="load")
        type_letters(page, "AZY")
        open_facet(page, "region")
        tap(page, '.finder-value[data-value="吉林长春"]')
        assert names(page) == ["艾子洋", "艾子洋领衔的国家级技能大师工作室"]
    finally:
        context.close()
    assert not errors, errors


def test_the_keypad_works_from_a_folder(kiosk_site, index, chromium):
    """Opened from the folder (file://) the keypad finds 艾子洋, shows his photo and opens his page."""
    context, page = touch_page(chromium, (kiosk_site / "search" / "index.html").as_uri(), clock=False)
    try:
        type_letters(page, "AZY")
        assert names(page) == titles(index, expected(index, "AZY").urls)
        link = page.locator(".finder-card-link").first
        assert link.get_attribute("href") == "../workers/ai-ziyang/index.html"
        eventually(page, lambda: page.locator(".finder-card-img").first.evaluate("i => i.naturalWidth > 0"), "the photo loaded")
        open_facet(page, "industry")
        assert value_counts(page)["轨道交通装备制造"] == expected(index, "AZY").counts["industry"]["轨道交通装备制造"]
        tap(page, ".finder-card-link")
        eventually(page, lambda: page.url.endswith("/workers/ai-ziyang/index.html"), "his page opened")
        assert page.url.startswith("file://") and page.inner_text("h1") == "艾子洋"
    finally:
        context.close()


GIVEN = "一二三四五六七八九十"


def test_a_long_list_and_a_long_facet_open_on_request(make_project, tiny_hall, build_project, served, chromium):
    """With 30 workers called 王…, W shows the first 24 cards and 显示更多 the other 6; a facet with 31 values shows 12
    buttons (the chosen ones always) and 更多 shows them all."""
    hall = dict(tiny_hall)
    worker = tiny_hall["content/workers/艾子洋.md"]
    for n in range(30):
        name = "王" + GIVEN[n // 10] + GIVEN[n % 10]
        hall[f"content/workers/wang-{n:02d}.md"] = (worker.replace("name: 艾子洋\nslug: ai-ziyang", f"name: {name}\nslug: wang-{n:02d}")
                                                     .replace("region: 吉林长春", f"region: 地区{n:02d}"))
    out = build_project(make_project(hall), None, "--kiosk")
    index = read_index(out)
    context, page = touch_page(chromium, served(out) + "search/", clock=False)
    try:
        type_letters(page, "W")
        assert len(names(page)) == 24 and "找到 30 个" in page.inner_text("#finder-status")
        assert page.inner_text("#finder-more") == "显示更多（还有 6 个）"
        tap(page, "#finder-more")
        assert names(page) == titles(index, expected(index, "W").urls) and len(names(page)) == 30
        assert not page.locator("#finder-more").is_visible()
        assert page.evaluate("document.activeElement.querySelector('.finder-card-name').textContent") == names(page)[24], "focus did not move to the first new card"
        tap(page, '[data-key="clear"]')
        open_facet(page, "region")
        assert page.locator(".finder-value[data-value]").count() == 12
        assert page.inner_text(".finder-value-more") == "更多（共 31 项）"
        tap(page, ".finder-value-more")
        assert nonzero(value_counts(page)) == expected(index).counts["region"] and len(value_counts(page)) == 31
        tap(page, '.finder-value[data-value="地区29"]')
        assert names(page) == ["王三十"]
    finally:
        context.close()


# --------------------------------------------------------------------------- quality: axe, touch targets, text, HTML

def page_quality(page) -> list[str]:
    """axe violations, small or crowded touch targets, small text and sideways scrolling on the page as it is now."""
    problems = page.evaluate(AXE_JS_RUN)
    state = page.evaluate(TARGETS_JS, CLICKABLE)
    problems += [f"small: {s}" for s in state["small"]] + [f"crowded: {s}" for s in state["crowded"]]
    problems += [f"text: {s}" for s in state["tooSmallText"]] + [f"trap: {s}" for s in state["traps"]]
    if state["hscroll"]:
        problems.append("the page scrolls sideways")
    if state["body"] < 24:
        problems.append(f"body text is {state['body']} px")
    return problems


def test_keypad_page_is_accessible_and_every_target_is_large(kiosk_url, chromium):
    """No axe violation, every control ≥ 60×60 px and ≥ 8 px apart, no text under 20 px — blank, with results and an open
    facet, with nothing found, and in 高对比 + 大字. The keys themselves are much larger than the minimum."""
    assert AXE_JS.is_file(), f"{AXE_JS} is missing: run npm ci --prefix tests (or bash tests/run.sh)"
    context, page = touch_page(chromium, kiosk_url + "search/", clock=False)
    found: dict[str, list[str]] = {}
    try:
        page.add_script_tag(path=str(AXE_JS))
        found["blank"] = page_quality(page)
        sizes = page.eval_on_selector_all("[data-letter], [data-key]", "ks => ks.map(k => k.getBoundingClientRect()).map(r => [r.width, r.height])")
        assert len(sizes) == 28 and min(min(s) for s in sizes) >= 75, sizes
        type_letters(page, "Z")
        open_facet(page, "honour")
        found["letters and a facet"] = page_quality(page)
        type_letters(page, "Q")
        found["nothing found"] = page_quality(page)
        tap(page, '[data-kiosk-toggle="contrast"]')
        tap(page, '[data-kiosk-toggle="large"]')
        tap(page, '[data-key="back"]')
        tap(page, '.finder-value[data-value="浙江工匠"]')
        found["高对比 + 大字"] = page_quality(page)
    finally:
        context.close()
    problems = [f"{label}: {p}" for label, ps in found.items() for p in ps]
    assert not problems, "\n".join(problems)


def test_keypad_page_on_a_portrait_screen(make_project, tiny_hall, build_project, served, chromium):
    """kiosk.screen: portrait: keypad above the results, bigger keys, every target ≥ 60 px with room, nothing off screen."""
    root = make_project(tiny_hall)
    set_kiosk(root / "site.yaml", "screen: portrait\n")
    out = build_project(root, None, "--kiosk")
    context, page = touch_page(chromium, served(out) + "search/", "portrait", clock=False)
    try:
        page.add_script_tag(path=str(AXE_JS))
        type_letters(page, "AZY")
        assert names(page) == ["艾子洋", "艾子洋技能大师工作室"]
        problems = page_quality(page)
        pad = page.locator(".keypad").bounding_box()
        results = page.locator(".finder-results").bounding_box()
        key = page.locator('[data-letter="A"]').bounding_box()
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert pad["x"] >= 0 and pad["x"] + pad["width"] <= 1080 and results["y"] > pad["y"] + pad["height"]
    assert key["width"] >= 95, key


def test_the_drawn_keypad_page_is_valid_html(kiosk_url, chromium, tmp_path):
    """The page as kiosk-search.js draws it (results, an open facet, a chosen value) passes the Nu Html Checker."""
    java = shutil.which("java")
    assert java and VNU_JAR.is_file(), "java and tests/node_modules/vnu-jar are needed (bash tests/run.sh)"
    context, page = touch_page(chromium, kiosk_url + "search/", clock=False)
    try:
        type_letters(page, "Z")
        open_facet(page, "region")
        tap(page, '.finder-value[data-value="重庆"]')
        drawn = "<!DOCTYPE html>\n" + page.evaluate("document.documentElement.outerHTML")
    finally:
        context.close()
    assert 'class="finder-card"' in drawn
    (tmp_path / "drawn.html").write_text(drawn, encoding="utf-8")
    proc = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", str(tmp_path / "drawn.html")],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    messages = [f"{m.get('lastLine')}: {m.get('message')}" for m in json.loads(proc.stdout)["messages"]]
    assert not messages, "\n".join(messages)


def test_kiosk_search_js_injects_no_html_and_requests_nothing():
    """kiosk-search.js builds the page from text nodes only and never asks the network for anything."""
    code = (REPO / "assets" / "kiosk-search.js").read_text(encoding="utf-8")
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "fetch(", "XMLHttpRequest", "eval("):
        assert banned not in code, f"kiosk-search.js uses {banned}"
