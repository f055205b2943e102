"""Wide tables split into tables that fit the terminal, nothing cut."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from mmalign_eval.cli.wide import WideRow, WideTable, chunks, print_wide


@pytest.mark.parametrize(
    ("labels", "values", "width", "expected"),
    [
        ([10], [5, 5, 5], 80, [[0, 1, 2]]),  # all fit beside the labels
        ([10], [20, 20, 20], 50, [[0], [1], [2]]),  # each column costs its width + 3
        ([10], [15, 15, 15], 50, [[0, 1], [2]]),
        ([70], [30], 80, [[0]]),  # a column wider than the room still gets a table
    ],
)
def test_chunks(
    labels: list[int], values: list[int], width: int, expected: list[list[int]]
) -> None:
    assert chunks(labels, values, width) == expected


def test_print_wide_keeps_every_value_whole_at_80_columns() -> None:
    headers = tuple(f"benchmark {i}\nmetric_name_{i} ↑" for i in range(8))
    rows = [
        WideRow(("1", "LLaVA-1.5-7B + OPA-DPO"), tuple(f"{i}.25 b" for i in range(8))),
        WideRow((), section="settings b on pope"),
        WideRow(("-", "LLaVA-1.5 (size not stated)"), ("not reported",) * 8),
    ]
    buffer = io.StringIO()
    print_wide(WideTable("board", ("#", "model"), headers, rows), Console(file=buffer, width=80))
    text = buffer.getvalue()
    assert all(len(line) <= 80 for line in text.splitlines()) and "…" not in text
    assert "(1/" in text and all(f"metric_name_{i} ↑" in text for i in range(8))
    assert text.count("LLaVA-1.5-7B + OPA-DPO") == text.count("board (") > 1
