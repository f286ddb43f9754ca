"""Whole-site validation through the command line: invalid content in a small site → every problem
at once, in Chinese, with file, line, label, what was found and how to fix it; exit 1; the output
folder exactly as it was.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jinja2.defaults
import pytest

import sitekit
from showcase import cli, pipeline, refs, render
from showcase.errors import Report, close_matches, did_you_mean, sharing_characters
from sitekit import ENTERPRISE, STUDIO, WORKER, problems, run, snapshot, worker, write

W = "content/workers/艾子洋.md"


@pytest.fixture
def site(tmp_path) -> Path:
    """A small valid site in tmp_path/site."""
    return sitekit.make_site(tmp_path / "site")


def fails(capsys, root: Path, *args: str, code: int = 1) -> list[str]:
    """Run a build that must fail; return its numbered problems."""
    status, out, err = run(capsys, root, *args)
    assert status == code, err + out
    assert "Traceback" not in err
    assert err.rstrip().endswith("没有生成：请按上面的提示改正后再运行。output 文件夹保持原样。")
    return problems(err)


def one(found: list[str], path: str = W) -> str:
    """The only problem of path."""
    mine = [p for p in found if p.split("\n")[0].split("] ")[1].startswith(path)]
    assert len(mine) == 1, "\n\n".join(found)
    return mine[0]


def header(block: str) -> str:
    """'file 第 N 行 · label' of a problem block."""
    return block.split("\n")[0].split("] ", 1)[1]


# --------------------------------------------------------------------------- how problems are printed

def test_report_format_numbers_errors_first():
    report = Report()
    report.warn("content/b.md", 3, "", "不认识的字段「honor」。", "删掉这一行。")
    report.error("content/b.md", 0, "", "文件是 GBK 编码。", "另存为 UTF-8。")
    report.error("content/a.md", 7, "所在企业", "没有「中车长课」这个条目。", "您是不是想写「中车长客」？")
    assert report.format() == (
        "发现 2 个错误、1 个警告：\n\n"
        "1. [错误] content/a.md 第 7 行 · 所在企业\n   问题：没有「中车长课」这个条目。\n   改法：您是不是想写「中车长客」？\n\n"
        "2. [错误] content/b.md\n   问题：文件是 GBK 编码。\n   改法：另存为 UTF-8。\n\n"
        "3. [警告] content/b.md 第 3 行\n   问题：不认识的字段「honor」。\n   改法：删掉这一行。\n")
    assert report.format(strict=True).startswith("发现 3 个问题（--strict 模式下警告也算错误）：")
    assert "[警告]" not in report.format(strict=True)


def test_a_problem_found_many_times_is_listed_and_counted_once():
    report = Report()
    for _ in range(3):  # one template line, three pages (or two render workers)
        report.error("templates/workers.html", 20, "模板", "用到了不存在的字段或变量「nmae」。", "检查。")
    report.warn("templates/base.html", 25, "模板", "模板用到的 assets/sytle.css 不存在。", "检查。")
    report.warn("templates/base.html", 25, "模板", "模板用到的 assets/sytle.css 不存在。", "检查。")
    assert report.counts() == (1, 1)
    text = report.format()
    assert text.startswith("发现 1 个错误、1 个警告：\n\n1. [错误] templates/workers.html 第 20 行 · 模板\n")
    assert text.count("nmae") == 1 and "\n3. " not in text


def edit_name_line(site: Path, edit) -> int:
    """Replace the line of the worker template that shows entry.name with edit(line); return its line number."""
    lines = (site / "templates/workers.html").read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if "entry.name" in line)
    lines[index] = edit(lines[index])
    write(site, "templates/workers.html", "\n".join(lines))
    return index + 1


def test_a_template_error_on_every_worker_page_is_counted_once(capsys, site):
    write(site, "content/workers/李帅.md", worker(name="李帅", slug="li-shuai"))
    line = edit_name_line(site, lambda text: text.replace("entry.name", "entry.nmae", 1))
    code, _, err = run(capsys, site)
    assert code == 1
    assert err.startswith(f"发现 1 个错误：\n\n1. [错误] templates/workers.html 第 {line} 行 · 模板\n")


def test_report_with_only_warnings_does_not_fail():
    report = Report()
    report.warn("a.md", 1, "", "x", "y")
    assert not report.failed() and report.failed(strict=True)
    assert report.format().startswith("发现 1 个警告（不影响生成）：")
    assert Report().format() == ""


@pytest.mark.parametrize("word, candidates, labels, expected", [
    ("honor", ["honours", "name", "region"], None, ["honours"]),
    ("荣誉", ["honours", "name"], {"honours": "荣誉", "name": "姓名"}, ["honours"]),
    ("Name", ["name", "region"], None, ["name"]),
    ("高级技工", ["初级工", "中级工", "高级工", "技师", "高级技师", "首席技师", "特级技师"], None, ["高级工", "高级技师"]),
    ("中车长课", ["中车长客", "aizy-studio"], None, ["中车长客"]),
    ("zzz", ["name", "region"], None, []),
    ("", ["name"], None, []),
])
def test_close_matches(word, candidates, labels, expected):
    assert close_matches(word, candidates, labels) == expected
    assert did_you_mean(word, candidates, labels) == (expected[0] if expected else None)


HONOUR_LEVELS = ["国家级", "省部级", "市级", "企业级"]


@pytest.mark.parametrize("word, choices, expected", [
    ("全国", HONOUR_LEVELS, ["国家级"]),  # 国 is in one choice only
    ("全国劳模", HONOUR_LEVELS, ["国家级"]),
    ("公司企业", HONOUR_LEVELS, ["企业级"]),
    ("厂级", HONOUR_LEVELS, []),  # 级 is in every choice: it tells nothing
    ("中国", ["国家级", "中央企业"], []),  # one character each: a tie, no guess
    ("national", HONOUR_LEVELS, []),
    ("全国", ["国家级"], []),
])
def test_sharing_characters(word, choices, expected):
    assert sharing_characters(word, choices) == expected


# --------------------------------------------------------------------------- the baseline

def test_the_small_site_builds(capsys, site):
    code, out, err = run(capsys, site)
    assert code == 0, err
    assert err == ""
    assert out.startswith("完成：") and "个页面" in out and "张图片" in out and "0 个警告" in out and "秒" in out
    assert (site / "output/workers/ai-ziyang/index.html").is_file()


def test_failed_build_leaves_the_output_folder_exactly_as_it_was(capsys, site):
    assert run(capsys, site)[0] == 0
    before = snapshot(site / "output")
    listing = sorted(p.name for p in site.iterdir())
    write(site, W, worker(skill_level="高级技工", industry=None))
    write(site, "templates/home.html", "{% if %}")
    found = fails(capsys, site)
    assert len(found) == 3
    assert snapshot(site / "output") == before
    assert sorted(p.name for p in site.iterdir()) == listing


def test_problems_are_numbered_errors_first(capsys, site):
    write(site, W, worker(skill_level="高级技工", honor="劳模"))
    write(site, "content/studios/s.md", STUDIO.replace("level: 国家级", "level: 国家"))
    code, _, err = run(capsys, site)
    assert code == 1
    assert err.startswith("发现 2 个错误、1 个警告：\n\n1. [错误] content/studios/s.md 第 5 行 · 级别\n   问题：")
    assert "\n2. [错误] content/workers/艾子洋.md 第 11 行 · 技能等级\n" in err
    assert "\n3. [警告] content/workers/艾子洋.md 第 22 行\n   问题：不认识的字段「honor」。\n" in err


# --------------------------------------------------------------------------- 1. YAML syntax

@pytest.mark.parametrize("old, new, line, found", [
    ("position: 调试二班高级技师", 'position: "调试二班高级技师', 6, "引号"),
    ("position: 调试二班高级技师", "  position: 调试二班高级技师", 6, "冒号位置不对"),
    ("honours:\n  - name: 中车资深技能专家\n    year: 2020", "honours:\n  - name: 中车资深技能专家\n     year: 2020", 14, "缩进"),
    ("region: 吉林长春", "region: [吉林, 长春", 9, "方括号 [ ] 没有配对。"),
    ("region: 吉林长春", "region 吉林长春", 9, "缺少"),
])
def test_yaml_syntax_error_at_the_line_of_the_mistake(capsys, site, old, new, line, found):
    write(site, W, WORKER.replace(old, new))
    block = one(fails(capsys, site))
    assert header(block) == f"{W} 第 {line} 行"
    assert found in block
    assert "改法：" in block


# --------------------------------------------------------------------------- 2. Chinese keyboards

@pytest.mark.parametrize("old, new, line, found", [
    ("name: 艾子洋", "name：艾子洋", 2, "「name」后面用了全角冒号「：」。"),
    ("region: 吉林长春", "region：吉林长春", 9, "「region」后面用了全角冒号「：」。"),
    ("name: 艾子洋", "name:艾子洋", 2, "「name:」的冒号后面少了一个空格。"),
    ("name: 艾子洋", "name:\u3000艾子洋", 2, "「name:」的冒号后面是全角空格（中文输入法的空格）。"),
    ("    year: 2020", "\u3000\u3000\u3000\u3000year: 2020", 14, "这一行开头用了全角空格（中文输入法的空格）来缩进。"),
    ("    year: 2020", "\tyear: 2020", 14, "这一行开头用了制表符（Tab 键）来缩进。"),
    ("    year: 2020", "    year：2020", 14, "「year」后面用了全角冒号「：」。"),
    ("  - name: 中车资深技能专家", "  － name: 中车资深技能专家", 13, "列表项开头的「－」不是半角减号（中文输入法打的，或从 Word 复制来的符号）。"),
])
def test_keyboard_slips(capsys, site, old, new, line, found):
    write(site, W, WORKER.replace(old, new))
    block = one(fails(capsys, site))
    assert header(block) == f"{W} 第 {line} 行"
    assert f"问题：{found}" in block


def test_colons_inside_values_are_not_mistakes(capsys, site):
    text = worker(quote="他说：干就完了", summary="12:30 到岗。", position="12:30") + "注意：正文里的冒号不要紧。\n"
    text = text.replace("    publisher: 吉林", "    publisher: 吉林\n    url: https://example.org:8080/a?b=c")
    text = text.replace("summary: 12:30 到岗。", "summary: |\n  注意：这是简介。\n  时间:12:30")
    write(site, W, text)
    code, out, err = run(capsys, site)
    assert code == 0, err
    page = (site / "output/workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert "他说：干就完了" in page and ">12:30<" in page and "注意：正文里的冒号不要紧。" in page


# --------------------------------------------------------------------------- 3. encodings

@pytest.mark.parametrize("data, words", [
    (WORKER.encode("gbk"), "文件是 GBK/GB18030 编码（中文 Windows 的“ANSI”），展厅只读 UTF-8（第 2 行起无法读取）。"),
    (WORKER.encode("gb18030"), "文件是 GBK/GB18030 编码"),
    (WORKER.replace("\n", "\r\n").encode("utf-16"), "文件是 UTF-16 编码（Windows 记事本里叫“Unicode”），展厅只读 UTF-8。"),
    (WORKER.encode("utf-16-le"), "文件是 UTF-16 编码"),
    (b"\xef\xbb\xbf" + WORKER.encode("gbk"), "GBK/GB18030"),
], ids=["gbk", "gb18030", "utf16-bom", "utf16-nobom", "bom-then-gbk"])
def test_file_in_a_windows_encoding(capsys, site, data, words):
    write(site, W, data)
    block = one(fails(capsys, site))
    assert header(block) == W
    assert words in block
    assert "改法：请把文件另存为 UTF-8 编码：记事本选“文件 → 另存为”，在“编码”里选“UTF-8”后保存" in block


def test_utf8_bom_and_crlf_are_accepted_silently(capsys, site):
    write(site, W, b"\xef\xbb\xbf" + WORKER.replace("\n", "\r\n").encode("utf-8"))
    write(site, "content/studios/s.md", b"\xef\xbb\xbf" + STUDIO.encode("utf-8"))
    code, out, err = run(capsys, site)
    assert code == 0 and err == "", err
    page = (site / "output/workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert "调试二班高级技师" in page and "第一段中文" in page and "\r" not in page
    assert "---" not in page.split("<main", 1)[-1]
    assert (site / "output/studios/aizy-studio/index.html").is_file()


# --------------------------------------------------------------------------- 4. fences and empty files

@pytest.mark.parametrize("text, line, found", [
    (WORKER.replace("---", "———", 1), 1, "开头的分隔线写成了「———」。"),
    (WORKER.replace("---", "－－－", 1), 1, "开头的分隔线写成了「－－－」。"),
    (WORKER.replace("\n---\n", "\n－－－\n"), 22, "结尾的分隔线写成了「－－－」。"),
    (WORKER.replace("\n---\n", "\n——\n"), 22, "结尾的分隔线写成了「——」。"),
    (WORKER.split("\n---\n")[0] + "\n", 1, "第 1 行的 --- 之后没有找到结尾的 ---。"),
    ("---\n", 1, "第 1 行的 --- 之后没有找到结尾的 ---。"),
    ("", 1, "文件是空的。"),
    ("\ufeff", 1, "文件是空的。"),
    ("\n\n  \n", 1, "文件是空的。"),
    ("name: 艾子洋\n", 1, "文件开头缺少 --- 分隔线，读不到字段。"),
])
def test_missing_or_mistyped_fences(capsys, site, text, line, found):
    write(site, W, text)
    block = one(fails(capsys, site))
    assert header(block) == f"{W} 第 {line} 行"
    assert f"问题：{found}" in block


def test_references_to_an_unreadable_file_point_at_it(capsys, site):
    write(site, W, WORKER.replace("---", "———", 1))
    found = fails(capsys, site)
    block = one(found, "content/studios/s.md")
    assert header(block) == "content/studios/s.md 第 6 行 · 带头人"
    assert "（content/workers/艾子洋.md 有错误，没能读取，可能就是它：先改好那个文件）" in block


# --------------------------------------------------------------------------- 5. fields

@pytest.mark.parametrize("changes, line, label, found, fix", [
    ({"industry": None}, 1, "行业", "缺少必填字段「行业」（industry）。", "加一行「industry: …」，如 轨道交通装备制造。"),
    ({"industry": ""}, 10, "行业", "「行业」是必填的，但这里是空的。", "在冒号后面填上行业，如 轨道交通装备制造。"),
    ({"industry": "~"}, 10, "行业", "「行业」是必填的，但这里是空的。", "在冒号后面填上行业"),
    ({"date": "2019-13-01"}, 18, "发布日期", "「发布日期」不是一个有效的日期：「2019-13-01」。", "月份 1–12"),
    ({"date": "2019-02-30"}, 18, "发布日期", "「发布日期」不是一个有效的日期：「2019-02-30」。", "日期不超过当月天数"),
    ({"skill_level": "高级技工"}, 11, "技能等级", "「高级技工」不是可选的技能等级。", "您是不是想写「高级工」或「高级技师」？可选值："),
    ({"featured": "是的"}, 22, "重点展示", "「重点展示」应该写 是 或 否，这里写的是「是的」。", "写 true（是）或 false（否）。"),
])
def test_field_errors(capsys, site, changes, line, label, found, fix):
    write(site, W, worker(**changes))
    block = one(fails(capsys, site))
    assert header(block) == f"{W} 第 {line} 行 · {label}"
    assert f"问题：{found}" in block
    assert fix in block


def test_a_level_written_in_everyday_words_gets_the_vocabulary_word(capsys, site):
    write(site, W, WORKER.replace("    level: 企业级", "    level: 全国"))
    block = one(fails(capsys, site))
    assert "问题：「全国」不是可选的荣誉级别。" in block
    assert "改法：您是不是想写「国家级」？可选值：国家级、省部级、市级、企业级。" in block


def test_year_written_in_chinese_numerals(capsys, site):
    write(site, W, WORKER.replace("year: 2020", "year: 二〇二〇"))
    block = one(fails(capsys, site))
    assert header(block) == f"{W} 第 14 行 · 获得年份"
    assert "问题：「获得年份」应该是年份，这里写的是「二〇二〇」。" in block and "改法：用四位阿拉伯数字写，如 2020。" in block


def test_impossible_dates_everywhere_never_crash(capsys, site):
    write(site, W, WORKER.replace("    publisher: 吉林", "    publisher: 吉林\n    date: 2019-02-30"))
    write(site, "content/data/timeline.yaml", "- date: 2017-13-01\n  title: 改革方案\n  source: x\n")
    found = fails(capsys, site)
    assert header(one(found)) == f"{W} 第 22 行 · 发布日期"
    assert header(one(found, "content/data/timeline.yaml")) == "content/data/timeline.yaml 第 1 行 · 日期"


def test_all_field_errors_of_a_file_at_once(capsys, site):
    write(site, W, worker(industry=None, skill_level="高级技工", date="2019-13-01").replace("year: 2020", "year: 二〇二〇"))
    found = fails(capsys, site)
    assert [header(b) for b in found] == [f"{W} 第 1 行 · 行业", f"{W} 第 10 行 · 技能等级",
                                          f"{W} 第 13 行 · 获得年份", f"{W} 第 17 行 · 发布日期"]


@pytest.mark.parametrize("body, line, says", [
    ("".join("    " * i + "- 一层\n" for i in range(45)), 25 + 41, "这一行行首的空格超过 160 个，缩进太深了，排不了版。"),
    ("第一段\n\n" + "> " * 25 + "引文\n", 27, "这一行的引用符号 > 套了 20 层以上，太深了，排不了版。"),
])
def test_markdown_nested_too_deep(capsys, site, body, line, says):
    """Lists or quotes nested deeper than Markdown can convert are the content file's mistake, at their line (not a template error).

    The body starts on line 25; the list's line 42 is the first indented by more than 160 spaces."""
    write(site, W, WORKER + "\n" + body)
    block = one(fails(capsys, site))
    assert header(block) == f"{W} 第 {line} 行 · 正文" and says in block
    assert not [p for p in fails(capsys, site) if "templates/" in p]


