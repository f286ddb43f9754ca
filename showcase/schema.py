"""Field types and how a raw YAML value becomes a typed value; pure, no I/O.

A collection's fields are declared in site.yaml; each ``Field`` knows its Chinese label and type.
``check_fields`` converts a front-matter mapping into typed values and reports every mistake
with file, line and label.  Types come from the schema, never from YAML's guesses.
"""
from __future__ import annotations

import datetime
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import unquote

from .errors import Report, close_matches, did_you_mean, quote, sharing_characters, suggest
from .yamldoc import YList, YMap

TYPES = ("text", "markdown", "integer", "number", "year", "date", "bool", "url", "enum", "ref", "image", "list", "object", "initials")
TYPE_NAMES = {
    "text": "文字", "markdown": "Markdown 文字", "integer": "整数", "number": "数字", "year": "年份",
    "date": "日期", "bool": "是/否", "url": "网址", "enum": "可选值之一", "ref": "条目引用",
    "image": "图片路径", "list": "列表", "object": "一组字段", "initials": "拼音首字母",
}


class Record(dict):
    """The values of an object field (one honour, one source); keys also read as attributes."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class Field:
    """One declared field: its key, Chinese label, type and constraints."""

    name: str
    label: str
    type: str
    required: bool = False
    help: str = ""
    choices: tuple = ()
    to: str = ""
    item: "Field | None" = None
    fields: tuple = ()
    min: int | None = None  # smallest value allowed (integer and number fields)

    def sub(self, name: str) -> "Field | None":
        """The sub-field called name of an object field."""
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True, order=True, slots=True)  # slots: every entry holds several of these
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int = 0
    day: int = 0

    def iso(self) -> str:
        """2019, 2019-05 or 2019-05-01, as <time datetime> wants."""
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        text = f"{self.year}年"
        if self.month:
            text += f"{self.month}月"
        if self.day:
            text += f"{self.day}日"
        return text


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to an entry of another collection, resolved by the refs stage."""

    to: str
    key: str
    line: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image path, already checked to stay inside content/."""

    path: str
    line: int
    label: str = ""


SEPARATORS = re.compile(r"[、，,；;]")  # between items written on one line (艾子洋、李帅)


def split_items(text: str) -> list[str]:
    """The items of a list written on one line (艾子洋、李帅 → 艾子洋, 李帅)."""
    return [part.strip() for part in SEPARATORS.split(text) if part.strip()]

DATE_FORMS = [
    re.compile(r"^(\d{4})$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年$"),
    re.compile(r"^(\d{4})年(\d{1,2})月$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]$"),
]
YEARS = (1800, 2200)
MAX_UNKNOWN = 10  # unknown keys warned one by one per mapping; the rest in one warning
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
BOOL_WORDS = {"true": True, "yes": True, "on": True, "是": True, "对": True,
              "false": False, "no": False, "off": False, "否": False, "不": False}


def normalise(text: str) -> str:
    """Full-width digits and letters to half-width, spaces trimmed (NFKC)."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(text: str) -> PartialDate | None:
    """Read 2019, 2019-05, 2019-05-01, 2019/5/1 or 2019年5月1日; None if not a real date."""
    text = normalise(text).replace(" ", "")
    for pattern in DATE_FORMS:
        match = pattern.match(text)
        if match:
            parts = [int(p) for p in match.groups()]
            if 0 in parts or not YEARS[0] <= parts[0] <= YEARS[1]:
                return None
            year, month, day = parts + [0] * (3 - len(parts))
            try:
                datetime.date(year, month or 1, day or 1)
            except ValueError:
                return None
            return PartialDate(year, month, day)
    return None


def parse_integer(text: str) -> int | None:
    """Read 2020, 1,234 or full-width digits; None if it is not an integer."""
    text = normalise(text).replace(",", "").replace("，", "")
    return int(text) if re.fullmatch(r"[+-]?\d{1,18}", text) else None


def parse_number(text: str) -> int | float | None:
    """Read an integer or a decimal such as 49.2; None if it is not a number."""
    text = normalise(text).replace(",", "")
    if not re.fullmatch(r"[+-]?(\d{1,18}(\.\d*)?|\.\d+)", text):
        return None
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


WRITTEN_NUMBER = re.compile(r"(约|近|超过|超|逾|大约)?(\d+(?:\.\d+)?)(余|多|\+)?(.*)")


