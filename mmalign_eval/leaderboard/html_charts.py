"""Charts of the HTML export as inline SVG: change bars, radar profiles, a two-metric scatter."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from mmalign_eval.leaderboard.diff import board_changes
from mmalign_eval.leaderboard.schema import Board, Entry
from mmalign_eval.leaderboard.view import ARROWS, Column, cell, columns

# Widths are estimated before any font is known, so the estimate errs wide: a label is never
# clipped, at worst it gets a few pixels more room. The page's JS refits to measured boxes.
CHAR_EM = 0.62
LINE_EM = 1.25
Box = tuple[float, float, float, float]  # x0, y0, x1, y1
RADAR_R, RADAR_R0 = 72.0, 14.0  # outer ring (best) and inner ring (worst) radius


# Cards wrap at the page width and scale a wide chart down rather than let it overflow.
CHART_CSS = """
.cards{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
.card{border:1px solid #d5dae1;border-radius:4px;padding:8px 10px;margin:0;background:#fff;
  max-width:100%;overflow:hidden}
.cards.radars{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr))}
.card figcaption{font-size:12.5px;line-height:1.3;margin-bottom:4px;overflow-wrap:anywhere}
.card svg{display:block;max-width:100%;height:auto;font-size:11px;fill:#1d232b}
svg line{stroke:#c9ced6}svg .axis{stroke:#7b8594}svg .note{fill:#5b6573;font-size:10px}
svg .good{fill:#2e8b57}svg .bad{fill:#c4472f}svg .flat{fill:#999}svg .faded{opacity:.45}
svg .val{fill:#3c4654;font-size:10px}svg.radar{font-size:10px;margin:0 auto}
svg .ring{fill:none;stroke:#d5dae1}svg .ring.inner{fill:#f4f6f9;stroke-dasharray:2 2}
svg .score{fill:#2f6fb5;fill-opacity:.3;stroke:#2f6fb5;stroke-width:1.5}
svg .vertex{fill:#2f6fb5}svg .frame{fill:none;stroke:#7b8594}svg .tick{font-size:10px}
svg .axislabel{font-size:12px;font-weight:600}svg .ptlabel{font-size:10px;fill:#3c4654}
svg .pt{stroke-width:1.5}svg .grid line{stroke:#eceff3}
"""
# Label widths are estimated in Python before any font is known; once the page has real fonts
# this grows a chart's viewBox (never shrinks it) so that nothing it draws is cut off.
FIT_JS = """
window.fitSvg=function(svg){var v=svg.viewBox.baseVal,b=svg.getBBox(),p=3;
  if(b.x>=v.x&&b.y>=v.y&&b.x+b.width<=v.x+v.width&&b.y+b.height<=v.y+v.height)return;
  var x0=Math.min(v.x,b.x-p),y0=Math.min(v.y,b.y-p),
    x1=Math.max(v.x+v.width,b.x+b.width+p),y1=Math.max(v.y+v.height,b.y+b.height+p);
  svg.setAttribute('viewBox',[x0,y0,x1-x0,y1-y0].join(' '));
  svg.setAttribute('width',Math.ceil(x1-x0));svg.setAttribute('height',Math.ceil(y1-y0));
  svg.setAttribute('data-refit','1');};
document.querySelectorAll('svg.fit').forEach(window.fitSvg);
"""


def esc(text: object) -> str:
    """Text escaped for HTML and SVG content and attributes."""
    return html.escape(str(text), quote=True)


def text_width(text: str, size: float) -> float:
    """Estimated rendered width in px of a line of text at a font size."""
    return len(text) * size * CHAR_EM


def wrap(text: str, limit: int) -> list[str]:
    """Words packed into lines of at most `limit` characters (a longer word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _svg(css: str, box: Box, body: str, label: str) -> str:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    return (
        f'<svg class="fit {css}" viewBox="{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}" width="{w:.0f}" '
        f'height="{h:.0f}" role="img" aria-label="{esc(label)}">{body}</svg>'
    )


@dataclass(frozen=True)
class Bar:
    """One method's signed change on a benchmark: positive is better."""

    label: str
    value: float
    significant: bool | None


def bars_svg(title: str, bars: list[Bar]) -> str:
    """Horizontal bars of signed changes around a zero line, with their values."""
    size, row_h, half = 11.0, 18.0, 100.0
    label_w = max(text_width(b.label, size) for b in bars) + 8
    value_w = text_width("+00.00", size) + 6
    mid = label_w + value_w + half
    scale = max(abs(b.value) for b in bars) or 1.0
    height = row_h * len(bars) + 18
    parts = [f'<line x1="{mid:.1f}" y1="0" x2="{mid:.1f}" y2="{height - 16:.1f}" class="axis"/>']
    for i, bar in enumerate(bars):
        y, length = i * row_h + 2, abs(bar.value) / scale * half
        css = "good" if bar.value > 0 else "bad" if bar.value < 0 else "flat"
        faded = "" if bar.significant else " faded"
        test = {True: "significant", False: "not significant", None: "no uncertainty known"}
        left = bar.value < 0
        vx, anchor = (mid - length - 4, "end") if left else (mid + length + 4, "start")
        parts.append(
            f'<text x="{label_w - 6:.1f}" y="{y + 12:.1f}" text-anchor="end">'
            f"{esc(bar.label)}</text>"
            f'<rect class="{css}{faded}" x="{mid - length if left else mid:.1f}" y="{y:.1f}" '
            f'width="{max(length, 1.0):.1f}" height="{row_h - 5:.1f}"><title>{esc(bar.label)}: '
            f"{bar.value:+.2f} ({test[bar.significant]})</title></rect>"
            f'<text x="{vx:.1f}" y="{y + 12:.1f}" text-anchor="{anchor}" class="val">'
            f"{bar.value:+.2f}</text>"
        )
    parts.append(
        f'<text x="{mid - 4:.1f}" y="{height - 3:.1f}" text-anchor="end" class="note">'
        "← worse</text>"
        f'<text x="{mid + 4:.1f}" y="{height - 3:.1f}" class="note">better →</text>'
    )
    box = (-4.0, -2.0, mid + half + value_w, height + 4)
    return _svg("bars", box, "".join(parts), title)


def _card(caption: str, body: str, attrs: str = "") -> str:
    return f'<figure class="card"{attrs}><figcaption>{caption}</figcaption>{body}</figure>'


def change_plots(board: Board) -> str:
    """Per base model, one bar chart per benchmark of each method's change (better > 0)."""
    order = {c.benchmark.task: i for i, c in enumerate(columns(board))}
    bases = sorted({e.base_model for e in board.entries if e.base_model and e.method})
    out = []
    for base in bases:
        grid: dict[tuple[str, str], list[Bar]] = {}
        for changes in board_changes(board, base):
            for ch in changes:
                if ch.delta is None or (ch.better is None and ch.delta != 0):
                    continue
                signed = abs(ch.delta) if ch.better else -abs(ch.delta)
                grid.setdefault((ch.task, ch.metric), []).append(
                    Bar(ch.entry.method or ch.entry.model, signed, ch.significant)
                )
        cards = []
        for (task, metric), bars in sorted(grid.items(), key=lambda kv: order.get(kv[0][0], 99)):
            bench = board.benchmark(task)
            title = bench.title if bench else task
            caption = f"{esc(title)} <small>{esc(metric)} · {esc(bench.category if bench else '')}"
            cards.append(_card(f"{caption}</small>", bars_svg(f"{title} {metric}", bars)))
        if cards:
            out.append(f'<h3>Against {esc(base)}</h3><div class="cards">{"".join(cards)}</div>')
    return "".join(out) or "<p><small>No method entry has a comparable base entry.</small></p>"


@dataclass(frozen=True)
class Axis:
    """A radar spoke: its label lines, the entry's score in [0, 1] (1 = best) and a tooltip."""

    lines: tuple[str, ...]
    score: float
    tip: str


def radar_radius(score: float) -> float:
    """Distance from the centre: the worst value sits on the inner ring, never at the centre."""
    return RADAR_R0 + (RADAR_R - RADAR_R0) * min(max(score, 0.0), 1.0)


def _label(x: float, y: float, lines: tuple[str, ...], size: float) -> tuple[str, Box]:
    """A multi-line label placed outside the spoke end at (x, y), and its estimated box."""
    w, lh = max(text_width(s, size) for s in lines), size * LINE_EM
    d = math.hypot(x, y) or 1.0
    cos, sin = x / d, y / d
    anchor = "start" if cos > 0.25 else "end" if cos < -0.25 else "middle"
    left = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
    block = lh * len(lines)
    top = y - block if sin < -0.25 else y if sin > 0.25 else y - block / 2
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{top + size + i * lh:.1f}">{esc(s)}</tspan>'
        for i, s in enumerate(lines)
    )
    text = f'<text text-anchor="{anchor}">{spans}</text>'
    return text, (left, top, left + w, top + block + size * 0.3)


def radar_svg(title: str, axes: list[Axis]) -> str:
    """A radar of scores in [0, 1]; its viewBox grows to hold every axis label."""
    size, n = 10.0, len(axes)
    unit = [(-math.pi / 2 + 2 * math.pi * i / n) for i in range(n)]
    dirs = [(math.cos(a), math.sin(a)) for a in unit]

    def ring(radius: float) -> str:
        return " ".join(f"{radius * x:.1f},{radius * y:.1f}" for x, y in dirs)

    parts = [
        f'<polygon points="{ring(RADAR_R)}" class="ring"/>',
        f'<polygon points="{ring(radar_radius(0.5))}" class="ring"/>',
        f'<polygon points="{ring(RADAR_R0)}" class="ring inner"/>',
    ]
    boxes = [(-RADAR_R, -RADAR_R, RADAR_R, RADAR_R)]
    for (x, y), axis in zip(dirs, axes, strict=True):
        parts.append(f'<line x1="0" y1="0" x2="{RADAR_R * x:.1f}" y2="{RADAR_R * y:.1f}"/>')
        text, box = _label((RADAR_R + 7) * x, (RADAR_R + 7) * y, axis.lines, size)
        parts.append(text)
        boxes.append(box)
    points = [
        (radar_radius(a.score) * x, radar_radius(a.score) * y)
        for (x, y), a in zip(dirs, axes, strict=True)
    ]
    parts.append(
        f'<polygon class="score" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}"/>'
    )
    parts.extend(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" class="vertex">'
        f"<title>{esc(a.tip)}</title></circle>"
        for (x, y), a in zip(points, axes, strict=True)
    )
    pad = 4.0
    box = (
        min(b[0] for b in boxes) - pad,
        min(b[1] for b in boxes) - pad,
        max(b[2] for b in boxes) + pad,
        max(b[3] for b in boxes) + pad,
    )
    return _svg("radar", box, "".join(parts), title)


def normalised(board: Board, col: Column) -> dict[str, float]:
    """Min-max scaled values per entry id, 1 = the board's best; 0.5 when nothing differs."""
    values = {e.id: c.value for e in board.entries if (c := cell(e, col)).value is not None}
    if not values or col.direction == "neither":
        return {}
    low, high = min(values.values()), max(values.values())
    if high == low:  # one entry, or all equal: neither best nor worst, so the middle ring
        return dict.fromkeys(values, 0.5)
    flip = col.direction == "lower"
    return {k: ((high - v) if flip else (v - low)) / (high - low) for k, v in values.items()}


def _axes(
    entry: Entry, groups: dict[str, list[Column]], norms: dict[str, dict[str, float]]
) -> list[Axis]:
    """Mean normalised score per axis (a category or a benchmark) where the entry has one."""
    axes: list[Axis] = []
    for name, members in groups.items():
        have = [c for c in members if entry.id in norms[c.benchmark.task]]
        if not have:
            continue
        score = sum(norms[c.benchmark.task][entry.id] for c in have) / len(have)
        if len(members) == 1:
            col = members[0]
            last = f"{col.metric} {ARROWS[col.direction]} {cell(entry, col).text}"
        else:
            last = f"{len(have)} of {len(members)} benchmarks"
        tip = f"{name}: {score:.2f} (1 = best on this board, 0 = worst)"
        axes.append(Axis((*wrap(name, 18), last), score, tip))
    return axes


def radars(board: Board) -> str:
    """One radar card per entry with three or more axes.

    Axes are categories when that gives most entries three axes; a board that is mostly one
    category (like the hallucination board) uses its benchmarks instead, which says more.
    """
    cols = [c for c in columns(board) if c.direction != "neither"]
    norms = {c.benchmark.task: normalised(board, c) for c in cols}
    by_category: dict[str, list[Column]] = {}
    for col in cols:
        by_category.setdefault(col.benchmark.category, []).append(col)
    by_benchmark = {c.benchmark.title: [c] for c in cols}
    wide = [e for e in board.entries if len(_axes(e, by_category, norms)) >= 3]
    groups = by_category if 2 * len(wide) >= len(board.entries) else by_benchmark
    cards = []
    for entry in board.entries:
        axes = _axes(entry, groups, norms)
        if len(axes) < 3:
            continue
        caption = f"<b>{esc(entry.model)}</b><br><small>{esc(entry.source_label)}</small>"
        svg = radar_svg(f"{entry.model} ({entry.source_label})", axes)
        cards.append(_card(caption, svg, f' data-entry="{esc(entry.id)}"'))
    if not cards:
        return "<p><small>No entry has numbers on three or more axes.</small></p>"
    return f'<div class="cards radars">{"".join(cards)}</div>'