def test_a_count_below_its_minimum(capsys, site):
    """A studio's patents written as -3 (site.yaml: min: 0) is an error at its line, not a figure in the sums."""
    write(site, "content/studios/s.md", STUDIO.replace("  patents: 3", "  patents: -3"))
    block = one(fails(capsys, site), "content/studios/s.md")
    assert header(block) == "content/studios/s.md 第 10 行 · 专利（项）"
    assert "「专利（项）」不能小于 0，这里写的是「-3」。" in block and "没有就写 0，或删掉这一行" in block


def test_min_on_a_text_field_is_a_site_yaml_mistake(capsys, site):
    text = (site / "site.yaml").read_text(encoding="utf-8")
    write(site, "site.yaml", text.replace("quote: {label: 金句, type: text", "quote: {label: 金句, type: text, min: 0", 1))
    block = one(fails(capsys, site), "site.yaml")
    assert "「quote」是 text 字段，min 只用于 integer 和 number 字段。" in block


def test_a_file_with_hundreds_of_mistakes_lists_twenty(capsys, site):
    """A mangled file lists its first 20 mistakes and counts the rest; other files' problems are still listed."""
    write(site, W, WORKER.replace("position: 调试二班高级技师\n", "position: 调试二班高级技师\n" + "name: 艾子洋\n" * 300))
    write(site, "content/enterprises/中车长客.md", ENTERPRISE.replace("industry: 轨道交通装备制造\n", ""))
    status, out, err = run(capsys, site)
    total = int(err.split(" 个错误", 1)[0].removeprefix("发现 "))
    found = problems(err)
    mine = [block for block in found if header(block).startswith(f"{W} 第 ")]
    assert status == 1 and len(mine) == 20 and len(found) == total - 280
    assert "content/enterprises/中车长客.md 第 1 行 · 行业" in [header(block) for block in found]
    assert f"   …{W} 还有 280 个错误没有列出：先改好上面这些，再运行一次。" in err.split("\n")