def number_fix(text: str, label: str, whole: bool) -> str | None:
    """The fix for a number written with words around it (106项, 约50, 1.2万), or None when there is nothing to say."""
    found = WRITTEN_NUMBER.fullmatch(normalise(text).replace(",", "").replace(" ", ""))
    if found is None:
        return None
    hedge, digits, more, unit = found.groups()
    field_unit = label.rpartition("（")[2].rstrip("）") if label.endswith("）") else ""
    converted = unit.startswith("万") and "万" not in field_unit
    if converted:
        value = Decimal(digits) * 10000
        if value != value.to_integral_value():
            return None
        digits, unit = str(int(value)), unit[1:]
    if (whole and "." in digits) or (unit and unit not in field_unit):
        return None
    if hedge or more:
        return f"只写数字 {digits}；“{hedge or more}”这类说法写在简介或正文里。"
    if unit:
        return f"只写数字 {digits}：单位「{field_unit}」已经在字段名里。"
    return f"只写数字 {digits}（“万”已换算）。" if converted else None


def url_fix(url: str) -> str:
    """How to mend a web address: full-width symbols typed in Chinese, a missing https://, or the general rule."""
    wide = [ch for ch in dict.fromkeys(url) if ch in "：／。．　"]
    if wide:
        mended = url.translate(str.maketrans("：／。．", ":/..", "　"))
        return f"网址里的{''.join(f'「{ch}」' for ch in wide)}是全角符号（中文输入法打的）：写成「{mended}」。"
    if "." in url.partition("/")[0] and URL_PATTERN.match(f"https://{url}"):
        return f"网址要以 http:// 或 https:// 开头：写成「https://{url}」（从浏览器地址栏复制最稳妥）。"
    return "网址要以 http:// 或 https:// 开头，中间不能有空格。"


PATH_SLIPS = str.maketrans({"／": "/", "＼": "/", "．": "."})  # typed with a Chinese keyboard; other full-width characters are the file's own


def content_path(raw: str, base_dir: str) -> str | None:
    """Content-relative path of a file (a picture, a linked entry) written relative to its entry (or / for content/).

    The name is kept as written: 李帅（右）.jpg is a file name, not a slip to correct; a name written
    as a web address writes it (李%20帅.jpg, as VS Code completes a path with a space, is 李 帅.jpg);
    a file whose own name holds such an escape is still found (fsutil.content_file).
    """
    raw = unicodedata.normalize("NFC", unquote(raw) if "%" in raw else raw).strip().translate(PATH_SLIPS).replace("\\", "/")
    if not raw or "\x00" in raw or re.match(r"^[a-zA-Z]:", raw) or "://" in raw:
        return None
    joined = raw.lstrip("/") if raw.startswith("/") else posixpath.join(base_dir, raw)
    clean = posixpath.normpath(joined)
    if clean.startswith("../") or clean in ("..", ".") or clean.startswith("/"):
        return None
    return clean


def date_fix(text: str) -> str:
    """How to write a date: the part it can be sure of when words such as 年底 or 晚 go with it."""
    general = "写成 2019、2019-05、2019-05-01 或 2019年5月1日，月份 1–12，日期不超过当月天数。"
    text = normalise(text).replace(" ", "")[:40]
    start = next((i for i, char in enumerate(text) if char.isdigit()), len(text))
    for end in range(len(text), start + 3, -1):
        date = parse_date(text[start:end])
        if date is None:
            continue
        if text[end - 1] == "年" and end < len(text):  # 2018年底: the words are 年底, the date 2018
            end -= 1
        words = text[:start] + ("…" if start else "") + text[end:]
        if not words or any(char.isdigit() for char in words):
            return general
        sure = "-".join([str(date.year)] + [f"{part:02d}" for part in (date.month, date.day) if part])
        return f"只写到能确定的部分：{sure}；「{words.rstrip('…')}」这样的说法写进标题或说明里。"
    return general


