"""Search: normalisation, the Python matcher, the built index, and the search page in Chromium.

The browser's matcher (assets/search.js) and the Python one (showcase/search.py) must agree on
every query of a query set; the page must show what a visitor typed as text, work from a folder
(file://) and say plainly that it needs JavaScript when that is off.
"""
from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from conftest import REPO, run_build
from showcase import cli
from showcase import search as search_module
from showcase.content import pinyin_key
from showcase.search import INDEX_GLOBAL, IndexFiles, clean_initials, index_files, normalise, query_words, read_index, search


def core_of(files: dict) -> dict:
    """The core index among index_files' files."""
    text = files["search-index.js"].decode("utf-8")
    return json.loads(text[len(f"window.{INDEX_GLOBAL}="):-2])


def core_index(output: Path) -> dict:
    """search-index.js alone, as the page loads it first."""
    text = (output / "search-index.js").read_text(encoding="utf-8")
    assert text.startswith(f"window.{INDEX_GLOBAL}=") and text.endswith(";\n"), text[:80]
    return core_of({"search-index.js": text.encode("utf-8")})


def titles(index: dict, urls: list) -> list:
    """Titles of index entries by URL, in the given order."""
    by_url = {e[0]: e[1] for e in index["entries"]}
    return [by_url[u] for u in urls]


# --------------------------------------------------------------------------- pure functions

@pytest.mark.parametrize("text, expected", [
    ("ＡＢＣ１２３", "abc123"),
    ("艾子洋，　高级技师", "艾子洋， 高级技师"),
    ("（国家级）：５Ｇ", "（国家级）：5g"),
    ("  LED\n灯 \t 具 ", "led 灯 具"),
    ("全国“五一”劳动奖章", "全国“五一”劳动奖章"),
])
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_query_words_split_on_any_space_and_drop_repeats():
    assert query_words(" 张毅\u3000工作室 张毅 ") == ["张毅", "工作室"]
    assert query_words("") == []
    assert len(query_words(" ".join(str(n) for n in range(50)))) == 10


@pytest.mark.parametrize("title, expected", [
    ("艾子洋", ["ai", "zi", "yang"]),
    ("长春", ["chang", "chun"]),        # read as a word: not zhang, as 长 alone reads
    ("重庆", ["chong", "qing"]),        # not zhong
    ("银行", ["yin", "hang"]),
    ("5G班组（一）", ["5", "g", "ban", "zu", "（", "yi", "）"]),  # one item per character
    ("LED", ["l", "e", "d"]),
])
def test_titles_are_spelt_in_pinyin_as_words(title, expected):
    assert pinyin_key(title) == expected


@pytest.mark.parametrize("title, expected", [
    ("艾子洋", "ai zi yang"),
    ("阿A鹅绿", "a e lv"),                        # one-letter syllables kept, Latin letters left to the text, ü as v
    ("国网宁波（出站站）", "guo wang ning bo chu zhan zhan"),
    ("LED", ""),
    ("长" * 5000, " ".join(["chang"] * 40)),     # a title pasted by mistake stays cheap to match
])
def test_the_index_spells_only_the_chinese_characters(title, expected):
    entry = SimpleNamespace(title=title, sort_key=(pinyin_key(title), title, ""))
    assert search_module.entry_pinyin(entry) == expected


def test_clean_initials():
    assert clean_initials("a z-y") == "AZY"
    assert clean_initials("ＡＺＹ") == "AZY"