def test_a_huge_pasted_body_is_refused_not_converted(capsys, site):
    """A 1.9 MB body of brackets (Python-Markdown and the search text would take hours over it) fails at once,
    named at the body's first line."""
    write(site, W, WORKER + "\n" + "[" * 1_900_000)
    block = one(fails(capsys, site))
    assert header(block) == f"{W} 第 23 行 · 正文" and "有 1900007 个字，太长了（最多 100000 个字）。" in block


def test_markdown_field_nested_too_deep(capsys, site):
    """The same for a field of type markdown, at the field's line."""
    text = (site / "site.yaml").read_text(encoding="utf-8")
    write(site, "site.yaml", text.replace("      quote: {", "      intro: {label: 导语, type: markdown}\n      quote: {", 1))
    write(site, W, worker(intro='"' + "> " * 30 + '引文"'))
    block = one(fails(capsys, site))
    assert header(block).startswith(f"{W} 第 ") and header(block).endswith(" · 导语")
    assert "引用最多套 20 层：删掉行首多余的 >。" in block


# --------------------------------------------------------------------------- 6. unknown fields

def test_unknown_field_is_a_warning(capsys, site):
    write(site, W, worker(honor="全国劳模"))
    code, out, err = run(capsys, site)
    assert code == 0
    assert err.startswith("发现 1 个警告（不影响生成）：\n\n1. [警告] content/workers/艾子洋.md 第 22 行\n")
    assert "问题：不认识的字段「honor」。" in err and "改法：您是不是想写「honours」（荣誉）？" in err
    assert "1 个警告" in out


def test_unknown_field_is_an_error_under_strict(capsys, site):
    write(site, W, worker(honor="全国劳模"))
    code, _, err = run(capsys, site, "--strict")
    assert code == 1
    assert err.startswith("发现 1 个问题（--strict 模式下警告也算错误）：\n\n1. [错误] content/workers/艾子洋.md 第 22 行\n")


