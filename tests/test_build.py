"""Whole builds: determinism, nothing half-written, references both ways, any collection, feeds."""
from __future__ import annotations

import hashlib
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import BUILD_PY, REPO, run_build

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def with_workers(hall: dict, count: int, body: str = "正文\n", date: str = "") -> dict:
    """The hall's files plus count generated workers (w000.md … or w0000.md …) of the same enterprise."""
    files = dict(hall)
    width = len(str(count - 1))
    for n in range(count):
        files[f"content/workers/w{n:0{max(3, width)}d}.md"] = (
            f"---\nname: 工匠{n:0{max(3, width)}d}\nphoto: images/ai-ziyang.jpg\nphoto_alt: 示意照片\nposition: 班组长\n"
            f"enterprise: 中车长客\nregion: 吉林长春\nindustry: 轨道交通装备制造\nsummary: 第{n}位。\n"
            + (f"date: {date}\n" if date else "") + f"---\n{body}")
    return files


def tree_digest(folder: Path) -> dict[str, str]:
    """relative path → sha256 of every file under folder."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_of_the_demo_are_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_build(REPO, "--output", str(first)).returncode == 0
    assert run_build(REPO, "--output", str(second), "--jobs", "1").returncode == 0
    assert tree_digest(first) == tree_digest(second)


def test_parallel_build_equals_serial_build(make_project, tiny_hall, tmp_path):
    root = make_project(with_workers(tiny_hall, 450, "正文\n第二行\n", date="2024-01-01"))
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert run_build(root, "--output", str(serial), "--jobs", "1").returncode == 0
    assert run_build(root, "--output", str(parallel), "--jobs", "2").returncode == 0
    assert tree_digest(serial) == tree_digest(parallel)
    assert (parallel / "workers" / "page" / "10" / "index.html").exists()


def test_failed_build_leaves_previous_output_whole(make_project, tiny_hall, tmp_path):
    root = make_project(tiny_hall)
    out = tmp_path / "site"
    assert run_build(root, "--output", str(out)).returncode == 0
    before = tree_digest(out)
    (root / "content/workers/艾子洋.md").write_text("---\nname: [\n---\n", encoding="utf-8")
    assert run_build(root, "--output", str(out)).returncode == 1
    assert tree_digest(out) == before
    assert not any(p.name.startswith(".site.building") for p in tmp_path.iterdir())


def test_killed_build_leaves_previous_output_whole(make_project, tiny_hall, tmp_path):
    files = with_workers(tiny_hall, 3000, "正文。" * 200 + "\n")
    root = make_project(files)
    out = tmp_path / "site"
    assert run_build(root, "--output", str(out)).returncode == 0
    before = tree_digest(out)
    (root / "content/workers/w0001.md").write_text(files["content/workers/w0001.md"].replace("第1位", "改过了"), encoding="utf-8")
    for delay in (0.8, 1.6, 2.4):
        process = subprocess.Popen([sys.executable, str(BUILD_PY), "--root", str(root), "--output", str(out)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        if process.poll() is None:
            import os
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        after = tree_digest(out)
        assert after == before or "改过了" in (out / "workers/w0001/index.html").read_text(encoding="utf-8")
        if after != before:
            before = after
    assert run_build(root, "--output", str(out)).returncode == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.building")]


def test_refuses_to_replace_a_folder_it_did_not_make(make_project, tiny_hall, tmp_path):
    root = make_project(tiny_hall)
    mine = tmp_path / "my-documents"
    mine.mkdir()
    (mine / "工作总结.docx").write_bytes(b"precious")
    result = run_build(root, "--output", str(mine))
    assert result.returncode == 1
    assert "不是展厅生成的" in result.stderr
    assert (mine / "工作总结.docx").read_bytes() == b"precious"


def test_nothing_is_written_outside_the_output_folder_but_the_build_cache(make_project, tiny_hall, tmp_path):
    root = make_project(tiny_hall)
    before = {p for p in tmp_path.rglob("*")}
    out, cache = tmp_path / "out", root / ".cache"
    assert run_build(root, "--output", str(out)).returncode == 0
    new = {p for p in tmp_path.rglob("*")} - before
    assert all(p in (out, cache) or p.is_relative_to(out) or p.is_relative_to(cache) for p in new), sorted(map(str, new - {out}))[:5]


def test_references_resolve_both_ways_in_the_demo(demo_site):
    worker = (demo_site / "workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert 'href="../../enterprises/crrc-changchun/"' in worker
    assert 'href="../../studios/ai-ziyang-dashi/"' in worker
    studio = (demo_site / "studios/ai-ziyang-dashi/index.html").read_text(encoding="utf-8")
    assert 'href="../../workers/ai-ziyang/"' in studio
    assert "带头人" in studio
    enterprise = (demo_site / "enterprises/saic-vw-yizheng/index.html").read_text(encoding="utf-8")
    assert 'href="../../workers/li-shuai/"' in enterprise
    assert 'href="../../studios/yizheng-youqi-chejian/"' in enterprise


def test_a_fourth_collection_needs_only_site_yaml_and_a_template(make_project, tiny_hall, build_project):
    root = make_project(tiny_hall)
    site = (root / "site.yaml").read_text(encoding="utf-8")
    site = site.replace("\ntaxonomies:", """
  competitions:
    label: 竞赛
    item_label: 竞赛
    fields:
      name: {label: 名称, type: text, required: true}
      year: {label: 年份, type: year, required: true}
      contestants: {label: 参赛人数, type: integer}
      winners: {label: 获奖者, type: list, item: {type: ref, to: workers}}
      summary: {label: 简介, type: text}

