"""yamldoc: every scalar stays text, lines are kept, and every YAML mistake is explained at its line."""
from __future__ import annotations

import pytest

from showcase import yamldoc
from showcase.yamldoc import YList, YMap, lint, parse


def issues_of(text: str, first_line: int = 1) -> list[tuple[int, str]]:
    """(line, found) of every issue parse reports."""
    _, issues = parse(text, first_line)
    return [(i.line, i.found) for i in issues]


# --------------------------------------------------------------------------- values stay text

@pytest.mark.parametrize("raw, expected", [
    ("010020", "010020"), ("NO", "NO"), ("no", "no"), ("yes", "yes"), ("on", "on"), ("true", "true"),
    ("12:30", "12:30"), ("1e3", "1e3"), ("0x1F", "0x1F"), ("0o17", "0o17"), (".inf", ".inf"), ("1_000", "1_000"),
    ("2019-05-01", "2019-05-01"), ("3.10", "3.10"), ("+86 431", "+86 431"), ("'007'", "007"), ('"NO"', "NO"),
    ("https://x.y/a?b=c#d", "https://x.y/a?b=c#d"), ("他说：干就完了", "他说：干就完了"),
    ("~", None), ("null", None), ("", None), ('""', ""), ("'~'", "~"),
])
def test_every_scalar_is_text_as_written(raw, expected):
    value, issues = parse(f"v: {raw}\n")
    assert issues == []
    assert value["v"] == expected


def test_mappings_and_lists_remember_their_lines():
    value, issues = parse("name: 艾子洋\n\nhonours:\n  - name: 劳模\n    year: 2020\n  - 工匠\n", first_line=2)
    assert issues == []
    assert isinstance(value, YMap) and value.key_lines == {"name": 2, "honours": 4}
    honours = value["honours"]
    assert isinstance(honours, YList) and honours.item_lines == [5, 7]
    assert honours[0].key_lines == {"name": 5, "year": 6}
    assert honours[1] == "工匠"


def test_block_scalars_keep_their_text():
    value, issues = parse("body: |\n  注意：第一行\n  name:x\n  a：b\nshort: >-\n  注意：\n  折叠\n")
    assert issues == []
    assert value["body"] == "注意：第一行\nname:x\na：b\n"
    assert value["short"] == "注意：折叠"


@pytest.mark.parametrize("text, expected", [
    ("v: 从农村走出的调试技师，\n  2020年评上首席操作师\n  和资深技能专家。\n", "从农村走出的调试技师，2020年评上首席操作师和资深技能专家。"),
    ("v: >\n  畅通渠道了，\n  我们工人干活更有劲头。\n", "畅通渠道了，我们工人干活更有劲头。\n"),
    ("v: >\n  第一段\n  接着\n\n  第二段\n", "第一段接着\n第二段\n"),
    ('v: "畅通渠道了，\n  我们工人干活更有劲头。"\n', "畅通渠道了，我们工人干活更有劲头。"),
    ("v: 采用\n  BIM 技术\n", "采用BIM 技术"),
    ("v: [甲\n  乙, 丙]\n", ["甲乙", "丙"]),
    ("v:\n  - name: 全国\n      劳动模范\n", [{"name": "全国劳动模范"}]),
    ("v: hello\n  world\n", "hello world"),
    ("v: |\n  第一行\n  第二行\n", "第一行\n第二行\n"),
    ("v: >\n  第一行\n    更缩进\n  第三行\n", "第一行\n  更缩进\n第三行\n"),
    ('v: "第一\\t行\n  第二行"\n', "第一\t行 第二行"),  # an escape: the lines do not add up to the value, YAML's reading stands
])
def test_a_value_over_several_lines_joins_chinese_without_a_space(text, expected):
    value, issues = parse(text)
    assert issues == []
    assert value["v"] == expected


# --------------------------------------------------------------------------- syntax errors at the right line