def test_a_value_cut_short_by_a_comment_is_a_warning(capsys, site):
    text = worker(position="调试产线组 #2班 高级技师")
    write(site, W, text)
    code, out, err = run(capsys, site)
    assert code == 0 and "1 个警告" in out
    block = one(problems(err))
    assert block.startswith("1. [警告] ") and header(block) == f"{W} 第 {text.split(chr(10)).index('position: 调试产线组 #2班 高级技师') + 1} 行"
    assert "问题：这一行的值只读到了「调试产线组」：「 #」和后面的「#2班 高级技师」被 YAML 当成了注释，页面上不会显示。" in block
    assert '改法：要保留它，就把整个值用半角引号括起来，写成 "调试产线组 #2班 高级技师"；' in block


def test_chinese_key_equal_to_a_label(capsys, site):
    write(site, W, worker(荣誉="全国劳模"))
    code, _, err = run(capsys, site)
    assert code == 0
    block = one(problems(err))
    assert "问题：不认识的字段「荣誉」。" in block
    assert "改法：字段名要写英文：把「荣誉:」改成「honours:」（「荣誉」是它在网页上显示的中文名）。" in block


# --------------------------------------------------------------------------- 7. duplicate keys

def test_duplicate_key_names_both_lines(capsys, site):
    write(site, W, WORKER.replace("summary: 37岁的高级技师。", "summary: 37岁的高级技师。\nname: 艾子样"))
    block = one(fails(capsys, site))
    assert header(block) == f"{W} 第 18 行"
    assert "问题：字段「name」写了两次（第 2 行和第 18 行）。" in block


# --------------------------------------------------------------------------- 8. references and URLs

def test_reference_to_a_missing_entry_with_did_you_mean(capsys, site):
    write(site, W, worker(enterprise="中车长课", studio="aizy-studo"))
    found = fails(capsys, site)
    assert len(found) == 2
    assert header(found[0]) == f"{W} 第 7 行 · 所在企业"
    assert "问题：「试点企业」（content/enterprises/）里没有「中车长课」这个条目。" in found[0]
    assert "改法：您是不是想写「中车长客」？" in found[0]
    assert header(found[1]) == f"{W} 第 8 行 · 所在工作室"
    assert "您是不是想写「aizy-studio」？" in found[1]


@pytest.mark.parametrize("title, written", [
    ("中交一公局（重庆）万州公司", "中交一公局（重庆）万州公司"),  # full-width brackets were folded away before the lookup
    ("中交一公局(重庆)万州公司", "中交一公局（重庆）万州公司"),  # the brackets typed the other way still find it
    ("中交一公局（重庆）万州公司", "中交一公局(重庆)万州公司"),
    ("中车长客", "ＣＲＲＣ-changke"),  # its slug, typed in full-width capitals
])
def test_a_reference_finds_a_name_written_with_full_width_brackets_or_letters(capsys, site, title, written):
    write(site, "content/enterprises/中车长客.md", ENTERPRISE.replace("name: 中车长春轨道客车股份有限公司", f"name: {title}\nslug: crrc-changke"))
    write(site, "content/studios/s.md", STUDIO.replace("enterprise: 中车长春轨道客车股份有限公司", "enterprise: crrc-changke"))
    write(site, W, worker(enterprise=written))
    code, _, err = run(capsys, site, "--output", str(site / "out"))
    assert code == 0, err
    assert f'<a href="../../enterprises/crrc-changke/">{title}</a>' in (site / "out/workers/ai-ziyang/index.html").read_text(encoding="utf-8")


def test_several_entries_on_one_line_are_shown_as_list_items(capsys, site):
    write(site, "content/data/timeline.yaml", "- date: 2017\n  title: 改革方案\n  source: x\n  entries: 艾子洋、aizy-studio\n")
    block = one(fails(capsys, site), "content/data/timeline.yaml")
    assert header(block) == "content/data/timeline.yaml 第 4 行 · 相关条目"
    assert "问题：「艾子洋、aizy-studio」是 2 个条目写在了一起。" in block
    assert "改法：列表一项写一行：从下一行起写「  - 艾子洋」、「  - aizy-studio」（减号前两个空格）；只能填一个条目的字段，只留其中一个。" in block


def test_reference_in_a_data_file(capsys, site):
    write(site, "content/data/timeline.yaml", "- date: 2017\n  title: 改革方案\n  source: x\n  entries: [workers/ai-ziyng]\n")
    block = one(fails(capsys, site), "content/data/timeline.yaml")
    assert header(block) == "content/data/timeline.yaml 第 4 行 · 相关条目"
    assert "您是不是想写「workers/ai-ziyang」？" in block


def test_two_files_with_the_same_slug(capsys, site):
    write(site, "content/workers/b.md", WORKER.replace("name: 艾子洋", "name: 别人"))
    block = one(fails(capsys, site), "content/workers/b.md")
    assert header(block) == "content/workers/b.md 第 3 行 · 网址"
    assert "网址 /workers/ai-ziyang/ 被两个地方同时使用：content/workers/艾子洋.md 和 content/workers/b.md。" in block


@pytest.mark.parametrize("copy", ["艾子洋 - 副本.md", "艾子洋 - 副本 (2).md", "艾子洋(1).md", "艾子洋 - Copy.md", "艾子洋 的副本.md"])
def test_a_copy_that_windows_named_is_called_a_copy(capsys, site, copy):
    write(site, f"content/workers/{copy}", worker(slug="ai-ziyang"))
    write(site, W, worker(slug="ai-ziyang"))
    block = one(fails(capsys, site), f"content/workers/{copy}")
    assert f"改法：content/workers/{copy} 看起来是复制文件时自动起的名字：不需要它就删掉；" in block


def test_a_file_in_the_wrong_folder_is_told_where_it_belongs(capsys, site):
    write(site, "content/studios/艾子洋.md", worker(slug="ai-ziyang-2"))
    block = one(fails(capsys, site), "content/studios/艾子洋.md")
    assert block.endswith("问题：这个文件的字段（honours、photo、photo_alt、position）是「劳模工匠」的，它却放在了 content/studios/ 里。\n"
                          "改法：把它移到 content/workers/ 文件夹里。")


def test_one_term_written_two_ways_is_a_warning_at_the_rarer_way(capsys, site):
    write(site, "content/workers/b.md", worker(slug="b", name="别人", region="吉林长春"))
    write(site, "content/workers/c.md", worker(slug="c", name="另一人", region="吉林 长春"))
    write(site, "content/workers/d.md", worker(slug="d", name="第三人", region="吉林省长春市"))
    write(site, "content/workers/e.md", worker(slug="e", name="第四人", region="吉林四平"))  # another place: no warning
    code, _, err = run(capsys, site, "--output", str(site / "out"))
    assert code == 0, err
    line = worker().split("\n").index("region: 吉林长春") + 1
    for source, written in (("c", "吉林 长春"), ("d", "吉林省长春市")):
        assert (f"[警告] content/workers/{source}.md 第 {line} 行\n   问题：地区「{written}」和别的文件里的「吉林长春」像是一个地区的两种写法，"
                "会分成两个地区页面。\n   改法：是同一个的话，统一写成「吉林长春」（3 个条目这样写）。") in err  # 艾子洋, b and the enterprise
    assert err.count("[警告]") == 2


@pytest.mark.parametrize("one, other, same", [
    ("全国劳模", "全国劳动模范", True),
    ("全国劳动模范称号", "全国劳动模范", True),
    ("全国五一劳动奖章获得者", "全国“五一”劳动奖章", True),
    ("重庆市", "重庆", True),
    ("ＡＢＣ 班组", "abc班组", True),
    ("省劳动模范", "劳动模范", False),  # 省 first is the honour's level, not a place's suffix
    ("全国劳动模范", "全国先进工作者", False),
    ("吉林长春", "吉林四平", False),
])
def test_two_ways_of_writing_one_term_share_a_spelling_key(one, other, same):
    assert (refs.spelling_key(one) == refs.spelling_key(other)) is same


