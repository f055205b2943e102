"""HTML export: one self-contained page (inline CSS, JS and SVG; nothing fetched at view time)."""

from __future__ import annotations

import html
import json
import math

from mmalign_eval.leaderboard.diff import board_changes
from mmalign_eval.leaderboard.rank import RankedRow
from mmalign_eval.leaderboard.schema import Board, Entry
from mmalign_eval.leaderboard.view import Column, cell, columns, format_number, sections

CSS = """
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 6px}
th{background:#f3f3f3;cursor:pointer;white-space:nowrap}th.cat{cursor:default;background:#e6eef8}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.flag{background:#fff4d6}
tr.section td{background:#eee;font-weight:bold}details{font-size:12px}summary{cursor:pointer}
.plots{display:flex;flex-wrap:wrap;gap:12px}.plot{border:1px solid #ddd;padding:4px}
.good{fill:#2a9d4b}.bad{fill:#d0453b}.flat{fill:#999}small{color:#666}
"""
# Sorting keeps section rows out: it sorts all entry rows of the table by the clicked column.
JS = """
document.querySelectorAll('th[data-col]').forEach(function(th){
  th.addEventListener('click',function(){
    var table=th.closest('table'),body=table.tBodies[0],col=+th.dataset.col;
    var asc=th.dataset.dir!=='asc';th.dataset.dir=asc?'asc':'desc';
    var rows=Array.prototype.slice.call(body.querySelectorAll('tr.entry'));
    rows.sort(function(a,b){
      var x=a.cells[col].dataset.v,y=b.cells[col].dataset.v;
      var nx=parseFloat(x),ny=parseFloat(y);
      if(isNaN(nx)&&isNaN(ny))return asc?String(x).localeCompare(y):String(y).localeCompare(x);
      if(isNaN(nx))return 1;if(isNaN(ny))return -1;return asc?nx-ny:ny-nx;});
    body.querySelectorAll('tr.section').forEach(function(r){r.remove();});
    rows.forEach(function(r){body.appendChild(r);});
    document.getElementById('sorted').textContent=th.textContent+(asc?' ascending':' descending');
  });
});
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _settings_details(entry: Entry) -> str:
    items = "".join(
        f"<li><b>{_e(r.task)}</b>: {_e(r.settings.summary())}" + (f"; n={r.n}" if r.n else "")
        for r in entry.results
    )
    extra = "".join(f"<li>{_e(k)}: {_e(v)}" for k, v in entry.details.items())
    return f"<details><summary>settings</summary><ul>{items}{extra}</ul></details>"


def _row(row: RankedRow, cols: list[Column]) -> str:
    entry = row.entry
    cells = [
        f'<td data-v="{row.rank or ""}">{_e(row.rank_label)}</td>',
        f'<td data-v="{_e(entry.model)}">{_e(entry.model)}{_settings_details(entry)}</td>',
        f'<td data-v="{_e(entry.source_label)}"><small>{_e(entry.source_label)}</small></td>',
    ]
    for col in cols:
        c = cell(entry, col)
        tip = c.settings.summary() if c.settings else "not reported"
        css = "num flag" if c.flagged else "num"
        value = "" if c.value is None else f"{c.value:.6g}"
        cells.append(f'<td class="{css}" data-v="{value}" title="{_e(tip)}">{_e(c.text)}</td>')
    return f'<tr class="entry">{"".join(cells)}</tr>'


def _table(board: Board, sort: str | None, mixed: bool) -> str:
    cols = columns(board)
    task, metric, parts = sections(board, sort, mixed)
    cats: list[tuple[str, int]] = []
    for col in cols:
        if cats and cats[-1][0] == col.benchmark.category:
            cats[-1] = (cats[-1][0], cats[-1][1] + 1)
        else:
            cats.append((col.benchmark.category, 1))
    top = '<th class="cat" colspan="3"></th>' + "".join(
        f'<th class="cat" colspan="{n}">{_e(c)}</th>' for c, n in cats
    )
    heads = ["rank", "model", "source", *(c.header for c in cols)]
    head = "".join(f'<th data-col="{i}">{_e(h)}</th>' for i, h in enumerate(heads))
    body = []
    for index, rows in enumerate(parts):
        if index:
            letter = rows[0].letter if rows else "?"
            body.append(
                f'<tr class="section"><td colspan="{len(heads)}">settings {letter} on '
                f"{_e(task)}: not ranked against the rows above</td></tr>"
            )
        body.extend(_row(r, cols) for r in rows)
    return (
        f'<p>Sorted by <span id="sorted">{_e(task)} {_e(metric)}</span>. Click a header to sort. '
        "Shaded cells: settings differ from the column's most common ones (hover for settings)."
        f'</p><table id="board"><thead><tr>{top}</tr><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _bars_svg(title: str, bars: list[tuple[str, float, bool]]) -> str:
    """Horizontal bars of signed changes; positive means better."""
    width, row_h, label_w = 360, 18, 150
    height = 24 + row_h * len(bars)
    scale = max((abs(v) for _, v, _ in bars), default=1.0) or 1.0
    mid = label_w + (width - label_w) / 2
    half = (width - label_w) / 2 - 30
    parts = [
        f'<text x="4" y="14" font-weight="bold">{_e(title)}</text>',
        f'<line x1="{mid}" y1="18" x2="{mid}" y2="{height}" stroke="#888"/>',
    ]
    for i, (label, value, significant) in enumerate(bars):
        y = 22 + i * row_h
        length = abs(value) / scale * half
        x = mid if value >= 0 else mid - length
        css = "good" if value > 0 else "bad" if value < 0 else "flat"
        opacity = "1" if significant else "0.5"
        parts.append(
            f'<text x="4" y="{y + 12}" font-size="11">{_e(label[:24])}</text>'
            f'<rect class="{css}" x="{x:.1f}" y="{y}" width="{max(length, 1):.1f}" '
            f'height="{row_h - 4}" opacity="{opacity}"><title>{_e(label)}: '
            f"{value:+.2f}</title></rect>"
        )
    return f'<svg class="plot bars" width="{width}" height="{height}">{"".join(parts)}</svg>'


def _change_plots(board: Board) -> str:
    """Per base model and benchmark (grouped by category): each method's change, better > 0."""
    bases = sorted({e.base_model for e in board.entries if e.base_model and e.method})
    out = []
    for base in bases:
        grid: dict[str, list[tuple[str, float, bool]]] = {}
        for changes in board_changes(board, base):
            for ch in changes:
                if ch.delta is None or (ch.better is None and ch.delta != 0):
                    continue
                signed = abs(ch.delta) if ch.better else -abs(ch.delta)
                bench = board.benchmark(ch.task)
                name = f"{bench.category if bench else ''}: {ch.task} {ch.metric}"
                grid.setdefault(name, []).append(
                    (ch.entry.method or "", signed, bool(ch.significant))
                )
        svgs = "".join(_bars_svg(name, bars) for name, bars in sorted(grid.items()))
        if svgs:
            out.append(f'<h3>Change against {_e(base)}</h3><div class="plots">{svgs}</div>')
    return "".join(out)


