"""Charts drawn at build time as inline SVG, each with a data table for screen readers; pure.

``chart(figure, theme)`` returns the markup of one computed figure's chart: an SVG (``role=img``,
titled) with the value printed on every bar, followed by a visually hidden ``<table>`` holding
the same numbers.  Three kinds: ``bars`` (horizontal bars), ``series`` (columns over years) and
``proportion`` (one bar split into shares, with a legend).  No script, no chart library: the
browser only draws shapes, and a printout or a grayscale screen still reads, because every value
is written out and shares differ in lightness as well as in hue.
"""
from __future__ import annotations

import unicodedata

from markupsafe import Markup, escape

from .config import Theme, contrast
from .stats import Figure, number_text

WIDTH = 420
FONT = 15
INK = "#1f1f1f"
MUTED = "#5b5752"
WHITE = "#ffffff"
# Share colours, alternating dark and light so neighbours differ in grayscale too; every share
# is outlined in ink, so even the palest one stands out from the page.
SHARE_FILLS = ("{primary}", "#f2d8a0", "#6b6b6b", WHITE, "#7a5a06", "#d4d4d4")
MAX_LABEL = 9  # characters of a bar label before it is cut with … (the table has it whole)


def text_width(text: str, size: int = FONT) -> float:
    """Roughly how wide text is drawn: a full em per Chinese character, a bit over half for others."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def clip(text: str, limit: int = MAX_LABEL) -> str:
    """text cut to limit characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ink_on(fill: str) -> str:
    """White or ink, whichever reads better on fill."""
    return WHITE if contrast(WHITE, fill) >= contrast(INK, fill) else INK


def chart(figure: Figure, theme: Theme) -> Markup:
    """The SVG of a figure's chart followed by its data table."""
    draw = {"series": _series, "proportion": _proportion}.get(figure.chart, _bars)
    width, height, body = draw(figure, theme)
    uid = f"chart-{figure.name}"
    svg = (f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-labelledby="{uid}-title">'
           f'<title id="{uid}-title">{escape(figure.label)}（{escape(_kind(figure))}，数据见下表）</title>'
           + "".join(body) + "</svg>")
    return Markup(svg + table(figure))


def _kind(figure: Figure) -> str:
    """The chart's kind in Chinese."""
    return {"series": "柱状图", "proportion": "比例图"}.get(figure.chart, "条形图")


def table(figure: Figure) -> str:
    """The figure's numbers as a visually hidden table (what a screen reader reads).

    The hiding is on a wrapper: a table grows to fit its cells whatever its width, and would widen the page on a phone.
    """
    share = figure.chart == "proportion"
    head = f'<th scope="col">{escape(figure.category)}</th><th scope="col">{escape(figure.measure)}</th>'
    head += '<th scope="col">占比</th>' if share else ""
    rows = []
    for row in figure.rows:
        cells = f'<th scope="row">{escape(row.label)}</th><td>{number_text(row.value)}</td>'
        cells += f"<td>{_percent(row.value, figure.total)}</td>" if share else ""
        rows.append(f"<tr>{cells}</tr>")
    return (f'<div class="visually-hidden"><table class="chart-table"><caption>{escape(figure.label)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _percent(value, total) -> str:
    """value as a whole percentage of total."""
    return f"{round(100 * value / total)}%" if total else "0%"


def _text(x: float, y: float, content: str, anchor: str = "start", fill: str = INK, cls: str = "", weight: str = "") -> str:
    """One SVG text element."""
    extra = f' class="{cls}"' if cls else ""
    extra += f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" font-size="{FONT}"{extra}>'
            f"{escape(content)}</text>")


