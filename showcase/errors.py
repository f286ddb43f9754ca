"""Problems found in a run, and the one exception tree.

Every stage reports what is wrong with the *input* into a shared ``Report``
instead of raising, so a publicist sees all mistakes of a run at once.
Exceptions are for stopping:

ShowcaseError            base of everything the CLI turns into a message
├── ConfigError          site.yaml cannot be used (the report says why)
├── ContentError         content has errors (the report says which)
├── OutputError          the output folder is unsafe or cannot be written
└── UsageError           a command-line argument is wrong (exit code 2)
"""
from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass, field

from .chinese import HAN


COMMAND_LINE = "命令行"  # the "file" of a problem in a command-line option


class ShowcaseError(Exception):
    """Base of every error the command line reports without a traceback."""


class ConfigError(ShowcaseError):
    """site.yaml is unusable; details are in the report."""


class ContentError(ShowcaseError):
    """Content is invalid; details are in the report."""


class OutputError(ShowcaseError):
    """The output folder is unsafe or cannot be written."""


class UsageError(ShowcaseError):
    """A command-line argument is wrong."""


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake: where it is, what was found and how to fix it."""

    path: str
    line: int
    label: str
    found: str
    fix: str
    warning: bool = False

    def where(self) -> str:
        """Return 'file 第 N 行 · label' as shown to the publicist."""
        text = self.path
        if self.line:
            text += f" 第 {self.line} 行"
        if self.label:
            text += f" · {self.label}"
        return text


@dataclass
class Report:
    """Collects every problem of a run; stages add to it and never stop early."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int | None, label: str, found: str, fix: str) -> None:
        """Record a mistake that fails the build."""
        self.problems.append(Problem(path, line or 0, label, found, fix))

    def warn(self, path: str, line: int | None, label: str, found: str, fix: str) -> None:
        """Record a mistake that fails the build only under --strict."""
        self.problems.append(Problem(path, line or 0, label, found, fix, warning=True))

    def extend(self, problems: list[Problem]) -> None:
        """Add problems found elsewhere (for example in a worker process)."""
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        """Problems that fail the build."""
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that fail the build only under --strict."""
        return [p for p in self.problems if p.warning]

    def counts(self) -> tuple[int, int]:
        """How many different errors and warnings there are: a problem found on many pages (the same
        template line on every worker page) or by both render workers is listed once, and counted once."""
        distinct = set(self.problems)
        warnings = sum(1 for p in distinct if p.warning)
        return len(distinct) - warnings, warnings

    def failed(self, strict: bool = False) -> bool:
        """True when the build must stop."""
        return bool(self.errors) or (strict and bool(self.warnings))

    def format(self, strict: bool = False) -> str:
        """Render every problem, numbered, errors first, in Chinese."""
        items = listed(self.problems, strict)
        if not items:
            return ""
        n_err, n_warn = self.counts()
        if strict:
            head = f"发现 {n_err + n_warn} 个问题（--strict 模式下警告也算错误）："
        elif n_err:
            head = f"发现 {n_err} 个错误" + (f"、{n_warn} 个警告" if n_warn else "") + "："
        else:
            head = f"发现 {n_warn} 个警告（不影响生成）："
        lines = [head, ""]
        number = 0
        for item in items:
            if isinstance(item, str):
                lines += [f"   …{item}", ""]
                continue
            number += 1
            kind = "警告" if item.warning and not strict else "错误"
            lines += [f"{number}. [{kind}] {item.where()}", f"   问题：{item.found}", f"   改法：{item.fix}", ""]
        return "\n".join(lines).rstrip() + "\n"


PER_FILE = 20  # problems listed per file and kind: a mangled file can have thousands, and one fix often clears many


def listed(problems: list[Problem], strict: bool = False) -> list:
    """Problems in the order shown (errors first, by file and line), at most PER_FILE of a kind per file;
    after a file's cut, a note (str) saying how many more it has."""
    ordered = sorted(set(problems), key=lambda p: (p.warning, p.path, p.line, p.label, p.found))
    items: list = []
    for (warning, path), group in itertools.groupby(ordered, key=lambda p: (p.warning, p.path)):
        group = list(group)
        items += group[:PER_FILE]
        if len(group) > PER_FILE:
            kind = "警告" if warning and not strict else "错误"
            items.append(f"{path} 还有 {len(group) - PER_FILE} 个{kind}没有列出：先改好上面这些，再运行一次。")
    return items


def did_you_mean(word: str, candidates, labels: dict[str, str] | None = None) -> str | None:
    """Return the candidate closest to word (also matching Chinese labels), or None."""
    found = close_matches(word, candidates, labels, n=1)
    return found[0] if found else None


def close_matches(word: str, candidates, labels: dict[str, str] | None = None, n: int = 2) -> list[str]:
    """Up to n candidates close to word, best first; a runner-up only when nearly as close."""
    candidates = sorted(set(candidates))
    if not word or not candidates:
        return []
    if labels:
        for key, label in sorted(labels.items()):
            if word == label:
                return [key]
    folded = {c.lower(): c for c in candidates}
    if word.lower() in folded:
        return [folded[word.lower()]]
    matches = difflib.get_close_matches(word, candidates, n=n, cutoff=0.5)
    if matches:
        scores = [difflib.SequenceMatcher(None, word, c).ratio() for c in matches]
        return [c for c, score in zip(matches, scores) if scores[0] - score <= 0.15]
    for c in candidates:
        if len(word) >= 2 and (word in c or c in word):
            return [c]
    return []


def sharing_characters(word: str, choices) -> list[str]:
    """The one choice sharing most Chinese characters with word, counting none that every choice has (全国 → 国家级)."""
    choices = sorted(set(choices))
    if len(choices) < 2:
        return []
    common = set.intersection(*(set(c) for c in choices))
    chars = {ch for ch in word if HAN.match(ch)} - common
    scores = {c: len(chars & set(c)) for c in choices}
    best = max(scores.values())
    winners = [c for c, score in scores.items() if score == best]
    return winners if best and len(winners) == 1 else []


def suggest(words: list[str]) -> str:
    """'您是不是想写「a」或「b」？' for close matches, '' for none."""
    return f"您是不是想写{'或'.join(f'「{w}」' for w in words)}？" if words else ""


def quote(value) -> str:
    """Show a found value in Chinese corner brackets, shortened if long."""
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "…"
    return f"「{text}」"