taxonomies:""")
    (root / "site.yaml").write_text(site, encoding="utf-8")
    (root / "templates/competitions.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>{{ entry.name }}</h1><p class="n">{{ entry.contestants }} 人参赛</p>'
        '<ul>{% for w in entry.winners %}<li><a href="{{ w|link }}">{{ w.title }}</a></li>{% endfor %}</ul>{% endblock %}', encoding="utf-8")
    (root / "content/competitions").mkdir()
    (root / "content/competitions/红旗杯.md").write_text(
        "---\nname: 首届全国“红旗杯”班组长大赛\nyear: 2024\ncontestants: ０２００００\nwinners: [ai-ziyang]\nsummary: 班组长大赛。\n---\n正文\n", encoding="utf-8")
    out = build_project(root)
    page = (out / "competitions/hongqibei/index.html").read_text(encoding="utf-8")
    assert "<h1>首届全国“红旗杯”班组长大赛</h1>" in page
    assert '<p class="n">20000 人参赛</p>' in page
    assert 'href="../../workers/ai-ziyang/"' in page
    assert "首届全国“红旗杯”班组长大赛" in (out / "competitions/index.html").read_text(encoding="utf-8")
    worker = (out / "workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert "艾子洋" in worker


COMPETITIONS = """
  competitions:
    label: 竞赛
    item_label: 竞赛
    fields:
      name: {label: 名称, type: text, required: true}
      rules: {label: 赛制, type: markdown}