def test_a_copy_with_its_own_url_is_a_warning(capsys, site):
    write(site, "content/workers/艾子洋 - 副本.md", worker(slug=None))
    write(site, "content/workers/别人 - 副本.md", worker(slug=None, name="别人"))  # no 别人.md: not a copy of anything
    code, _, err = run(capsys, site, "--output", str(site / "out"))
    assert code == 0, err
    assert ("[警告] content/workers/艾子洋 - 副本.md · 文件名\n   问题：这个文件的名字像是复制出来的副本，而 content/workers/艾子洋.md 也在："
            "两个都会作为条目展出。\n   改法：不需要它就删掉；要把它改写成另一个条目，就给它起个新文件名。") in err
    assert err.count("[警告]") == 1


def test_chinese_and_pinyin_file_names_that_want_one_url(capsys, site):
    write(site, "content/enterprises/长春.md", ENTERPRISE.replace("中车长春轨道客车股份有限公司", "长春客车厂"))
    write(site, "content/enterprises/changchun.md", ENTERPRISE.replace("中车长春轨道客车股份有限公司", "长春机车厂"))
    found = fails(capsys, site)
    assert len(found) == 1
    assert "content/enterprises/changchun.md" in found[0] and "content/enterprises/长春.md" in found[0]
    assert "/enterprises/changchun/" in found[0] and "slug:" in found[0]


# --------------------------------------------------------------------------- 9. images

@pytest.mark.parametrize("photo, extra, found", [
    ("missing.jpg", {}, "找不到图片「content/workers/missing.jpg」。"),
    ("A.JPG", {}, "文件夹里有「a.jpg」，是不是它？"),
    ("../../etc/passwd", {}, "图片路径「../../etc/passwd」指向 content 文件夹以外。"),
    ("..\\..\\..\\windows\\win.ini", {}, "指向 content 文件夹以外"),
    ("C:\\Users\\me\\a.jpg", {}, "指向 content 文件夹以外。\n改法：把「a.jpg」复制到 content/workers/images/ 里，再写 images/a.jpg。"),
    ("b.jpg", {"content/images/B.jpg": b"x"}, "找不到图片「content/workers/b.jpg」。\n改法：它在 content/images/B.jpg：写成 ../images/B.jpg。"),
    ("fake.jpg", {"content/workers/fake.jpg": "这不是图片"}, "「content/workers/fake.jpg」不是能识别的图片，或文件已损坏。"),
    ("empty.jpg", {"content/workers/empty.jpg": b""}, "不是能识别的图片"),
])
def test_bad_images(capsys, site, photo, extra, found):
    for path, data in extra.items():
        write(site, path, data)
    write(site, W, worker(photo=photo))
    block = one(fails(capsys, site))
    assert header(block) == f"{W} 第 4 行 · 照片"
    assert found in block


def test_a_picture_named_with_full_width_characters_is_found(capsys, site):
    write(site, "content/workers/李帅（右），在车间.jpg", sitekit.jpeg_bytes())
    write(site, W, worker(photo="李帅（右），在车间.jpg"))
    code, _, err = run(capsys, site, "--output", str(site / "out"))
    assert code == 0, err  # the name was read as 李帅(右),在车间.jpg and not found
    assert '<picture><source type="image/webp" srcset="../../images/li' in (site / "out/workers/ai-ziyang/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("written, found, fix", [
    ("![](a.jpg)", "正文里的图片「a.jpg」没有写图片说明。", "在方括号里写一句说明，如 ![张毅在工作室调试设备](a.jpg)："),
    ("![车间](missing.jpg)", "找不到图片「content/workers/missing.jpg」。", "检查文件名"),
    ("![车间](A.JPG)", "找不到图片「content/workers/A.JPG」。", "文件夹里有「a.jpg」，是不是它？"),
    ("![车间](../../etc/passwd)", "正文里的图片路径「../../etc/passwd」指向 content 文件夹以外。", "把图片放进 content/workers/images/"),
    ("![车间](https://example.org/a.jpg)", "正文里的图片「https://example.org/a.jpg」在别的网站上：离线的展厅和触摸屏显示不出来",
     "把图片保存下来放进 content/workers/images/，再写成 ![图片说明](images/文件名.jpg)。"),
    ("![车间](//cdn.example.org/a.jpg)", "在别的网站上", "保存下来"),
    ("![车间](fake.jpg)", "「content/workers/fake.jpg」不是能识别的图片，或文件已损坏。", ""),
])
def test_bad_pictures_in_the_body_are_named_at_their_line(capsys, site, written, found, fix):
    write(site, "content/workers/fake.jpg", "这不是图片")
    text = worker().replace("第一段中文", f"第一段中文\n\n![车间](a.jpg)\n\n{written}\n\n结尾")
    write(site, W, text)
    block = one(fails(capsys, site))
    assert header(block) == f"{W} 第 {text.split(chr(10)).index(written) + 1} 行 · 正文图片"  # the second picture's line, not the first's
    assert found in block and fix in block


def test_a_link_in_the_body_to_an_entrys_file_leads_to_its_page(capsys, site):
    write(site, "content/studios/s.md", STUDIO.replace("正文", "带头人是[艾子洋](../workers/艾子洋.md#荣誉)，见[报道](https://example.org/a)。"))
    code, _, err = run(capsys, site, "--output", str(site / "out"))
    assert code == 0, err
    page = (site / "out/studios/aizy-studio/index.html").read_text(encoding="utf-8")
    assert '带头人是<a href="../../workers/ai-ziyang/#荣誉">艾子洋</a>，见<a href="https://example.org/a">报道</a>。' in page


def test_a_link_in_the_body_to_a_data_file_a_folder_or_content_itself_leads_to_its_page(capsys, site):
    write(site, "content/studios/s.md", STUDIO.replace("正文", "见[大事记](../data/timeline.yaml#y2017)、[数字](../data/numbers.yaml)和[全部劳模](../workers/)，"
                                                             "回[展厅首页](../)或[首页](/)。"))
    code, _, err = run(capsys, site, "--output", str(site / "out"))
    assert code == 0, err
    page = (site / "out/studios/aizy-studio/index.html").read_text(encoding="utf-8")
    assert ('见<a href="../../timeline/#y2017">大事记</a>、<a href="../../numbers/">数字</a>'
            '和<a href="../../workers/">全部劳模</a>，回<a href="../../">展厅首页</a>或<a href="../../">首页</a>。') in page
    assert 'id="y2017"' in (site / "out/timeline/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("written, found, fix", [
    ("../workers/艾子羊.md", "正文里的链接「../workers/艾子羊.md」指向的 content/workers/艾子羊.md 不存在。",
     "您是不是想写「../workers/艾子洋.md」？写对方条目文件相对本文件的路径"),
    ("艾子洋", "正文里的链接「艾子洋」指向的不是展厅里的条目、页面或能发布的文件，点开会找不到。", "要链接「艾子洋」，就写成「../workers/艾子洋.md」；"),
    ("../pages/about.html", "指向的不是展厅里的条目、页面或能发布的文件", "链接展厅里的条目，写对方文件相对本文件的路径，如 [李帅](../workers/李帅.md)；"),
    ("../data/timeline.yml", "指向的不是展厅里的条目、页面或能发布的文件", "您是不是想写「../data/timeline.yaml」？"),
    ("../../../etc/passwd", "正文里的链接「../../../etc/passwd」指向 content 文件夹以外。", "写完整网址（https:// 开头）"),
])
def test_a_link_in_the_body_that_leads_nowhere_is_named_at_its_line(capsys, site, written, found, fix):
    text = STUDIO.replace("正文", f"正文\n\n[好的](../workers/艾子洋.md)和\n[坏的]({written})")
    write(site, "content/studios/s.md", text)
    block = one(fails(capsys, site), "content/studios/s.md")
    assert header(block) == f"content/studios/s.md 第 {text.split(chr(10)).index(f'[坏的]({written})') + 1} 行 · 正文链接"
    assert found in block and fix in block


