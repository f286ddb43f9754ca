"""site.yaml → frozen settings; unknown keys and wrong types are errors with 'did you mean'.

Every option is declared once, in the ``*_OPTIONS`` tables below, with its type, default and a
Chinese description; errors name the option by its dotted path (``collections.workers.label``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote as urlquote, urlsplit, urlunsplit

from . import yamldoc
from .errors import COMMAND_LINE, Report, did_you_mean, quote
from .fsutil import HOW_TO_SAVE_UTF8, EncodingProblem, inside, read_text
from .schema import TYPE_NAMES, TYPES, Field, ImageRef, content_path
from .yamldoc import YList, YMap

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_FIELDS = {"slug", "body", "url", "collection", "path", "linked_from", "title", "key"}

# option: (type, default, description).  Types: str, bool, int, color, dict, list, any.
# A default of REQUIRED makes the option required.
REQUIRED = object()
LOGO_TYPES = (".svg", ".png", ".jpg", ".jpeg", ".webp")
SITE_OPTIONS = {
    "title": ("str", REQUIRED, "展厅名称，显示在横幅和每个页面的标题里（必填）"),
    "subtitle": ("str", "", "横幅上的副标题"),
    "organisation": ("str", "", "主办单位"),
    "description": ("str", "", "首页的简介，也用于分享卡片"),
    "base_url": ("str", "/", "网站上线后的地址，如 https://example.org/zhanting/（分享卡片、站点地图要用完整地址）"),
    "logo": ("str", "", "标志图片，放在 assets 文件夹里，如 assets/logo.svg"),
    "share_image": ("str", "", "默认分享图：首页、列表页等没有自己照片的页面分享到微信时显示它，相对 content 文件夹的路径，如 images/share.jpg"),
    "footer": ("str", "", "页脚文字"),
    "output": ("str", "output", "生成网站的文件夹"),
    "theme": ("dict", {}, "主题颜色"),
    "markdown": ("dict", {}, "Markdown 设置"),
    "feed": ("dict", {}, "订阅源设置"),
    "vocabularies": ("dict", {}, "可选值列表，字段用 vocabulary 引用"),
    "collections": ("dict", REQUIRED, "内容集合（必填）"),
    "taxonomies": ("dict", {}, "按字段归类的页面（荣誉、地区、行业）"),
    "data": ("dict", {}, "content/data/ 下的数据文件"),
    "stats": ("dict", {}, "由内容自动统计的数字和图表，显示在数据页上"),
    "zones": ("list", [], "展区，按顺序出现在首页"),
    "search": ("dict", {}, "站内搜索：搜哪些集合和字段、按什么筛选"),
    "images": ("dict", {}, "图片设置"),
    "kiosk": ("dict", {}, "展厅触摸屏版（python build.py --kiosk）的设置"),
}
IMAGE_OPTIONS = {
    "widths": ("list", [480, 960, 1600], "生成的图片宽度（像素），浏览器按屏幕大小挑选；默认 [480, 960, 1600]"),
    "quality": ("int", 83, "压缩质量（1–100），越高越清晰、文件越大；默认 83"),
    "avif": ("bool", False, "是否另外生成 AVIF 格式（更小，但生成慢得多）；默认 false"),
}
THEME_OPTIONS = {
    "primary": ("color", "#a61b1b", "主色（横幅、标题）"),
    "accent": ("color", "#b8860b", "点缀色（徽章、数字）"),
    "ink": ("color", "#1f1f1f", "正文颜色"),
    "paper": ("color", "#fbf7f0", "页面底色"),
}
MARKDOWN_OPTIONS = {"allow_html": ("bool", False, "是否允许正文里写 HTML（默认转义显示）")}
FEED_OPTIONS = {"limit": ("int", 20, "订阅源里最近条目的数量")}
COLLECTION_OPTIONS = {
    "label": ("str", REQUIRED, "集合的中文名，如 劳模工匠（必填）"),
    "item_label": ("str", "", "单个条目的称呼，如 工作室"),
    "folder": ("str", "", "content/ 下的文件夹名，默认同集合名"),
    "url": ("str", "", "条目网址的格式，默认 集合名/{slug}"),
    "template": ("str", "", "条目页模板，默认 集合名.html，没有时用 entry.html"),
    "list_template": ("str", "", "列表页模板，默认 集合名-list.html，没有时用 list.html"),
    "title_field": ("str", "", "用作标题的字段，默认 name 或 title"),
    "sort": ("str", "", "列表排序字段，默认按标题拼音；前面加 - 表示倒序"),
    "list": ("bool", True, "是否生成列表页"),
    "feed": ("bool", True, "是否进入订阅源"),
    "fields": ("dict", REQUIRED, "字段定义（必填）"),
}
FIELD_OPTIONS = {
    "label": ("str", REQUIRED, "字段的中文名（必填）"),
    "type": ("str", REQUIRED, "字段类型（必填）"),
    "required": ("bool", False, "是否必填"),
    "help": ("str", "", "填写提示，出现在错误信息里"),
    "vocabulary": ("any", None, "可选值：vocabularies 里的名字，或直接写列表（enum 类型）"),
    "to": ("str", "", "引用哪个集合（ref 类型），any 表示任意集合"),
    "item": ("dict", None, "列表每一项的定义（list 类型）"),
    "fields": ("dict", None, "子字段（object 类型）"),
    "min": ("int", None, "最小值（integer、number 类型），如 0：数目不会是负数"),
}
TAXONOMY_OPTIONS = {
    "label": ("str", REQUIRED, "中文名（必填）"),
    "field": ("str", REQUIRED, "按哪个字段归类，如 region 或 honours.name（必填）"),
    "collections": ("list", REQUIRED, "归类哪些集合（必填）"),
}
DATA_OPTIONS = {
    "label": ("str", REQUIRED, "中文名（必填）"),
    "fields": ("dict", REQUIRED, "每一项的字段（必填）"),
    "page": ("str", "", "为这组数据生成一个页面，填页面标题（也出现在导航里），如 大事记；不填则不生成"),
    "template": ("str", "", "页面模板，默认 数据名.html，如 timeline.html"),
}
CHARTS = {"bars": "条形图", "proportion": "比例图", "series": "按年份的柱状图"}
STAT_OPTIONS = {
    "label": ("str", REQUIRED, "这个数字或图表的标题（必填）"),
    "collections": ("list", REQUIRED, "统计哪些集合的条目，如 [workers]（必填）"),
    "sum": ("str", "", "把哪个数字字段加起来，如 figures.patents；不填则数条目个数"),
    "by": ("str", "", "按哪个字段分组画图，如 region、honours.level；不填则只得出一个总数"),
    "chart": ("str", "", "图表样式：bars（条形图）、proportion（比例图）、series（按年份）；分组时默认 bars"),
    "unit": ("str", "", "单位，如 个、位、项、万元"),
    "limit": ("int", 12, "条形图最多画几条，其余的合成一条「其他」（按级别、按年份的图不受限）"),
}
KIOSK_OPTIONS = {
    "output": ("str", "kiosk-output", "触摸屏版生成到的文件夹，不能和网站的 output 相同"),
    "screen": ("str", "landscape", "屏幕方向：landscape（横屏 1920×1080）或 portrait（竖屏 1080×1920）"),
    "attract_after": ("int", 60, "首页无人触摸多少秒后开始轮播"),
    "idle_after": ("int", 120, "其他页面无人触摸多少秒后询问“还在浏览吗？”"),
    "countdown": ("int", 20, "询问后倒数多少秒回到首页"),
    "slide_seconds": ("int", 8, "轮播每一张停留的秒数"),
    "heartbeat_timeout": ("int", 60, "页面多少秒没有心跳就重启浏览器（python build.py kiosk）"),
    "port": ("int", 8765, "触摸屏本机服务的端口（只在 127.0.0.1 上）"),
    "browser": ("str", "", "浏览器命令，默认自动找 chromium"),
}
SCREENS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
ZONE_OPTIONS = {
    "id": ("str", REQUIRED, "展区代号，用于网址，如 workers（必填）"),
    "title": ("str", REQUIRED, "展区标题（必填）"),
    "intro": ("str", "", "展区导语页面（content/pages/ 下的文件名或 slug）"),
    "collection": ("str", REQUIRED, "展出哪个集合（必填）"),
    "entries": ("list", [], "只展出这些条目（文件名或 slug），按此顺序"),
    "limit": ("int", 0, "首页最多显示几个，0 为不限"),
}
SEARCH_OPTIONS = {
    "collections": ("list", [], "哪些集合能搜到，默认全部"),
    "fields": ("list", [], "搜哪些字段，子字段用点号连接（如 honours.name），body 是正文；默认所有文字字段和正文"),
    "facets": ("dict", {}, "筛选项，每项写 代号: {label: 中文名, field: 字段}；默认同 taxonomies"),
    "initials": ("str", "initials", "条目里手写姓名拼音首字母的字段（多音字姓氏如 单、曾 读法不同时填写）"),
}
FACET_OPTIONS = {
    "label": ("str", REQUIRED, "筛选项的中文名，如 地区（必填）"),
    "field": ("str", REQUIRED, "按哪个字段筛选，如 region 或 honours.name（必填）"),
    "collections": ("list", [], "只用于这些集合，默认所有有这个字段的集合"),
}


@dataclass(frozen=True)
class Theme:
    """Theme colours set in site.yaml."""

    primary: str
    accent: str
    ink: str
    paper: str


@dataclass(frozen=True)
class Collection:
    """One content collection: its folder, URLs, templates and fields."""

    name: str
    label: str
    item_label: str
    folder: str
    url: str
    template: str
    list_template: str
    title_field: str
    sort: str
    list: bool
    feed: bool
    fields: tuple

    def field(self, name: str) -> Field | None:
        """The declared field called name."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def image_field(self) -> str:
        """The first image field, used for cards and share images."""
        return next((f.name for f in self.fields if f.type == "image"), "")


