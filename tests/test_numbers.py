"""The hall's numbers page (数据), its charts and the timeline page (大事记).

Computed figures follow the content; every chart is well-formed SVG whose bars say what its data
table says; shares differ in lightness; the timeline groups dated milestones by year; mistakes in
the data files and in site.yaml's stats are reported in Chinese with file and line.  Valid HTML,
axe and the link crawl cover these pages in test_quality.py (it opens every page of the demo).
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import sitekit
from showcase import charts
from showcase.config import Theme, contrast, luminance
from sitekit import run, write
from test_validation import fails, header, one

SVG_NS = "{http://www.w3.org/2000/svg}"
SVG = re.compile(r"<svg\b.*?</svg>", re.S)
TABLE = re.compile(r'<div class="visually-hidden"><table class="chart-table">.*?</table></div>', re.S)
CHART = re.compile(r'<figure class="chart chart-(\w+)" id="chart-(\w+)".*?</figure>', re.S)

SECOND_WORKER = """---
name: 张毅
slug: zhang-yi
photo: images/ai-ziyang.jpg
photo_alt: 示意照片
position: 带头人
enterprise: 中车长客
region: 重庆
industry: 电力
honours:
  - name: 全国劳动模范
    year: 2015
    level: 国家级
  - name: 全国五一劳动奖章
    level: 国家级
summary: 劳模创新工作室带头人。
---
正文。
"""


def charts_of(page: str) -> dict[str, tuple[str, str, str]]:
    """chart name → (kind, svg, table) of every chart on a page."""
    found = {}
    for match in CHART.finditer(page):
        block = match.group(0)
        found[match.group(2)] = (match.group(1), SVG.search(block).group(0), TABLE.search(block).group(0))
    return found


def table_rows(table: str) -> list[tuple[str, str]]:
    """(row heading, first value) of each body row of a data table."""
    body = table.split("<tbody>", 1)[1]
    return [(html.unescape(h), html.unescape(v)) for h, v in re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td>', body)]


def bar_titles(svg: str) -> list[tuple[str, str]]:
    """(label, value) named by the <title> of each bar of a chart."""
    root = ET.fromstring(svg)
    result = []
    for group in root.iter(f"{SVG_NS}g"):
        if group.get("class") == "chart-bar":
            label, _, value = group.find(f"{SVG_NS}title").text.rpartition("：")
            result.append((label, value))
    return result


def figure_values(page: str) -> dict[str, str]:
    """caption → data-value of every big figure on a page."""
    pairs = re.findall(r'data-value="([^"]*)".*?<p class="figure-caption">(.*?)</p>', page, re.S)
    return {html.unescape(caption): value for value, caption in pairs}


def test_numbers_and_timeline_pages_are_in_the_navigation(demo_site):
    """Every page's main navigation links the 数据 and 大事记 pages, which exist."""
    for relative in ("index.html", "workers/ai-ziyang/index.html", "numbers/index.html"):
        page = (demo_site / relative).read_text(encoding="utf-8")
        nav = page.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
        assert re.search(r'href="(\.\./)*(\./)?numbers/"[^>]*>数据</a>', nav), f"{relative}: no 数据 link in the navigation"
        assert re.search(r'href="(\.\./)*(\./)?timeline/"[^>]*>大事记</a>', nav), f"{relative}: no 大事记 link in the navigation"
    numbers = (demo_site / "numbers/index.html").read_text(encoding="utf-8")
    assert 'aria-current="page">数据</a>' in numbers


def test_every_stated_figure_cites_its_source(demo_site):
    """Each figure from numbers.yaml shows its value as a plain number (data-value) and its source."""
    page = (demo_site / "numbers/index.html").read_text(encoding="utf-8")
    stated = page.split('id="stated-h"', 1)[1].split("</section>", 1)[0]
    figures = re.findall(r'<li class="figure">(.*?)</li>', stated, re.S)
    text = (Path(__file__).parents[1] / "content/data/numbers.yaml").read_text(encoding="utf-8")
    assert len(figures) == text.count("- value:") == 16
    for block in figures:
        value = re.search(r'data-value="([^"]+)">([^<]+)<', block)
        assert value and re.fullmatch(r"\d+(\.\d+)?", value.group(1)) and value.group(1) == value.group(2), block
        assert re.search(r'<p class="figure-source">.*《.+》', block), f"a figure without a source: {block}"