@pytest.mark.parametrize("text, line, words", [
    # unclosed double quote: PyYAML stops at the end of the text or at the next quote
    ('name: 艾子洋\nposition: "调试二班\nregion: 吉林\nindustry: x\n', 2, "引号"),
    ('name: 艾子洋\nposition: "调试二班\n', 2, "引号"),
    ('name: 艾子洋\nposition: "调试二班\nregion: "吉林"\nindustry: x\n', 2, "没有配对"),
    ('name: 艾子洋\nposition: "调试二班\nregion: 吉林\nquote: "干"\nindustry: x\n', 2, "一直延续到第 4 行"),
    ("name: a\nposition: '调试二班\nregion: 吉林\n", 2, "引号"),
    ('name: a\nhonours:\n  - name: "全国\n    year: 2020\nregion: x\n', 3, "引号"),
    ('quote: "干就完了"，他说\n', 1, "引号结束后还有文字"),
    # bad indentation: the line indented wrongly
    ("name: 艾子洋\n  position: 调试\nregion: 吉林\n", 2, "冒号位置不对"),
    ("name: a\nhonours:\n  - name: a\n    year: 2020\n   level: 国家级\nregion: x\n", 5, "缩进不齐"),
    ("name: a\nhonours:\n  - name: a\n     year: 2020\nregion: x\n", 4, "缩进"),
    ("name: a\nhonours:\n  - name: a\n  year: 2020\nregion: x\n", 4, "缩进不齐"),
    ("name: a\n\n\n  position: x\n\nregion: y\n", 4, "缩进"),
    ("body: |\n  第一行\n 第二行\n", 3, "对不齐"),
    # unclosed brackets: the line where the bracket opens
    ("name: 艾子洋\ntags: [a, b\nregion: 吉林\nindustry: x\n", 2, "方括号"),
    ("name: a\ntags: [a, b\nregion: 吉林\nindustry: [x]\nsummary: y\n", 2, "方括号"),
    ("name: a\ntags: [a, b\n", 2, "方括号"),
    ("name: a\nfigures: {a: 1\nregion: 吉林\n", 2, "花括号"),
    ("name: a\ntags: [a, b]]\nregion: x\n", 2, "多写了一个"),
    # a key without its colon joins the next line
    ("name: a\nregion 吉林\nindustry: x\n", 2, "缺少"),
    ("name: a\nregion 吉林\n", 2, "缺少"),
    ("region 吉林\nname: a\n", 1, "缺少"),
    ("honours:\n  - name 全国\n    year: 2020\n", 2, "缺少"),
    # other characters YAML reserves
    ("quote: 他说: 干就完了\n", 1, '「quote」的值里有「他说: 」'),
    ("honours:\n  - name: 奖项: 一等\n    year: 2020\n", 2, '「name」的值里有「奖项: 」'),
    ("a: @工匠\n", 1, "不能以「@」开头"),
    ("a: `x\n", 1, "不能以「`」开头"),
    ('photo: "C:\\照片\\a.jpg"\n', 1, "反斜杠"),
    ("a: b\n...\nc: d\n", 2, "分隔线"),
    ("name: a\nregion: 吉\x07林\n", 2, "控制字符"),
    ("name: a\nhonours: - 全国劳模\n", 2, "不能和字段名写在同一行"),
    ("summary: |注意\n  正文\n", 1, "多余的文字"),
    ("name: a\nfigures: {patents:[ 3}\n", 2, "括号里的冒号位置不对"),
    ("%name: a\n", 1, "「%」"),
    ("name: [", 1, "方括号或花括号没有配对"),
    ("name: a\ntags: [a,", 2, "方括号或花括号没有配对"),
    ("# 备注\nfigures: {patents: 3, awards", 2, "花括号 { } 没有配对"),  # open at the very end, in a file with a comment
])
def test_syntax_error_is_reported_at_the_line_with_the_mistake(text, line, words):
    value, issues = parse(text, first_line=1)
    assert value is None or issues
    assert len(issues) == 1, issues
    assert issues[0].line == line, issues[0]
    assert words in issues[0].found
    assert issues[0].fix


