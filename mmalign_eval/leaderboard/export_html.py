"""HTML export: one self-contained page (inline CSS, JS and SVG; nothing fetched at view time)."""

from __future__ import annotations

import json

from mmalign_eval.leaderboard.html_charts import CHART_CSS, FIT_JS, change_plots, esc, radars
from mmalign_eval.leaderboard.html_scatter import SCATTER_JS, scatter
from mmalign_eval.leaderboard.rank import RankedRow, settings_key, source_identity
from mmalign_eval.leaderboard.schema import Board, Entry, PublicationSource
from mmalign_eval.leaderboard.view import ARROWS, Column, cell, columns, format_number, sections

CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
  color:#1d232b;max-width:1280px;margin:0 auto;padding:20px 24px}
h1{font-size:22px;margin:0 0 4px}h3{font-size:14px;margin:18px 0 6px}
h2{font-size:17px;margin:30px 0 8px;padding-bottom:4px;border-bottom:1px solid #d5dae1}
p{margin:6px 0}small,.muted{color:#5b6573}code{font:12px ui-monospace,monospace}
.tablewrap{overflow-x:auto}table{border-collapse:collapse}
#board{width:100%;font-variant-numeric:tabular-nums}
#board th,#board td{border-bottom:1px solid #e1e5ea;padding:4px 5px;vertical-align:top}
#board thead th{background:#f4f6f9;font-size:12px;font-weight:600;vertical-align:bottom;
  text-align:right;cursor:pointer;line-height:1.25}
#board thead th:hover{background:#e9edf3}#board thead th .m{display:block;font-weight:400}
#board thead th.cat{background:#e8eef7;text-align:center;cursor:default;font-size:11.5px;
  border-left:2px solid #fff}
#board th.l,#board td.l{text-align:left}
td.rank{white-space:nowrap;font-weight:600}td.rank.unsure{color:#5b6573;font-weight:400}
td.model{min-width:13.5em;max-width:19em}td.model b{font-weight:600;display:block}
td.model small{display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
td.source{min-width:11.5em;max-width:16em;font-size:12px;color:#5b6573}
td.source details{display:inline}td.source summary{display:inline;margin-left:4px}
td.source details[open]{display:block}
td.num{text-align:right;white-space:nowrap}td.na{color:#9aa3ae}td.flag{background:#fff3cf}
td.flag sup{color:#8a5a00;font-weight:600}
tr.section td{background:#f4f6f9;font-size:12px;font-weight:600;color:#3c4654}
details{font-size:12px}summary{cursor:pointer;color:#2f6fb5}
details ul{margin:4px 0;padding-left:16px}
.legend{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:4px 28px;
  font-size:12.5px;margin:10px 0}.legend dt{font-weight:600;margin-top:6px}.legend dd{margin:0}
table.groups{font-size:12px;margin:6px 0;width:100%}
table.groups th,table.groups td{border-bottom:1px solid #e1e5ea;padding:3px 6px;text-align:left;
  vertical-align:top}table.groups th{background:#f4f6f9;font-weight:600}
.scatter figcaption label{margin-right:14px}.scatter select{font:inherit;max-width:330px}
.notes{font-size:12px;color:#5b6573}ul.notes{margin:2px 0;padding-left:18px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 3px 0 6px}
"""
# Sorting keeps section rows out: it sorts all entry rows of the table by the clicked column.
TABLE_JS = """
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
    document.getElementById('sorted').textContent=
      th.dataset.label+(asc?' (ascending)':' (descending)');
  });
});
"""
RANK_TIPS = {
    "=": "tied: not significantly different from the group's first entry (z-test, 5%)",
    "~": "order by value only: no uncertainty known for this entry or the one it is tested against",
}


def rank_text(row: RankedRow, unsure: bool) -> str:
    """'3', '3=' for a statistical tie, '~3' when the order is by value only, '-' unranked."""
    if row.rank is None:
        return format_number(None)
    return f"{'~' if unsure else ''}{row.rank}{'=' if row.tied else ''}"


def _rank_cell(row: RankedRow, unsure: bool) -> str:
    tips = [RANK_TIPS[k] for k, on in (("=", row.tied), ("~", unsure)) if on]
    tip = "; ".join(tips) or ("not reported on the ranked benchmark" if row.rank is None else "")
    css = "rank unsure" if unsure else "rank"
    return (
        f'<td class="{css}" data-v="{row.rank or ""}" title="{esc(tip)}">'
        f"{esc(rank_text(row, unsure))}</td>"
    )


def _model_cell(entry: Entry) -> str:
    """The method in bold over its base model, or the base model itself; two lines at most."""
    if entry.method and entry.base_model:
        plain = entry.model == f"{entry.base_model} + {entry.method}"
        top = entry.method if plain else entry.model
        sub = f"on {entry.base_model}" if plain else f"{entry.method} on {entry.base_model}"
    else:
        top, sub = entry.model, "base model"
    return (
        f'<td class="model l" data-v="{esc(entry.model)}" title="{esc(entry.model)}">'
        f"<b>{esc(top)}</b><small>{esc(sub)}</small></td>"
    )


def _source_cell(entry: Entry) -> str:
    items = "".join(
        f"<li><b>{esc(r.task)}</b>: {esc(r.settings.summary())}" + (f"; n={r.n}" if r.n else "")
        for r in entry.results
    )
    extra = "".join(f"<li>{esc(k)}: {esc(v)}" for k, v in entry.details.items())
    return (
        f'<td class="source l" data-v="{esc(entry.source_label)}">{esc(entry.source_label)}'
        f"<details><summary>settings</summary><ul>{items}{extra}</ul></details></td>"
    )


def _row(row: RankedRow, cols: list[Column], unsure: bool) -> str:
    entry = row.entry
    cells = [_rank_cell(row, unsure), _model_cell(entry), _source_cell(entry)]
    for col in cols:
        c = cell(entry, col)
        tip = c.settings.summary() if c.settings else "not reported"
        text = format_number(c.value)
        if c.flagged and c.value is not None:
            text = f"{esc(text)}<sup>{esc(c.letter)}</sup>"
        value = "" if c.value is None else f"{c.value:.6g}"
        css = "num" + (" flag" if c.flagged else "") + (" na" if c.value is None else "")
        cells.append(f'<td class="{css}" data-v="{value}" title="{esc(tip)}">{text}</td>')
    return f'<tr class="entry">{"".join(cells)}</tr>'


def _section_rows(rows: list[RankedRow], cols: list[Column]) -> list[str]:
    out = []
    for i, row in enumerate(rows):
        # The leader is tested by those after it: if that test had no errors, neither has it.
        follower = rows[1] if len(rows) > 1 else None
        lead_unsure = i == 0 and follower is not None and follower.uncertain
        unsure = row.rank is not None and (row.uncertain or lead_unsure)
        out.append(_row(row, cols, unsure))
    return out


def _breakable(name: str) -> str:
    # Metric names like average_score may break after '_' so they do not widen a column.
    return "_<wbr>".join(esc(part) for part in name.split("_"))


def _head(cols: list[Column]) -> str:
    cats: list[tuple[str, int]] = []
    for col in cols:
        if cats and cats[-1][0] == col.benchmark.category:
            cats[-1] = (cats[-1][0], cats[-1][1] + 1)
        else:
            cats.append((col.benchmark.category, 1))
    top = '<th class="cat" colspan="3"></th>' + "".join(
        f'<th class="cat" colspan="{n}">{esc(c)}</th>' for c, n in cats
    )
    heads = [
        '<th data-col="0" data-label="rank" class="l">rank</th>',
        '<th data-col="1" data-label="model" class="l">model</th>',
        '<th data-col="2" data-label="source" class="l">source</th>',
    ]
    for i, col in enumerate(cols, start=3):
        heads.append(
            f'<th data-col="{i}" data-label="{esc(col.header)}" title="{esc(col.benchmark.task)}'
            f'{": " + esc(col.benchmark.description) if col.benchmark.description else ""}">'
            f'{esc(col.benchmark.title)}<span class="m">{_breakable(col.metric)} '
            f"{ARROWS.get(col.direction, '')}</span></th>"
        )
    return f"<thead><tr>{top}</tr><tr>{''.join(heads)}</tr></thead>"


def _table(board: Board, sort: str | None, mixed: bool) -> str:
    cols = columns(board)
    task, metric, parts = sections(board, sort, mixed)
    bench = board.benchmark(task)
    title = f"{bench.title if bench else task} {metric}"
    body = []
    for index, rows in enumerate(parts):
        letter = rows[0].letter if rows else None
        if len(parts) > 1 and letter is None:
            body.append(f'<tr class="section"><td colspan="{len(cols) + 3}">Not reported on '
                        f"{esc(title)}: unranked</td></tr>")  # fmt: skip
        elif len(parts) > 1:
            what = "the most common" if index == 0 else "not comparable with the rows above"
            body.append(f'<tr class="section"><td colspan="{len(cols) + 3}">Settings {esc(letter)} '
                        f"on {esc(title)}: {what}, ranked on their own</td></tr>")  # fmt: skip
        body.extend(_section_rows(rows, cols))
    return (
        f'<p>Ranked and sorted by <b id="sorted">{esc(title)}</b>. Click a header to re-sort '
        "(ranks stay those of the ranked benchmark); hover a value for its settings.</p>"
        f'<div class="tablewrap"><table id="board">{_head(cols)}'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _legend() -> str:
    """What ranks, letters, shading and source marks mean."""
    return (
        '<dl class="legend" id="legend"><div><dt id="legend-ranks">Ranks</dt><dd>'
        "Best first within a settings group. <b>1=</b> marks a statistical tie: entries whose "
        "difference from the group's first entry is not significant by a two-sided z-test at "
        "5% on standard errors taken from each 95% CI (binomial from <i>n</i> for published "
        "proportions). The board keeps aggregates only, so the test is unpaired; "
        "<code>mmalign-eval compare</code> does the paired test on two runs' items. "
        "<b>~3</b>: no uncertainty is known for this entry or the one it is tested against, so "
        "the place is by value only and may not be significant (<b>~3=</b>: equal values). "
        f"<b>{esc(format_number(None))}</b>: not reported on the ranked benchmark.</dd></div>"
        '<div><dt id="legend-settings">Settings letters</dt><dd>On each benchmark, '
        "<b>a</b> is the most common settings (protocol, judge, dataset version, subset) and "
        "is not printed; a shaded value with <b>b</b>, <b>c</b>, … was produced under other "
        "settings, is not comparable with the <b>a</b> values and is ranked in its own "
        "section. A setting a source does not state matches only rows of the same source "
        "table. Decoding is shown under an entry's settings but is not compared. The groups "
        "are listed below the table.</dd></div>"
        "<div><dt>Sources and numbers</dt><dd>[V] primary source read, [S] secondary "
        "summary, [U] unverified; a mark like § is the source table's footnote (listed "
        f"below). Values are on the percent scale for proportions, two decimals; "
        f"{esc(format_number(None))} = not reported. ↑ higher is better, ↓ lower is better."
        "</dd></div></dl>"
    )


def _settings_groups(board: Board, cols: list[Column]) -> str:
    """One row per settings letter of every benchmark that has more than one."""
    rows = []
    for col in (c for c in cols if c.mixed):
        task = col.benchmark.task
        for key, letter in sorted(col.letters.items(), key=lambda kv: kv[1]):
            members = [e for e in board.entries if settings_key(e, task) == key]
            result = members[0].task(task) if members else None
            if result is None:
                continue
            s = result.settings
            scope = (
                ""
                if s.fully_stated()
                else f"unstated fields: only within {source_identity(members[0])}"
            )
            fields = [s.protocol, s.judge, s.dataset_version, s.subset]
            rows.append(
                f"<tr><td>{esc(col.benchmark.title)}</td><td><b>{letter}</b></td>"
                f"<td>{len(members)}</td>"
                + "".join(f"<td>{esc(f) if f else '<i>not stated</i>'}</td>" for f in fields)
                + f"<td>{esc(scope)}</td></tr>"
            )
    if not rows:
        return "<p><small>Every benchmark's numbers share one set of settings.</small></p>"
    head = "".join(
        f"<th>{h}</th>"
        for h in ("benchmark", "letter", "entries", "protocol", "judge", "data", "subset", "note")
    )
    return (
        '<details class="groups" open><summary>Settings groups of benchmarks with more than one'
        f'</summary><div class="tablewrap"><table class="groups" id="settings-groups">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></details>"
    )


def _footnotes(board: Board) -> str:
    """The sources' footnote marks (like §) with their meaning, once each."""
    notes: dict[tuple[str, str], None] = {}
    for entry in board.entries:
        source = entry.source
        if isinstance(source, PublicationSource) and source.footnote:
            notes[(source.title, source.footnote)] = None
    items = "".join(f"<li>{esc(t)}: {esc(f)}</li>" for t, f in notes)
    if not items:
        return ""
    return f'<p class="notes">Footnote marks of the sources:</p><ul class="notes">{items}</ul>'


def to_html(board: Board, sort: str | None = None, mixed: bool = False) -> str:
    """The board as one self-contained HTML page."""
    cols = columns(board)
    data = json.dumps({"board": board.name, "entries": len(board.entries)})
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Leaderboard: {esc(board.name)}</title><style>{CSS}{CHART_CSS}</style></head><body>"
        f"<h1>Leaderboard: {esc(board.name)}</h1><p>{esc(board.description)}</p>"
        f"<p><small>{len(board.entries)} entries, {len(cols)} benchmarks.</small></p>"
        f"{_table(board, sort, mixed)}{_legend()}{_settings_groups(board, cols)}"
        f"{_footnotes(board)}"
        "<h2>Trade-off between two metrics</h2><p><small>Choose a metric per axis; the default "
        "puts a hallucination metric against another category's when enough entries have "
        "both (the alignment tax), else two hallucination benchmarks. Values from different "
        "settings (hollow) are not comparable.</small></p>"
        f"{scatter(board)}"
        "<h2>Change of each method against its base model</h2><p><small>Method minus base "
        "entry with the same settings on the benchmark, signed so that right is better; faded "
        "bars are not significant (z-test, 5%) or have no known uncertainty.</small></p>"
        f"{change_plots(board)}"
        "<h2>Profile per model</h2><p><small>Min-max scaled per benchmark over this board: the "
        "outer ring is the board's best value, the dashed inner ring its worst (so an entry "
        "that is worst everywhere still shows its shape), the middle ring halfway; a "
        "benchmark where every entry has the same value, or only one has it, sits on the "
        "middle ring. Each spoke shows the entry's own value.</small></p>"
        f"{radars(board)}"
        f'<script type="application/json" id="meta">{data}</script>'
        f"<script>{FIT_JS}{SCATTER_JS}{TABLE_JS}</script></body></html>\n"
    )