INDEX = {
    "version": 1,
    "facets": [
        {"name": "collection", "label": "类别", "values": ["workers", "studios"], "labels": ["劳模工匠", "创新工作室"]},
        {"name": "region", "label": "地区", "values": ["吉林长春", "重庆"], "spellings": ["ji lin chang chun", "chong qing"]},
        {"name": "honour", "label": "荣誉", "values": ["全国劳动模范", "全国五一劳动奖章"],
         "spellings": ["quan guo lao dong mo fan", "quan guo wu yi lao dong jiang zhang"]},
    ],
    "entries": [
        ["workers/a/", "艾子洋", 0, "艾子洋 调试技师 吉林长春 工作室", [[0], [0], [1]], "AZY", None, "ai zi yang"],
        ["workers/b/", "张毅", 0, "张毅 电力 重庆 劳模 劳模 工作室 工作室", [[0], [1], [0, 1]], "ZY", None, "zhang yi"],
        ["studios/c/", "张毅劳模创新工作室", 1, "张毅劳模创新工作室 重庆 张毅", [[1], [1], []], "ZYLMCXGZS", None, "zhang yi lao mo chuang xin gong zuo shi"],
        ["studios/d/", "调试工作室", 1, "调试工作室 吉林长春 艾子洋 艾子洋 艾子洋", [[1], [0], []], "TSGZS", None, "tiao shi gong zuo shi"],
    ],
}


def test_every_word_must_occur():
    assert set(search(INDEX, "艾子洋 调试").urls) == {"workers/a/", "studios/d/"}
    assert search(INDEX, "艾子洋 重庆").urls == []
    assert search(INDEX, "洋").urls == ["workers/a/", "studios/d/"]


def test_exact_title_then_title_hits_then_occurrences():
    assert search(INDEX, "张毅").urls == ["workers/b/", "studios/c/"]
    assert search(INDEX, "艾子洋").urls == ["workers/a/", "studios/d/"]  # title hit beats three occurrences
    # title hits, the shorter title first; then two occurrences before one
    assert search(INDEX, "工作室").urls == ["studios/d/", "studios/c/", "workers/b/", "workers/a/"]


def test_empty_query_browses_in_site_order_with_counts():
    result = search(INDEX, "")
    assert result.urls == ["workers/a/", "workers/b/", "studios/c/", "studios/d/"]
    assert result.counts["collection"] == {"workers": 2, "studios": 2}
    assert result.counts["region"] == {"吉林长春": 2, "重庆": 2}


def test_facets_are_alternatives_within_and_combine_across():
    chongqing = search(INDEX, "", {"region": ["重庆"]})
    assert chongqing.urls == ["workers/b/", "studios/c/"]
    assert chongqing.counts["region"] == {"吉林长春": 2, "重庆": 2}  # a facet's counts ignore its own choice
    assert chongqing.counts["collection"] == {"workers": 1, "studios": 1}
    both = search(INDEX, "", {"region": ["重庆", "吉林长春"], "collection": "workers"})
    assert both.urls == ["workers/a/", "workers/b/"]
    assert both.counts["collection"] == {"workers": 2, "studios": 2}
    assert search(INDEX, "", {"region": ["火星"]}).urls == []
    assert search(INDEX, "", {"nonsense": ["x"]}).urls == search(INDEX, "").urls


def test_initials_match_a_prefix():
    assert search(INDEX, "", initials="Z").urls == ["workers/b/", "studios/c/"]
    assert search(INDEX, "", initials="zy").urls == ["workers/b/", "studios/c/"]
    assert search(INDEX, "", initials="AZY").urls == ["workers/a/"]
    assert search(INDEX, "", initials="AZYX").urls == []