@pytest.mark.parametrize("text, fix", [
    ("quote: 他说: 干就完了\n", '把它改成「他说：」（中文冒号），或把整个值用半角引号括起来：quote: "他说: 干就完了"'),
    ('quote: 他说"好": 对\n', """把它改成「他说"好"：」（中文冒号），或把整个值用半角引号括起来：quote: '他说"好": 对'"""),
    ("summary: 时间: 2019年5月1日，地点: 长春客车厂调试车间，人物: 艾子洋和他的徒弟们\n",
     '把值里的「: 」都改成中文冒号「：」，或把整个值用半角引号括起来：summary: "时间: 2019年5月1日，地点: 长春客车厂调…"'),
])
def test_colon_in_a_value_gets_the_line_to_write(text, fix):
    assert parse(text)[1][0].fix == fix


def test_lines_count_from_first_line():
    assert issues_of('name: 艾子洋\nposition: "调试二班\n', first_line=2)[0][0] == 3


def test_unclosed_quote_that_swallows_fields_is_an_error_even_when_yaml_accepts_it():
    value, issues = parse('name: a\nposition: "调试二班\nregion: 吉林"\nindustry: x\n')
    assert [(i.line, "一直延续到第 3 行" in i.found) for i in issues] == [(2, True)]


def test_a_quoted_value_over_two_lines_is_fine():
    value, issues = parse('quote: "畅通渠道了，\n  我们工人干活更有劲头。"\nregion: x\n')
    assert issues == []
    assert value["quote"] == "畅通渠道了，我们工人干活更有劲头。"


# --------------------------------------------------------------------------- typing slips of Chinese keyboards

@pytest.mark.parametrize("text, line, words", [
    ("name：艾子洋\n", 1, "「name」后面用了全角冒号"),                 # alone: YAML would read one plain string
    ("name: a\nregion：吉林\n", 2, "「region」后面用了全角冒号"),
    ("name ： 艾子洋\n", 1, "全角冒号"),
    ("荣誉：全国劳模\n", 1, "「荣誉」后面用了全角冒号"),
    ("name: a\n荣誉：全国劳模\nregion: x\n", 2, "全角冒号"),
    ("honours:\n  - name: a\n    荣誉：全国劳模\n", 3, "「荣誉」后面用了全角冒号"),
    ("honours:\n  - name：全国劳模\n", 2, "「name」后面用了全角冒号"),
    ("honours:\n  - name: 全国劳模\n    year：2020\n", 3, "「year」后面用了全角冒号"),  # YAML: name = '全国劳模 year：2020'
    ("name:艾子洋\n", 1, "「name:」的冒号后面少了一个空格"),
    ("name :艾子洋\n", 1, "少了一个空格"),
    ("url:https://x.y\n", 1, "少了一个空格"),
    ("name:\u3000艾子洋\n", 1, "冒号后面是全角空格"),
    ("honours:\n\u3000\u3000- name: a\n", 2, "全角空格"),
    ("honours:\n\t- name: a\n", 2, "制表符"),
    ("honours:\n  \t- name: a\n", 2, "制表符"),
    ("honours:\n  -name: a\n", 2, "「-」和「name」之间少了一个空格"),
    ("honours:\n  － name: a\n    year: 2020\n", 2, "列表项开头的「－」不是半角减号"),  # YAML blames the next line
    ("honours:\n  • name: a\n", 2, "列表项开头的「•」不是半角减号"),  # pasted from Word
    ("honours:\n  —name: a\n", 2, "列表项开头的「—」不是半角减号"),
])
def test_keyboard_slip_is_reported_at_its_line(text, line, words):
    found = issues_of(text)
    assert len(found) == 1, found
    assert found[0][0] == line
    assert words in found[0][1], found