def _bars(figure: Figure, theme: Theme) -> tuple[int, int, list[str]]:
    """Horizontal bars, one per row, the value written after each bar."""
    labels = [clip(row.label) for row in figure.rows]
    label_w = min(max([text_width(t) for t in labels + [figure.category]] + [FONT * 2]), FONT * MAX_LABEL)
    axis_x = label_w + 10
    value_room = max(text_width(number_text(r.value)) for r in figure.rows) + 12 if figure.rows else 40
    span = WIDTH - axis_x - value_room
    row_h, top = 34, 34
    height = top + row_h * len(figure.rows) + 12
    body = [_text(0, 20, figure.category, cls="chart-axis", fill=MUTED, weight="700"),
            _text(axis_x, 20, figure.measure, cls="chart-axis", fill=MUTED, weight="700")]
    for index, (row, label) in enumerate(zip(figure.rows, labels)):
        y = top + index * row_h
        length = span * row.value / figure.largest if row.value > 0 else 0
        body.append(f'<g class="chart-bar"><title>{escape(row.label)}：{number_text(row.value)}</title>'
                    + _text(label_w, y + 21, label, anchor="end")
                    + f'<rect x="{axis_x:.1f}" y="{y + 5}" width="{length:.1f}" height="22" fill="{theme.primary}"/>'
                    + _text(axis_x + length + 6, y + 21, number_text(row.value), cls="chart-value", weight="700")
                    + "</g>")
    body.append(f'<line x1="{axis_x:.1f}" y1="{top}" x2="{axis_x:.1f}" y2="{height - 8}" stroke="{INK}" stroke-width="1.5"/>')
    return WIDTH, height, body


def _series(figure: Figure, theme: Theme) -> tuple[int, int, list[str]]:
    """Columns over years, the value written above each column."""
    count = max(len(figure.rows), 1)
    left, right, top, base = 8, WIDTH - 8, 52, 232
    slot = (right - left) / count
    column = min(56, slot * 0.62)
    every = -(-count // 12)  # label at most 12 years
    body = [_text(0, 20, figure.measure, cls="chart-axis", fill=MUTED, weight="700"),
            _text(WIDTH / 2, base + 52, figure.category, anchor="middle", cls="chart-axis", fill=MUTED, weight="700")]
    for index, row in enumerate(figure.rows):
        centre = left + slot * (index + 0.5)
        length = (base - top) * row.value / figure.largest if row.value > 0 else 0
        shown = index % every == 0 or index == count - 1
        body.append(f'<g class="chart-bar"><title>{escape(row.label)}：{number_text(row.value)}</title>'
                    + f'<rect x="{centre - column / 2:.1f}" y="{base - length:.1f}" width="{column:.1f}" height="{length:.1f}" fill="{theme.primary}"/>'
                    + _text(centre, base - length - 6, number_text(row.value), anchor="middle", cls="chart-value", weight="700")
                    + (_text(centre, base + 22, row.label, anchor="middle") if shown else "")
                    + "</g>")
    body.append(f'<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="{INK}" stroke-width="1.5"/>')
    return WIDTH, base + 64, body


def _proportion(figure: Figure, theme: Theme) -> tuple[int, int, list[str]]:
    """One bar split into shares, then a legend with each share's value and percentage."""
    fills = [f.format(primary=theme.primary) for f in SHARE_FILLS]
    top, bar_h, legend_top, line_h = 8, 44, 72, 30
    body = []
    x = 0.0
    shares = list(enumerate(figure.rows))
    for index, row in shares:
        fill = fills[index % len(fills)]
        width = WIDTH * row.value / figure.total if figure.total and row.value > 0 else 0
        percent = _percent(row.value, figure.total)
        inside = _text(x + width / 2, top + 28, percent, anchor="middle", fill=ink_on(fill), cls="chart-value", weight="700") \
            if width >= text_width(percent) + 10 else ""
        outline = f' stroke="{INK}" stroke-width="1.5"' if width else ""
        body.append(f'<g class="chart-bar"><title>{escape(row.label)}：{number_text(row.value)}</title>'
                    f'<rect x="{x:.1f}" y="{top}" width="{width:.1f}" height="{bar_h}" fill="{fill}"{outline}/>'
                    f"{inside}</g>")
        x += width
    for index, row in shares:
        y = legend_top + index * line_h
        fill = fills[index % len(fills)]
        value = f"{number_text(row.value)}{figure.unit}（{_percent(row.value, figure.total)}）"
        body.append(f'<g class="chart-legend"><rect x="0" y="{y}" width="18" height="18" fill="{fill}" stroke="{INK}" stroke-width="1.5"/>'
                    + _text(28, y + 15, clip(row.label, 14)) + _text(WIDTH, y + 15, value, anchor="end", weight="700") + "</g>")
    return WIDTH, legend_top + line_h * len(shares) + 4, body
