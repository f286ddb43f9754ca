"""schema: how raw text becomes typed values, and what a publicist is told when it cannot."""
from __future__ import annotations

import pytest

from showcase.errors import Report
from showcase.schema import (Checker, Field, ImageRef, PartialDate, Ref, content_path, date_fix, normalise, number_fix, parse_date,
                             parse_integer, parse_number)
from showcase.yamldoc import parse

# --------------------------------------------------------------------------- pure parsers

@pytest.mark.parametrize("text, expected", [
    ("2019", PartialDate(2019)),
    ("2019-05", PartialDate(2019, 5)),
    ("2019-5", PartialDate(2019, 5)),
    ("2019-05-01", PartialDate(2019, 5, 1)),
    ("2019/5/1", PartialDate(2019, 5, 1)),
    ("2019.05.01", PartialDate(2019, 5, 1)),
    ("2019年", PartialDate(2019)),
    ("2019年5月", PartialDate(2019, 5)),
    ("2019年5月1日", PartialDate(2019, 5, 1)),
    ("2019年5月1号", PartialDate(2019, 5, 1)),
    ("２０１９年５月１日", PartialDate(2019, 5, 1)),     # full-width digits
    ("2019 年 5 月 1 日", PartialDate(2019, 5, 1)),
    (" 2019-05-01 ", PartialDate(2019, 5, 1)),
    ("2020-02-29", PartialDate(2020, 2, 29)),            # leap year
    ("2019-12-31", PartialDate(2019, 12, 31)),
    # not real dates
    ("2019-13-01", None), ("2019-02-30", None), ("2019-02-29", None), ("2019-04-31", None),
    ("2019-13", None), ("2019年13月", None), ("2019-00", None), ("2019-05-00", None), ("2019-00-10", None),
    ("0000", None), ("0019-05-01", None), ("9999", None),
    # not dates at all
    ("", None), ("19-05-01", None), ("2019-05-01T10:00", None), ("二〇一九年", None), ("2019-5-1-1", None),
    ("五月", None), ("2019‐05‐01", None), ("2019—05", None), ("today", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("date, iso, shown", [
    (PartialDate(2019), "2019", "2019年"),
    (PartialDate(2019, 5), "2019-05", "2019年5月"),
    (PartialDate(2019, 5, 1), "2019-05-01", "2019年5月1日"),
])
def test_partial_date_forms(date, iso, shown):
    assert date.iso() == iso and str(date) == shown


def test_partial_dates_sort_by_time():
    assert sorted([PartialDate(2019, 5, 1), PartialDate(2018), PartialDate(2019), PartialDate(2019, 5)]) == [
        PartialDate(2018), PartialDate(2019), PartialDate(2019, 5), PartialDate(2019, 5, 1)]


@pytest.mark.parametrize("text, expected", [
    ("2020", 2020), ("1,234", 1234), ("1，234", 1234), ("２０２０", 2020), ("-5", -5), (" 7 ", 7),
    ("3项", None), ("1.5", None), ("1e3", None), ("0x1F", None), ("二〇二〇", None), ("", None), ("9" * 19, None),
])
def test_parse_integer(text, expected):
    assert parse_integer(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("160", 160), ("49.2", 49.2), ("1,234.5", 1234.5), ("０.５", 0.5), (".5", 0.5), ("-3", -3), ("1.", 1.0),
    ("1.2万", None), ("1e3", None), ("NaN", None), ("inf", None), ("", None), ("约100", None),
])
def test_parse_number(text, expected):
    result = parse_number(text)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("raw, base, expected", [
    ("a.jpg", "workers", "workers/a.jpg"),
    ("images/a.jpg", "workers", "workers/images/a.jpg"),
    ("/images/a.jpg", "workers", "images/a.jpg"),
    ("images\\a.jpg", "workers", "workers/images/a.jpg"),       # Windows separators
    ("../images/a.jpg", "workers", "images/a.jpg"),              # still inside content/
    ("./a.jpg", "", "a.jpg"),
    ("../../etc/passwd", "workers", None),
    ("..\\..\\etc\\passwd", "workers", None),
    ("../a.jpg", "", None),
    ("C:\\Users\\x.jpg", "workers", None),
    ("c:/x.jpg", "workers", None),
    ("https://example.org/a.jpg", "workers", None),
    ("", "workers", None),
    ("a\x00.jpg", "workers", None),
    (".", "", None),
    ("images/李帅（右）在车间.jpg", "workers", "workers/images/李帅（右）在车间.jpg"),  # full-width characters of a name stay
    ("images／李帅．jpg", "workers", "workers/images/李帅.jpg"),  # a slash and a dot typed in Chinese are slips
    ("images/e\u0301.jpg", "workers", "workers/images/\u00e9.jpg"),  # composed (NFC), as Windows writes names
    ("  images/a.jpg ", "workers", "workers/images/a.jpg"),
    ("images/%E6%9D%8E%20%E5%B8%85.jpg", "workers", "workers/images/李 帅.jpg"),  # written as a web address (VS Code)
    ("..%2F..%2Fetc%2Fpasswd", "workers", None),  # an encoded way out is still a way out
])
def test_content_path(raw, base, expected):
    assert content_path(raw, base) == expected


def test_normalise_folds_full_width():
    assert normalise(" ＡＢＣ１２３ ") == "ABC123"


# --------------------------------------------------------------------------- Checker

HONOUR = Field("honour", "荣誉", "object", fields=(
    Field("name", "荣誉名称", "text", required=True),
    Field("year", "获得年份", "year"),
    Field("level", "荣誉级别", "enum", choices=("国家级", "省部级", "市级", "企业级")),
))
FIELDS = (
    Field("name", "姓名", "text", required=True, help="如 艾子洋"),
    Field("summary", "简介", "text"),
    Field("skill_level", "技能等级", "enum", choices=("初级工", "中级工", "高级工", "技师", "高级技师", "首席技师", "特级技师")),
    Field("honours", "荣誉", "list", item=HONOUR),
    Field("featured", "重点展示", "bool"),
    Field("date", "发布日期", "date"),
    Field("patents", "专利（项）", "integer"),
    Field("value", "创造效益（万元）", "number"),
    Field("url", "网址", "url"),
    Field("enterprise", "所在企业", "ref", to="enterprises"),
    Field("photo", "照片", "image"),
    Field("body", "正文", "markdown"),
)


def check(text: str, fields=FIELDS, known_extra=()):
    """Check YAML front matter (starting at line 2, as after ---) against fields; (values, report)."""
    data, issues = parse(text, first_line=2)
    assert issues == []
    report = Report()
    values = Checker("content/workers/a.md", report, "workers").fields(fields, data, 1, known_extra=known_extra)
    return values, report


def only_problem(report: Report):
    assert len(report.problems) == 1, report.format()
    return report.problems[0]


def test_valid_values_are_typed_by_the_schema():
    values, report = check(
        "name: 艾子洋\nsummary: 010020\nskill_level: 高级技师\nhonours:\n  - name: 劳模\n    year: 2020年\n    level: 国家级\n"
        "featured: 是\ndate: 2019年5月\npatents: 1,234\nvalue: 49.2\nurl: https://example.org/a\n"
        "enterprise: 中车长客\nphoto: images/a.jpg\nbody: '**粗**'\n")
    assert report.problems == []
    assert values["summary"] == "010020"
    assert values["honours"] == [{"name": "劳模", "year": 2020, "level": "国家级"}]
    assert values["featured"] is True
    assert values["date"] == PartialDate(2019, 5)
    assert values["patents"] == 1234 and values["value"] == 49.2
    assert values["enterprise"] == Ref("enterprises", "中车长客", 14, "所在企业")
    assert values["photo"] == ImageRef("workers/images/a.jpg", 15, "照片")
    assert values["body"] == "**粗**"


@pytest.mark.parametrize("raw", ["010020", "NO", "12:30", "yes", "1e3", "0x1F", "true", "2019-05-01", "~~"])
def test_text_field_keeps_what_yaml_would_guess_at(raw):
    values, report = check(f"name: 艾子洋\nsummary: {raw}\n")
    assert report.problems == [] and values["summary"] == raw


def test_missing_required_field():
    _, report = check("summary: x\n")
    p = only_problem(report)
    assert (p.path, p.line, p.label) == ("content/workers/a.md", 1, "姓名")
    assert p.found == "缺少必填字段「姓名」（name）。"
    assert p.fix == "加一行「name: …」，如 艾子洋。"


@pytest.mark.parametrize("raw", ["", "~", '""'])
def test_empty_required_field(raw):
    _, report = check(f"name: {raw}\n")
    p = only_problem(report)
    assert (p.line, p.label) == (2, "姓名")
    assert "是必填的，但这里是空的" in p.found and "如 艾子洋" in p.fix


@pytest.mark.parametrize("line, found, fix", [
    ("honours:\n  - name: 劳模\n    year: 二〇二〇\n", "「获得年份」应该是年份，这里写的是「二〇二〇」。", "用四位阿拉伯数字写，如 2020。"),
    ("honours:\n  - name: 劳模\n    year: 20\n", "「获得年份」应该是年份，这里写的是「20」。", "四位"),
    ("honours:\n  - name: 劳模\n    year: 2020年5月\n", "「获得年份」应该是年份，这里写的是「2020年5月」。", "这里只写年份：2020。"),
    ("honours:\n  - name: 劳模\n    year: 2019.05\n", "「获得年份」应该是年份，这里写的是「2019.05」。", "这里只写年份：2019。"),
    ("date: 2019-13-01\n", "「发布日期」不是一个有效的日期：「2019-13-01」。", "月份 1–12"),
    ("date: 2019-02-30\n", "「发布日期」不是一个有效的日期：「2019-02-30」。", "日期不超过当月天数"),
    ("featured: 是的\n", "「重点展示」应该写 是 或 否，这里写的是「是的」。", "true（是）或 false（否）"),
    ("patents: 3项\n", "「专利（项）」应该是整数，这里写的是「3项」。", "只写数字 3：单位「项」已经在字段名里。"),
    ("patents: 三项\n", "「专利（项）」应该是整数，这里写的是「三项」。", "用阿拉伯数字写，如 2020 或 106。"),
    ("value: 1.2万\n", "「创造效益（万元）」应该是数字，这里写的是「1.2万」。", "只写数字 1.2：单位「万元」已经在字段名里。"),
    ("value: 一百万\n", "「创造效益（万元）」应该是数字，这里写的是「一百万」。", "单位（万元、项）写在别处"),
    ("url: www.example.org\n", "「网址」不是有效的网址：「www.example.org」。", "网址要以 http:// 或 https:// 开头：写成「https://www.example.org」"),
    ("url: https：//www.workercn.cn/a。html\n", "「网址」不是有效的网址：「https：//www.workercn.cn/a。html」。",
     "网址里的「：」「。」是全角符号（中文输入法打的）：写成「https://www.workercn.cn/a.html」。"),
    ("url: 工人日报网站\n", "「网址」不是有效的网址：「工人日报网站」。", "网址要以 http:// 或 https:// 开头，中间不能有空格。"),
    ("photo: ../../etc/passwd\n", "图片路径「../../etc/passwd」指向 content 文件夹以外。", "content/workers/images/"),
    ("summary:\n  - a\n  - b\n", "「简介」应该是文字，这里是一个列表。", "不要换行缩进"),
    ("summary:\n  a: b\n", "「简介」应该是文字，这里是一组字段。", "不要换行缩进"),
])
def test_wrong_value_is_reported_with_label_and_example(line, found, fix):
    _, report = check("name: 艾子洋\n" + line)
    p = only_problem(report)
    assert p.found == found
    assert fix in p.fix
    assert p.line == (5 if line.startswith("honours") else 3)


@pytest.mark.parametrize("text, label, whole, fix", [
    ("106项", "专利（项）", True, "只写数字 106：单位「项」已经在字段名里。"),
    ("106 项", "专利（项）", True, "只写数字 106：单位「项」已经在字段名里。"),
    ("470万元", "创造效益（万元）", False, "只写数字 470：单位「万元」已经在字段名里。"),
    ("1.1万", "专利（项）", True, "只写数字 11000（“万”已换算）。"),
    ("1.25万人", "培养人才（人）", True, "只写数字 12500：单位「人」已经在字段名里。"),
    ("约50", "专利（项）", True, "只写数字 50；“约”这类说法写在简介或正文里。"),
    ("50余", "专利（项）", True, "只写数字 50；“余”这类说法写在简介或正文里。"),
    ("1,313", "参赛单位", True, None),  # a valid number never reaches number_fix; if it did, there is nothing to say
    ("12.5", "专利（项）", True, None),  # a decimal where a whole number is wanted: the general fix
    ("1.00005万", "专利（项）", True, None),
    ("3个", "专利（项）", True, None),  # a unit the field does not name
    ("三十", "专利（项）", True, None),
])
def test_number_fix(text, label, whole, fix):
    assert number_fix(text, label, whole) == fix


@pytest.mark.parametrize("raw, hint", [
    ("高级技工", "您是不是想写「高级工」或「高级技师」？"),
    ("高级技帅", "您是不是想写「高级技师」？"),
    ("技 师", "您是不是想写「技师」？"),
    ("木匠", ""),
])
def test_enum_outside_vocabulary_suggests_the_nearest(raw, hint):
    _, report = check(f"name: 艾子洋\nskill_level: {raw}\n")
    p = only_problem(report)
    assert (p.line, p.label) == (3, "技能等级")
    assert p.found == f"「{raw}」不是可选的技能等级。"
    assert p.fix == hint + "可选值：初级工、中级工、高级工、技师、高级技师、首席技师、特级技师。"


def test_enum_ignores_surrounding_spaces():
    values, report = check("name: 艾子洋\nhonours:\n  - name: 劳模\n    level: 国家级 \n")
    assert report.problems == [] and values["honours"][0]["level"] == "国家级"


@pytest.mark.parametrize("written, expected", [
    ("省级（示范）", "省级（示范）"), ("省级(示范)", "省级（示范）"), ("ＡＡＡ级", "AAA级"), ("AAA级", "AAA级")])
def test_enum_matches_its_vocabulary_whichever_width_the_brackets_or_letters_are_typed_in(written, expected):
    fields = (Field("name", "姓名", "text"), Field("level", "级别", "enum", choices=("省级（示范）", "AAA级")))
    values, report = check(f"name: a\nlevel: {written}\n", fields)
    assert report.problems == [] and values["level"] == expected  # as the vocabulary writes it


def test_unknown_field_is_a_warning_with_did_you_mean():
    _, report = check("name: 艾子洋\nhonor: 劳模\n")
    p = only_problem(report)
    assert p.warning and p.line == 3
    assert p.found == "不认识的字段「honor」。"
    assert p.fix.startswith("您是不是想写「honours」（荣誉）？这里可用的字段有：")


def test_chinese_key_equal_to_a_label_says_to_write_the_english_name():
    _, report = check("name: 艾子洋\n荣誉: 劳模\n")
    p = only_problem(report)
    assert p.warning
    assert p.fix.startswith("字段名要写英文：把「荣誉:」改成「honours:」")


def test_unknown_key_inside_an_object_says_where():
    _, report = check("name: 艾子洋\nhonours:\n  - name: 劳模\n    yaer: 2020\n")
    p = only_problem(report)
    assert p.found == "不认识的字段「yaer」（在「荣誉」里）。" and "「year」" in p.fix


def test_known_extra_keys_are_not_warned():
    _, report = check("name: 艾子洋\nslug: ai\n", known_extra=("slug",))
    assert report.problems == []


def test_many_unknown_keys_are_summed_up():
    text = "name: 艾子洋\n" + "".join(f"k{i}: v\n" for i in range(500))
    _, report = check(text)
    assert len(report.warnings) == 11
    assert report.warnings[-1].found.startswith("还有 490 个不认识的字段")


def test_a_single_value_where_a_list_of_objects_is_wanted():
    _, report = check("name: 艾子洋\nhonours: 全国劳模\n")
    p = only_problem(report)
    assert (p.line, p.label) == (3, "荣誉")
    assert p.found == "「荣誉」应该是一个列表，每一项是一组字段，这里只写了「全国劳模」。"
    assert "「  - name: 全国劳模」" in p.fix and "year、level" in p.fix


def test_several_values_in_one_line_where_a_list_is_wanted_are_shown_as_items():
    _, report = check("name: 艾子洋\nhonours: 全国劳动模范（2020年）、全国五一劳动奖章\n")
    assert only_problem(report).fix == ("分成 2 项，从下一行起每项写一行：「  - name: 全国劳动模范（2020年）」、「  - name: 全国五一劳动奖章」"
                                        "（减号前两个空格），每项的其他字段（year、level）写在它下面、与 name 对齐。")


def test_list_items_written_as_text_where_fields_are_wanted_get_the_line_to_write():
    _, report = check("name: 艾子洋\nhonours:\n  - 全国五一劳动奖章\n  - name: 江苏工匠\n    year: 2021\n  - 浙江工匠\n")
    assert [(p.line, p.found, p.fix) for p in sorted(report.problems)] == [
        (4, "「荣誉」的每一项应该是一组字段，这一项只写了「全国五一劳动奖章」。",
         "改成「- name: 全国五一劳动奖章」（在减号后面加上「name: 」），其他字段（year、level）写在它下面、与 name 对齐。"),
        (7, "「荣誉」的每一项应该是一组字段，这一项只写了「浙江工匠」。",
         "改成「- name: 浙江工匠」（在减号后面加上「name: 」），其他字段（year、level）写在它下面、与 name 对齐。")]


def test_an_object_given_as_text_lists_its_fields():
    fields = (Field("name", "名称", "text"), Field("figures", "成果数字", "object", fields=(
        Field("patents", "专利（项）", "integer"), Field("awards", "获奖（项次）", "integer"))))
    _, report = check("name: x\nfigures: 3\n", fields)
    p = only_problem(report)
    assert p.found == "「成果数字」应该是一组字段，这里是「3」。"
    assert "patents（专利（项））、awards（获奖（项次））" in p.fix


def test_every_mistake_of_a_file_is_reported_at_once():
    _, report = check("skill_level: 高级技工\ndate: 2019-02-30\nfeatured: 也许\nhonor: x\n")
    assert [(p.line, p.label or p.found) for p in sorted(report.problems)] == [
        (1, "姓名"), (2, "技能等级"), (3, "发布日期"), (4, "重点展示"), (5, "不认识的字段「honor」。")]


@pytest.mark.parametrize("text, fix", [
    ("2018年底", "只写到能确定的部分：2018；「年底」这样的说法写进标题或说明里。"),
    ("2019年5月中旬", "只写到能确定的部分：2019-05；「中旬」这样的说法写进标题或说明里。"),
    ("２０２０年前后", "只写到能确定的部分：2020；「年前后」这样的说法写进标题或说明里。"),
    ("2019年5月1日晚", "只写到能确定的部分：2019-05-01；「晚」这样的说法写进标题或说明里。"),
    ("2019-05-01上午", "只写到能确定的部分：2019-05-01；「上午」这样的说法写进标题或说明里。"),
    ("约2018年", "只写到能确定的部分：2018；「约」这样的说法写进标题或说明里。"),
    ("2016年至2018年", "写成 2019、2019-05、2019-05-01 或 2019年5月1日，月份 1–12，日期不超过当月天数。"),
    ("2024年13月下旬", "写成 2019、2019-05、2019-05-01 或 2019年5月1日，月份 1–12，日期不超过当月天数。"),
    ("2019-13-01", "写成 2019、2019-05、2019-05-01 或 2019年5月1日，月份 1–12，日期不超过当月天数。"),
    ("二〇二〇", "写成 2019、2019-05、2019-05-01 或 2019年5月1日，月份 1–12，日期不超过当月天数。"),
])
def test_date_fix_keeps_what_is_certain(text, fix):
    assert date_fix(text) == fix
