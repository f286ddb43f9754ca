"""YAML for publicists: every scalar stays text, every value keeps its line, mistakes are explained.

The C parser's event stream is turned straight into ``YMap``/``YList``/``str``/``None`` (no
Python object is ever constructed from a tag), catching what PyYAML silently accepts: duplicate
keys, aliases, tags.  ``lint`` finds the typing slips of Chinese keyboards before parsing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .chinese import joins_tight

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
    warning: bool = False


FULL_COLON_KEY = re.compile(r"^\s*(-\s+)?([A-Za-z_][\w\-]*|[\u4e00-\u9fff]+)\s*：")
NO_SPACE_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w\-]*) *:(?!//)(?=[^ \t:])")
DASH_NO_SPACE = re.compile(r"^\s*-([A-Za-z_][\w\-]*):(\s|$)")
WRONG_DASH = re.compile(r"^[ \u3000]*([－—–‐―•·●▪・])[ \u3000]*([A-Za-z_][A-Za-z0-9_\-]*) *:(\s|$)")  # 「－ name:」typed in Chinese or pasted from Word
SWALLOWED_KEY = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w\-]*:(\s|$)")
BLOCK_START = re.compile(r":[ \t]*[|>][+-]?\d*[ \t]*(?:#.*)?$")
KEY_LINE = re.compile(r"^(\s*(?:-\s+)*)[^\s#\-\"'][^#]*?:(\s|$)")
CUT_BY_COMMENT = re.compile(r"[ \t]+(#[^\s#].*?)[ \t]*$")  # 「一车间 #2班」: YAML reads「 #」on as a comment


SLIP_HINT = re.compile(r"[：\u3000\t]|^ *(?:- *)?[A-Za-z_][\w\-]* *:(?!//)[^ :\n]|^ *-[A-Za-z_]|^ *[－—–‐―•·●▪・]", re.MULTILINE)
SHALLOW_BYTES = 4000  # shorter text cannot nest deep enough to hurt the C parser; the walk checks depth


def report_issues(issues: list[YamlIssue], source: str, report) -> bool:
    """Put issues into an errors.Report (warnings as warnings); True when any of them is an error."""
    for issue in issues:
        (report.warn if issue.warning else report.error)(source, issue.line, "", issue.found, issue.fix)
    return any(not issue.warning for issue in issues)


def lint(text: str, first_line: int = 1) -> list[YamlIssue]:
    """Find full-width colons, missing spaces and bad indentation characters, line by line.

    Lines inside | and > blocks are text and skipped.  A Chinese word followed by「：」is only a
    mistaken key where a key can stand: not in a list item (「- 五心建设：关心职工」is text) nor
    deeper than the last key (then it is that key's value, written on the next line).
    """
    issues: list[YamlIssue] = []
    if not SLIP_HINT.search(text):
        return issues
    block_indent: int | None = None
    key_column: int | None = None
    for number, raw in enumerate(text.split("\n"), first_line):
        indent = len(raw) - len(raw.lstrip(" "))
        if block_indent is not None:
            if not raw.strip() or indent > block_indent:
                continue
            block_indent = None
        if raw.lstrip(" \t\u3000").startswith("#") or not raw.strip():
            continue
        issue = _line_issue(raw, number, key_column is not None and indent > key_column)
        if issue:
            issues.append(issue)
        elif _starts_block(raw):
            block_indent = indent
        key = KEY_LINE.match(raw)
        if key:
            key_column = len(key.group(1))
    return issues


def _starts_block(raw: str) -> bool:
    """True when the line ends with「: |」or「: >」, so the lines below are text."""
    match = BLOCK_START.search(raw)
    return bool(match) and "#" not in raw[: match.start()]


def _line_issue(raw: str, number: int, deeper: bool) -> YamlIssue | None:
    """The typing slip on one line of YAML, if any."""
    lead = raw[: len(raw) - len(raw.lstrip(" \t\u3000"))]
    if "\u3000" in lead:
        return YamlIssue(number, "这一行开头用了全角空格（中文输入法的空格）来缩进。",
                         "把行首的全角空格删掉，改用半角空格（切换到英文输入法再按空格）。")
    if "\t" in lead:
        return YamlIssue(number, "这一行开头用了制表符（Tab 键）来缩进。", "YAML 只认空格：把行首的 Tab 换成两个半角空格。")
    match = WRONG_DASH.match(raw)
    if match:
        return YamlIssue(number, f"列表项开头的「{match.group(1)}」不是半角减号（中文输入法打的，或从 Word 复制来的符号）。",
                         f"换成半角减号加一个空格：- {match.group(2)}: …（切换到英文输入法输入减号）。")
    match = FULL_COLON_KEY.match(raw)
    if match and (match.group(2).isascii() or not (deeper or match.group(1))):
        return YamlIssue(number, f"「{match.group(2)}」后面用了全角冒号「：」。",
                         f"改成半角冒号加一个空格：{match.group(2)}: …（切换到英文输入法输入冒号）。")
    match = NO_SPACE_KEY.match(raw)
    if match and raw[match.end()] == "\u3000":
        return YamlIssue(number, f"「{match.group(1)}:」的冒号后面是全角空格（中文输入法的空格）。",
                         f"把它换成半角空格（切换到英文输入法再按空格）：{match.group(1)}: …")
    if match:
        return YamlIssue(number, f"「{match.group(1)}:」的冒号后面少了一个空格。", f"在冒号后面加一个半角空格：{match.group(1)}: …")
    match = DASH_NO_SPACE.match(raw)
    if match:
        return YamlIssue(number, f"列表项的「-」和「{match.group(1)}」之间少了一个空格。",
                         f"写成「- {match.group(1)}: …」（减号后面加一个半角空格）。")
    return None


def flow_depth(text: str) -> int:
    """Deepest nesting of [ and { brackets (the C parser crashes on extreme nesting)."""
    opening = text.count("[") + text.count("{")
    if opening <= MAX_DEPTH:
        return opening
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}" and depth:
            depth -= 1
    return deepest


def block_depth(text: str) -> int:
    """Deepest nesting by indentation and「- 」(the C parser crashes on extreme nesting)."""
    stack: list[int] = []
    deepest = 0
    for raw in text.split("\n"):
        stripped = raw.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(stripped)
        while stack and stack[-1] >= indent:
            stack.pop()
        stack.append(indent)
        dashes = LEADING_DASHES.match(stripped).group(0).count("-")
        deepest = max(deepest, len(stack) + dashes)
    return deepest


LEADING_DASHES = re.compile(r"(?:-[ \t]+)*")


YAML_PROBLEMS = [
    ("found unexpected end of stream", "引号没有配对：开头有引号，结尾少了一个。", "检查这一行的引号，成对使用半角引号 \"…\"；值里不需要引号时可以都删掉。"),
    ("found a tab character", "这一行用了制表符（Tab 键）。", "把 Tab 换成半角空格。"),
    ("mapping values are not allowed", "这一行的冒号位置不对：可能缩进多了，或者值里含有「: 」。", "让同一级的字段左边对齐；值里含冒号时，把整个值用半角引号括起来。"),
    ("could not find expected ':'", "这一行缺少「字段名: 值」里的冒号。", "在字段名后面加半角冒号和一个空格；若这是上一行值的续行，请把它接回上一行。"),
    ("did not find expected key", "这一行的缩进和上下文对不齐。", "让同一级的字段左边对齐（用同样多的半角空格）。"),
    ("did not find expected '-' indicator", "列表里混进了别的内容，或缩进不齐。", "列表的每一项都以「- 」开头并对齐。"),
    ("did not find expected ',' or ']'", "方括号 [ ] 没有配对。", "补上结尾的「]」，列表项之间用半角逗号分隔。"),
    ("did not find expected ',' or '}'", "花括号 { } 没有配对。", "补上结尾的「}」，各项之间用半角逗号分隔。"),
    ("did not find expected node content", "方括号或花括号没有配对，或者里面少了内容。", "补上结尾的「]」或「}」；不需要列表时把括号删掉。"),
    ("expected <block end>", "缩进不一致。", "让同一级的字段左边对齐（用同样多的半角空格）。"),
    ("found unknown escape character", "双引号里的反斜杠「\\」被当成了转义符（如 Windows 路径 C:\\照片）。",
     "路径里用斜杠 / 代替反斜杠 \\，或者把双引号换成单引号 '…'。"),
    ("document start", "这一行的「...」或「---」被当成了文件的分隔线。", "删掉这一行，或把它放进引号里。"),
    ("another document", "这一行的「---」被当成了文件的分隔线。", "删掉这一行，或把它放进引号里。"),
    ("did not find expected comment or line break", "「|」「>」或引号结束后，这一行还有多余的文字。",
     "「|」「>」后面直接换行，多行文字写在下面并缩进两个空格；引号结束后不要再写文字。"),
    ("did not find expected whitespace or line break", "值不能以「!」开头（YAML 会把它当成标签）。", "把整个值用半角引号括起来，如 \"!…\"。"),
    ("found unexpected ':'", "括号里的冒号位置不对。", "括号里写成 {字段: 值, 字段: 值}，冒号后面加一个空格；值里含冒号时把值用半角引号括起来。"),
    ("non-alphabetical character", "行首的「%」在 YAML 里有特殊含义。", "把整个值用半角引号括起来，如 \"%…\"。"),
    ("directive name", "行首的「%」在 YAML 里有特殊含义。", "把整个值用半角引号括起来，如 \"%…\"。"),
    ("block sequence entries are not allowed", "「- 」列表项的位置不对：不能和字段名写在同一行，也要和上下对齐。",
     "在字段名的冒号后面换行，下一行缩进两个空格再写「- 」。"),
    ("found undefined alias", "用了「*」开头的值（YAML 引用）。", "把值用半角引号括起来，或去掉开头的「*」。"),
    ("found undefined tag handle", "用了「!」开头的值（YAML 标签）。", "把值用半角引号括起来，或去掉开头的「!」。"),
    ("expected alphabetic or numeric character", "「*」或「&」后面跟了不能用的字符。", "把整个值用半角引号括起来。"),
]


def explain(exc: yaml.YAMLError, text: str, first_line: int) -> YamlIssue:
    """Translate a PyYAML error into a Chinese issue at the line where the mistake is."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + first_line
        return YamlIssue(line, f"这一行有看不见的控制字符（#x{exc.character:04x}），可能是从网页或 Word 复制来的。",
                         "删掉这一行的内容再手动输入一遍，或先粘贴到记事本里再复制过来。")
    problem = getattr(exc, "problem", None) or str(exc)
    mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    lines = text.split("\n")
    line = min(mark.line, len(lines) - 1) if mark is not None else 0  # libyaml may point past the end
    if context_mark is not None and ("unexpected end of stream" in problem or "',' or" in problem
                                     or "expected ':'" in problem or "flow" in (exc.context or "")):
        line = min(context_mark.line, len(lines) - 1)
    elif mark is not None and line > 0 and not lines[line][: mark.column].strip():
        line = _previous_content_line(text, line)
    if "document" in problem:
        line = _separator_line(text, line)
    culprit = _culprit(text, mark) if mark is not None else None
    if culprit is not None:
        return YamlIssue(culprit.line + first_line, culprit.found, culprit.fix)
    if "mapping values are not allowed" in problem and mark is not None and mark.line == line:
        colon = _colon_in_value(lines[line], mark.column)
        if colon is not None:
            return YamlIssue(line + first_line, colon.found, colon.fix)
    for needle, found, fix in YAML_PROBLEMS:
        if needle in problem:
            return YamlIssue(line + first_line, found, fix)
    if "cannot start any token" in problem and mark is not None:
        char = lines[line][mark.column: mark.column + 1]
        return YamlIssue(line + first_line, f"值不能以「{char}」开头。", f"把整个值用半角引号括起来，如 \"{char}…\"。")
    return YamlIssue(line + first_line, f"YAML 格式错误（{problem}）。", "对照正确的文件检查这一行及上一行的冒号、缩进和引号。")


def _culprit(text: str, mark) -> YamlIssue | None:
    """Blame the value just before the error when it is the real mistake (0-based line).

    An unclosed quote swallows the next lines, so PyYAML stops later; a line without its colon
    joins the next line, so PyYAML stops there; text after a closing quote stops it on that line.
    """
    if mark.index > 200_000:
        return None
    tokens = []
    try:
        for token in yaml.scan("\n".join(text.split("\n")[: mark.line + 1]), Loader=yaml.BaseLoader):
            if (token.start_mark.line, token.start_mark.column) >= (mark.line, mark.column):
                break
            tokens.append(token)
    except yaml.YAMLError:
        pass
    scalars = [i for i, t in enumerate(tokens) if isinstance(t, yaml.ScalarToken)]
    if not scalars:
        return None
    token = tokens[scalars[-1]]
    start, end = token.start_mark.line, token.end_mark.line
    if token.style in ('"', "'") and start != end:
        return YamlIssue(start, f"这一行的引号{token.style}没有配对：它一直延续到第 {end + 1} 行，把中间的内容都当成了值。",
                         "在值的末尾补上同样的半角引号，或把引号都删掉。")
    if token.style in ('"', "'") and end == mark.line and tokens[-1] is token:
        return YamlIssue(start, "值以引号开头，但引号结束后还有文字。",
                         "把整个值放进一对引号里，或者把引号都删掉。")
    last = tokens[-1]
    if isinstance(last, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) and last.end_mark.line == mark.line:
        return YamlIssue(mark.line, "括号结束后还有文字，可能多写了一个「]」或「}」。",
                         "删掉多余的括号；要写的内容都放进括号里，用半角逗号隔开。")
    flow = sum(isinstance(t, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)) for t in tokens)
    flow -= sum(isinstance(t, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) for t in tokens)
    before = tokens[scalars[-1] - 1]
    if token.plain and start != end and not flow and not isinstance(before, yaml.ValueToken):
        return YamlIssue(start, "这一行缺少「字段名: 值」里的冒号，和下一行连在了一起。",
                         "在字段名后面加半角冒号和一个空格，如 region: 吉林长春。")
    return None


KEY_AND_VALUE = re.compile(r"^(\s*(?:-\s+)?)([^\s#:\-\"'][^:#]*?):[ \t]+(\S.*?)\s*$")


def _colon_in_value(raw: str, column: int) -> YamlIssue | None:
    """「summary: 他说: 干就完了」: a plain value holding「: 」, which YAML took for another key (line 0, set by the caller)."""
    match = KEY_AND_VALUE.match(raw)
    if match is None or column < match.start(3) or match.group(3)[0] in "\"'[{|>&*!":
        return None
    key, value = match.group(2), match.group(3)
    before = value[: column - match.start(3)].rstrip()[-8:]
    change = f"把它改成「{before}：」（中文冒号）" if value.count(": ") == 1 else "把值里的「: 」都改成中文冒号「：」"
    shown = value if len(value) <= 30 else value[:24] + "…"
    quoted = f'"{shown}"' if '"' not in value and "\\" not in value else "'" + shown.replace("'", "''") + "'"
    return YamlIssue(0, f"「{key}」的值里有「{before}: 」：半角冒号加空格，YAML 把它当成了又一个字段名。",
                     f"{change}，或把整个值用半角引号括起来：{key}: {quoted}")


def _separator_line(text: str, line: int) -> int:
    """The「---」or「...」line at or before line that split the YAML in two."""
    lines = text.split("\n")
    for index in range(min(line, len(lines) - 1), -1, -1):
        if lines[index].strip() in ("---", "..."):
            return index
    return line


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
    if len(text) > SHALLOW_BYTES and block_depth(text) > MAX_DEPTH:
        return None, issues + [YamlIssue(first_line, "内容嵌套太深（缩进或「- 」的层数太多）。", "减少缩进层级，每个「- 」单独占一行。")]
    try:
        builder = _EventBuilder(text, first_line, aliases)
        value = builder.document()
    except yaml.YAMLError as exc:
        return None, issues or [explain(exc, text, first_line)]
    except (ValueError, RecursionError) as exc:  # defensive: nothing may crash
        return None, issues or [YamlIssue(first_line, f"YAML 无法读取（{exc}）。", "检查文件内容是否完整。")]
    return value, issues + builder.issues


def fold(pieces: list[str], tight: bool) -> str:
    """Lines joined as YAML folds them: a space for a line break, a newline for each blank line; no
    space where Chinese meets when tight."""
    parts = [pieces[0]]
    blanks = 0
    for piece in pieces[1:]:
        if not piece:
            blanks += 1
            continue
        if blanks:
            parts.append("\n" * blanks)
        elif not (tight and parts[-1] and joins_tight(parts[-1][-1], piece[0])):
            parts.append(" ")
        parts.append(piece)
        blanks = 0
    return "".join(parts)


class _EventBuilder:
    """Builds values straight from the C parser's events (no node tree), reporting what PyYAML hides.

    Duplicate keys, tags and too deep nesting are reported.  An alias is a mistake unless aliases
    are allowed (site.yaml); then it stands for the anchored value, and that value's full size
    counts towards MAX_NODES, so nested aliases can never expand without bound.
    """

    def __init__(self, text: str, first_line: int, aliases: bool = False):
        self.loader = _Loader(text)
        self.first_line = first_line
        self.aliases = aliases
        self.lines = text.split("\n")
        self.issues: list[YamlIssue] = []
        self.anchors: dict[str, tuple] = {}
        self.count = 0
        self.comments = "#" in text

    def line(self, event) -> int:
        """The 1-based line of an event in the whole file."""
        return event.start_mark.line + self.first_line

    def next(self):
        """The next event from the parser."""
        return self.loader.get_event()

    def document(self):
        """The value of the one document in the text (None when empty)."""
        try:
            self.next()  # stream start
            event = self.next()
            if isinstance(event, yaml.StreamEndEvent):
                return None
            value = self.value(self.next(), 0)
            self.next()  # document end
            event = self.next()
            if not isinstance(event, yaml.StreamEndEvent):
                raise yaml.composer.ComposerError("expected a single document in the stream", None,
                                                  "but found another document", event.start_mark)
            return value
        finally:
            self.loader.dispose()

    def skip(self, event) -> None:
        """Consume the rest of a collection whose start event was taken."""
        depth = 1 if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)) else 0
        while depth:
            event = self.next()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1

    def value(self, event, depth: int):
        """Convert the value that starts with event."""
        self.count += 1
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self.issues.append(YamlIssue(self.line(event), "内容太多（或引用展开后太多）。", "拆分文件，或去掉 & 和 * 引用。"))
            self.skip(event)
            return None
        if isinstance(event, yaml.AliasEvent):
            return self.alias(event)
        if event.anchor:
            before = self.count
            value = self.unanchored(event, depth)
            self.anchors[event.anchor] = (value, self.count - before + 1)
            return value
        return self.unanchored(event, depth)

    def alias(self, event):
        """The anchored value an alias stands for (site.yaml), or a reported mistake."""
        known = self.anchors.get(event.anchor)
        if known is not None and self.aliases:
            value, size = known
            self.count += size
            if self.count > MAX_NODES:
                issue = YamlIssue(self.line(event), "内容太多（或引用展开后太多）。", "拆分文件，或去掉 & 和 * 引用。")
                if issue not in self.issues:
                    self.issues.append(issue)
                return None
            return value
        if known is not None:
            issue = YamlIssue(self.line(event), "用了 YAML 引用（& 和 *），展厅不支持。", "把引用处的内容直接写出来。")
        else:
            issue = YamlIssue(self.line(event), "用了「*」开头的值（YAML 引用）。", "把值用半角引号括起来，或去掉开头的「*」。")
        if issue not in self.issues:
            self.issues.append(issue)
        return None

    def unanchored(self, event, depth: int):
        """Convert a scalar or collection (its anchor, if any, is handled by the caller)."""
        if event.tag is not None and event.tag not in STANDARD_TAGS:
            self.issues.append(YamlIssue(self.line(event), f"用了 YAML 标签「{event.tag.replace('tag:yaml.org,2002:', '!!')}」，展厅不支持。",
                                         "删掉以「!」开头的标签，只写值本身。"))
            self.skip(event)
            return None
        if depth > MAX_DEPTH:
            self.issues.append(YamlIssue(self.line(event), "内容嵌套太深。", "减少缩进层级。"))
            self.skip(event)
            return None
        if isinstance(event, yaml.ScalarEvent):
            value = self.scalar(event)
            if not event.style and self.comments:
                self.cut_short(event, value)
            return value
        if isinstance(event, yaml.SequenceStartEvent):
            return self.sequence(event, depth)
        return self.mapping(event, depth)

    def scalar(self, event) -> str | None:
        """A scalar's text (None when empty), Chinese lines joined without a space."""
        if not event.style and event.value in EMPTY_WORDS:
            return None
        if event.end_mark.line == event.start_mark.line or event.style == "|":
            return event.value
        if event.style in ('"', "'"):
            self.swallowed(event)
        return self.folded_tight(event)

    def folded_tight(self, event) -> str:
        """A value written over several lines, with the spaces YAML folded its line breaks into
        dropped where Chinese meets (chinese.py); as YAML read it when its lines do not add up to it
        (escapes in quotes, more-indented lines of a > block)."""
        value = event.value
        start, end = event.start_mark, event.end_mark
        lines = self.lines[start.line:end.line + 1]
        lines[-1] = lines[-1][:end.column]
        if event.style == ">":
            lines = lines[1:]
        else:
            lines[0] = lines[0][start.column + (1 if event.style else 0):]
            lines[-1] = lines[-1][:len(lines[-1]) - (1 if event.style else 0)]
        pieces = [line.strip(" \t") for line in lines]
        while pieces and not pieces[-1]:
            pieces.pop()
        body = value.rstrip("\n")
        if not pieces or fold(pieces, tight=False) != body:
            return value
        return fold(pieces, tight=True) + value[len(body):]

    def cut_short(self, event, value: str | None) -> None:
        """Warn when「 #」right after a plain value made the rest of its line a comment (「3 #机组」)."""
        if event.end_mark.line >= len(self.lines):  # the empty value the parser puts after the last line ({a: b, c left open)
            return
        match = CUT_BY_COMMENT.match(self.lines[event.end_mark.line], event.end_mark.column)
        if not match:
            return
        note = match.group(1)
        if value:
            found = f"这一行的值只读到了「{value}」：「 #」和后面的「{note}」被 YAML 当成了注释，页面上不会显示。"
        else:
            found = f"这一行的值是空的：「{note}」以 # 开头，被 YAML 当成了注释。"
        whole = f"{value} {note}" if value else note
        single = event.start_mark.line == event.end_mark.line and not set(whole) & set('"\\')
        written = f"，写成 \"{whole}\"" if single else ""
        self.issues.append(YamlIssue(event.end_mark.line + self.first_line, found,
                                     f"要保留它，就把整个值用半角引号括起来{written}；本来就是注释的话，在 # 后面加一个空格。", warning=True))

    def swallowed(self, event) -> None:
        """Report a quoted value whose missing closing quote swallowed the following fields."""
        inner = self.lines[event.start_mark.line + 1: event.end_mark.line + 1]
        if any(SWALLOWED_KEY.match(line) for line in inner):
            end = event.end_mark.line + self.first_line
            self.issues.append(YamlIssue(self.line(event), f"这一行的引号{event.style}没有配对：它一直延续到第 {end} 行，把中间的字段也当成了值。",
                                         "在值的末尾补上同样的半角引号，或把引号都删掉。"))

    def sequence(self, start, depth: int) -> YList:
        """Convert a sequence whose start event was taken."""
        result = YList()
        result.line = self.line(start)
        result.item_lines = []
        while True:
            event = self.next()
            if isinstance(event, yaml.SequenceEndEvent):
                return result
            result.item_lines.append(self.line(event))
            result.append(self.value(event, depth + 1))

    def mapping(self, start, depth: int) -> YMap:
        """Convert a mapping whose start event was taken, reporting keys that appear twice."""
        result = YMap()
        result.line = self.line(start)
        result.key_lines = {}
        while True:
            event = self.next()
            if isinstance(event, yaml.MappingEndEvent):
                return result
            if not isinstance(event, yaml.ScalarEvent):
                self.issues.append(YamlIssue(self.line(event), "字段名不能是列表或映射。", "字段名写成简单的文字，如 name。"))
                self.skip(event)
                self.skip_value()
                continue
            key, line = event.value, self.line(event)
            if key in result.key_lines:
                first = result.key_lines[key]
                lines = f"第 {first} 行和第 {line} 行" if first != line else "在同一行里"
                self.issues.append(YamlIssue(line, f"字段「{key}」写了两次（{lines}）。", "只保留一个；两个值都需要时合并成一个列表。"))
                self.skip_value()
                continue
            result.key_lines[key] = line
            result[key] = self.value(self.next(), depth + 1)

    def skip_value(self) -> None:
        """Consume a whole value (scalar, alias or collection)."""
        self.skip(self.next())