# --------------------------------------------------------------------------- 10. templates

def test_template_syntax_error_is_listed_with_content_errors(capsys, site):
    template = (site / "templates/workers.html").read_text(encoding="utf-8")
    write(site, "templates/workers.html", "{% if entry %}\n" + template)
    write(site, "content/enterprises/中车长客.md", ENTERPRISE.replace("industry: 轨道交通装备制造\n", ""))
    found = fails(capsys, site)
    assert len(found) == 2
    assert header(found[0]) == "content/enterprises/中车长客.md 第 1 行 · 行业"
    assert header(found[1]) == "templates/workers.html 第 1 行 · 模板"
    assert "第 1 行的「{% if %}」没有对应的「{% endif %}」" in found[1]


def test_template_runtime_error_names_file_and_line(capsys, site):
    line = edit_name_line(site, lambda text: text.replace("entry.name", "entry.nmae", 1))
    block = one(fails(capsys, site), "templates/workers.html")
    assert header(block) == f"templates/workers.html 第 {line} 行 · 模板"
    assert "用到了不存在的字段或变量「nmae」。您是不是想写「name」？" in block


def test_template_runtime_error_is_listed_with_content_errors(capsys, site):
    line = edit_name_line(site, lambda text: text.replace("entry.name", "entry.nmae", 1))
    write(site, "content/enterprises/中车长客.md", ENTERPRISE.replace("industry: 轨道交通装备制造\n", ""))
    found = fails(capsys, site)
    assert [header(b) for b in found] == ["content/enterprises/中车长客.md 第 1 行 · 行业", f"templates/workers.html 第 {line} 行 · 模板"]


def problem_of_name_line(capsys, site: Path, expression: str) -> tuple[int, str]:
    """Add expression to the line of the worker template that shows entry.name; that line's number and the one problem of the template."""
    line = edit_name_line(site, lambda text: text + expression)
    return line, one(fails(capsys, site), "templates/workers.html")


@pytest.mark.parametrize("expression, says", [
    ("{{ none|asset }}", "模板出错：过滤器「asset」要的是一个 assets 文件夹里的文件名（如 'style.css'），这里给的是「None」。"),
    ("{{ 'a'|card }}", "模板出错：过滤器「card」要的是一个条目（如 entry、entries 里的一项），这里给的是「a」。"),
    ("{{ entry.name|chart }}", "模板出错：过滤器「chart」要的是一项统计（如 stats[0]），这里给的是「艾子洋」。"),
    ("{{ site|link }}", "模板出错：过滤器「link」要的是一个条目或站内地址（如 'workers/'），这里给的是 Site 对象。"),
    ("{{ 3|absolute }}", "模板出错：过滤器「absolute」要的是一个条目或站内地址，这里给的是「3」。"),
])
def test_a_filter_given_a_value_it_cannot_use_says_which_filter_wants_what(capsys, site, expression, says):
    line, block = problem_of_name_line(capsys, site, expression)  # exit 1 and a problem, not an internal error (exit 3)
    assert header(block) == f"templates/workers.html 第 {line} 行 · 模板"
    assert says in block


def test_an_asset_file_that_is_not_there_is_a_warning_at_its_template_line(capsys, site):
    lines = (site / "templates/base.html").read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if "'style.css'|asset" in line)
    lines[index] = lines[index].replace("'style.css'|asset", "'sytle.css'|asset")
    write(site, "templates/base.html", "\n".join(lines))
    code, _, err = run(capsys, site)
    assert code == 0
    assert err.startswith(f"发现 1 个警告（不影响生成）：\n\n1. [警告] templates/base.html 第 {index + 1} 行 · 模板\n"
                          "   问题：模板用到的 assets/sytle.css 不存在，页面上会缺这个文件。\n"
                          "   改法：您是不是想写「style.css」？检查文件名，或把这个文件放进 assets 文件夹。\n")
    assert run(capsys, site, "--strict", "--clean")[0] == 1


@pytest.mark.parametrize("expression, says", [
    ("{{ ''.__class__.__mro__ }}", "模板里有为安全起见不允许的写法（access to attribute '__class__' of 'str' object is unsafe.）"),
    ("{{ cycler.__init__.__globals__ }}", "模板里有为安全起见不允许的写法（access to attribute '__init__'"),
    ("{{ entry._html }}", "模板里有为安全起见不允许的写法（access to attribute '_html' of 'Entry' object is unsafe.）"),
    ("{{ '{0.__class__}'.format(entry) }}", "模板里有为安全起见不允许的写法"),
    ("{{ 10 ** 100000000 }}", "模板里有为安全起见不允许的写法（乘方 10 ** 100000000 的结果太大）"),
    ("{{ '展' * 100000000 }}", "模板里有为安全起见不允许的写法（重复 100000000 次得到的文字或列表太长）"),
    ("{% for i in range(10 ** 9) %}{{ i }}{% endfor %}", "模板里的 range(…) 太大：最多 100000 个数。"),
])
def test_a_template_cannot_reach_python_or_compute_without_end(capsys, site, expression, says):
    line, block = problem_of_name_line(capsys, site, expression)
    assert header(block) == f"templates/workers.html 第 {line} 行 · 模板"
    assert says in block


# 10⁹ turns of a loop: about a minute per page, so a page that is not stopped fails the test instead of hanging it
NESTED_LOOPS = "{% for a in range(10000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
# keeps a new quarter-megabyte text each turn, turning slowly enough for the watcher to look: 250 MB if not stopped
GROWING = ('{% set ns = namespace(kept=[]) %}{% for i in range(1000) %}{{ ns.kept.append("x" * 262144) or "" }}'
           '{% for j in range(3000) %}{% endfor %}{% endfor %}')


@pytest.mark.parametrize("limit, value, template, says, fix", [
    ("PAGE_SECONDS", 1, NESTED_LOOPS, "一个页面生成了 1 秒还没有完成，已经停下：模板在这一行可能陷入了非常大或没有尽头的循环。",
     "不要在遍历全部条目的循环里再遍历全部条目"),
    ("PAGE_MEMORY", 32 * 2**20, GROWING, "生成一个页面占用的内存超过了 32 MB，已经停下：模板在这一行可能在循环里把文字或列表越接越长。",
     "不要每一轮都把变量接上它自己（如 {% set ns.s = ns.s ~ ns.s %}）"),
], ids=["endless", "growing"])
def test_a_page_past_its_limit_is_stopped_and_named(capsys, site, monkeypatch, limit, value, template, says, fix):
    monkeypatch.setattr(render, limit, value)
    assert run(capsys, site)[0] == 0
    before = snapshot(site / "output")
    line, block = problem_of_name_line(capsys, site, template)
    assert header(block) == f"templates/workers.html 第 {line} 行 · 模板"
    assert f"问题：{says}" in block and fix in block
    assert snapshot(site / "output") == before