def test_every_chart_is_valid_svg_and_its_table_matches_its_bars(demo_site):
    """Each chart of the demo parses as SVG, is titled, and its bars carry exactly the data table's rows."""
    page = (demo_site / "numbers/index.html").read_text(encoding="utf-8")
    found = charts_of(page)
    assert {"honour_levels", "studio_levels", "years", "regions", "industries", "patents_by_studio"} <= set(found)
    for name, (kind, svg, table) in found.items():
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG_NS}svg" and root.get("role") == "img", name
        title = root.find(f"{SVG_NS}title")
        assert title is not None and root.get("aria-labelledby") == title.get("id") and title.text.strip(), name
        assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox")), name
        rows = table_rows(table)
        assert rows and bar_titles(svg) == rows, f"{name}: bars {bar_titles(svg)} ≠ table {rows}"
        if kind != "proportion":  # the value is written on every bar
            values = [t.text for t in root.iter(f"{SVG_NS}text") if t.get("class") == "chart-value"]
            assert values == [v for _, v in rows], name
        assert "<caption>" in table and "scope=\"col\"" in table, name


def test_chart_figures_add_up_the_demo_content(demo_site):
    """The studios' patents add up to what the studio files say; every studio has one level."""
    page = (demo_site / "numbers/index.html").read_text(encoding="utf-8")
    studios = (Path(__file__).parents[1] / "content/studios").glob("*.md")
    patents = sum(int(m) for path in studios for m in re.findall(r"^  patents: (\d+)$", path.read_text(encoding="utf-8"), re.M))
    assert figure_values(page)["工作室获得的专利（合计）"] == str(patents)
    levels = table_rows(charts_of(page)["studio_levels"][2])
    assert sum(int(v) for _, v in levels) == len(list((Path(__file__).parents[1] / "content/studios").glob("*.md")))


def test_a_computed_figure_follows_the_content(make_project, tiny_hall, build_project):
    """Adding a worker changes the worker count, the honour-level chart and the region chart."""
    before = (build_project(make_project(tiny_hall)) / "numbers/index.html").read_text(encoding="utf-8")
    after = (build_project(make_project({**tiny_hall, "content/workers/张毅.md": SECOND_WORKER}))
             / "numbers/index.html").read_text(encoding="utf-8")
    assert figure_values(before)["展出的劳模工匠"] == "1" and figure_values(after)["展出的劳模工匠"] == "2"
    levels_before = dict(table_rows(charts_of(before)["honour_levels"][2]))
    levels_after = dict(table_rows(charts_of(after)["honour_levels"][2]))
    assert (levels_before["国家级"], levels_before["企业级"]) == ("0", "1")
    assert (levels_after["国家级"], levels_after["企业级"]) == ("1", "1"), "two 国家级 honours of one worker count one worker"
    assert bar_titles(charts_of(after)["honour_levels"][1])[0] == ("国家级", "1")
    regions = table_rows(charts_of(after)["regions"][2])
    assert regions == [("吉林长春", "3"), ("重庆", "1")], regions


def test_chart_colours_pass_contrast_and_differ_in_grayscale():
    """Bars stand out from the page (3:1), text on shares reads (4.5:1), neighbouring shares differ in lightness."""
    theme = Theme("#a61b1b", "#b8860b", "#1f1f1f", "#fbf7f0")
    assert contrast(theme.primary, theme.paper) >= 3
    assert contrast(charts.INK, "#ffffff") >= 4.5 and contrast(charts.MUTED, theme.paper) >= 4.5
    fills = [f.format(primary=theme.primary) for f in charts.SHARE_FILLS]
    for fill in fills:
        assert contrast(charts.ink_on(fill), fill) >= 4.5, fill
    for a, b in zip(fills, fills[1:] + fills[:1]):
        assert contrast(a, b) >= 2, f"{a} and {b} look alike in grayscale (lightness {luminance(a):.2f}, {luminance(b):.2f})"