@dataclass(frozen=True)
class Taxonomy:
    """Pages grouping entries by the values of one field."""

    name: str
    label: str
    field: str
    collections: tuple


@dataclass(frozen=True)
class DataSet:
    """A list of records in content/data/<name>.yaml, and the page that shows them (if any)."""

    name: str
    label: str
    fields: tuple
    page: str = ""
    template: str = ""

    @property
    def url(self) -> str:
        """Site-relative URL of the data set's page, such as timeline/."""
        return f"{self.name}/"


@dataclass(frozen=True)
class Stat:
    """A figure or chart computed from the content (site.yaml stats)."""

    name: str
    label: str
    collections: tuple
    sum: str
    by: str
    chart: str
    unit: str
    limit: int = 12


@dataclass(frozen=True)
class Zone:
    """An exhibition zone (展区) on the home page."""

    id: str
    title: str
    intro: str
    collection: str
    entries: tuple
    limit: int


@dataclass(frozen=True)
class Kiosk:
    """Settings of the touch-screen edition for an exhibition hall (site.yaml kiosk:)."""

    output: Path
    screen: str
    attract_after: int
    idle_after: int
    countdown: int
    slide_seconds: int
    heartbeat_timeout: int
    port: int
    browser: str


@dataclass(frozen=True)
class ImageSettings:
    """How pictures are made: widths offered, compression quality, whether to add AVIF."""

    widths: tuple = (480, 960, 1600)
    quality: int = 83
    avif: bool = False
    line: int = 0


@dataclass(frozen=True)
class Facet:
    """A search filter: entries grouped by the values of one field."""

    name: str
    label: str
    field: str
    collections: tuple


@dataclass(frozen=True)
class Search:
    """What the site search covers: collections, fields, facets and the initials override field."""

    collections: tuple
    fields: tuple
    facets: tuple
    initials: str


