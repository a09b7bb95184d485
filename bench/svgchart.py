"""svgchart.py - draws the benchmark table as an SVG bar chart (bench/results/chart.svg).

Owned by the benchmark runner (run.py); standard library only. One group of horizontal bars
per program (one bar per wasm engine: its time as a multiple of native), on a logarithmic
axis, with the geometric mean as the last group and a dashed line at the interpreter goal.
"""

import math
from xml.sax.saxutils import escape

ENGINE_COLORS = {"spindle": "#d9480f", "node": "#1971c2"}
LABEL_WIDTH = 150      # left column with the program names
PLOT_WIDTH = 560
BAR_HEIGHT = 11
GROUP_GAP = 9
TOP = 72               # room for title, one subtitle line, legend and the goal label
SUBTITLE_LINE = 13


def _ticks(min_ratio, max_ratio):
    """Axis ticks ..., 0.5, 1, 2, 5, 10, 20, 50, ... from the last one <= min(min_ratio, 1)
    to the first one >= max(max_ratio, 10)."""
    ticks, base = [], 1e-3
    while True:
        for step in (1, 2, 5):
            tick = round(base * step, 3)
            if tick <= min(min_ratio, 1):
                ticks = []
            ticks.append(tick)
            if tick >= max(max_ratio, 10):
                return ticks
        base *= 10


def _x_of(ratio, axis):
    """Horizontal position of a ratio on the log axis (axis = (first tick, last tick))."""
    low, high = axis
    ratio = min(max(ratio, low), high)
    return LABEL_WIDTH + PLOT_WIDTH * math.log(ratio / low) / math.log(high / low)


def _text(x, y, text, size=11, anchor="start", fill="#212529", weight="normal"):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>')


def _axis(axis, ticks, top, plot_bottom, goal):
    """Grid lines with their labels (1x, native, drawn darker), plus the dashed goal line
    (goal=None: none)."""
    parts = []
    for tick in ticks:
        x = _x_of(tick, axis)
        color = "#868e96" if tick == 1 else "#dee2e6"
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{plot_bottom}" '
                     f'stroke="{color}"/>')
        parts.append(_text(x, plot_bottom + 14, f"{tick:g}x", 10, "middle", "#495057"))
    if goal:
        x = _x_of(goal, axis)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{plot_bottom}" '
                     f'stroke="#2b8a3e" stroke-dasharray="4 3"/>')
        parts.append(_text(x, top - 8, f"goal {goal}x", 10, "middle", "#2b8a3e"))
    parts.append(_text(LABEL_WIDTH + PLOT_WIDTH / 2, plot_bottom + 30,
                       "time as a multiple of native gcc -O2 (1x; log scale; lower is better)",
                       11, "middle", "#495057"))
    return parts


def _group(y, label, cells, engines, axis, bold=False):
    """Bars of one program. cells maps engine -> ratio (float) or a short failure text."""
    weight = "bold" if bold else "normal"
    parts = [_text(LABEL_WIDTH - 8, y + BAR_HEIGHT * len(engines) / 2 + 4, label, 11, "end",
                   weight=weight)]
    for engine in engines:
        value = cells.get(engine)
        if isinstance(value, float):
            x_end = _x_of(value, axis)
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y:.1f}" width="{x_end - LABEL_WIDTH:.1f}" '
                         f'height="{BAR_HEIGHT - 2}" fill="{ENGINE_COLORS.get(engine, "#868e96")}"/>')
            parts.append(_text(x_end + 3, y + BAR_HEIGHT - 3, f"{value:.1f}x", 9, weight=weight))
        else:
            parts.append(_text(LABEL_WIDTH + 3, y + BAR_HEIGHT - 3,
                               f"{engine}: {value or 'not run'}", 9, fill="#c92a2a"))
        y += BAR_HEIGHT
    return parts


def render(rows, engines, title, subtitle, goal=None):
    """Returns the SVG text. rows: list of (label, {engine: ratio or failure text}, bold);
    subtitle: lines of small text under the title (a string with newlines)."""
    ratios = [v for _, cells, _ in rows for v in cells.values() if isinstance(v, float)]
    ticks = _ticks(min(ratios, default=1), max(ratios, default=10))
    axis = (ticks[0], ticks[-1])
    subtitle_lines = subtitle.split("\n")
    extra = SUBTITLE_LINE * (len(subtitle_lines) - 1)
    top = TOP + extra
    group_height = BAR_HEIGHT * len(engines) + GROUP_GAP
    plot_bottom = top + group_height * len(rows)
    width, height = LABEL_WIDTH + PLOT_WIDTH + 60, plot_bottom + 44
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             _text(10, 20, title, 14, weight="bold")]
    for i, line in enumerate(subtitle_lines):
        parts.append(_text(10, 36 + SUBTITLE_LINE * i, line, 10, fill="#495057"))
    for i, engine in enumerate(engines):
        x = LABEL_WIDTH + i * 110
        parts.append(f'<rect x="{x}" y="{44 + extra}" width="12" height="10" '
                     f'fill="{ENGINE_COLORS.get(engine, "#868e96")}"/>')
        parts.append(_text(x + 16, 53 + extra, engine, 11))
    parts += _axis(axis, ticks, top, plot_bottom, goal)
    y = top
    for label, cells, bold in rows:
        parts += _group(y, label, cells, engines, axis, bold)
        y += group_height
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