@dataclass
class Checker:
    """Converts raw values of one file, reporting mistakes with that file's name."""

    path: str
    report: Report
    base_dir: str = ""

    def fail(self, line: int, label: str, found: str, fix: str) -> None:
        """Report an error in this file."""
        self.report.error(self.path, line, label, found, fix)

    def fields(self, fields, data: YMap | None, line: int, known_extra=(), where: str = "") -> dict:
        """Check a mapping against its fields; unknown keys are warnings with 'did you mean'."""
        data = data if isinstance(data, YMap) else YMap()
        lines = getattr(data, "key_lines", {}) or {}
        result = Record((f.name, None) for f in fields)
        by_name = {f.name: f for f in fields}
        labels = {f.name: f.label for f in fields}
        unknown = [key for key in data if key not in by_name and key not in known_extra]
        for key in unknown[:MAX_UNKNOWN]:
            self.unknown(key, lines.get(key, line), sorted(by_name), labels, where)
        if len(unknown) > MAX_UNKNOWN:
            rest = unknown[MAX_UNKNOWN:]
            self.report.warn(self.path, lines.get(rest[0], line), "", f"还有 {len(rest)} 个不认识的字段{where}：{quote('、'.join(rest))}。",
                             "检查是不是放错了文件；这里可用的字段有：" + "、".join(sorted(by_name)) + "。")
        for key, value in data.items():
            if key in by_name:
                result[key] = self.value(by_name[key], value, lines.get(key, line))
        for spec in fields:
            if spec.required and data.get(spec.name) in (None, "", [], {}) and spec.name in data:
                self.fail(lines.get(spec.name, line), spec.label, f"「{spec.label}」是必填的，但这里是空的。",
                          f"在冒号后面填上{spec.label}" + (f"，{spec.help}" if spec.help else "") + "。")
            elif spec.required and spec.name not in data:
                self.fail(line, spec.label, f"缺少必填字段「{spec.label}」（{spec.name}）。",
                          f"加一行「{spec.name}: …」" + (f"，{spec.help}" if spec.help else "") + "。")
        return result

    def unknown(self, key: str, line: int, names, labels, where: str) -> None:
        """Warn about a key the schema does not declare."""
        guess = did_you_mean(key, names, labels)
        hint = f"您是不是想写「{guess}」（{labels[guess]}）？" if guess else ""
        if guess and key == labels[guess]:
            hint = f"字段名要写英文：把「{key}:」改成「{guess}:」（「{key}」是它在网页上显示的中文名）。"
        allowed = "、".join(names)
        self.report.warn(self.path, line, "", f"不认识的字段「{key}」{where}。",
                         (hint or "检查拼写；") + f"这里可用的字段有：{allowed}。不需要的话删掉这一行。")

    def value(self, spec: Field, value, line: int):
        """Convert one value by its field type; None (after reporting) when it is wrong."""
        if value is None or value == "":
            return None
        if spec.type == "list":
            return self.list_value(spec, value, line)
        if spec.type == "object":
            if not isinstance(value, YMap):
                names = "、".join(f"{f.name}（{f.label}）" for f in spec.fields)
                self.fail(line, spec.label, f"「{spec.label}」应该是一组字段，这里是{describe(value)}。",
                          f"在下一行缩进两个空格，逐行写「字段: 值」；可用的字段：{names}。")
                return None
            return self.fields(spec.fields, value, line, where=f"（在「{spec.label}」里）")
        if not isinstance(value, str):
            self.fail(line, spec.label, f"「{spec.label}」应该是{TYPE_NAMES[spec.type]}，这里是{describe(value)}。",
                      "在冒号后面直接写一个值，不要换行缩进或加「- 」。")
            return None
        return self.scalar(spec, value, line)

    def list_value(self, spec: Field, value, line: int):
        """Convert a list; a single value counts as a list of one."""
        if isinstance(value, str) and spec.item and spec.item.type == "object" and spec.item.fields:
            first, *rest = spec.item.fields
            parts = split_items(value)
            lines = "、".join(f"「  - {first.name}: {part}」" for part in parts[:5])
            start = f"分成 {len(parts)} 项，从下一行起每项写一行：{lines}{'……' if len(parts) > 5 else ''}" if len(parts) > 1 \
                else f"在下一行写「  - {first.name}: {value}」"
            self.fail(line, spec.label, f"「{spec.label}」应该是一个列表，每一项是一组字段，这里只写了{quote(value)}。",
                      start + "（减号前两个空格）"
                      + (f"，每项的其他字段（{'、'.join(f.name for f in rest)}）写在它下面、与 {first.name} 对齐" if rest else "") + "。")
            return []
        items = value if isinstance(value, YList) else [value]
        item_lines = getattr(value, "item_lines", None) or [line] * len(items)
        result = []
        for item, item_line in zip(items, item_lines):
            if isinstance(item, str) and item and spec.item and spec.item.type == "object" and spec.item.fields:
                first, *rest = spec.item.fields  # 「- 全国劳模」where「- name: 全国劳模」was meant
                self.fail(item_line, spec.label, f"「{spec.label}」的每一项应该是一组字段，这一项只写了{quote(item)}。",
                          f"改成「- {first.name}: {item}」（在减号后面加上「{first.name}: 」）"
                          + (f"，其他字段（{'、'.join(f.name for f in rest)}）写在它下面、与 {first.name} 对齐" if rest else "") + "。")
                continue
            checked = self.value(spec.item, item, item_line) if spec.item else item
            if checked is not None:
                result.append(checked)
        return result

    def _at_least(self, spec: Field, number, text: str, line: int):
        """number, or None after reporting it is below the field's min."""
        if number is None or spec.min is None or number >= spec.min:
            return number
        self.fail(line, spec.label, f"「{spec.label}」不能小于 {spec.min}，这里写的是{quote(text)}。",
                  f"写实际的数目；没有就写 {spec.min}，或删掉这一行。")
        return None

    def scalar(self, spec: Field, text: str, line: int):
        """Convert one text value by type."""
        label = spec.label
        kind = spec.type
        if kind in ("text", "markdown"):
            return text.strip() if kind == "text" else text
        if kind == "integer":
            number = parse_integer(text)
            if number is None:
                self.fail(line, label, f"「{label}」应该是整数，这里写的是{quote(text)}。",
                          number_fix(text, label, whole=True) or "用阿拉伯数字写，如 2020 或 106。")
            return self._at_least(spec, number, text, line)
        if kind == "number":
            number = parse_number(text)
            if number is None:
                self.fail(line, label, f"「{label}」应该是数字，这里写的是{quote(text)}。",
                          number_fix(text, label, whole=False) or "只写阿拉伯数字，如 160 或 49.2；单位（万元、项）写在别处，不写在数字里。")
            return self._at_least(spec, number, text, line)
        if kind == "year":
            year = parse_integer(text.rstrip("年"))
            if year is None or not YEARS[0] <= year <= YEARS[1]:
                date = parse_date(text)
                self.fail(line, label, f"「{label}」应该是年份，这里写的是{quote(text)}。",
                          f"这里只写年份：{date.year}。" if date else "用四位阿拉伯数字写，如 2020。")
                return None
            return year
        if kind == "date":
            date = parse_date(text)
            if date is None:
                self.fail(line, label, f"「{label}」不是一个有效的日期：{quote(text)}。", date_fix(text))
            return date
        if kind == "bool":
            flag = BOOL_WORDS.get(normalise(text).lower())
            if flag is None:
                self.fail(line, label, f"「{label}」应该写 是 或 否，这里写的是{quote(text)}。", "写 true（是）或 false（否）。")
            return flag
        if kind == "url":
            url = text.strip()
            if not URL_PATTERN.match(url):
                self.fail(line, label, f"「{label}」不是有效的网址：{quote(text)}。", url_fix(url))
                return None
            return url
        if kind == "enum":
            return self.enum(spec, text, line)
        if kind == "initials":
            letters = re.sub(r"[\s·.]", "", normalise(text)).upper()
            if not re.fullmatch(r"[A-Z]{1,20}", letters):
                self.fail(line, label, f"「{label}」只能写拼音首字母（A–Z），这里写的是{quote(text)}。",
                          "每个字写一个字母，如 单田芳 写 STF、曾志 写 ZZ；要用英文输入法。")
                return None
            return letters
        if kind == "ref":
            return Ref(spec.to, unicodedata.normalize("NFC", text).strip(), line, spec.label)  # as written: messages quote it; refs.Index matches loosely
        if kind == "image":
            path = content_path(text, self.base_dir)
            if path is None:
                name = re.split(r"[\\/]", text.strip())[-1]
                folder = f"content/{self.base_dir}/images/" if self.base_dir else "content/images/"
                self.fail(line, label, f"图片路径{quote(text)}指向 content 文件夹以外。",
                          f"把{quote(name)}复制到 {folder} 里，再写 images/{name}。" if "." in name else
                          "把图片放进 content 文件夹（如 content/workers/images/），再写相对路径，如 images/艾子洋.jpg。")
            return ImageRef(path, line, label) if path else None
        raise AssertionError(f"unknown field type {kind}")

    def enum(self, spec: Field, text: str, line: int):
        """Accept a value from the field's vocabulary, suggesting the nearest one otherwise."""
        value = normalise(text)
        if value in spec.choices:  # nearly always: no need to fold every choice of every entry
            return value
        for choice in spec.choices:  # as the vocabulary writes it: 省级（示范） matches 省级(示范) typed either way
            if normalise(choice) == value:
                return choice
        hint = suggest(close_matches(value, spec.choices) or sharing_characters(value, spec.choices))
        self.fail(line, spec.label, f"{quote(text)}不是可选的{spec.label}。", hint + "可选值：" + "、".join(spec.choices) + "。")
        return None


def describe(value) -> str:
    """Say in Chinese what kind of YAML value this is."""
    if isinstance(value, YMap) or isinstance(value, dict):
        return "一组字段"
    if isinstance(value, (YList, list)):
        return "一个列表"
    return quote(value)