@dataclass(frozen=True)
class Site:
    """Everything site.yaml says, checked."""

    root: Path
    title: str
    subtitle: str
    organisation: str
    description: str
    base_url: str
    logo: str
    share_image: ImageRef | None
    footer: str
    output: Path
    theme: Theme
    allow_html: bool
    feed_limit: int
    collections: tuple
    taxonomies: tuple
    data: tuple
    zones: tuple
    search: Search
    kiosk: Kiosk
    stats: tuple = ()
    images: ImageSettings = ImageSettings()
    edition: str = "web"

    @property
    def content_dir(self) -> Path:
        """The content/ folder."""
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        """The templates/ folder."""
        return self.root / "templates"

    @property
    def assets_dir(self) -> Path:
        """The assets/ folder."""
        return self.root / "assets"

    def collection(self, name: str) -> Collection | None:
        """The collection called name."""
        return next((c for c in self.collections if c.name == name), None)


class _Reader:
    """Reads option tables out of site.yaml, reporting into one report."""

    def __init__(self, report: Report, path: str = "site.yaml"):
        self.report = report
        self.path = path

    def fail(self, line: int, name: str, found: str, fix: str) -> None:
        """Report a site.yaml error for option name."""
        self.report.error(self.path, line, name, found, fix)

    def command_fail(self, line: int, name: str, found: str, fix: str) -> None:
        """Report a wrong command-line option (it overrides site.yaml, so no line)."""
        self.report.error(COMMAND_LINE, 0, name, found, fix)

    def options(self, data, table: dict, prefix: str, line: int) -> dict:
        """Check a mapping against an option table; return values with defaults filled in."""
        if not isinstance(data, YMap):
            self.fail(line, prefix, f"「{prefix}」应该是一组设置，这里是{_kind(data)}。", "在下一行缩进两个空格，逐行写「设置: 值」。")
            data = YMap()
            data.key_lines = {}
        lines = data.key_lines
        result = {}
        for key in data:
            if key not in table:
                guess = did_you_mean(key, table)
                hint = f"您是不是想写「{guess}」？" if guess else "检查拼写，或删掉这一行。"
                self.fail(lines[key], f"{prefix}.{key}".lstrip("."), f"不认识的设置「{key}」。", hint + "可用的设置：" + "、".join(table) + "。")
        for key, (kind, default, description) in table.items():
            name = f"{prefix}.{key}".lstrip(".")
            if key not in data or data[key] is None:
                if default is REQUIRED:
                    self.fail(data.line or line, name, f"缺少必填设置「{key}」（{description.removesuffix('（必填）')}）。", f"加一行「{key}: …」。")
                result[key] = None if default is REQUIRED else default
                continue
            result[key] = self.typed(data[key], kind, name, lines.get(key, line), default, description)
        return result

    def typed(self, value, kind: str, name: str, line: int, default, description: str = ""):
        """Check one option value's type; report and fall back to the default when wrong."""
        wanted = {"str": "文字", "bool": "true 或 false", "int": "整数", "color": "颜色", "dict": "一组设置", "list": "列表"}
        ok = {
            "any": lambda v: True,
            "str": lambda v: isinstance(v, str),
            "bool": lambda v: isinstance(v, str) and v.lower() in ("true", "false", "yes", "no"),
            "int": lambda v: isinstance(v, str) and v.strip().isdecimal(),
            "color": lambda v: isinstance(v, str) and bool(COLOR.match(v.strip())),
            "dict": lambda v: isinstance(v, YMap),
            "list": lambda v: isinstance(v, YList),
        }[kind](value)
        if not ok:
            what = f"（{description.removesuffix('（必填）')}）" if description else ""
            self.fail(line, name, f"「{name}」{what}应该是{wanted[kind]}，这里是{_kind(value)}。", _how_to_write(kind, default))
            return None if default is REQUIRED else default
        if kind == "bool":
            return value.lower() in ("true", "yes")
        if kind == "int":
            return int(value)
        return value.strip() if kind in ("str", "color") else value


def _how_to_write(kind: str, default) -> str:
    """How to write a value of an option type, with the default as the example."""
    if kind == "color":
        return f"写成 # 加六位十六进制数字（0–9、a–f），如 {default}，要用半角引号括起来：\"{default}\"。"
    if kind == "int":
        return f"只写阿拉伯数字，如 {default}。"
    if kind == "bool":
        return "写 true（是）或 false（否）。"
    if kind == "dict":
        return "在下一行缩进两个空格，逐行写「设置: 值」。"
    if kind == "list":
        return "写成 [值一, 值二]，或在下面逐行写「- 值」。"
    return "在冒号后面直接写文字，不要换行缩进。"


def _kind(value) -> str:
    """Describe a YAML value in Chinese."""
    if isinstance(value, YMap):
        return "一组设置"
    if isinstance(value, YList):
        return "一个列表"
    return "空的" if value is None else quote(value)


def load_site(root: Path, report: Report, output: str | None = None, base_url: str | None = None,
              kiosk: bool = False) -> Site | None:
    """Read and check root/site.yaml (for the kiosk edition when kiosk); None (with errors in report) when it cannot be used."""
    path = root / "site.yaml"
    try:
        text = read_text(path)
    except FileNotFoundError:
        report.error("site.yaml", 0, "", f"在 {root} 里找不到 site.yaml。", "在项目文件夹里运行命令，或从示例项目复制一份 site.yaml。")
        return None
    except EncodingProblem as exc:
        report.error("site.yaml", 0, "", str(exc), HOW_TO_SAVE_UTF8)
        return None
    data, issues = yamldoc.parse(text, aliases=True)
    if yamldoc.report_issues(issues, "site.yaml", report):
        return None
    if not isinstance(data, YMap):
        found = "site.yaml 是空的。" if data is None else "site.yaml 应该是一行一个「设置: 值」，这里不是。"
        report.error("site.yaml", getattr(data, "line", 1), "", found, "从示例项目复制一份 site.yaml，再按需要修改。")
        return None
    before = len(report.errors)
    site = parse_site(data, root, report, output, base_url, kiosk)
    return site if len(report.errors) == before else None