@pytest.mark.parametrize("text", [
    "time: 12:30\n",
    "url: https://x.y\n",
    "url: http://example.org:8080/a\n",
    "quote: 他说：干就完了\n",
    "quote: 「注意：安全第一」\n",
    "body: |\n  注意：这是正文\n  name:x\n  a：b\n  \t缩进\n",
    "body: >-\n  注意：折叠\n",
    "  # 注释：随便写\nname: a\n",
    "practices:\n  - 五心建设：关心职工\n  - 技能：提升\n",
    "summary: 他是\n  荣誉：全国劳模\nregion: x\n",
    "summary:\n  他说：干就完了\nregion: x\n",
    "honours:\n  - name: 全国\n      荣誉：全国劳模\n",
    "x: -5\ny:\n  -3\n",
    "tags: [a, b]\n",
    "summary: 成果有\n  • 专利 106 项\n  – 获奖：30 项\n",  # a bullet in wrapped text, not a list item
    "mail: \"a:b\"\n",
    "position: 3#机组\n",                # no space before #: part of the value
    "slug: a    # 网址名：建好后别改\n",   # a comment as `new` writes them: a space after #
    "position: '一车间' #2班\n",          # after a closing quote, # can only be a comment
    "position: a ## 备注\n",
])
def test_no_false_alarm_on_valid_text(text):
    assert issues_of(text) == []


def test_lint_accepts_deep_indentation():
    text = "".join(" " * i + "k:\n" for i in range(1500))
    assert lint(text) == []


# --------------------------------------------------------------------------- what PyYAML would hide

@pytest.mark.parametrize("text, line, path, value, found, fix", [
    ("position: 炼铁厂 #1高炉 炉长\n", 1, ["position"], "炼铁厂",
     "这一行的值只读到了「炼铁厂」：「 #」和后面的「#1高炉 炉长」被 YAML 当成了注释，页面上不会显示。",
     '要保留它，就把整个值用半角引号括起来，写成 "炼铁厂 #1高炉 炉长"；本来就是注释的话，在 # 后面加一个空格。'),
    ("theme:\n  primary: #a61b1b\n", 2, ["theme", "primary"], None,
     "这一行的值是空的：「#a61b1b」以 # 开头，被 YAML 当成了注释。", '写成 "#a61b1b"'),
    ("practices:\n  - 五心建设\n  - #2机组 班组建设\n", 3, ["practices", 1], None, "这一行的值是空的：「#2机组 班组建设」", '写成 "#2机组 班组建设"'),
    ("summary: 他带出\n  一支队伍 #3班\nregion: x\n", 2, ["summary"], "他带出一支队伍", "只读到了「他带出一支队伍」", "就把整个值用半角引号括起来；"),
])
def test_a_comment_that_cuts_a_value_short_is_a_warning(text, line, path, value, found, fix):
    """YAML reads「 #」as the start of a comment; Chinese plants write 1#高炉, #2机组."""
    data, issues = parse(text)
    assert [(i.line, i.warning) for i in issues] == [(line, True)]
    assert found in issues[0].found and fix in issues[0].fix
    for step in path:
        data = data[step]
    assert data == value  # the value is still read as YAML reads it


def test_duplicate_key_names_both_lines():
    value, issues = parse("name: a\nregion: b\nname: c\n", first_line=2)
    assert [(i.line, i.found) for i in issues] == [(4, "字段「name」写了两次（第 2 行和第 4 行）。")]
    assert value["name"] == "a"


def test_duplicate_key_on_one_line():
    assert issues_of("a: {b: c, b: d}\n") == [(1, "字段「b」写了两次（在同一行里）。")]


def test_aliases_are_refused_at_the_line_that_uses_them():
    found = issues_of("base: &b 艾子洋\nname: *b\nother: *b\n")
    assert found == [(2, "用了 YAML 引用（& 和 *），展厅不支持。"), (3, "用了 YAML 引用（& 和 *），展厅不支持。")]