def test_a_page_without_end_is_stopped_in_forked_render_workers_too(capsys, site, monkeypatch):
    monkeypatch.setattr(render, "PAGE_SECONDS", 1)
    monkeypatch.setattr(pipeline, "PARALLEL_PAGES", 1)
    lines = (site / "templates/term.html").read_text(encoding="utf-8").split("\n")
    lines.insert(1, NESTED_LOOPS)
    write(site, "templates/term.html", "\n".join(lines))
    capsys.readouterr()
    code = cli.main(["--root", str(site), "--jobs", "2", "--clean"])
    err = capsys.readouterr().err
    assert code == 1
    found = problems(err)
    assert [header(b) for b in found] == ["templates/term.html 第 2 行 · 模板"]  # the same problem from both workers, listed once
    assert not (site / "output").exists()


def test_a_page_the_computer_has_no_memory_for_is_explained(capsys, site, monkeypatch):
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setitem(jinja2.defaults.DEFAULT_FILTERS, "center", no_memory)  # as "x"|center(10**10) on a small computer
    line, block = problem_of_name_line(capsys, site, "{{ entry.name|center(80) }}")
    assert header(block) == f"templates/workers.html 第 {line} 行 · 模板"
    assert "问题：生成一个页面时电脑的内存不够用了，已经停下：模板在这一行可能在循环里把文字或列表越接越长。" in block


def test_a_variable_other_pages_have_is_not_suggested_as_itself(capsys, site):
    line, block = problem_of_name_line(capsys, site, "{{ entries|first }}")
    assert ("问题：模板出错：用到了这个页面没有的字段或变量「entries」：别的页面或别的集合才有它"
            "（每种页面有哪些变量，见 README 的“模板”一节）。") in block