@pytest.mark.parametrize("query, expected", [
    ("aiziyang", ["workers/a/"]),                       # the whole name, no characters chosen
    ("ziyang", ["workers/a/"]),                         # from a syllable on
    ("aiziy", ["workers/a/"]),                          # still typing the last syllable
    ("azy", ["workers/a/"]),                            # initials
    ("zy", ["workers/b/", "workers/a/", "studios/c/"]),  # a run of initials: the shorter title first
    ("zhangyi", ["workers/b/", "studios/c/"]),          # exact spelling of 张毅 first
    ("zhangyi gongzuoshi", ["studios/c/"]),             # every word must match
    ("zhangyi 重庆", ["workers/b/", "studios/c/"]),      # pinyin and characters together
    ("iziyang", []),                                    # not from a syllable's start
    ("a", []),                                          # one letter is too little to mean a name
    ("yang", ["workers/a/"]),
    ("zhuang", []),
    ("changchun", ["workers/a/", "studios/d/"]),        # a facet value's pinyin: the region 吉林长春
    ("jilinchangchun", ["workers/a/", "studios/d/"]),
    ("chongqing zhangyi", ["workers/b/", "studios/c/"]),
    ("wuyi", ["workers/a/", "workers/b/"]),             # an honour (全国五一劳动奖章), from one of its syllables on
    ("jlcc", []),                                       # a facet value's initials are not matched: too many would hit
    ("hangchun", []),                                   # not from a syllable's start
])
def test_letters_find_a_title_or_a_facet_value_by_its_pinyin(query, expected):
    assert search(INDEX, query).urls == expected


def test_texts_go_into_shards_of_one_collection_that_read_back_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(search_module, "SHARD_ENTRIES", 1000)
    assert [shard[2:] for shard in core_of(index_files(INDEX))["shards"]] == [[0, 2], [2, 2]]  # one collection each
    monkeypatch.setattr(search_module, "SHARD_ENTRIES", 1)
    files = index_files(INDEX)
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    core = core_index(tmp_path)
    assert [e[3] for e in core["entries"]] == ["", "", "", ""]
    assert [(first, count) for _, _, first, count in core["shards"]] == [(0, 1), (1, 1), (2, 1), (3, 1)]
    assert all(name.startswith("search/text-") and name.endswith(".js") for name, *_ in core["shards"])
    assert read_index(tmp_path) == dict(INDEX, version=4)
    assert index_files(INDEX) == files  # the same texts give the same file names and bytes


def test_an_edited_text_remakes_its_shard_and_the_core_only(monkeypatch):
    monkeypatch.setattr(search_module, "SHARD_ENTRIES", 2)
    index = json.loads(json.dumps(INDEX))
    files = IndexFiles(index)
    before = files.all()
    index["entries"][3][3] += " 新补充的一句"
    update = files.update({3})
    assert len(update) == 2 and "search-index.js" in update  # the studios' shard and the core
    fresh = IndexFiles(json.loads(json.dumps(index))).all()
    assert {name: data for name, data in {**before, **update}.items() if name in files.names} == fresh


# --------------------------------------------------------------------------- the built demo

@pytest.fixture(scope="module")
def demo_index(demo_site) -> dict:
    return read_index(demo_site)


@pytest.mark.parametrize("query, first, expected", [
    ("工作室", None, None),
    ("技能", None, None),
    ("艾子洋", "艾子洋", None),
    ("子洋", "艾子洋", None),
    ("吉林长春", None, None),
])
def test_known_queries_over_the_demo(demo_index, query, first, expected):
    urls = search(demo_index, query).urls
    assert urls, f"{query!r} found nothing"
    for url in urls:
        text = next(e[3] for e in demo_index["entries"] if e[0] == url)
        assert normalise(query) in text
    missed = [e[1] for e in demo_index["entries"] if normalise(query) in e[3] and e[0] not in urls]
    assert not missed, f"{query!r} missed {missed}"
    if first:
        found = titles(demo_index, urls)
        assert first in found[:3], f"{query!r}: {first} not near the top of {found}"


def test_demo_index_has_initials_facets_and_pictures(demo_index):
    workers = {e[1]: e for e in demo_index["entries"] if e[0].startswith("workers/")}
    assert workers["艾子洋"][5] == "AZY"
    assert workers["张毅"][5] == "ZY"
    assert workers["艾子洋"][6][0].startswith("images/") and workers["艾子洋"][6][1] > 0
    names = [f["name"] for f in demo_index["facets"]]
    assert names == ["collection", "region", "industry", "honour", "skill_level", "studio_level"]
    region = demo_index["facets"][1]
    assert region["values"][workers["艾子洋"][4][1][0]] == "吉林长春"


