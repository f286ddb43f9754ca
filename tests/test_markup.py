"""markup: Chinese line joining, safe HTML, the plain-prose fast path, slugs."""
import random

import pytest

from showcase.markup import (Renderer, excerpt, html_tags, join_cjk_lines, make_markdown, markdown_problem, plain_html,
                             replace_html_tags, slugify)


@pytest.mark.parametrize("source, html", [
    ("第一行\n第二行", "<p>第一行第二行</p>"),
    ("末位淘汰；\n“出站”考核", "<p>末位淘汰；“出站”考核</p>"),
    ("共有\n2900名员工", "<p>共有2900名员工</p>"),
    ("使用\nPLC 控制", "<p>使用PLC 控制</p>"),
    ("English words\nwrap here", "<p>English words\nwrap here</p>"),
    ("**强调**\n继续", "<p><strong>强调</strong>继续</p>"),
    ("继续\n**强调**", "<p>继续<strong>强调</strong></p>"),
    ("第一段\n\n第二段", "<p>第一段</p>\n<p>第二段</p>"),
    ("```\n代码\n中文\n```", "<pre><code>代码\n中文\n</code></pre>"),
    ("    缩进代码\n    中文", "<pre><code>缩进代码\n中文\n</code></pre>"),
])
def test_chinese_lines_join_without_space_but_code_keeps_newlines(source, html):
    assert Renderer()(source) == html


@pytest.mark.parametrize("source, expected", [
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("<div onclick=x>块</div>", "<p>&lt;div onclick=x&gt;块&lt;/div&gt;</p>"),
    ("[点我](javascript:alert(1))", '<p><a href="#">点我</a></p>'),
    ("[链接](https://example.org/a)", '<p><a href="https://example.org/a">链接</a></p>'),
    ("![图](data:text/html;base64,xx)", '<p><img alt="图" src="#"></p>'),
])
def test_raw_html_is_escaped_and_unsafe_links_dropped(source, expected):
    assert Renderer(allow_html=False)(source) == expected


def test_raw_html_kept_when_site_allows_it():
    assert Renderer(allow_html=True)("<div class=\"x\">块</div>") == '<div class="x">块</div>'


def _document(rng: random.Random, pieces: list[str]) -> str:
    """A random document of prose-like lines, headings and separators."""
    lines = []
    for _ in range(rng.randint(1, 10)):
        roll = rng.random()
        if roll < 0.1:
            lines.append("#" * rng.randint(1, 7) + rng.choice([" ", "", "  "]) + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))))
        elif roll < 0.25:
            lines.append(rng.choice(["", "", " ", "===", "---"]))
        else:
            lines.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))))
    return "\n".join(lines)


PROSE = ["中文", "字", "，", "。", "English", " ", "2019", "**强调**", "“引号”", "！", "—", "…", "a b"]
NOISE = ["*", "**", "_", "#", "1.", "-", "  ", "\t", "<b>", "&", "[x](y)", "`c`", "=", "** x**", "**x **", "***", "\\", "|", ">", "+", "1)", "    "]


@pytest.mark.parametrize("seed, pieces", [(1, PROSE), (2, PROSE), (3, PROSE + NOISE), (4, PROSE + NOISE)])
def test_fast_path_matches_python_markdown_exactly(seed, pieces):
    md = make_markdown(False)
    rng = random.Random(seed)
    used = 0
    for _ in range(5000):
        document = _document(rng, pieces)
        fast = plain_html(document)
        if fast is None:
            continue
        used += 1
        md.reset()
        assert fast == md.convert(document), document
    assert used > 50


@pytest.mark.parametrize("document", ["- 列表", "1. 第一", "> 引用", "段落\n===", "| a | b |", "a  \nb", "[x](y)", "`代码`", "&amp;", "\t缩进"])
def test_fast_path_declines_anything_but_plain_prose(document):
    assert plain_html(document) is None