def test_timeline_page_groups_milestones_by_year(make_project, tiny_hall, build_project):
    """Dates written as 年, 年月 and 年月日 are ordered, grouped under their year and given <time datetime>."""
    timeline = ("- date: 2019年5月1日\n  title: 第三件\n  source: 来源三\n"
                "- date: 2018\n  title: 第一件\n  source: 来源一\n  entries: [workers/ai-ziyang, aizy-studio]\n"
                "- date: 2019-05\n  title: 第二件\n  source: 来源二\n")
    output = build_project(make_project({**tiny_hall, "content/data/timeline.yaml": timeline}))
    page = (output / "timeline/index.html").read_text(encoding="utf-8")
    years = re.findall(r'<h2 id="y(\d+)-h" class="timeline-year-title"><time datetime="(\d+)">(\d+)年</time></h2>', page)
    assert years == [("2018", "2018", "2018"), ("2019", "2019", "2019")]
    milestones = re.findall(r'<li class="milestone">\s*(?:<p class="milestone-date"><time datetime="([\d-]+)">([^<]+)</time></p>)?'
                            r'\s*<h3 class="milestone-title">(.*?)</h3>', page)
    # under its year heading a date leaves the year out; one known only to the year shows no date of its own
    assert milestones == [("", "", "第一件"), ("2019-05", "5月", "第二件"), ("2019-05-01", "5月1日", "第三件")]
    first = page.split("第一件", 1)[1].split("</li>", 1)[0]
    assert '<a href="../workers/ai-ziyang/">艾子洋</a>' in first and 'href="../studios/aizy-studio/"' in first
    assert "来源：来源一" in first
    assert (output / "workers/ai-ziyang/index.html").is_file()


def home_milestones(output: Path) -> list[tuple[str, str]]:
    """(date, title) of each milestone in the home page's 大事记 band."""
    band = (output / "index.html").read_text(encoding="utf-8").split('class="band band-timeline"', 1)[1]
    return re.findall(r'<time datetime="[\d-]+">([^<]+)</time></p>\s*<h3 class="milestone-title">(.*?)</h3>', band)


def test_the_home_page_shows_the_latest_six_milestones(make_project, tiny_hall, build_project):
    """With none marked featured, the home band shows the latest six in date order and says where the rest are."""
    timeline = "".join(f"- date: {2024 - n}\n  title: 第{2024 - n}年的事\n  source: 来源\n" for n in range(8))
    output = build_project(make_project({**tiny_hall, "content/data/timeline.yaml": timeline}))
    assert home_milestones(output) == [(f"{year}年", f"第{year}年的事") for year in range(2019, 2025)]
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "6 件要事，全部 8 件见大事记页" in home
    assert re.search(r'<a class="button" href="\./timeline/">按年份看全部大事记</a>', home)


def test_the_home_page_shows_the_featured_milestones(make_project, tiny_hall, build_project):
    """Milestones marked featured: true are the ones on the home page, oldest first, with their full dates."""
    timeline = ("- date: 2024-05\n  title: 大赛\n  source: 来源\n  featured: true\n"
                "- date: 2020\n  title: 小事\n  source: 来源\n"
                "- date: 2017\n  title: 方案印发\n  source: 来源\n  featured: true\n")
    output = build_project(make_project({**tiny_hall, "content/data/timeline.yaml": timeline}))
    assert home_milestones(output) == [("2017年", "方案印发"), ("2024年5月", "大赛")]


# --------------------------------------------------------------------------- mistakes

@pytest.fixture
def site(tmp_path) -> Path:
    """A small valid site in tmp_path/site."""
    return sitekit.make_site(tmp_path / "site")