def test_initials_override_in_front_matter(make_project, tiny_hall, build_project):
    hall = dict(tiny_hall)
    hall["content/workers/单田芳.md"] = tiny_hall["content/workers/艾子洋.md"].replace("name: 艾子洋\nslug: ai-ziyang", "name: 单田芳\ninitials: s t f")
    hall["content/workers/曾志.md"] = tiny_hall["content/workers/艾子洋.md"].replace("name: 艾子洋\nslug: ai-ziyang", "name: 曾志\nslug: zeng-zhi")
    output = build_project(make_project(hall))
    index = read_index(output)
    by_title = {e[1]: e[5] for e in index["entries"]}
    assert by_title["单田芳"] == "STF"  # pypinyin alone reads 单 as dan
    assert by_title["艾子洋"] == "AZY"
    assert search(index, "", initials="STF").urls == [next(e[0] for e in index["entries"] if e[1] == "单田芳")]


def test_a_phrase_across_a_line_break_of_the_body_is_found(make_project, tiny_hall, build_project):
    hall = dict(tiny_hall)
    hall["content/workers/艾子洋.md"] = tiny_hall["content/workers/艾子洋.md"].replace(
        "第一段正文，介绍这位工匠的成长经历。", "第一段正文，介绍这位调试技师\n**2020年**评上首席操作师的经历。")
    index = read_index(build_project(make_project(hall)))
    found = search(index, "技师2020年评上")
    assert titles(index, found.urls) == ["艾子洋"]
    text = next(e[3] for e in index["entries"] if e[0] == found.urls[0])
    assert "调试技师2020年评上首席操作师的经历" in text  # the snippet a visitor sees, without a gap


