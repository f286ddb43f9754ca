"""config: site.yaml → Site; unknown keys and wrong types are errors naming the option and line."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from showcase.config import load_site
from showcase.errors import Report

REPO = Path(__file__).resolve().parent.parent
SITE_YAML = (REPO / "site.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing needle."""
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def load(tmp_path: Path, text: str | bytes | None = SITE_YAML, **kwargs):
    """Write site.yaml (and the repository's assets/, where the logo is) into tmp_path and load it; (site or None, report)."""
    shutil.copytree(REPO / "assets", tmp_path / "assets", dirs_exist_ok=True)
    if isinstance(text, bytes):
        (tmp_path / "site.yaml").write_bytes(text)
    elif text is not None:
        (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    report = Report()
    return load_site(tmp_path, report, **kwargs), report


def replaced(old: str, new: str) -> str:
    """The repository's site.yaml with one piece of text replaced."""
    assert old in SITE_YAML, old
    return SITE_YAML.replace(old, new, 1)


def the_error(report: Report):
    assert len(report.errors) == 1, report.format()
    return report.errors[0]


def test_repository_site_yaml_is_valid(tmp_path):
    site, report = load(tmp_path)
    assert report.problems == [], report.format()
    assert site.title and site.collection("workers").field("name").label == "姓名"
    assert site.output == (tmp_path / "output").resolve()


def test_list_item_without_label_takes_the_list_label(tmp_path):
    site, _ = load(tmp_path)
    timeline = next(d for d in site.data if d.name == "timeline")
    entries = next(f for f in timeline.fields if f.name == "entries")
    assert entries.item.label == entries.label == "相关条目"


def test_unknown_key_with_did_you_mean(tmp_path):
    text = replaced("subtitle:", "subtitel:")
    _, report = load(tmp_path, text)
    p = the_error(report)
    assert (p.path, p.line, p.label) == ("site.yaml", line_of(text, "subtitel:"), "subtitel")
    assert p.found == "不认识的设置「subtitel」。"
    assert p.fix.startswith("您是不是想写「subtitle」？可用的设置：title、subtitle、")


def test_unknown_key_inside_a_collection(tmp_path):
    text = replaced("    item_label: 工作室", "    item_lable: 工作室")
    _, report = load(tmp_path, text)
    p = the_error(report)
    assert p.label == "collections.studios.item_lable" and "「item_label」" in p.fix


@pytest.mark.parametrize("old, new, label, found, fix", [
    ("limit: 20", "limit: many", "feed.limit", "「feed.limit」（订阅源里最近条目的数量）应该是整数，这里是「many」。", "只写阿拉伯数字，如 20。"),
    ("limit: 20", "limit: ²", "feed.limit", "应该是整数，这里是「²」。", "如 20"),
    ('primary: "#a61b1b"', "primary: red", "theme.primary", "「theme.primary」（主色（横幅、标题））应该是颜色，这里是「red」。", "# 加六位十六进制数字"),
    ('accent: "#b8860b"', 'accent: "#b8860"', "theme.accent", "应该是颜色，这里是「#b8860」。", '"#b8860b"'),
    ("allow_html: false", "allow_html: 否", "markdown.allow_html", "应该是true 或 false，这里是「否」。", "写 true（是）或 false（否）。"),
    ("title: 产改成果展厅", "title: [产改, 展厅]", "title", "「title」（展厅名称，显示在横幅和每个页面的标题里）应该是文字，这里是一个列表。", "直接写文字"),
    ("feed:\n  limit: 20", "feed: 20", "feed", "「feed」（订阅源设置）应该是一组设置，这里是「20」。", "缩进两个空格"),
    ("base_url: https://example.org/zhanting/", "base_url: example.org", "base_url", "base_url「example.org」不是网址。", "https://example.org/zhanting/"),
])
def test_wrong_type_names_option_line_and_example(tmp_path, old, new, label, found, fix):
    text = replaced(old, new)
    _, report = load(tmp_path, text)
    p = the_error(report)
    assert (p.line, p.label) == (line_of(text, new.split("\n")[0]), label)
    assert found in p.found
    assert fix in p.fix


def test_a_colour_without_quotes_is_a_warning_not_silence(tmp_path):
    text = replaced('primary: "#a61b1b"', "primary: #123456")
    site, report = load(tmp_path, text)
    assert report.errors == [] and len(report.warnings) == 1, report.format()
    p = report.warnings[0]
    assert (p.path, p.line) == ("site.yaml", line_of(text, "primary: #"))
    assert p.found == "这一行的值是空的：「#123456」以 # 开头，被 YAML 当成了注释。"
    assert '写成 "#123456"' in p.fix
    assert site.theme.primary == "#a61b1b"  # YAML read nothing: the build goes on with the default colour


def test_flow_mapping_wrong_type(tmp_path):
    text = replaced("feed:\n  limit: 20", "feed: {limit: many}")
    _, report = load(tmp_path, text)
    p = the_error(report)
    assert (p.line, p.label) == (line_of(text, "feed: {limit"), "feed.limit")


@pytest.mark.parametrize("value, why", [
    (".", "项目文件夹本身"),
    ("''", "项目文件夹本身"),
    ("content", "content 文件夹"),
    ("content/", "content 文件夹"),
    ("templates", "templates 文件夹"),
    ("assets", "assets 文件夹"),
    ("/", "磁盘根目录"),
    ("..", "项目文件夹的上级文件夹"),
    ("content/workers", "源文件夹里面"),
    ("templates/x", "源文件夹里面"),
])
def test_output_folder_that_a_build_would_destroy(tmp_path, value, why):
    text = replaced("output: output", f"output: {value}")
    _, report = load(tmp_path, text)
    p = the_error(report)
    assert (p.line, p.label) == (line_of(text, "output: "), "output")
    assert p.found.endswith(f"是{why}：生成时会整个替换它，会删掉您的文件。")
    assert p.fix == "换一个专用的新文件夹，如 output。"


def test_output_folder_home_is_refused(tmp_path):
    _, report = load(tmp_path, output=str(Path.home()))
    assert "用户主目录" in the_error(report).found


@pytest.mark.parametrize("value", ["/", ".", "content"])
def test_output_from_the_command_line_is_blamed_on_the_command_line(tmp_path, value):
    _, report = load(tmp_path, output=value)
    p = the_error(report)
    assert (p.path, p.line, p.label) == ("命令行", 0, "--output")


def test_base_url_from_the_command_line_is_blamed_on_the_command_line(tmp_path):
    _, report = load(tmp_path, base_url="example")
    p = the_error(report)
    assert (p.path, p.label) == ("命令行", "--base-url") and "不是网址" in p.found


@pytest.mark.parametrize("given, used", [
    ("https://example.org/展厅", "https://example.org/%E5%B1%95%E5%8E%85/"),
    ("https://例子.中国/展厅/", "https://xn--fsqu00a.xn--fiqs8s/%E5%B1%95%E5%8E%85/"),
    ("https://例子.中国:8080/", "https://xn--fsqu00a.xn--fiqs8s:8080/"),
    ("https://example.org/zhanting", "https://example.org/zhanting/"),
])
def test_a_chinese_base_url_is_written_as_feeds_and_sitemaps_need(tmp_path, given, used):
    """A Chinese domain or folder in base_url is used in its ASCII form (xn--, %E5…), which every page, feed and sitemap then carry."""
    site, report = load(tmp_path, base_url=given)
    assert report.problems == [] and site.base_url == used


@pytest.mark.parametrize("given", ["https://example.org/zhanting/?from=wechat", "https://example.org/#/zhanting/"])
def test_a_base_url_with_a_query_or_fragment(tmp_path, given):
    _, report = load(tmp_path, base_url=given)
    assert "带着「?」或「#」后面的部分，每一页的地址都会接错。" in the_error(report).found


def test_output_null_means_the_default(tmp_path):
    site, report = load(tmp_path, replaced("output: output", "output: ~"))
    assert report.problems == [] and site.output == (tmp_path / "output").resolve()


def test_missing_required_options(tmp_path):
    _, report = load(tmp_path, "title: 展厅\n")
    p = the_error(report)
    assert p.label == "collections" and p.found == "缺少必填设置「collections」（内容集合）。"


@pytest.mark.parametrize("text, found", [
    ("", "site.yaml 是空的。"),
    ("# 只有注释\n", "site.yaml 是空的。"),
    ("- a\n- b\n", "site.yaml 应该是一行一个「设置: 值」，这里不是。"),
    ("就一句话\n", "site.yaml 应该是一行一个「设置: 值」，这里不是。"),
])
def test_site_yaml_that_is_not_settings(tmp_path, text, found):
    site, report = load(tmp_path, text)
    assert site is None
    assert the_error(report).found == found


def test_missing_site_yaml(tmp_path):
    site, report = load(tmp_path, None)
    assert site is None and "找不到 site.yaml" in the_error(report).found


@pytest.mark.parametrize("data, words", [
    (SITE_YAML.encode("gbk"), "GBK/GB18030"),
    (SITE_YAML.encode("utf-16"), "UTF-16"),
])
def test_site_yaml_in_a_windows_encoding(tmp_path, data, words):
    _, report = load(tmp_path, data)
    p = the_error(report)
    assert words in p.found and "另存为" in p.fix and "UTF-8" in p.fix


def test_site_yaml_with_bom_and_crlf_is_fine(tmp_path):
    site, report = load(tmp_path, b"\xef\xbb\xbf" + SITE_YAML.replace("\n", "\r\n").encode())
    assert report.problems == [] and site is not None


def test_site_yaml_syntax_error_at_its_line(tmp_path):
    text = replaced("subtitle: ", 'subtitle: "')
    _, report = load(tmp_path, text)
    assert [(p.line, "引号" in p.found) for p in report.errors] == [(line_of(text, 'subtitle: "'), True)]


def test_site_yaml_duplicate_key(tmp_path):
    text = SITE_YAML + "\ntitle: 又一个标题\n"
    _, report = load(tmp_path, text)
    p = the_error(report)
    assert p.found == f"字段「title」写了两次（第 {line_of(text, 'title: ')} 行和第 {len(text.splitlines())} 行）。"


def test_unknown_field_type_with_did_you_mean(tmp_path):
    text = replaced("name: {label: 姓名, type: text", "name: {label: 姓名, type: txt")
    _, report = load(tmp_path, text)
    p = next(p for p in report.errors if p.label.endswith(".type"))
    assert p.label == "collections.workers.fields.name.type"
    assert p.found == "字段类型「txt」不存在。" and p.fix.startswith("您是不是想写「text」？")


def test_field_without_type_is_reported_once(tmp_path):
    text = replaced("quote: {label: 金句, type: text, help: 本人说过的一句话}", "quote: {label: 金句}")
    _, report = load(tmp_path, text)
    p = the_error(report)
    assert p.label == "collections.workers.fields.quote.type" and "缺少必填设置「type」" in p.found


def test_ref_to_unknown_collection(tmp_path):
    text = replaced("type: ref, to: enterprises, required: true, help: 企业", "type: ref, to: enterprise, required: true, help: 企业")
    _, report = load(tmp_path, text)
    p = the_error(report)
    assert p.found == "引用字段指向不存在的集合「enterprise」。" and p.fix.startswith("您是不是想写「enterprises」？")


def test_zone_with_unknown_collection(tmp_path):
    text = replaced("    collection: studios\n", "    collection: studio\n")
    _, report = load(tmp_path, text)
    p = the_error(report)
    assert p.label == "zones[2].collection" and "「studios」" in p.fix


@pytest.mark.parametrize("value, found", [
    ("assets/标志.png", "找不到标志图片「assets/标志.png」。"),
    ("content/images/share.jpg", "标志图片「content/images/share.jpg」不在 assets 文件夹里，网站上不会有这个文件。"),
    ("assets/../site.yaml", "标志图片「assets/../site.yaml」不在 assets 文件夹里，网站上不会有这个文件。"),
    ("assets/style.css", "标志图片「assets/style.css」不是网页能显示的图片格式。"),
])
def test_a_logo_the_site_could_not_show(tmp_path, value, found):
    text = replaced("logo: assets/logo.svg", f"logo: {value}")
    _, report = load(tmp_path, text)
    p = the_error(report)
    assert (p.path, p.line, p.label, p.found) == ("site.yaml", line_of(text, "logo:"), "logo", found)


def test_a_logo_written_with_windows_slashes(tmp_path):
    site, report = load(tmp_path, replaced("logo: assets/logo.svg", "logo: assets\\logo.svg"))
    assert report.problems == [] and site.logo == "assets/logo.svg"


def test_a_share_image_outside_content(tmp_path):
    text = replaced("share_image: images/share.jpg", "share_image: ../../etc/passwd")
    _, report = load(tmp_path, text)
    p = the_error(report)
    assert (p.line, p.label, p.found) == (line_of(text, "share_image:"), "share_image", "分享图「../../etc/passwd」指向 content 文件夹以外。")


def test_every_site_yaml_problem_at_once(tmp_path):
    text = replaced("subtitle:", "subtitel:").replace("limit: 20", "limit: many").replace('primary: "#a61b1b"', "primary: red")
    _, report = load(tmp_path, text)
    assert sorted(p.label for p in report.errors) == ["feed.limit", "subtitel", "theme.primary"]


def test_theme_colours_that_fail_contrast_are_warned(tmp_path):
    from showcase.config import contrast

    assert round(contrast("#ffffff", "#000000"), 1) == 21.0
    assert round(contrast("#a61b1b", "#fbf7f0"), 1) >= 4.5
    site, report = load(tmp_path, replaced('primary: "#a61b1b"', 'primary: "#f4a6a6"'))
    assert site is not None
    warnings = [p for p in report.warnings if p.label == "theme.primary"]
    assert len(warnings) == 2 and "对比度只有" in warnings[0].found and "4.5:1" in warnings[0].found