def test_a_figure_that_is_not_a_number(capsys, site):
    write(site, "content/data/numbers.yaml", "- value: 648\n  caption: 工作室\n  source: 甲\n- value: 六百多\n  unit: 个\n  caption: 乙\n  source: 乙\n")
    block = one(fails(capsys, site), "content/data/numbers.yaml")
    assert header(block) == "content/data/numbers.yaml 第 4 行 · 数值"
    assert "「数值」应该是数字，这里写的是「六百多」" in block and "单位（万元、项）写在别处" in block


def test_a_figure_without_a_source(capsys, site):
    write(site, "content/data/numbers.yaml", "- value: 648\n  unit: 个\n  caption: 工作室\n")
    block = one(fails(capsys, site), "content/data/numbers.yaml")
    assert header(block) == "content/data/numbers.yaml 第 1 行 · 出处" and "缺少必填字段「出处」（source）" in block


def test_a_page_that_wants_the_numbers_url(capsys, site):
    write(site, "content/pages/numbers.md", "---\ntitle: 数字\n---\n正文\n")
    block = one(fails(capsys, site), "content/pages/numbers.md")
    assert "网址 /numbers/ 被两个地方同时使用：「数据」页面（site.yaml 的 data.numbers） 和 content/pages/numbers.md" in block


STATS_MISTAKES = """
stats:
  a:
    label: 甲
    collections: [wokers]
  b:
    label: 乙
    collections: [studios]
    sum: summary
  c:
    label: 丙
    collections: [workers]
    chart: bars
  d:
    label: 丁
    collections: [workers]
    by: regoin
    chart: pie
"""


def test_mistakes_in_stats_are_all_reported(capsys, site):
    text = (site / "site.yaml").read_text(encoding="utf-8")
    text = re.sub(r"\nstats:\n(  .*\n|\n)*", "\n", text) + STATS_MISTAKES
    write(site, "site.yaml", text)
    status, out, err = run(capsys, site)
    assert status == 1 and "Traceback" not in err
    found = [b for b in sitekit.problems(err)]
    heads = [header(b) for b in found]
    lines = text.split("\n")
    assert f"site.yaml 第 {lines.index('    collections: [wokers]') + 1} 行 · stats.a.collections" in heads, "\n".join(found)
    assert any("集合「wokers」不存在。" in b and "您是不是想写「workers」？" in b for b in found)
    assert any("stats.b.sum" in b and "字段「summary」（简介）是文字，这里要的是数字字段" in b for b in found)
    assert any("stats.c.by" in b and "没有写按哪个字段分组" in b for b in found)
    assert any("stats.d.chart" in b and "图表样式「pie」不存在" in b for b in found)
    assert any("stats.d.by" in b and "集合「workers」没有字段「regoin」" in b and "您是不是想写「region」？" in b for b in found)
    assert f"site.yaml 第 {lines.index('    sum: summary') + 1} 行 · stats.b.sum" in heads


def test_a_long_tail_of_bars_is_folded_into_one(make_project, tiny_hall, build_project):
    """With limit: 2, three regions draw as the largest one plus 其他 2 项, adding up the rest."""
    third = SECOND_WORKER.replace("slug: zhang-yi", "slug: li-shuai").replace("name: 张毅", "name: 李帅").replace("region: 重庆", "region: 浙江宁波")
    root = make_project({**tiny_hall, "content/workers/张毅.md": SECOND_WORKER, "content/workers/李帅.md": third})
    site = (root / "site.yaml").read_text(encoding="utf-8")
    site = site.replace("    by: region\n    unit: 个\n", "    by: region\n    unit: 个\n    limit: 2\n")
    (root / "site.yaml").write_text(site, encoding="utf-8")
    page = (build_project(root) / "numbers/index.html").read_text(encoding="utf-8")
    kind, svg, table = charts_of(page)["regions"]
    assert table_rows(table) == [("吉林长春", "3"), ("其他 2 项", "2")]
    assert bar_titles(svg) == table_rows(table)