def test_a_wrong_initials_override_is_explained(make_project, tiny_hall, tmp_path):
    hall = dict(tiny_hall)
    hall["content/workers/艾子洋.md"] = tiny_hall["content/workers/艾子洋.md"].replace("name: 艾子洋\n", "name: 艾子洋\ninitials: 艾Z1\n")
    proc = run_build(make_project(hall), "--output", str(tmp_path / "out"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "content/workers/艾子洋.md 第 3 行 · 姓名拼音首字母" in proc.stderr
    assert "只能写拼音首字母（A–Z）" in proc.stderr and "「艾Z1」" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("section, message", [
    ("search:\n  fields: [name, nickname]\n", "搜索字段「nickname」在要搜索的集合里都不存在"),
    ("search:\n  collections: [workerz]\n", "集合「workerz」不存在。\n   改法：您是不是想写「workers」"),
    ("search:\n  facets:\n    place: {label: 地点, field: place}\n", "筛选字段「place」在要搜索的集合里都不存在"),
    ("search:\n  facets:\n    region: {field: region}\n", "缺少必填设置「label」"),
    ("search:\n  sort: name\n", "不认识的设置「sort」"),
    ("search:\n  facets: [region]\n", "「search.facets」（筛选项"),
    ("search:\n  facets:\n    region: {label: 地区, field: region, collections: [shops]}\n", "集合「shops」不存在"),
    ("search:\n  initials: pinyin\n", "字段「pinyin」在要搜索的集合里都不存在"),
])
def test_search_settings_are_checked(make_project, tiny_hall, tmp_path, section, message):
    root = make_project(tiny_hall)
    text = (root / "site.yaml").read_text(encoding="utf-8")
    start = text.index("search:")
    end = text.index("\ndata:")
    (root / "site.yaml").write_text(text[:start] + section + text[end:], encoding="utf-8")
    proc = run_build(root, "--output", str(tmp_path / "out"))
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr
    assert "site.yaml" in proc.stderr and "search" in proc.stderr


def test_without_a_search_section_every_collection_and_taxonomy_is_used(make_project, tiny_hall, build_project):
    root = make_project(tiny_hall)
    text = (root / "site.yaml").read_text(encoding="utf-8")
    (root / "site.yaml").write_text(text[:text.index("search:")] + text[text.index("\ndata:") + 1:], encoding="utf-8")
    index = read_index(build_project(root))
    assert [f["name"] for f in index["facets"]] == ["collection", "honours", "regions", "industries"]
    assert search(index, "第一段正文").urls == ["workers/ai-ziyang/"]  # the body is searched
    assert search(index, "向“新”前行").urls == ["workers/ai-ziyang/"]  # so are the sources by default


def test_the_search_command_shows_what_a_visitor_finds(demo_site, demo_index, tmp_path):
    proc = run_build(REPO, "search", "子洋", "--output", str(demo_site))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    expected = search(demo_index, "子洋")
    assert lines[0] == f"搜索「子洋」：找到 {len(expected.urls)} 个展项。"
    assert lines[1] == "  1. 艾子洋 · 劳模工匠 · workers/ai-ziyang/"
    assert f"  地区：吉林长春 {expected.counts['region']['吉林长春']}" in lines
    missing = run_build(REPO, "search", "子洋", "--output", str(tmp_path / "nothing"))
    assert missing.returncode == 1 and "先运行 python build.py 生成网站" in missing.stderr
    assert "Traceback" not in missing.stderr
    old = tmp_path / "old"  # built by the version before facets' pinyin (core version 3, facets without spellings)
    shutil.copytree(demo_site, old)
    core = (old / "search-index.js").read_text(encoding="utf-8").replace('{"version":4,', '{"version":3,', 1)
    (old / "search-index.js").write_text(core, encoding="utf-8")
    outdated = run_build(REPO, "search", "zy", "--output", str(old))
    assert outdated.returncode == 1 and "旧版本的展厅生成的" in outdated.stderr and "Traceback" not in outdated.stderr


def test_the_demo_finds_workers_by_their_region_typed_in_pinyin(demo_index):
    ningbo = search(demo_index, "ningbo", {"collection": ["workers"]})
    assert len(ningbo.urls) >= 3 and ningbo.counts["region"] == {"浙江宁波": len(ningbo.urls)}
    assert titles(demo_index, ningbo.urls) == titles(demo_index, search(demo_index, "浙江宁波", {"collection": ["workers"]}).urls)


class ClosedPipe(io.StringIO):
    """Standard output whose reader has gone away (python build.py search 工作室 | head -2 after two lines)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_the_search_command_read_by_a_pager_that_stops_early_ends_quietly(demo_site, monkeypatch):
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    monkeypatch.setattr(sys, "stderr", stderr)
    assert cli.main(["--root", str(REPO), "search", "工作室", "--output", str(demo_site)]) == 141
    assert stderr.getvalue() == ""  # not an internal error to report


# --------------------------------------------------------------------------- in Chromium

QUERIES = [
    ("工作室", {}, ""), ("技能", {}, ""), ("艾子洋", {}, ""), ("子洋", {}, ""), ("吉林长春", {}, ""),
    ("劳模 工作室", {}, ""), ("洋", {}, ""), ("ＬＥＤ", {}, ""), ("国网 宁波", {}, ""), ("没有这种东西", {}, ""),
    ("", {}, ""), ("", {"region": ["重庆"]}, ""), ("工作室", {"collection": ["studios"]}, ""),
    ("劳动", {"region": ["重庆", "浙江宁波"], "collection": ["workers"]}, ""), ("", {"honour": ["全国五一劳动奖章"]}, ""),
    ("", {}, "Z"), ("", {}, "azy"), ("", {"collection": ["workers"]}, "Z"), ("调试", {}, "A"),
    ("aiziyang", {}, ""), ("zy", {}, ""), ("changchun", {}, ""), ("gw 宁波", {}, ""), ("Zhang", {"collection": ["workers"]}, ""),
    ("ningbo", {"collection": ["workers"]}, ""), ("chongqing 工作室", {}, ""), ("wuyi", {}, ""),
]


@pytest.fixture(scope="module")
def search_page(demo_site, served, chromium):
    """A browser page on the demo's search page, served over HTTP."""
    base = served(demo_site)
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "search/", wait_until="load")
    yield base, page
    context.close()


LOAD_TEXTS = """() => new Promise((done) => ShowcaseSearch.loadTexts(window.SHOWCASE_SEARCH_INDEX,
    document.getElementById('search').dataset.root, done))"""


def test_before_its_texts_load_the_page_finds_by_title_then_by_everything(search_page, demo_index):
    base, page = search_page
    page.goto(base + "search/", wait_until="load")
    assert not page.evaluate("ShowcaseSearch.textsLoaded(window.SHOWCASE_SEARCH_INDEX)")
    assert page.evaluate("document.querySelectorAll('script[src*=\"search/text-\"]').length") == 0
    early = page.evaluate("ShowcaseSearch.search(window.SHOWCASE_SEARCH_INDEX, '吉林长春').urls")
    assert early == [e[0] for e in demo_index["entries"] if "吉林长春" in normalise(e[1])]
    assert page.evaluate(LOAD_TEXTS) is True
    assert page.evaluate("ShowcaseSearch.search(window.SHOWCASE_SEARCH_INDEX, '吉林长春').urls") == search(demo_index, "吉林长春").urls


def test_the_core_index_holds_no_texts(demo_site, demo_index):
    core = core_index(demo_site)
    assert {e[3] for e in core["entries"]} == {""}
    assert len(core["shards"]) >= len({e[2] for e in demo_index["entries"]})
    assert sum(count for *_, count in core["shards"]) == len(core["entries"])


def test_browser_and_python_give_identical_results(search_page, demo_index):
    _, page = search_page
    assert page.evaluate(LOAD_TEXTS) is True
    got = page.evaluate("""(queries) => queries.map(([q, f, i]) => {
        const r = ShowcaseSearch.search(window.SHOWCASE_SEARCH_INDEX, q, f, i);
        return {urls: r.urls, counts: r.counts};
    })""", QUERIES)
    for (query, filters, initials), browser in zip(QUERIES, got):
        python = search(demo_index, query, filters, initials)
        assert browser["urls"] == python.urls, (query, filters, initials)
        assert browser["counts"] == python.counts, (query, filters, initials)
    assert any(r["urls"] for r in got) and not got[9]["urls"]
    by_initials = page.evaluate("ShowcaseSearch.byInitials(window.SHOWCASE_SEARCH_INDEX, 'AZY', {collection: ['workers']}).entries.map(e => e[1])")
    assert by_initials == ["艾子洋"]
    anything = page.evaluate("ShowcaseSearch.byInitials(window.SHOWCASE_SEARCH_INDEX, 'AZY').entries.map(e => e[1])")
    assert anything == ["艾子洋", "艾子洋领衔的国家级技能大师工作室"]  # his studio's name starts with his name


def result_titles(page) -> list[str]:
    """The titles of the results the page shows, once its texts are in."""
    page.wait_for_function("!document.getElementById('search-status').textContent.includes('正在载入')")
    return page.locator("#search-results .result-title").all_inner_texts()


def test_search_page_shows_ranked_results_with_marked_snippets(search_page, demo_index):
    base, page = search_page
    page.goto(base + "search/?q=" + quote("子洋"), wait_until="load")
    assert result_titles(page)[0] == "艾子洋"
    assert result_titles(page) == titles(demo_index, search(demo_index, "子洋").urls)
    assert "找到" in page.locator("#search-status").inner_text()
    assert page.locator("#search-results mark").first.inner_text() == "子洋"
    first = page.locator("#search-results .result").first
    assert first.locator(".result-kind").inner_text() == "劳模工匠"
    assert first.locator(".result-snippet").inner_text().strip()
    first.locator("a").click()
    page.wait_for_load_state("load")
    assert page.url == base + "workers/ai-ziyang/"


def test_facets_filter_with_counts_and_the_url_keeps_the_state(search_page, demo_index):
    base, page = search_page
    page.goto(base + "search/?q=" + quote("工作室"), wait_until="load")
    expected = search(demo_index, "工作室")
    label = page.locator("fieldset.facet label", has=page.locator("input[name=collection][value=studios]"))
    assert label.locator(".count").inner_text() == str(expected.counts["collection"]["studios"])
    label.locator("input").check()
    page.wait_for_function("location.search.includes('collection=studios')")
    filtered = search(demo_index, "工作室", {"collection": ["studios"]})
    assert result_titles(page) == titles(demo_index, filtered.urls)
    assert all(k == "创新工作室" for k in page.locator("#search-results .result-kind").all_inner_texts())
    page.go_back()
    page.wait_for_function("!location.search.includes('collection')")
    assert result_titles(page) == titles(demo_index, expected.urls)
    page.goto(base + "search/?region=" + quote("重庆"), wait_until="load")  # browse by facet, no query
    assert result_titles(page) == titles(demo_index, search(demo_index, "", {"region": ["重庆"]}).urls)
    assert page.locator("input[name=region][value='重庆']").is_checked()


def test_pinyin_typed_without_choosing_characters_finds_the_name(search_page):
    """A visitor whose input method sent the letters (aiziyang, or the initials azy) still finds 艾子洋 first,
    with the characters the letters spell marked."""
    base, page = search_page
    for letters, marked in (("aiziyang", "艾子洋"), ("azy", "艾子洋"), ("Ai Zi Yang", "艾子洋"), ("ziyang", "子洋")):
        page.goto(base + "search/?q=" + quote(letters), wait_until="load")
        assert result_titles(page)[:2] == ["艾子洋", "艾子洋领衔的国家级技能大师工作室"], letters
        assert "".join(page.locator("#search-results .result-title").first.locator("mark").all_inner_texts()) == marked, letters


def test_a_region_typed_in_pinyin_is_marked_in_the_passage(search_page):
    """ningbo finds the workers of 浙江宁波 by their region: each passage shows the region, marked."""
    base, page = search_page
    page.goto(base + "search/?q=ningbo", wait_until="load")
    found = [t for t in result_titles(page) if "宁波" not in t]
    assert len(found) >= 3  # 鲍振宇, 舒磊…: found by the region alone
    for title in found:
        item = page.locator("#search-results .result").filter(has=page.get_by_role("heading", name=title, exact=True))
        assert "浙江宁波" in item.locator(".result-snippet mark").all_inner_texts(), title


@pytest.mark.parametrize("title, spelling, query, marks", [
    ("艾子洋", "ai zi yang", "aiziyang", ["艾子洋"]),
    ("艾子洋", "ai zi yang", "ziyang", ["子洋"]),
    ("艾子洋", "ai zi yang", "aiziy", ["艾子洋"]),  # still typing: the syllable begun is marked
    ("艾子洋", "ai zi yang", "zi", ["子"]),
    ("艾子洋", "ai zi yang", "zy", ["子洋"]),  # initials
    ("艾子洋", "ai zi yang", "ai 工作室", ["艾"]),
    ("艾子洋", "ai zi yang", "a", []),  # one letter is no pinyin word
    ("艾子洋", "ai zi yang", "艾子", []),
    ("艾子洋", "ai zi yang", "aiziyangx", []),
    ("中车长春（CRRC）调试班", "zhong che chang chun tiao shi ban", "changchun", ["长春"]),
    ("二〇二〇年", "er ling er ling nian", "erling", []),  # 〇 is spelt but is no Han character here: no pairing, no mark
    ("艾子洋", "", "aiziyang", []),
])
def test_the_characters_pinyin_spells_are_marked(search_page, title, spelling, query, marks):
    _, page = search_page
    got = page.evaluate("([title, spelling, query]) => ShowcaseSearch.pinyinMarks("
                        "['u', title, 0, '', [], '', null, spelling], ShowcaseSearch.queryWords(query))", [title, spelling, query])
    assert got == marks


def test_on_a_phone_the_results_come_first_and_the_facets_fold_under_a_button(demo_site, served, chromium):
    base = served(demo_site)
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(base + "search/?q=" + quote("工作室"), wait_until="load")
        assert len(result_titles(page)) > 3
        assert page.locator("#search-results .result").first.bounding_box()["y"] < 844 - 100  # on the first screen
        assert not page.locator("#search-facets").is_visible()
        page.locator("#search-filters summary").click()
        page.locator("#search-facets input[value=workers]").check()
        page.wait_for_url("**collection=workers**")
        assert page.locator("#search-chosen").inner_text() == "（已选 1 项）"
        kinds = page.locator("#search-results .result-kind").all_inner_texts()
        assert kinds and set(kinds) == {"劳模工匠"}
        page.set_viewport_size({"width": 1280, "height": 900})  # turned to a wide screen: beside the results, no button
        page.locator("#search-filters summary").wait_for(state="hidden")
        assert page.locator("#search-facets").is_visible()
    finally:
        context.close()


def test_no_result_message(search_page):
    base, page = search_page
    page.goto(base + "search/?q=" + quote("量子计算机"), wait_until="load")
    assert result_titles(page) == []
    assert "没有找到与「量子计算机」有关的展项" in page.locator("#search-status").inner_text()


def test_a_query_is_shown_as_text_never_as_html(search_page):
    base, page = search_page
    nasty = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
    page.goto(base + "search/?q=" + quote(nasty), wait_until="load")
    assert page.evaluate("window.pwned") is None
    assert page.locator("main script:not([src]), main img[src=x]").count() == 0
    assert nasty in page.locator("#search-status").inner_text()
    assert page.input_value("#search-q") == nasty


def test_typing_in_the_header_box_leads_to_results(search_page):
    base, page = search_page
    page.goto(base + "workers/ai-ziyang/", wait_until="load")
    page.fill("#site-q", "国网　宁波")
    page.press("#site-q", "Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.input_value("#search-q") == "国网　宁波"
    assert any("宁波" in t for t in result_titles(page))


def test_search_works_from_a_folder(demo_site, chromium, demo_index):
    context = chromium.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.goto((demo_site / "search" / "index.html").as_uri() + "?q=" + quote("艾子洋"), wait_until="load")
        assert result_titles(page)[0] == "艾子洋"
        href = page.locator("#search-results a").first.get_attribute("href")
        assert href == "../workers/ai-ziyang/index.html"
        page.fill("#search-q", "吉林长春")
        page.press("#search-q", "Enter")
        assert result_titles(page) == titles(demo_index, search(demo_index, "吉林长春").urls)
        page.locator("#search-results a").first.click()
        page.wait_for_load_state("load")
        assert page.url.startswith("file://") and page.url.endswith("/index.html")
        assert page.locator("h1").count() == 1
    finally:
        context.close()


def test_without_javascript_the_page_says_search_needs_it(demo_site, served, chromium):
    context = chromium.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(served(demo_site) + "search/?q=" + quote("艾子洋"), wait_until="load")
        assert "搜索需要浏览器开启 JavaScript" in page.locator("main").inner_text()
        assert not page.locator("#search").is_visible()
    finally:
        context.close()


def test_search_js_has_no_network_or_html_injection():
    for name in ("search.js", "search-page.js"):
        code = (REPO / "assets" / name).read_text(encoding="utf-8")
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "fetch(", "XMLHttpRequest", "eval("):
            assert banned not in code, f"{name} uses {banned}"
