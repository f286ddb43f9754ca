"""Figures and charts computed from the content (site.yaml ``stats``); pure.

``compute(resolved)`` turns each declared stat into a ``Figure``: a total and, for a stat with
``by``, the rows of its chart in display order.  Everything is counted from the resolved library
when the site is built, so a computed figure can never drift from the entries it counts.

A count counts entries (an entry with two honours of the same level counts once for that level);
a ``sum`` adds up a numeric field over the entries that fill it in.
"""
from __future__ import annotations

from dataclasses import dataclass

from .config import Site, Stat, field_at
from .content import Entry, field_values
from .refs import Resolved
from .schema import PartialDate

MAX_GAP_YEARS = 100  # a series over years fills missing years with 0 up to this span


@dataclass(frozen=True)
class Row:
    """One bar of a chart: the group's label and its value."""

    label: str
    value: int | float


@dataclass(frozen=True)
class Figure:
    """A computed figure: its total and, for a chart, its rows."""

    name: str
    label: str
    unit: str
    chart: str
    total: int | float
    rows: tuple
    counted: int
    pool: int
    items: str
    category: str
    measure: str
    summed: str
    browse: tuple = ()

    @property
    def note(self) -> str:
        """Where the figure comes from, in one Chinese sentence."""
        base = f"据本展厅收录的 {self.pool} 个{self.items}"
        if self.summed:
            return f"{base}中填写了「{self.summed}」的 {self.counted} 个合计"
        if self.chart and self.counted < self.pool:
            return f"{base}统计（其中 {self.pool - self.counted} 个没有填写「{self.category}」）"
        return f"{base}统计"

    @property
    def largest(self) -> int | float:
        """The largest row value (at least 1, so bars can be scaled by it)."""
        return max([row.value for row in self.rows] + [1])


def number_text(value) -> str:
    """A number as a visitor reads it: 106, 49.2, 1000 (no trailing .0)."""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def compute(resolved: Resolved) -> list[Figure]:
    """Every stat declared in site.yaml, computed from the resolved library."""
    return [compute_stat(resolved, stat) for stat in resolved.library.site.stats]


def compute_stat(resolved: Resolved, stat: Stat) -> Figure:
    """One stat: its total and, when it groups by a field, its rows."""
    site = resolved.library.site
    entries = [e for name in stat.collections for e in resolved.library.entries.get(name, [])]
    groups: dict = {}
    holders: dict = {}  # group → the first entry in it, whose pinyin orders ties
    counted = 0
    total: int | float = 0
    for entry in entries:
        amount = _amount(entry, stat.sum)
        if amount is None:
            continue
        keys = dict.fromkeys(_group_key(v) for v in _values(entry.data, stat.by)) if stat.by else {}
        if stat.by and not keys:
            continue
        counted += 1
        total += amount
        for key in keys:
            groups[key] = groups.get(key, 0) + amount
            holders.setdefault(key, entry)
    first = site.collection(stat.collections[0]) if stat.collections else None
    category_field = field_at(first, stat.by) if first and stat.by else None
    summed_field = field_at(first, stat.sum) if first and stat.sum else None
    rows = _fold([Row(str(key), _round(value)) for key, value in _ordered(groups, category_field, stat.chart, holders)],
                 stat.limit if _by_size(groups, category_field) else 0)
    return Figure(
        name=stat.name, label=stat.label, unit=stat.unit, chart=stat.chart, total=_round(total), rows=rows,
        counted=counted, pool=len(entries), items=_items(site, stat.collections),
        category=category_field.label if category_field else "",
        measure=_measure(stat, summed_field), summed=summed_field.label if summed_field else "",
        browse=_browse(resolved, stat))


def _values(data: dict, path: str) -> list:
    """The values at a field path (a plain field name read directly: the common, fast case)."""
    if "." in path:
        return field_values(data, path)
    value = data.get(path)
    if isinstance(value, list):
        return [v for v in value if v not in (None, "")]
    return [] if value in (None, "") else [value]


def _amount(entry: Entry, path: str) -> int | float | None:
    """What one entry adds: 1 for a count, the sum of its numbers for a sum (None if it has none)."""
    if not path:
        return 1
    numbers = [v for v in _values(entry.data, path) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sum(numbers) if numbers else None


def _group_key(value):
    """The group a value falls in: a date by its year, an entry by its title."""
    if isinstance(value, PartialDate):
        return value.year
    if isinstance(value, Entry):
        return value.title
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _round(value):
    """Drop float noise from sums such as 0.1 + 0.2."""
    return round(value, 4) if isinstance(value, float) else value


def _ordered(groups: dict, field, chart: str, holders: dict) -> list[tuple]:
    """Groups in display order: a vocabulary's order, years in sequence, else largest first."""
    if not groups:
        return []
    if field is not None and field.type == "enum":
        known = [(choice, groups.get(choice, 0)) for choice in field.choices]
        return known + [(k, v) for k, v in groups.items() if k not in field.choices]
    if all(isinstance(k, int) for k in groups):
        low, high = min(groups), max(groups)
        if chart == "series" and high - low <= MAX_GAP_YEARS:
            return [(year, groups.get(year, 0)) for year in range(low, high + 1)]
        return sorted(groups.items())
    return sorted(groups.items(), key=lambda item: (-item[1], _spelling(str(item[0]), holders[item[0]]), str(item[0])))


def _spelling(label: str, entry: Entry) -> list:
    """The pinyin of a label, from the entry it came from (its title, or a slug the parse step made)."""
    if label == entry.title:
        return entry.sort_key[0]
    return [entry.slugs.get(label, label)]


def _by_size(groups: dict, field) -> bool:
    """True when groups are ordered largest first (not by a vocabulary or by year), so a long tail can be folded."""
    return not (field is not None and field.type == "enum") and not (groups and all(isinstance(k, int) for k in groups))


def _fold(rows: list, limit: int) -> tuple:
    """At most limit rows: the largest ones, then one row adding up the rest (0: no limit)."""
    if not limit or len(rows) <= limit:
        return tuple(rows)
    rest = rows[limit - 1:]
    return tuple(rows[: limit - 1]) + (Row(f"其他 {len(rest)} 项", _round(sum(r.value for r in rest))),)


def _items(site: Site, names: tuple) -> str:
    """What the counted entries are called: 工作室, or 劳模工匠、工作室、企业条目."""
    labels = [c.item_label for c in (site.collection(n) for n in names) if c is not None]
    return labels[0] if len(labels) == 1 else "、".join(labels) + "条目"


def _measure(stat: Stat, summed) -> str:
    """The value axis label: 专利（项） for a sum, 数量（个） for a count."""
    if summed is not None:
        return summed.label
    return f"数量（{stat.unit}）" if stat.unit else "数量"


def _browse(resolved: Resolved, stat: Stat) -> tuple:
    """(url, label) of the taxonomy index that groups the same field, if there is one."""
    for taxonomy in resolved.library.site.taxonomies:
        if stat.by and taxonomy.field == stat.by and set(stat.collections) <= set(taxonomy.collections):
            return (f"{taxonomy.name}/", f"按{taxonomy.label}浏览")
    return ()