def test_a_template_may_still_compute_what_a_page_needs(capsys, site):
    edit_name_line(site, lambda text: text + "<span hidden>{{ 2 ** 10 }}|{{ '·' * 3 }}|{{ range(3)|list|length }}|"
                                              "{{ '{}年'.format(2024) }}|{{ entry.name.startswith('艾') }}</span>")
    code, _, err = run(capsys, site)
    assert code == 0, err
    page = (site / "output/workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert "<span hidden>1024|···|3|2024年|True</span>" in page


@pytest.mark.parametrize("encoding, says", [
    ("gbk", "文件是 GBK/GB18030 编码（中文 Windows 的“ANSI”），展厅只读 UTF-8"),
    ("utf-16", "文件是 UTF-16 编码（Windows 记事本里叫“Unicode”），展厅只读 UTF-8。"),
])
def test_template_saved_in_another_encoding(capsys, site, encoding, says):
    """A template saved by Notepad as ANSI or Unicode is explained like a content file, with the other problems."""
    template = (site / "templates/workers.html").read_text(encoding="utf-8")
    write(site, "templates/workers.html", template.encode(encoding))
    write(site, "content/enterprises/中车长客.md", ENTERPRISE.replace("industry: 轨道交通装备制造\n", ""))
    found = fails(capsys, site)
    assert [header(b) for b in found] == ["content/enterprises/中车长客.md 第 1 行 · 行业", "templates/workers.html · 模板"]
    assert says in found[1] and "记事本选“文件 → 另存为”，在“编码”里选“UTF-8”后保存" in found[1]


def test_template_with_bom_and_crlf_builds_as_without(capsys, site, tmp_path):
    """A template saved as UTF-8 with BOM and Windows line endings gives the same pages as one without."""
    assert run(capsys, site, "--output", str(tmp_path / "plain"))[0] == 0
    template = (site / "templates/base.html").read_text(encoding="utf-8")
    write(site, "templates/base.html", b"\xef\xbb\xbf" + template.replace("\n", "\r\n").encode("utf-8"))
    assert run(capsys, site, "--output", str(tmp_path / "windows"))[0] == 0
    for name in ("index.html", "workers/ai-ziyang/index.html"):
        page = (tmp_path / "windows" / name).read_bytes()
        assert page.startswith(b"<!DOCTYPE html>") and page == (tmp_path / "plain" / name).read_bytes()


# --------------------------------------------------------------------------- 11. site.yaml

def test_site_yaml_errors_through_the_command_line(capsys, site):
    text = (site / "site.yaml").read_text(encoding="utf-8")
    text = text.replace("subtitle:", "subtitel:").replace("feed:\n  limit: 20", "feed: {limit: many}").replace('primary: "#a61b1b"', "primary: red")
    write(site, "site.yaml", text)
    found = fails(capsys, site)
    assert [header(b).split(" · ")[1] for b in found] == ["subtitel", "theme.primary", "feed.limit"]
    assert "您是不是想写「subtitle」？" in found[0]
    assert "如 #a61b1b" in found[1]
    assert "如 20" in found[2]


@pytest.mark.parametrize("args, value, where", [
    ((), ".", "项目文件夹本身"),
    ((), "content", "content 文件夹"),
    ((), "/", "磁盘根目录"),
    (("--output", "/"), None, "磁盘根目录"),
    (("--output", "content"), None, "content 文件夹"),
])
def test_output_folder_that_would_destroy_files(capsys, site, args, value, where):
    if value is not None:
        text = (site / "site.yaml").read_text(encoding="utf-8").replace("output: output", f"output: {value}")
        write(site, "site.yaml", text)
    block = one(fails(capsys, site, *args, code=1 if value else 2), "site.yaml" if value else "命令行")
    assert f"是{where}：生成时会整个替换它，会删掉您的文件。" in block
    assert (site / "content/workers/艾子洋.md").is_file()


# --------------------------------------------------------------------------- types come from the schema

@pytest.mark.parametrize("raw", ["010020", "NO", "12:30", "yes", "1e3", "0x1F", "true", "null?", "2019-05-01"])
def test_text_field_appears_exactly_as_written(capsys, site, raw):
    write(site, W, worker(position=raw))
    code, _, err = run(capsys, site)
    assert code == 0, err
    page = (site / "output/workers/ai-ziyang/index.html").read_text(encoding="utf-8")
    assert f">{raw}<" in page


# --------------------------------------------------------------------------- no input crashes the build

ROBUSTNESS = r"""
import contextlib, io, json, os, sys, time
from pathlib import Path
sys.path[:0] = [TESTS, str(Path(TESTS).parent)]
import sitekit
from showcase import cli

laughs = ["a: &a [x,x,x,x,x,x,x,x,x]"] + [
    f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]" for p, n in zip("abcdefgh", "bcdefghi")]
NASTY = {
    "binary": bytes((i * 7919 + 13) % 256 for i in range(5000)),
    "nested-brackets": ("---\nname: " + "[" * 10000 + "\n---\n").encode(),
    "nested-dashes": ("---\nname:\n  " + "- " * 100000 + "a\n---\n").encode(),
    "billion-laughs": ("---\n" + "\n".join(laughs) + "\nname: *i\n---\n").encode(),
    "python-tag": b'---\nname: !!python/object/apply:os.system ["echo hi"]\n---\n',
    "three-mb": ("---\nname: a\n---\n" + "长" * 1_000_000).encode(),
    "nul": b"---\nname: \x00\n---\n",
    "lone-fence": b"---",
    "only-bom": b"\xef\xbb\xbf",
    "control-char": b"---\nname: a\x07b\n---\n",
    "many-keys": ("---\n" + "".join(f"k{i}: v\n" for i in range(60000)) + "---\n").encode(),
}
results = {}
for name, data in NASTY.items():
    root = sitekit.make_site(Path(WORK) / name)
    (root / "content/workers/艾子洋.md").write_bytes(data)
    err = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["--root", str(root), "--jobs", "1"])
    results[name] = [code, err.getvalue(), time.perf_counter() - start]
for name, data in {"binary": bytes(range(256)) * 4, "alias-bomb": ("\n".join(laughs) + "\n").encode()}.items():
    root = sitekit.make_site(Path(WORK) / ("site-yaml-" + name))
    (root / "site.yaml").write_bytes(data)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["--root", str(root), "--jobs", "1"])
    results["site.yaml " + name] = [code, err.getvalue(), 0]
print(json.dumps(results, ensure_ascii=False))
"""


def test_no_input_produces_a_traceback_or_hangs(tmp_path):
    code = ROBUSTNESS.replace("TESTS", repr(str(Path(__file__).parent))).replace("WORK", repr(str(tmp_path)))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 0, f"the build process died (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr
    results = json.loads(proc.stdout)
    assert len(results) == 13
    for name, (exit_code, err, seconds) in results.items():
        assert exit_code == 1, (name, err[-2000:])
        assert "Traceback" not in err and "内部错误" not in err, (name, err[-2000:])
        assert "问题：" in err and "改法：" in err and "没有生成" in err, (name, err[-2000:])
        assert seconds < 20, (name, seconds)
    assert "文件太大" in results["three-mb"][1]
    assert "嵌套太深" in results["nested-brackets"][1] and "嵌套太深" in results["nested-dashes"][1]
    assert "YAML 引用" in results["billion-laughs"][1]
    assert "!!python/object/apply:os.system" in results["python-tag"][1]
    assert "控制字符" in results["control-char"][1]
    assert "还有 59990 个不认识的字段" in results["many-keys"][1]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and /dev/zero are POSIX only")
def test_a_pipe_or_a_device_named_md_is_an_error_not_a_hang(site):
    os.mkfifo(site / "content/workers/管道.md")  # reading it would wait for a writer for ever
    (site / "content/workers/零.md").symlink_to("/dev/zero")  # reading it would never end
    proc = subprocess.run([sys.executable, str(sitekit.REPO / "build.py"), "--root", str(site), "--jobs", "1"],
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    for name in ("管道", "零"):
        block = one(problems(proc.stderr), f"content/workers/{name}.md")
        assert "问题：这不是一个普通文件（是管道、设备或指向它们的链接），无法读取。" in block


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
def test_a_template_that_is_a_pipe_is_an_error_not_a_hang(site):
    (site / "templates/timeline.html").unlink()
    os.mkfifo(site / "templates/timeline.html")
    proc = subprocess.run([sys.executable, str(sitekit.REPO / "build.py"), "--root", str(site), "--jobs", "1"],
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    block = one(problems(proc.stderr), "templates/timeline.html")
    assert "问题：这不是一个普通文件（是管道、设备或指向它们的链接），无法读取。" in block and "改法：删掉它，换成真正的模板文件。" in block


# --------------------------------------------------------------------------- command-line usage

def test_help_is_in_chinese_and_english(capsys):
    from showcase import cli

    with pytest.raises(SystemExit) as stop:
        cli.main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "生成网站" in out and "build the site" in out and "--strict" in out and "退出码 / exit codes" in out


def test_a_heic_photo_without_pillow_heif_says_how_to_get_it(site):
    write(site, "content/workers/a.heic", b"\x00\x00\x00\x18ftypheic")
    text = (site / "content/workers/艾子洋.md").read_text(encoding="utf-8").replace("photo: a.jpg", "photo: a.heic")
    write(site, "content/workers/艾子洋.md", text)
    without = f"import sys; sys.modules['pillow_heif'] = None; from showcase.cli import main; sys.exit(main(['--root', {str(site)!r}]))"
    proc = subprocess.run([sys.executable, "-c", without], capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "「content/workers/a.heic」是苹果手机的 HEIC 格式，这台电脑缺少读取它的 pillow-heif。" in proc.stderr
    assert "运行 python -m pip install pillow-heif 后再生成" in proc.stderr


def test_a_too_old_python_is_told_in_chinese_not_with_a_traceback():
    pretend = "import runpy, sys; sys.version_info = (3, 10, 14, 'final', 0); runpy.run_path('build.py', run_name='__main__')"
    proc = subprocess.run([sys.executable, "-c", pretend], cwd=Path(__file__).resolve().parents[1],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "展厅需要 Python 3.11 或更新的版本，这里运行的是 3.10.14。" in proc.stderr and "python.org" in proc.stderr


def test_unknown_option_exits_2(capsys, site):
    from showcase import cli

    with pytest.raises(SystemExit) as stop:
        cli.main(["--root", str(site), "--bogus"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "命令用法错误 / usage error" in err and "--bogus" in err


def test_missing_site_yaml_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path)
    assert code == 2
    assert "里没有 site.yaml" in err and "--root" in err


def test_check_writes_nothing(capsys, site):
    code, out, err = run(capsys, site, "check")
    assert code == 0 and out.startswith("检查通过：没有错误，0 个警告。")
    assert not (site / "output").exists()


@pytest.mark.parametrize("base_url, reminded", [
    ("https://example.org/zhanting/", True), ("http://hall.test/", True), ("https://localhost:8000/", True),
    ("https://www.workercn.cn/zhanting/", False), ("https://example.org.cn/", False),
])
def test_check_reminds_of_an_example_address_before_publishing(capsys, site, base_url, reminded):
    code, out, _ = run(capsys, site, "check", "--base-url", base_url)
    assert code == 0
    reminder = (f"提醒：site.yaml 的 base_url 还是示例地址 {base_url}。上线前改成网站的真实地址，"
                "分享卡片、订阅源和站点地图里的链接才能打开。")
    assert (reminder in out) == reminded


def test_summary_line_counts_warnings(capsys, site):
    write(site, W, worker(honor="x"))
    code, out, _ = run(capsys, site)
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("完成：") and "个页面，2 张图片，1 个警告，用时" in first and "秒" in first  # the photo and the share image


def test_empty_front_matter_lists_the_required_fields(capsys, site):
    write(site, "content/enterprises/中车长客.md", "---\n---\n正文\n")
    found = fails(capsys, site)
    labels = [header(b).split(" · ")[-1] for b in found if header(b).startswith("content/enterprises/中车长客.md")]
    assert sorted(labels) == sorted(["名称", "行业", "简介"])


def test_a_broken_heic_photo_gets_advice_that_fits(capsys, site):
    write(site, "content/workers/a.heic", b"\x00\x00\x00\x18ftypheic")
    text = (site / "content/workers/艾子洋.md").read_text(encoding="utf-8").replace("photo: a.jpg", "photo: a.heic")
    write(site, "content/workers/艾子洋.md", text)
    block = one(fails(capsys, site), "content/workers/艾子洋.md")
    assert "是 HEIC 格式的照片（苹果手机拍的），但读不出来，可能没有传完整" in block and "导出为 JPG" in block


@pytest.mark.parametrize("args", [("--output", "/"), ("--base-url", "not a url")])
def test_a_wrong_command_line_option_is_a_usage_error(capsys, site, args):
    block = one(fails(capsys, site, *args, code=2), "命令行")
    assert header(block) == f"命令行 · {args[0]}"