def parse_site(data, root: Path, report: Report, output: str | None = None, base_url: str | None = None,
               kiosk: bool = False) -> Site:
    """Build Site from parsed site.yaml data (the kiosk edition when kiosk), reporting every problem."""
    reader = _Reader(report)
    top = reader.options(data, SITE_OPTIONS, "", 1)
    before = len(report.errors)
    web_output = _output(reader, root, (None if kiosk else output) or top["output"], _line(data, "output"), bool(output) and not kiosk)
    kiosk_settings = _kiosk(reader, top["kiosk"] or _empty(), root, web_output if len(report.errors) == before else None,
                            output if kiosk else None, _line(data, "kiosk"))
    vocabularies = _vocabularies(reader, data.get("vocabularies") if isinstance(data, YMap) else None)
    collections = _collections(reader, top["collections"] or YMap(), vocabularies)
    names = {c.name for c in collections}
    taxonomies = _taxonomies(reader, top["taxonomies"] or _empty(), collections)
    site = Site(
        root=root,
        title=top["title"] or "",
        subtitle=top["subtitle"],
        organisation=top["organisation"],
        description=top["description"],
        base_url=_base_url(reader, base_url or top["base_url"], data, bool(base_url)),
        logo=_logo(reader, root, top["logo"], _line(data, "logo")),
        share_image=_share_image(reader, top["share_image"], _line(data, "share_image")),
        footer=top["footer"],
        output=kiosk_settings.output if kiosk else web_output,
        theme=Theme(**reader.options(top["theme"] or _empty(), THEME_OPTIONS, "theme", _line(data, "theme"))),
        allow_html=reader.options(top["markdown"] or _empty(), MARKDOWN_OPTIONS, "markdown", _line(data, "markdown"))["allow_html"],
        feed_limit=reader.options(top["feed"] or _empty(), FEED_OPTIONS, "feed", _line(data, "feed"))["limit"],
        collections=collections,
        taxonomies=taxonomies,
        data=_datasets(reader, top["data"] or _empty(), vocabularies, names),
        zones=_zones(reader, top["zones"] or YList(), names, _line(data, "zones")),
        search=_search(reader, top["search"] or _empty(), collections, taxonomies, _line(data, "search"), _declared(top["collections"])),
        images=_images(reader, top["images"] or _empty(), _line(data, "images")),
        kiosk=kiosk_settings,
        edition="kiosk" if kiosk else "web",
    )
    site = replace(site, stats=_stats(reader, top["stats"] or _empty(), site))
    if kiosk and not site.base_url.startswith(("http://", "https://")):
        reader.fail(_line(data, "base_url"), "base_url", f"触摸屏版的每页都有二维码，指向网站上的同一页，但 base_url「{site.base_url}」不是完整网址。",
                    "把 base_url 改成网站上线后的完整地址，如 https://example.org/zhanting/（也可用 --base-url 指定）。")
    _check_field_refs(reader, site, data)
    _check_contrast(report, site.theme, _line(data, "theme"))
    return site


