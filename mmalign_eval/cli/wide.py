"""Tables wider than the terminal, printed as several tables that each fit.

A leaderboard has a column per benchmark; at 80 columns (a CI log) one table would cut its
values or fold its headers letter by letter. The value columns are split into chunks that
fit beside the row labels, and each chunk is a table of its own, so nothing is cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

_GAP = 2  # padding right of each column
_RULE = 1  # the box's column divider (a space in SIMPLE_HEAD)
_COST = _GAP + _RULE


@dataclass(frozen=True)
class WideRow:
    """One row: its label cells, then one value per value column; a section heading when
    `section` is set (printed across the label columns, values left empty)."""

    labels: tuple[str, ...]
    values: tuple[str, ...] = ()
    section: str | None = None


@dataclass(frozen=True)
class WideTable:
    """Label columns repeated in every chunk, value columns split across chunks."""

    title: str
    label_headers: tuple[str, ...]
    value_headers: tuple[str, ...]
    rows: Sequence[WideRow] = field(default_factory=list)


def _cell_width(text: str) -> int:
    return max((Text.from_markup(line).cell_len for line in text.split("\n")), default=0)


def _header_width(header: str) -> int:
    # Each header line is kept whole: rich widens a column to an unwrapped header line even
    # past a fixed width, and would then crop another column to make room.
    return _cell_width(header)


def _widths(table: WideTable) -> tuple[list[int], list[int]]:
    labels = [
        max([len(h), *(_cell_width(r.labels[i]) for r in table.rows if r.section is None)])
        for i, h in enumerate(table.label_headers)
    ]
    sections = [_cell_width(r.section) for r in table.rows if r.section is not None]
    if sections and labels:
        at = min(1, len(labels) - 1)
        labels[at] = max(labels[at], *sections)
    values = [
        max([_header_width(h), *(_cell_width(r.values[i]) for r in table.rows if r.values)])
        for i, h in enumerate(table.value_headers)
    ]
    return labels, values


def chunks(labels: Sequence[int], values: Sequence[int], width: int) -> list[list[int]]:
    """Value column indices per printed table: as many as fit beside the labels each time
    (`labels`, `values`: the columns' widths)."""
    room = max(width - sum(w + _COST for w in labels), 1)
    out: list[list[int]] = [[]]
    used = 0
    for index, need in enumerate(values):
        if out[-1] and used + need + _COST > room:
            out.append([])
            used = 0
        out[-1].append(index)
        used += need + _COST
    return out


def print_wide(table: WideTable, console: Console) -> None:
    """Print the table as one or more tables that fit the console's width."""
    labels, widths = _widths(table)
    parts = chunks(labels, widths, console.width)
    for number, indices in enumerate(parts, start=1):
        suffix = f" ({number}/{len(parts)})" if len(parts) > 1 else ""
        console.print(_render(table, indices, table.title + suffix, (labels, widths)))


def _render(
    table: WideTable, indices: list[int], title: str, sizes: tuple[list[int], list[int]]
) -> Table:
    out = Table(
        title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, _GAP, 0, 0)
    )
    labels, widths = sizes
    # Fixed widths: the chunking already made them fit, so rich must not redistribute them
    # (it would widen a header and crop the last column).
    for header, width in zip(table.label_headers, labels, strict=True):
        out.add_column(header, no_wrap=True, width=width)
    for index in indices:
        out.add_column(table.value_headers[index], justify="right", width=widths[index])
    for row in table.rows:
        if row.section is not None:
            out.add_section()
            # In the second label column (the name), so the narrow first one stays narrow.
            cells = [""] * (len(table.label_headers) + len(indices))
            cells[min(1, len(table.label_headers) - 1)] = f"[bold]{row.section}[/]"
            out.add_row(*cells)
            continue
        out.add_row(*row.labels, *(row.values[i] for i in indices))
    return out