taxonomies:"""


def _competition_project(make_project, tiny_hall, rules: str) -> Path:
    """The tiny hall with a collection whose Markdown field 赛制 holds rules."""
    root = make_project(tiny_hall)
    site = (root / "site.yaml").read_text(encoding="utf-8").replace("\ntaxonomies:", COMPETITIONS)
    (root / "site.yaml").write_text(site, encoding="utf-8")
    (root / "templates/competitions.html").write_text(
        '{% extends "base.html" %}{% block main %}<div class="rules">{{ entry.rules }}</div>{% endblock %}', encoding="utf-8")
    (root / "content/competitions").mkdir()
    (root / "content/competitions/红旗杯.md").write_text(f"---\nname: 红旗杯\nrules: |\n{rules}---\n正文\n", encoding="utf-8")
    return root


def test_pictures_links_and_files_in_a_markdown_field_work_like_the_bodys(make_project, tiny_hall, build_project):
    rules = ("  先初赛，再决赛。\n\n  ![艾子洋在决赛现场](../workers/images/ai-ziyang.jpg)\n\n"
             "  冠军是[艾子洋](../workers/艾子洋.md)，见[成绩表](../files/成绩.xlsx)。\n")
    root = _competition_project(make_project, tiny_hall, rules)
    (root / "content/files").mkdir()
    (root / "content/files/成绩.xlsx").write_bytes(b"PK\x03\x04" + bytes(5000))
    out = build_project(root)
    page = (out / "competitions/hongqibei/index.html").read_text(encoding="utf-8")
    assert '<picture>' in page.split('class="rules"')[1] and 'alt="艾子洋在决赛现场"' in page
    assert "../workers/images/ai-ziyang.jpg" not in page  # the web copies, not the photo with its metadata
    assert ('冠军是<a href="../../workers/ai-ziyang/">艾子洋</a>，'
            '见<a href="../../files/%E6%88%90%E7%BB%A9.xlsx" data-file="Excel，5 KB">成绩表</a>。') in page
    assert (out / "files/成绩.xlsx").read_bytes() == b"PK\x03\x04" + bytes(5000)


def test_a_picture_without_description_in_a_markdown_field_is_named_at_its_line(make_project, tiny_hall):
    rules = "  先初赛，再决赛。\n\n  ![](../workers/images/ai-ziyang.jpg)\n\n  冠军是[艾子洋](../workers/艾子羊.md)。\n"
    proc = run_build(_competition_project(make_project, tiny_hall, rules))
    assert proc.returncode == 1
    assert ("content/competitions/红旗杯.md 第 6 行 · 赛制\n   问题：「赛制」里的图片「../workers/images/ai-ziyang.jpg」没有写图片说明。") in proc.stderr
    assert ("content/competitions/红旗杯.md 第 8 行 · 赛制\n   问题：「赛制」里的链接「../workers/艾子羊.md」指向的 content/workers/艾子羊.md 不存在。") in proc.stderr


def test_chinese_file_names_get_pinyin_urls(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    files["content/enterprises/重庆长春.md"] = "---\nname: 示例企业\nregion: 重庆\nindustry: 电力\nsummary: 示例。\n---\n正文\n"
    out = build_project(make_project(files))
    assert (out / "enterprises/chongqingchangchun/index.html").exists()
    assert (out / "regions/chongqing/index.html").exists()


def test_a_summary_and_quote_wrapped_over_lines_show_no_stray_space(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    files["content/workers/艾子洋.md"] = files["content/workers/艾子洋.md"].replace(
        "summary: 37岁的高级技师，带领班组攻克调试难题。",
        "summary: 37岁的高级技师，\n  带领班组攻克\n  调试难题。").replace(
        "quote: 畅通渠道了，我们工人干活更有劲头。", "quote: >\n  畅通渠道了，\n  我们工人干活更有劲头。")
    html = (build_project(make_project(files)) / "workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="37岁的高级技师，带领班组攻克调试难题。">' in html
    assert "畅通渠道了，我们工人干活更有劲头。" in html


def test_every_page_has_title_description_and_open_graph(demo_site):
    for page in sorted(demo_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        name = page.relative_to(demo_site).as_posix()
        assert '<html lang="zh-CN">' in html, name
        assert re.search(r"<title>[^<]+</title>", html), name
        for prop in ("og:title", "og:description", "og:url", "og:image"):
            assert f'property="{prop}" content="' in html, (name, prop)
        assert re.search(r'og:image" content="[^"]+\.jpg">', html), name  # never the SVG logo: apps show none on a card
        assert re.search(r'<meta name="description" content="[^"]+">', html), name
    worker = (demo_site / "workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert re.search(r'<meta property="og:image" content="https://example\.org/zhanting/images/[\w-]+\.jpg">', worker)


def test_feed_sitemap_and_robots(demo_site):
    feed = ET.parse(demo_site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= 20
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert all(e.find(f"{ATOM}id").text.startswith("https://example.org/zhanting/") for e in entries)
    urls = [u.find(f"{SITEMAP}loc").text for u in ET.parse(demo_site / "sitemap.xml").getroot()]
    assert "https://example.org/zhanting/workers/ai-ziyang/" in urls
    assert not any(u.endswith("404.html") for u in urls)
    assert len(urls) == len(set(urls)) == len(list(demo_site.rglob("*.html"))) - 1
    assert "Sitemap: https://example.org/zhanting/sitemap.xml" in (demo_site / "robots.txt").read_text(encoding="utf-8")


def test_yaml_values_are_escaped(make_project, tiny_hall, build_project):
    files = dict(tiny_hall)
    files["content/enterprises/中车长客.md"] = files["content/enterprises/中车长客.md"].replace(
        "summary: 轨道客车制造企业。", 'summary: "<script>alert(1)</script> & <b>粗</b>"')
    out = build_project(make_project(files))
    page = (out / "enterprises/zhongchezhangke/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;粗&lt;/b&gt;" in page


def test_long_listings_are_paginated(make_project, tiny_hall, build_project):
    out = build_project(make_project(with_workers(tiny_hall, 100)))
    first = (out / "workers/index.html").read_text(encoding="utf-8")
    assert 'href="../workers/page/2/" rel="next"' in first
    third = (out / "workers/page/3/index.html").read_text(encoding="utf-8")
    assert 'rel="prev"' in third and not (out / "workers/page/4").exists()
    assert (out / "regions/jilinchangchun/page/3/index.html").exists()
    cards = sum((out / p).read_text(encoding="utf-8").count('class="card ') for p in
                ("workers/index.html", "workers/page/2/index.html", "workers/page/3/index.html"))
    assert cards == 101
    zone = (out / "zone-workers/index.html").read_text(encoding="utf-8")
    assert zone.count('class="card ') == 48
    assert 'href="../workers/">查看全部 101 个' in zone


def test_an_unwritable_output_folder_is_explained_not_a_traceback(make_project, tiny_hall, tmp_path):
    import os

    root = make_project(tiny_hall)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root may write anywhere; use a path under a file instead
            target = tmp_path / "a-file"
            target.write_text("x")
            out = target / "site"
        else:
            out = locked / "site"
        result = run_build(root, "--output", str(out))
    finally:
        locked.chmod(0o700)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert "无法写入" in result.stderr or "没有权限" in result.stderr or "不是文件夹" in result.stderr


def test_every_page_is_reachable_by_links_from_the_home_page(demo_site):
    seen, queue = {"index.html"}, ["index.html"]
    while queue:
        page = queue.pop()
        html = (demo_site / page).read_text(encoding="utf-8")
        base = (demo_site / page).parent
        for href in re.findall(r'(?:href|action)="([^"#?:]+)"', html):  # a GET form (the search box) is a way in too
            target = (base / href).resolve()
            target = target / "index.html" if target.is_dir() else target
            if target.suffix == ".html" and target.is_file() and target.is_relative_to(demo_site.resolve()):
                name = target.relative_to(demo_site.resolve()).as_posix()
                if name not in seen:
                    seen.add(name)
                    queue.append(name)
    pages = {p.relative_to(demo_site).as_posix() for p in demo_site.rglob("*.html")} - {"404.html"}
    assert pages - seen == set()