@pytest.mark.parametrize("text, slug", [
    ("长春", "changchun"),
    ("重庆", "chongqing"),
    ("艾子洋", "aiziyang"),
    ("ai-ziyang", "ai-ziyang"),
    ("Li Shuai 李帅", "li-shuai-lishuai"),
    ("ＡＢＣ１２３", "abc123"),
    ("国网宁波供电公司", "guowangningbogongdiangongsi"),
    ("“五心”建设", "wuxin-jianshe"),
    ("！！", ""),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_join_leaves_pre_blocks_alone():
    html = "<p>甲\n乙</p>\n<pre><code>甲\n乙</code></pre>"
    assert join_cjk_lines(html) == "<p>甲乙</p>\n<pre><code>甲\n乙</code></pre>"


@pytest.mark.parametrize("text, limit, expected", [
    ("短句。", 10, "短句。"),
    ("第一句话很长很长。第二句话也很长很长很长。", 15, "第一句话很长很长。"),
])
def test_excerpt(text, limit, expected):
    assert excerpt(text, limit) == expected


@pytest.mark.parametrize("source, html", [
    ("# 一\n\n## 二", "<h2>一</h2>\n<h3>二</h3>"),
    ("## 二\n\n### 三", "<h2>二</h2>\n<h3>三</h3>"),
    ("### 三", "<h2>三</h2>"),
    ("# 一\n\n###### 六", "<h2>一</h2>\n<h6>六</h6>"),
    ("段落", "<p>段落</p>"),
])
def test_body_headings_start_at_h2_under_the_page_title(source, html):
    assert Renderer()(source) == html


@pytest.mark.parametrize("text, offset, says", [
    ("正文。\n" * 20 + "[报道](https://example.org/)", None, None),
    ("中" * 100_001, 0, "有 100001 个字，太长了（最多 100000 个字）。"),
    ("[" * 3_000, None, None),  # 3,333 are allowed at this length
    ("[" * 4_000, 0, "有 4000 个方括号「[」，对这么长的文字太多了（最多 2500 个）。"),
    ("甲\n\n" + "> " * 21 + "引文", 2, "这一行的引用符号 > 套了 20 层以上"),
    ("> " * 20 + "引文", None, None),
    ("甲\n" + " " * 161 + "- 项", 1, "这一行行首的空格超过 160 个"),
    ("甲\n" + "\t" * 41 + "- 项", 1, "这一行行首的空格超过 160 个"),
    ("第一段\n\n" + "一行\n" * 501, 2, "从这一行起超过 500 行之间没有空行"),
    ("一行\n" * 500, None, None),
    (("一行\n" * 400 + "\n") * 3, None, None),
])
def test_markdown_problem_bounds(text, offset, says):
    """Text Python-Markdown would take too long or too deep over is named, at its line; ordinary text passes."""
    found = markdown_problem(text)
    if says is None:
        assert found is None, found
    else:
        assert found is not None and found[0] == offset and says in found[1], found


@pytest.mark.parametrize("source, allow_html, tags", [
    ("![张毅在车间](images/a.jpg)", False, [{"alt": "张毅在车间", "src": "images/a.jpg"}]),
    ('前文 ![A&B](images/a b.jpg "标题") 后文', False, [{"alt": "A&B", "src": "images/a b.jpg", "title": "标题"}]),
    ("![尖括号](<images/c d.jpg>)", False, [{"alt": "尖括号", "src": "images/c d.jpg"}]),
    ("![一](1.jpg)![二](2.png)", False, [{"alt": "一", "src": "1.jpg"}, {"alt": "二", "src": "2.png"}]),
    ("![说明][图]\n\n[图]: images/c.jpg", False, [{"alt": "说明", "src": "images/c.jpg"}]),
    ("```\n![不是图](x.jpg)\n```", False, []),  # code shows the text
    ('<img src="x.jpg" alt="原样">', False, []),  # raw HTML is escaped
    ('<img src="x.jpg" alt="原样">', True, [{"src": "x.jpg", "alt": "原样"}]),
])
def test_image_tags_are_the_pictures_markdown_shows(source, allow_html, tags):
    assert html_tags(Renderer(allow_html)(source), "img") == tags


def test_replace_html_tags_swaps_only_what_the_replacement_knows():
    html = '<p><img alt="一" src="1.jpg"> <img alt="二" src="2.jpg"></p>'
    swapped = replace_html_tags(html, "img", lambda tag: "<picture>一</picture>" if tag["src"] == "1.jpg" else None)
    assert swapped == '<p><picture>一</picture> <img alt="二" src="2.jpg"></p>'


def test_html_tags_reads_links_too():
    html = Renderer()('见[李帅](../workers/李帅.md#荣誉 "油漆车间")和<https://example.org>')
    assert html_tags(html, "a") == [{"href": "../workers/李帅.md#荣誉", "title": "油漆车间"},
                                    {"href": "https://example.org"}]


@pytest.mark.parametrize("source, html", [
    ("\u3000\u3000第一段。\n\n\u3000\u3000第二段。", "<p>第一段。</p>\n<p>第二段。</p>"),  # indents pasted from Word
    ("第一段。\n\u3000\u3000\n第二段。", "<p>第一段。</p>\n<p>第二段。</p>"),  # a line of full-width spaces is blank
    ("第一段。\n\u00a0\n第二段。", "<p>第一段。</p>\n<p>第二段。</p>"),  # so is one of no-break spaces (WeChat)
    ("第一行\n\u3000\u3000第二行", "<p>第一行第二行</p>"),
    ("- 项目\n  \u3000续行", "<ul>\n<li>项目续行</li>\n</ul>"),  # the list's own indent is kept
    ("```\n\u3000\u3000代码\n```\n\u3000\u3000正文", "<pre><code>\u3000\u3000代码\n</code></pre>\n<p>正文</p>"),
    ("中间的\u3000全角空格留着", "<p>中间的\u3000全角空格留着</p>"),
    ("1、建机制\n2、搭平台", "<p>1、建机制</p>\n<p>2、搭平台</p>"),  # points written one under another
    ("做法有三条：\n（一）建机制\n（二）搭平台\n(3)强保障", "<p>做法有三条：</p>\n<p>（一）建机制</p>\n<p>（二）搭平台</p>\n<p>(3)强保障</p>"),
    ("一、总体情况\n二、主要做法", "<p>一、总体情况</p>\n<p>二、主要做法</p>"),
    ("①专利\n②获奖", "<p>①专利</p>\n<p>②获奖</p>"),
    ("1、第一点写得很长，\n换行接着写", "<p>1、第一点写得很长，换行接着写</p>"),  # a point's own wrapped line still joins
    ("一、总体情况\n产改以来，全市建起了\n一批工作室。", "<p>一、总体情况</p>\n<p>产改以来，全市建起了一批工作室。</p>"),  # a heading point
    ("（二）“五心”建设\n让职工安心。\n（三）强保障\n", "<p>（二）“五心”建设</p>\n<p>让职工安心。</p>\n<p>（三）强保障</p>"),
    ("1、车间挑选核心骨干当师傅，平均每年师徒带教八十余次\n一共带出了四十名技师。", "<p>1、车间挑选核心骨干当师傅，平均每年师徒带教八十余次一共带出了四十名技师。</p>"),  # a long line wraps
    ("①专利：\n4项", "<p>①专利：4项</p>"),  # ends with punctuation: its line goes on
    ("他在2020年\n1月获奖", "<p>他在2020年1月获奖</p>"),  # 1月 is no enumerator
    ("```\n1、代码\n2、代码\n```", "<pre><code>1、代码\n2、代码\n</code></pre>"),
])
def test_chinese_text_keeps_its_paragraphs_and_points(source, html):
    assert Renderer()(source) == html