def _radar_svg(title: str, axes: list[tuple[str, float]]) -> str:
    """A radar of scores in [0, 1] (1 = best on the board) per axis."""
    size, r = 220, 70
    cx = cy = size / 2
    points, spokes = [], []
    for i, (label, score) in enumerate(axes):
        angle = -math.pi / 2 + 2 * math.pi * i / len(axes)
        x, y = math.cos(angle), math.sin(angle)
        spokes.append(
            f'<line x1="{cx}" y1="{cy}" x2="{cx + r * x:.1f}" y2="{cy + r * y:.1f}" '
            f'stroke="#ccc"/><text x="{cx + (r + 8) * x:.1f}" y="{cy + (r + 8) * y:.1f}" '
            f'font-size="9" text-anchor="middle">{_e(label[:18])}</text>'
        )
        points.append(f"{cx + r * score * x:.1f},{cy + r * score * y:.1f}")
    poly = (
        f'<polygon points="{" ".join(points)}" fill="#3b7dd8" fill-opacity="0.35" '
        f'stroke="#3b7dd8"/>'
    )
    head = f'<text x="4" y="12" font-size="11" font-weight="bold">{_e(title[:40])}</text>'
    return f'<svg class="plot radar" width="{size}" height="{size}">{head}{"".join(spokes)}{poly}</svg>'  # noqa: E501


