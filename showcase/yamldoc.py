"""YAML for publicists: every scalar stays text, every value keeps its line, mistakes are explained.

The C parser builds a node tree (no Python object is ever constructed); ``walk`` turns it into
``YMap``/``YList``/``str``/``None`` while catching what PyYAML silently accepts: duplicate keys,
anchors, tags.  ``lint`` finds the typing slips of Chinese keyboards before parsing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

try:
    _Loader = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.BaseLoader

MAX_DEPTH = 64
STANDARD_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
EMPTY_WORDS = {"", "~", "null", "Null", "NULL"}


class YMap(dict):
    """A mapping that remembers the line of each key."""

    line: int = 0
    key_lines: dict


class YList(list):
    """A sequence that remembers the line of each item."""

    line: int = 0
    item_lines: list


@dataclass(frozen=True)
class YamlIssue:
    """A YAML mistake at a line of the file."""

    line: int
    found: str
    fix: str


FULL_COLON_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w\-]*|[\u4e00-\u9fff]+)\s*：")
NO_SPACE_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w\-]*):(?!//)(?=[^\s:])")
BLOCK_START = re.compile(r"^(\s*)(?:-\s+)?[^#]*:\s*[|>][+-]?\d*\s*(?:#.*)?$")


def lint(text: str, first_line: int = 1) -> list[YamlIssue]:
    """Find full-width colons, missing spaces and bad indentation characters, line by line."""
    issues: list[YamlIssue] = []
    block_indent: int | None = None
    for number, raw in enumerate(text.split("\n"), first_line):
        stripped = raw.lstrip(" ")
        indent = len(raw) - len(stripped)
        if block_indent is not None:
            if not raw.strip() or indent > block_indent:
                continue
            block_indent = None
        if raw.lstrip(" \t\u3000").startswith("#") or not raw.strip():
            continue
        lead = raw[: len(raw) - len(raw.lstrip(" \t\u3000"))]
        if "\u3000" in lead:
            issues.append(YamlIssue(number, "这一行开头用了全角空格（中文输入法的空格）来缩进。",
                                    "把行首的全角空格删掉，改用半角空格（切换到英文输入法再按空格）。"))
            continue
        if "\t" in lead:
            issues.append(YamlIssue(number, "这一行开头用了制表符（Tab 键）来缩进。",
                                    "YAML 只认空格：把行首的 Tab 换成两个半角空格。"))
            continue
        match = FULL_COLON_KEY.match(raw)
        if match:
            issues.append(YamlIssue(number, f"「{match.group(1)}」后面用了全角冒号「：」。",
                                    f"改成半角冒号加一个空格：{match.group(1)}: …（切换到英文输入法输入冒号）。"))
            continue
        match = NO_SPACE_KEY.match(raw)
        if match:
            issues.append(YamlIssue(number, f"「{match.group(1)}:」的冒号后面少了一个空格。",
                                    f"在冒号后面加一个半角空格：{match.group(1)}: …"))
            continue
        if BLOCK_START.match(raw):
            block_indent = indent
    return issues


def flow_depth(text: str) -> int:
    """Deepest nesting of [ and { brackets (the C parser crashes on extreme nesting)."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}" and depth:
            depth -= 1
    return deepest


YAML_PROBLEMS = [
    ("found unexpected end of stream", "引号没有配对：开头有引号，结尾少了一个。", "检查这一行的引号，成对使用半角引号 \"…\"；值里不需要引号时可以都删掉。"),
    ("found a tab character", "这一行用了制表符（Tab 键）。", "把 Tab 换成半角空格。"),
    ("mapping values are not allowed", "这一行的冒号位置不对：可能缩进多了，或者值里含有「: 」。", "让同一级的字段左边对齐；值里含冒号时，把整个值用半角引号括起来。"),
    ("could not find expected ':'", "这一行缺少「字段名: 值」里的冒号。", "在字段名后面加半角冒号和一个空格；若这是上一行值的续行，请把它接回上一行。"),
    ("did not find expected key", "这一行的缩进和上下文对不齐。", "让同一级的字段左边对齐（用同样多的半角空格）。"),
    ("did not find expected '-' indicator", "列表里混进了别的内容，或缩进不齐。", "列表的每一项都以「- 」开头并对齐。"),
    ("did not find expected ',' or ']'", "方括号 [ ] 没有配对。", "补上结尾的「]」，列表项之间用半角逗号分隔。"),
    ("did not find expected ',' or '}'", "花括号 { } 没有配对。", "补上结尾的「}」，各项之间用半角逗号分隔。"),
    ("expected <block end>", "缩进不一致。", "让同一级的字段左边对齐（用同样多的半角空格）。"),
    ("found character '@'", "值不能以「@」开头。", "把整个值用半角引号括起来。"),
    ("found character '`'", "值不能以「`」开头。", "把整个值用半角引号括起来。"),
    ("found undefined alias", "用了「*」开头的值（YAML 引用）。", "把值用半角引号括起来，或去掉开头的「*」。"),
    ("found undefined tag handle", "用了「!」开头的值（YAML 标签）。", "把值用半角引号括起来，或去掉开头的「!」。"),
    ("expected alphabetic or numeric character", "「*」或「&」后面跟了不能用的字符。", "把整个值用半角引号括起来。"),
]


def explain(exc: yaml.YAMLError, text: str, first_line: int) -> YamlIssue:
    """Translate a PyYAML error into a Chinese issue at the line where the mistake is."""
    problem = getattr(exc, "problem", None) or str(exc)
    mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    line = mark.line if mark is not None else 0
    if context_mark is not None and ("unexpected end of stream" in problem or "',' or" in problem):
        line = context_mark.line
    elif mark is not None and line > 0 and not text.split("\n")[line][: mark.column].strip():
        line = _previous_content_line(text, line)
    for needle, found, fix in YAML_PROBLEMS:
        if needle in problem:
            return YamlIssue(line + first_line, found, fix)
    return YamlIssue(line + first_line, f"YAML 格式错误（{problem}）。", "对照正确的文件检查这一行及上一行的冒号、缩进和引号。")


def _previous_content_line(buffer: str, line: int) -> int:
    """The nearest line at or before line that holds something (PyYAML often points one too far)."""
    lines = buffer.split("\n")
    line = min(line, len(lines) - 1)
    while line > 0 and not lines[line].strip():
        line -= 1
    return line


MAX_NODES = 200_000


def parse(text: str, first_line: int = 1, aliases: bool = False):
    """Parse YAML text into YMap/YList/str/None; return (value, issues).

    Anchors and aliases (& and *) are refused unless aliases is true (site.yaml uses them);
    either way the walk stops after MAX_NODES nodes, so no input can expand without bound.
    """
    issues = lint(text, first_line)
    if flow_depth(text) > MAX_DEPTH:
        return None, issues + [YamlIssue(first_line, "方括号或花括号嵌套太深。", "检查括号是否配对，内容不要嵌套这么多层。")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        return None, issues or [explain(exc, text, first_line)]
    except (ValueError, RecursionError) as exc:  # defensive: nothing may crash
        return None, issues or [YamlIssue(first_line, f"YAML 无法读取（{exc}）。", "检查文件内容是否完整。")]
    if node is None:
        return None, issues
    walker = _Walker(first_line, aliases)
    value = walker.walk(node, 0)
    return value, issues + walker.issues


class _Walker:
    """Turns a node tree into plain values, reporting what PyYAML would hide."""

    def __init__(self, first_line: int, aliases: bool):
        self.first_line = first_line
        self.aliases = aliases
        self.issues: list[YamlIssue] = []
        self.seen: set[int] = set()
        self.count = 0

    def line(self, node) -> int:
        """The 1-based line of a node in the whole file."""
        return node.start_mark.line + self.first_line

    def walk(self, node, depth: int):
        """Convert one node (and its children)."""
        self.count += 1
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self.issues.append(YamlIssue(self.line(node), "内容太多（或引用展开后太多）。", "拆分文件，或去掉 & 和 * 引用。"))
            return None
        if id(node) in self.seen and not self.aliases:
            self.issues.append(YamlIssue(self.line(node), "用了 YAML 引用（& 和 *），展厅不支持。", "把引用处的内容直接写出来。"))
            return None
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            self.issues.append(YamlIssue(self.line(node), "内容嵌套太深。", "减少缩进层级。"))
            return None
        if node.tag not in STANDARD_TAGS:
            self.issues.append(YamlIssue(self.line(node), f"用了 YAML 标签「{node.tag.replace('tag:yaml.org,2002:', '!!')}」，展厅不支持。",
                                         "删掉以「!」开头的标签，只写值本身。"))
            return None
        if isinstance(node, yaml.ScalarNode):
            if node.style is None and node.value in EMPTY_WORDS:
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            result = YList(self.walk(item, depth + 1) for item in node.value)
            result.line = self.line(node)
            result.item_lines = [self.line(item) for item in node.value]
            return result
        return self.walk_map(node, depth)

    def walk_map(self, node, depth: int) -> YMap:
        """Convert a mapping, reporting keys that appear twice."""
        result = YMap()
        result.line = self.line(node)
        result.key_lines = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.issues.append(YamlIssue(self.line(key_node), "字段名不能是列表或映射。", "字段名写成简单的文字，如 name。"))
                continue
            key = key_node.value
            if key in result.key_lines:
                first = result.key_lines[key]
                self.issues.append(YamlIssue(self.line(key_node), f"字段「{key}」写了两次（第 {first} 行和第 {self.line(key_node)} 行）。",
                                             "只保留一个；两个值都需要时合并成一个列表。"))
                continue
            result.key_lines[key] = self.line(key_node)
            result[key] = self.walk(value_node, depth + 1)
        return result