def test_aliases_are_allowed_for_site_yaml():
    value, issues = parse("a: &x {label: 来源}\nb: *x\n", aliases=True)
    assert issues == [] and value["b"] == {"label": "来源"}


def test_alias_bomb_stops_without_expanding():
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    value, issues = parse("\n".join(lines) + "\n", aliases=True)
    assert any("太多" in i.found for i in issues)


@pytest.mark.parametrize("text, words", [
    ('name: !!python/object/apply:os.system ["echo hi"]\n', "!!python/object/apply:os.system"),
    ("name: !foo x\n", "!foo"),
    ("name: !!int 3\n", "!!int"),
])
def test_tags_are_refused(text, words):
    found = issues_of(text)
    assert len(found) == 1 and words in found[0][1]


def test_complex_keys_are_refused():
    assert issues_of("[a, b]: c\n") == [(1, "字段名不能是列表或映射。")]


@pytest.mark.parametrize("text, words", [
    ("name: " + "[" * 10000 + "\n", "方括号或花括号嵌套太深"),
    ("x:\n  " + "- " * 100000 + "a\n", "嵌套太深"),                 # crashed the C parser (segfault)
    ("- " * 500000 + "a\n", "嵌套太深"),
    ("".join(" " * i + "k:\n" for i in range(200)), "嵌套太深"),
])
def test_extreme_nesting_is_refused_before_parsing(text, words):
    value, issues = parse(text)
    assert value is None
    assert any(words in i.found for i in issues)


def test_nesting_within_limits_is_fine():
    value, issues = parse("a:\n" + "".join("  " * i + "- \n" for i in range(1, 30)))
    assert issues == []


def test_explain_never_leaves_english_for_common_mistakes():
    texts = ['a: "x\n', "a: [x\n", "a: {x\n", "a: b\n c: d\n", "- a\nb: c\n", "a:\n  - b\n  c: d\n", "a: *\n"]
    for text in texts:
        _, issues = parse(text)
        assert issues and all(not i.found.isascii() for i in issues)
        assert all("YAML 格式错误（" not in i.found for i in issues), (text, issues)


def test_block_depth_counts_indentation_and_dashes():
    assert yamldoc.block_depth("a:\n  b:\n    c: d\n") == 3
    assert yamldoc.block_depth("- - - a\n") == 4
    assert yamldoc.block_depth("a: 1\nb: 2\n") == 1


# --------------------------------------------------------------------------- no input crashes the parser

FRONT = """name: 艾子洋
position: "调试二班高级技师"
skill_level: 高级技师
honours:
  - name: 中车资深技能专家
    year: 2020
tags: [a, b]
figures: {patents: 3}
summary: |
  注意：正文
quote: 他说：干就完了"""
SPECIALS = ['"', "'", "[", "]", "{", "}", ":", "-", "#", "&", "*", "!", "|", ">", "\t", "\u3000", "：", "\n", "%",
            "@", "`", "?", ",", " ", "\\", "\x07", "---\n", "..."]


@pytest.mark.parametrize("special", SPECIALS)
def test_any_single_slip_is_explained_without_crashing(special):
    """Insert one special character at every position, and delete one character: never an exception."""
    lines = FRONT.count("\n") + 1
    variants = [FRONT[:i] + special + FRONT[i:] for i in range(len(FRONT) + 1)]
    if special == '"':
        variants += [FRONT[:i] + FRONT[i + 1:] for i in range(len(FRONT))]
    for text in variants:
        for candidate in (text, text + "\n"):
            value, issues = parse(candidate, first_line=2)
            for issue in issues:
                assert 2 <= issue.line <= lines + 3, (candidate, issue)
                assert issue.found and issue.fix and not issue.found.isascii(), (candidate, issue)
                assert "YAML 格式错误（" not in issue.found, (candidate, issue)  # every slip has its own words