def _normalised(board: Board, col: Column) -> dict[str, float]:
    """Min-max scaled values per entry id, oriented so that 1 is the board's best."""
    values = {e.id: c.value for e in board.entries if (c := cell(e, col)).value is not None}
    if not values or col.direction == "neither":
        return {}
    low, high = min(values.values()), max(values.values())
    span = (high - low) or 1.0
    flip = col.direction == "lower"
    return {k: ((high - v) if flip else (v - low)) / span for k, v in values.items()}


def _axes(board: Board, entry: Entry, groups: dict[str, list[Column]],
          norms: dict[str, dict[str, float]]) -> list[tuple[str, float]]:  # fmt: skip
    """Mean normalised score per axis (a category or a benchmark) where the entry has one."""
    axes: list[tuple[str, float]] = []
    for name, members in groups.items():
        scores = [norms[c.benchmark.task][entry.id] for c in members
                  if entry.id in norms[c.benchmark.task]]  # fmt: skip
        if scores:
            axes.append((name, sum(scores) / len(scores)))
    return axes


def _radars(board: Board) -> str:
    """One radar per entry with three or more axes.

    Axes are categories when that gives most entries three axes; a board that is mostly one
    category (like the hallucination board) uses its benchmarks instead, which says more.
    """
    cols = [c for c in columns(board) if c.direction != "neither"]
    norms = {c.benchmark.task: _normalised(board, c) for c in cols}
    by_category: dict[str, list[Column]] = {}
    for col in cols:
        by_category.setdefault(col.benchmark.category, []).append(col)
    by_benchmark = {c.benchmark.title: [c] for c in cols}
    wide = [e for e in board.entries if len(_axes(board, e, by_category, norms)) >= 3]
    groups = by_category if 2 * len(wide) >= len(board.entries) else by_benchmark
    svgs = [
        _radar_svg(f"{entry.model} ({entry.source_label})", axes)
        for entry in board.entries
        if len(axes := _axes(board, entry, groups, norms)) >= 3
    ]
    return f'<div class="plots">{"".join(svgs)}</div>'


def to_html(board: Board, sort: str | None = None, mixed: bool = False) -> str:
    """The board as one self-contained HTML page."""
    data = json.dumps({"board": board.name, "entries": len(board.entries)})
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Leaderboard: {_e(board.name)}</title><style>{CSS}</style></head><body>"
        f"<h1>Leaderboard: {_e(board.name)}</h1><p>{_e(board.description)}</p>"
        f"{_table(board, sort, mixed)}"
        "<h2>Change of each method against its base model</h2><p><small>Bars to the right are "
        "improvements in the metric's good direction; faded bars are not significant or have no "
        "known uncertainty; only bases with the same settings are compared.</small></p>"
        f"{_change_plots(board)}"
        "<h2>Profile per model</h2><p><small>1 (outer ring) is the best value on this board, "
        "0 the worst.</small></p>"
        f"{_radars(board)}"
        f'<script type="application/json" id="meta">{data}</script><script>{JS}</script>'
        f"<p><small>{_e(format_number(None))} = not reported.</small></p></body></html>\n"
    )