def luminance(color: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _check_contrast(report: Report, theme: Theme, line: int) -> None:
    """Warn when theme colours make text hard to read (WCAG AA needs 4.5:1)."""
    pairs = [("白字在主色上", "#ffffff", theme.primary, "theme.primary"),
             ("主色文字在底色上", theme.primary, theme.paper, "theme.primary"),
             ("正文在底色上", theme.ink, theme.paper, "theme.ink")]
    for what, fore, back, name in pairs:
        ratio = contrast(fore, back)
        if ratio < 4.5:
            report.warn("site.yaml", line, name, f"{what}的对比度只有 {ratio:.1f}:1，视力不好的观众看不清（至少要 4.5:1）。",
                        "主色选深一些（如 #a61b1b），底色选浅一些（如 #fbf7f0），正文用接近黑色的颜色。")


def _empty() -> YMap:
    """An empty mapping with no lines."""
    value = YMap()
    value.key_lines = {}
    return value


def _line(data, key: str) -> int:
    """Line of key in a mapping, or 1."""
    return getattr(data, "key_lines", {}).get(key, 1) if isinstance(data, YMap) else 1


def _base_url(reader: _Reader, value: str, data, from_command: bool = False) -> str:
    """Check base_url (from site.yaml or --base-url); make it end with a slash, in the ASCII form feeds and sitemaps need."""
    value = (value or "/").strip()
    fail = reader.command_fail if from_command else reader.fail
    where = (_line(data, "base_url"), "--base-url" if from_command else "base_url")
    if not (value.startswith("/") or re.match(r"^https?://[^\s/]+(/\S*)?$", value)):
        fail(*where, f"base_url{quote(value)}不是网址。", "写成完整网址（如 https://example.org/zhanting/）或以 / 开头的路径（如 /zhanting/）。")
        return "/"
    if "?" in value or "#" in value:
        fail(*where, f"base_url{quote(value)}带着「?」或「#」后面的部分，每一页的地址都会接错。",
             "只写到网站所在的文件夹，如 https://example.org/zhanting/。")
        return "/"
    try:
        return _ascii_url(value if value.endswith("/") else value + "/")
    except (UnicodeError, ValueError):
        fail(*where, f"base_url{quote(value)}里的域名写法不对。", "检查域名，如 https://example.org/zhanting/。")
        return "/"


def _ascii_url(url: str) -> str:
    """url with a Chinese domain in its xn-- form and a Chinese path percent-encoded (例子.中国/展厅/ → xn--fsqu00a.xn--fiqs8s/%E5%B1%95%E5%8E%85/)."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        netloc = parts.hostname.encode("idna").decode("ascii") + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, urlquote(parts.path, safe="/%!$&'()*+,;=:@~"), "", ""))


def _output(reader: _Reader, root: Path, value: str, line: int, from_command: bool = False) -> Path:
    """Resolve the output folder (from site.yaml or --output) and refuse folders a build must never replace."""
    root = root.resolve()
    target = (root / value).resolve() if value else root
    forbidden = {
        root: "项目文件夹本身",
        root / "content": "content 文件夹",
        root / "templates": "templates 文件夹",
        root / "assets": "assets 文件夹",
        Path(root.anchor): "磁盘根目录",
        Path.home().resolve(): "用户主目录",
    }
    why = forbidden.get(target)
    if why is None and root.is_relative_to(target):
        why = "项目文件夹的上级文件夹"
    if why is None and any(target.is_relative_to(root / name) for name in ("content", "templates", "assets")):
        why = "源文件夹里面"
    if why:
        fail = reader.command_fail if from_command else reader.fail
        fail(line, "--output" if from_command else "output", f"输出文件夹{quote(value)}是{why}：生成时会整个替换它，会删掉您的文件。",
             "换一个专用的新文件夹，如 output。")
    return target


def _kiosk(reader: _Reader, data, root: Path, web_output: Path | None, output: str | None, line: int) -> Kiosk:
    """Check the kiosk settings; its folder (or --output for a kiosk build) must not overlap a valid web output."""
    options = reader.options(data, KIOSK_OPTIONS, "kiosk", line)
    lines = getattr(data, "key_lines", {})
    name = "--output" if output else "kiosk.output"
    before = len(reader.report.errors)
    target = _output(reader, root, output or options["output"], lines.get("output", line), bool(output))
    checked = web_output is not None and len(reader.report.errors) == before
    if checked and (target == web_output or target.is_relative_to(web_output) or web_output.is_relative_to(target)):
        fail = reader.command_fail if output else reader.fail
        fail(lines.get("output", line), name, f"触摸屏版的文件夹{quote(output or options['output'])}和网站的输出文件夹 {web_output.name} 重叠：两个版本会混在一起，上传网站时会带上触摸屏的文件。",
             "给触摸屏版单独一个文件夹，如 kiosk-output。")
    if options["screen"] not in SCREENS:
        guess = did_you_mean(options["screen"], SCREENS)
        reader.fail(lines.get("screen", line), "kiosk.screen", f"屏幕方向{quote(options['screen'])}不存在。",
                    (f"您是不是想写「{guess}」？" if guess else "") + "写 landscape（横屏 1920×1080）或 portrait（竖屏 1080×1920）。")
        options["screen"] = "landscape"
    for key in ("attract_after", "idle_after", "countdown", "slide_seconds", "heartbeat_timeout"):
        if options[key] < 1:
            reader.fail(lines.get(key, line), f"kiosk.{key}", f"「kiosk.{key}」是秒数，至少为 1，这里是 {options[key]}。", f"写一个正整数，默认 {KIOSK_OPTIONS[key][1]}。")
            options[key] = KIOSK_OPTIONS[key][1]
    if not 1024 <= options["port"] <= 65535:
        reader.fail(lines.get("port", line), "kiosk.port", f"端口 {options['port']} 不能用。", "写 1024 到 65535 之间的数，默认 8765。")
        options["port"] = KIOSK_OPTIONS["port"][1]
    return Kiosk(**{**options, "output": target})


def _logo(reader: _Reader, root: Path, value: str, line: int) -> str:
    """Check the logo: a file inside assets/ (the only folder copied as it is); its path with forward slashes."""
    text = value.strip().replace("\\", "/").removeprefix("./")
    if not text:
        return ""
    path = inside(root / "assets", text.removeprefix("assets/")) if text.startswith("assets/") else None
    if path is None:
        reader.fail(line, "logo", f"标志图片{quote(value)}不在 assets 文件夹里，网站上不会有这个文件。",
                    "把标志图片放进 assets 文件夹，写成 assets/文件名，如 assets/logo.svg。")
    elif not path.is_file():
        reader.fail(line, "logo", f"找不到标志图片{quote(value)}。", "检查 assets 文件夹里的文件名（包括扩展名和大小写）。")
    elif path.suffix.lower() not in LOGO_TYPES:
        reader.fail(line, "logo", f"标志图片{quote(value)}不是网页能显示的图片格式。", "用 SVG、PNG、JPEG 或 WebP 格式的标志。")
    return text


def _share_image(reader: _Reader, value: str, line: int) -> ImageRef | None:
    """The default share picture, a path inside content/ (the image stage checks the file itself)."""
    if not value.strip():
        return None
    path = content_path(value, "")
    if path is None:
        reader.fail(line, "share_image", f"分享图{quote(value)}指向 content 文件夹以外。",
                    "把图片放进 content 文件夹（如 content/images/share.jpg），再写相对 content 的路径，如 images/share.jpg。")
        return None
    return ImageRef(path, line, "分享图")


def _images(reader: _Reader, data, line: int) -> ImageSettings:
    """Check the image settings: widths are whole numbers of pixels, quality 1–100."""
    options = reader.options(data, IMAGE_OPTIONS, "images", line)
    widths = []
    for value in options["widths"]:
        text = str(value).strip()
        if not text.isdecimal() or not 16 <= int(text) <= 8000:
            reader.fail(_line(data, "widths"), "images.widths", f"图片宽度{quote(value)}不是 16 到 8000 之间的整数。", "写成 [480, 960, 1600] 这样的像素数列表。")
            continue
        widths.append(int(text))
    if not widths:
        widths = list(IMAGE_OPTIONS["widths"][1])
    quality = options["quality"]
    if not 1 <= quality <= 100:
        reader.fail(_line(data, "quality"), "images.quality", f"压缩质量 {quality} 不在 1 到 100 之间。", "写 60 到 90 之间的数，默认 83。")
        quality = 83
    return ImageSettings(tuple(sorted(set(widths))), quality, options["avif"], _line(data, "avif"))


def _vocabularies(reader: _Reader, data) -> dict:
    """Named lists of allowed values."""
    result = {}
    if not isinstance(data, YMap):
        return result
    for name, values in data.items():
        if not isinstance(values, YList) or not all(isinstance(v, str) for v in values):
            reader.fail(data.key_lines[name], f"vocabularies.{name}", f"可选值「{name}」应该是文字列表。", "写成 [值一, 值二, …]。")
            continue
        result[name] = tuple(values)
    return result


def _collections(reader: _Reader, data, vocabularies: dict) -> tuple:
    """Check each collection declaration."""
    result = []
    if not isinstance(data, YMap):
        return ()
    for name, spec in data.items():
        line = data.key_lines[name]
        prefix = f"collections.{name}"
        if not KEY.match(name):
            reader.fail(line, prefix, f"集合名「{name}」只能用小写英文字母、数字和下划线。", "改成如 workers、competitions。")
            continue
        options = reader.options(spec, COLLECTION_OPTIONS, prefix, line)
        fields = _fields(reader, options["fields"] or _empty(), f"{prefix}.fields", vocabularies, top=True)
        names = {f.name for f in fields}
        title_field = options["title_field"] or ("name" if "name" in names else "title" if "title" in names else "")
        if title_field not in names:
            reader.fail(line, f"{prefix}.title_field", f"集合「{name}」没有可作标题的字段。", "加一个 name 或 title 字段，或用 title_field 指定。")
        sort = options["sort"].lstrip("-")
        if sort and sort not in names:
            reader.fail(line, f"{prefix}.sort", f"排序字段「{sort}」不存在。", "写一个本集合已有的字段名。")
        result.append(Collection(
            name=name, label=options["label"] or name, item_label=options["item_label"] or options["label"] or name,
            folder=options["folder"] or name, url=_url_pattern(reader, options["url"] or f"{name}/{{slug}}", prefix, line),
            template=options["template"], list_template=options["list_template"], title_field=title_field,
            sort=options["sort"], list=options["list"], feed=options["feed"], fields=fields))
    return tuple(result)


def _url_pattern(reader: _Reader, pattern: str, prefix: str, line: int) -> str:
    """A URL pattern must contain {slug} and stay relative."""
    pattern = pattern.strip("/")
    if "{slug}" not in pattern or ".." in pattern:
        reader.fail(line, f"{prefix}.url", f"网址格式{quote(pattern)}里没有 {{slug}}。", "写成如 workers/{slug}。")
        return "{slug}"
    return pattern


def _fields(reader: _Reader, data, prefix: str, vocabularies: dict, top: bool = False) -> tuple:
    """Check a mapping of field declarations."""
    result = []
    if not isinstance(data, YMap):
        return ()
    for name, spec in data.items():
        line = data.key_lines[name]
        if not KEY.match(name):
            reader.fail(line, f"{prefix}.{name}", f"字段名「{name}」只能用小写英文字母、数字和下划线。", "中文名写在 label 里。")
            continue
        if top and name in RESERVED_FIELDS - {"title"}:
            reader.fail(line, f"{prefix}.{name}", f"字段名「{name}」是保留字。", "换一个名字。")
            continue
        field = _field(reader, name, spec, f"{prefix}.{name}", line, vocabularies)
        if field:
            result.append(field)
    return tuple(result)


def _field(reader: _Reader, name: str, spec, prefix: str, line: int, vocabularies: dict, label_required: bool = True) -> Field | None:
    """Check one field declaration."""
    table = dict(FIELD_OPTIONS)
    if not label_required:
        table["label"] = ("str", "", "")
    options = reader.options(spec, table, prefix, line)
    kind = options["type"]
    if kind is None:
        return None
    if kind not in TYPES:
        guess = did_you_mean(kind, TYPES)
        reader.fail(line, f"{prefix}.type", f"字段类型{quote(kind)}不存在。", (f"您是不是想写「{guess}」？" if guess else "") + "可用类型：" + "、".join(TYPES) + "。")
        return None
    label = options["label"] or (name if label_required else "")
    choices: tuple = ()
    if kind == "enum":
        vocab = options["vocabulary"]
        if isinstance(vocab, YList):
            choices = tuple(str(v) for v in vocab)
        elif isinstance(vocab, str) and vocab in vocabularies:
            choices = vocabularies[vocab]
        else:
            reader.fail(line, f"{prefix}.vocabulary", f"enum 字段「{name}」的可选值{quote(vocab or '')}找不到。",
                        "写 vocabularies 里已有的名字：" + "、".join(vocabularies) + "，或直接写 [值一, 值二]。")
    item = None
    if kind == "list":
        if options["item"] is None:
            reader.fail(line, f"{prefix}.item", f"列表字段「{name}」缺少 item（每一项的定义）。", "加上 item: {type: text}。")
        else:
            item = _field(reader, name, options["item"], f"{prefix}.item", line, vocabularies, label_required=False)
            if item and not item.label:
                item = replace(item, label=label)
    fields: tuple = ()
    if kind == "object":
        if options["fields"] is None:
            reader.fail(line, f"{prefix}.fields", f"object 字段「{name}」缺少 fields。", "在 fields 下列出子字段。")
        else:
            fields = _fields(reader, options["fields"], f"{prefix}.fields", vocabularies)
    if kind == "ref" and not options["to"]:
        reader.fail(line, f"{prefix}.to", f"引用字段「{name}」没有写引用哪个集合。", "加上 to: 集合名，如 to: enterprises。")
    if options["min"] is not None and kind not in ("integer", "number"):
        reader.fail(line, f"{prefix}.min", f"「{name}」是 {kind} 字段，min 只用于 integer 和 number 字段。", "删掉 min 这一行。")
    return Field(name=name, label=label, type=kind, required=options["required"], help=options["help"],
                 choices=choices, to=options["to"], item=item, fields=fields, min=options["min"])


def _check_field_refs(reader: _Reader, site: Site, data) -> None:
    """Every ref field must point at a declared collection."""
    names = {c.name for c in site.collections}

    def visit(field: Field, where: str) -> None:
        if field.type == "ref" and field.to and field.to != "any" and field.to not in names:
            guess = did_you_mean(field.to, names)
            reader.fail(_line(data, "collections"), where, f"引用字段指向不存在的集合「{field.to}」。",
                        (f"您是不是想写「{guess}」？" if guess else "") + "已有集合：" + "、".join(sorted(names)) + "。")
        for sub in field.fields:
            visit(sub, f"{where}.{sub.name}")
        if field.item:
            visit(field.item, where)

    for collection in site.collections:
        for field in collection.fields:
            visit(field, f"collections.{collection.name}.fields.{field.name}")
    for dataset in site.data:
        for field in dataset.fields:
            visit(field, f"data.{dataset.name}.fields.{field.name}")


def _taxonomies(reader: _Reader, data, collections: tuple) -> tuple:
    """Check taxonomy declarations against the collections' fields."""
    result = []
    by_name = {c.name: c for c in collections}
    for name, spec in data.items():
        line = data.key_lines[name]
        options = reader.options(spec, TAXONOMY_OPTIONS, f"taxonomies.{name}", line)
        wanted = tuple(options["collections"] or ())
        for cname in wanted:
            collection = by_name.get(cname)
            if collection is None:
                reader.fail(line, f"taxonomies.{name}.collections", f"集合「{cname}」不存在。", "已有集合：" + "、".join(by_name) + "。")
            elif not _field_path_exists(collection, options["field"] or ""):
                reader.fail(line, f"taxonomies.{name}.field", f"集合「{cname}」没有字段「{options['field']}」。", "写该集合已有的字段名，子字段用点号连接，如 honours.name。")
        result.append(Taxonomy(name, options["label"] or name, options["field"] or "", wanted))
    return tuple(result)


def _field_path_exists(collection: Collection, path: str) -> bool:
    """True when a dotted field path such as honours.name is declared."""
    return field_at(collection, path) is not None


def field_at(collection: Collection, path: str) -> Field | None:
    """The field a dotted path such as honours.name names (a list's item), or None."""
    head, _, rest = path.partition(".")
    field = collection.field(head)
    while field is not None and rest:
        if field.type == "list" and field.item:
            field = field.item
        head, _, rest = rest.partition(".")
        field = field.sub(head)
    if field is not None and field.type == "list" and field.item:
        field = field.item
    return field


def _declared(raw_collections) -> dict:
    """Collection name → field names written under its fields, valid or not (their own errors are reported there)."""
    heads = {}
    for name, spec in (raw_collections.items() if isinstance(raw_collections, YMap) else ()):
        fields = spec.get("fields") if isinstance(spec, YMap) else None
        heads[name] = set(fields) if isinstance(fields, YMap) else set()
    return heads


def _broken(path: str, collections: list, declared: dict) -> bool:
    """True when a field path's first part is declared in one of the collections but did not pass its checks."""
    return any(path.split(".")[0] in declared.get(c.name, ()) and not c.field(path.split(".")[0]) for c in collections)


def _search(reader: _Reader, data, collections: tuple, taxonomies: tuple, line: int, declared: dict) -> Search:
    """Check the search section; defaults: every collection, every text field and the body, facets as taxonomies.

    A field that is declared but broken is reported where it is declared, not again here.
    """
    options = reader.options(data, SEARCH_OPTIONS, "search", line)
    by_name = {c.name: c for c in collections}
    chosen = tuple(str(n) for n in options["collections"] or ())
    for name in chosen:
        if name not in by_name:
            guess = did_you_mean(name, by_name)
            reader.fail(_line(data, "collections"), "search.collections", f"集合「{name}」不存在。",
                        (f"您是不是想写「{guess}」？" if guess else "") + "已有集合：" + "、".join(by_name) + "。")
    searched = [by_name[n] for n in chosen if n in by_name] or list(collections)
    fields = tuple(str(f) for f in options["fields"] or ())
    for path in fields:
        if path != "body" and not any(_field_path_exists(c, path) for c in searched) and not _broken(path, searched, declared):
            reader.fail(_line(data, "fields"), "search.fields", f"搜索字段「{path}」在要搜索的集合里都不存在。",
                        "写集合已有的字段名，子字段用点号连接，如 honours.name；正文写 body。")
    if isinstance(data, YMap) and "initials" in data and not any(c.field(options["initials"]) for c in searched):
        reader.fail(_line(data, "initials"), "search.initials", f"字段「{options['initials']}」在要搜索的集合里都不存在。",
                    "在集合的 fields 里加上它，如 initials: {label: 姓名拼音首字母, type: initials}，或删掉这一行。")
    facets = []
    facet_data = options["facets"] if isinstance(options["facets"], YMap) else None
    for name in (facet_data or {}):
        spec_line = facet_data.key_lines.get(name, line)
        spec = reader.options(facet_data[name], FACET_OPTIONS, f"search.facets.{name}", spec_line)
        if name == "collection" or not KEY.match(name):
            reader.fail(spec_line, f"search.facets.{name}", f"筛选项代号「{name}」不能用。",
                        "只用小写英文字母、数字和下划线，且不能叫 collection（按集合筛选是自带的）。")
            continue
        for unknown in (n for n in spec["collections"] or () if n not in by_name):
            reader.fail(spec_line, f"search.facets.{name}.collections", f"集合「{unknown}」不存在。", "已有集合：" + "、".join(by_name) + "。")
        wanted = [by_name[n] for n in spec["collections"] or () if n in by_name] or searched
        field = spec["field"] or ""
        having = [c.name for c in wanted if _field_path_exists(c, field)]
        if spec["field"] and not having and not _broken(field, wanted, declared):
            reader.fail(spec_line, f"search.facets.{name}.field", f"筛选字段「{field}」在要搜索的集合里都不存在。",
                        "写集合已有的字段名，子字段用点号连接，如 honours.name。")
        facets.append(Facet(name, spec["label"] or name, field, tuple(having)))
    if facet_data is None:
        facets = [Facet(t.name, t.label, t.field, t.collections) for t in taxonomies]
    return Search(tuple(c.name for c in searched), fields, tuple(facets), options["initials"])


def _datasets(reader: _Reader, data, vocabularies: dict, names: set) -> tuple:
    """Check the declarations of content/data/ files."""
    result = []
    for name, spec in data.items():
        line = data.key_lines[name]
        options = reader.options(spec, DATA_OPTIONS, f"data.{name}", line)
        fields = _fields(reader, options["fields"] or _empty(), f"data.{name}.fields", vocabularies)
        if options["page"] and not KEY.match(name):
            reader.fail(line, f"data.{name}", f"数据名「{name}」也是页面的网址，只能用小写英文字母、数字和下划线。", "改成如 timeline。")
        result.append(DataSet(name, options["label"] or name, fields, options["page"],
                              options["template"] or (f"{name}.html" if options["page"] else "")))
    return tuple(result)


NUMERIC = ("integer", "number")
SERIES_TYPES = ("year", "date", "integer")


def _stats(reader: _Reader, data, site: Site) -> tuple:
    """Check the declarations of computed figures and charts against the collections' fields."""
    result = []
    for name, spec in data.items():
        line = data.key_lines[name]
        prefix = f"stats.{name}"
        options = reader.options(spec, STAT_OPTIONS, prefix, line)
        wanted = tuple(str(c) for c in options["collections"] or ())
        chart = options["chart"] or ("bars" if options["by"] else "")
        lines = {key: _line(spec, key) if key in getattr(spec, "key_lines", {}) else line for key in STAT_OPTIONS}
        if chart and chart not in CHARTS:
            guess = did_you_mean(chart, CHARTS)
            reader.fail(lines["chart"], f"{prefix}.chart", f"图表样式{quote(chart)}不存在。",
                        (f"您是不是想写「{guess}」？" if guess else "") + "可用的样式：" + "、".join(f"{k}（{v}）" for k, v in CHARTS.items()) + "。")
        if chart and not options["by"]:
            reader.fail(lines["chart"], f"{prefix}.by", f"「{options['label']}」要画{CHARTS.get(chart, '图表')}，但没有写按哪个字段分组。",
                        "加一行「by: 字段名」，如 by: region；只要一个总数的话删掉 chart。")
        for cname in wanted:
            collection = site.collection(cname)
            if collection is None:
                guess = did_you_mean(cname, [c.name for c in site.collections])
                reader.fail(lines["collections"], f"{prefix}.collections", f"集合「{cname}」不存在。",
                            (f"您是不是想写「{guess}」？" if guess else "") + "已有集合：" + "、".join(c.name for c in site.collections) + "。")
                continue
            _check_stat_field(reader, collection, options["sum"], f"{prefix}.sum", lines["sum"], NUMERIC, "数字")
            _check_stat_field(reader, collection, options["by"], f"{prefix}.by", lines["by"],
                              SERIES_TYPES if chart == "series" else (), "年份、日期或整数")
        if options["limit"] is not None and options["limit"] < 2:
            reader.fail(lines["limit"], f"{prefix}.limit", f"「limit」是 {options['limit']}，图表至少要画两条。", "写 2 以上的整数，如 12。")
        result.append(Stat(name, options["label"] or name, wanted, options["sum"], options["by"], chart, options["unit"],
                           max(2, options["limit"] or 12)))
    return tuple(result)


def _check_stat_field(reader: _Reader, collection: Collection, path: str, name: str, line: int, types: tuple, kind: str) -> None:
    """A stat's sum/by field must exist in the collection (and be of one of types, if given)."""
    if not path:
        return
    field = field_at(collection, path)
    if field is None:
        guess = did_you_mean(path, [f.name for f in collection.fields])
        reader.fail(line, name, f"集合「{collection.name}」没有字段「{path}」。",
                    (f"您是不是想写「{guess}」？" if guess else "") + "写该集合已有的字段名，子字段用点号连接，如 figures.patents。")
    elif types and field.type not in types:
        reader.fail(line, name, f"字段「{path}」（{field.label}）是{TYPE_NAMES[field.type]}，这里要的是{kind}字段。",
                    f"换一个{kind}字段（site.yaml 里 type 为 {' 或 '.join(types)} 的字段）。")


def _zones(reader: _Reader, data, names: set, line: int) -> tuple:
    """Check the ordered list of zones."""
    result = []
    seen = set()
    item_lines = getattr(data, "item_lines", [])
    for index, spec in enumerate(data):
        item_line = item_lines[index] if index < len(item_lines) else line
        options = reader.options(spec, ZONE_OPTIONS, f"zones[{index + 1}]", item_line)
        zone_id = options["id"] or ""
        if zone_id and not KEY.match(zone_id):
            reader.fail(item_line, f"zones[{index + 1}].id", f"展区代号「{zone_id}」只能用小写英文字母、数字和下划线。", "如 workers。")
        if zone_id in seen:
            reader.fail(item_line, f"zones[{index + 1}].id", f"展区代号「{zone_id}」重复了。", "每个展区用不同的代号。")
        seen.add(zone_id)
        if options["collection"] and options["collection"] not in names:
            guess = did_you_mean(options["collection"], names)
            reader.fail(item_line, f"zones[{index + 1}].collection", f"集合「{options['collection']}」不存在。",
                        (f"您是不是想写「{guess}」？" if guess else "") + "已有集合：" + "、".join(sorted(names)) + "。")
        entries = tuple(e for e in options["entries"] or () if isinstance(e, str))
        result.append(Zone(zone_id, options["title"] or "", options["intro"], options["collection"] or "", entries, options["limit"]))
    return tuple(result)
