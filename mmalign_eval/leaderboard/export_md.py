"""Markdown export: the ranked table and the settings legend."""

from __future__ import annotations

from mmalign_eval.leaderboard.schema import Board
from mmalign_eval.leaderboard.view import Column, cell, columns, section_label, sections


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _legend(cols: list[Column]) -> list[str]:
    lines = ["", "| benchmark | settings | protocol | judge | data | subset |"]
    lines.append("|---|---|---|---|---|---|")
    for col in cols:
        for key, letter in col.letters.items():
            protocol, judge, data, subset = (k or "not stated" for k in key[:4])
            lines.append(
                f"| {col.benchmark.title} | {letter} | {_escape(protocol)} | {_escape(judge)} "
                f"| {_escape(data)} | {_escape(subset)} |"
            )
    return lines


def to_markdown(board: Board, sort: str | None = None, mixed: bool = False) -> str:
    """The board as a Markdown document."""
    cols = columns(board)
    task, metric, parts = sections(board, sort, mixed)
    head = ["#", "model", "source", *(_escape(c.header) for c in cols)]
    lines = [
        f"# Leaderboard: {board.name}",
        "",
        board.description,
        "",
        f"Sorted by {task} {metric}. Ranks group entries whose difference is not "
        "significant (`=`); `?` marks an order by value only (no uncertainty known). "
        "Letters after values name the settings group (legend below); entries with "
        "different settings on the sorted benchmark are ranked in separate sections.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for index, rows in enumerate(parts):
        if index:
            label = section_label(rows[0].letter if rows else None, task)
            lines.append(f"| | **{label}** |" + " |" * (len(head) - 2))
        for row in rows:
            values = [cell(row.entry, c).text for c in cols]
            lines.append(
                "| "
                + " | ".join(
                    [
                        row.rank_label,
                        _escape(row.entry.model),
                        _escape(row.entry.source_label),
                        *values,
                    ]
                )
                + " |"
            )
    return "\n".join([*lines, *_legend(cols)]) + "\n"
