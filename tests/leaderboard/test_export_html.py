"""The HTML export without a browser: rank labels, radar geometry, scatter defaults, offline."""

from __future__ import annotations

import re
from pathlib import Path

from mmalign_eval.leaderboard.export_html import rank_text, to_html
from mmalign_eval.leaderboard.html_charts import (
    RADAR_R0,
    Axis,
    normalised,
    radar_radius,
    radar_svg,
    text_width,
    wrap,
)
from mmalign_eval.leaderboard.html_scatter import default_axes
from mmalign_eval.leaderboard.io import load_board
from mmalign_eval.leaderboard.rank import RankedRow
from mmalign_eval.leaderboard.schema import Board, Metric, TaskEntry
from mmalign_eval.leaderboard.view import columns


def _shipped() -> Board:
    board = load_board("hallucination", Path("leaderboards"))
    assert board is not None
    return board


def _with_reasoning(board: Board) -> Board:
    """The shipped board with an MME number on every entry of the OPA-DPO table."""
    metric = Metric(name="perception", value=1500.0, direction="higher", scale="score")
    mme = TaskEntry(task="mme", metrics=[metric])
    entries = [
        e.model_copy(update={"results": [*e.results, mme]}) if e.id.startswith("opa-dpo/") else e
        for e in board.entries
    ]
    return board.model_copy(update={"entries": entries})


def _row(rank: int | None, tied: bool, uncertain: bool) -> RankedRow:
    return RankedRow(_shipped().entries[0], 1.0, rank, tied, uncertain, "a")


def test_rank_text_marks_ties_and_orders_by_value_only() -> None:
    assert rank_text(_row(1, True, False), unsure=False) == "1="
    assert rank_text(_row(3, False, True), unsure=True) == "~3"
    assert rank_text(_row(13, True, True), unsure=True) == "~13="
    assert rank_text(_row(None, False, False), unsure=False) == "-"


def test_radar_worst_is_on_the_inner_ring_and_labels_fit_the_view_box() -> None:
    assert radar_radius(0.0) == RADAR_R0 > 0 and radar_radius(-1.0) == RADAR_R0
    long = "A benchmark title that goes on"
    axes = [Axis((*wrap(long, 18), "score ↑ 1.00"), 0.0, "tip") for _ in range(4)]
    svg = radar_svg("t", axes)
    match = re.search(r'viewBox="(\S+) (\S+) (\S+) (\S+)"', svg)
    assert match is not None
    x0, _, w, _ = (float(v) for v in match.groups())
    # Side labels start past the spoke end and must be inside the box on both sides.
    widest = max(text_width(s, 10) for s in wrap(long, 18))
    assert x0 < -(72 + widest) and x0 + w > 72 + widest
    assert 'class="score"' in svg and wrap("AMBER (generative)", 18) == ["AMBER (generative)"]


def test_normalised_gives_one_entry_the_middle_ring() -> None:
    board = _shipped()
    amber = next(c for c in columns(board) if c.benchmark.task == "amber")
    scores = normalised(board, amber)
    # CHAIR is lower-better: HSA-DPO's 2.10 is the best, 7B LLaVA-RLHF's 9.70 the worst.
    assert scores["opa-dpo/llava-1-5-13b-hsa-dpo"] == 1.0
    assert scores["opa-dpo/llava-1-5-7b-llava-rlhf"] == 0.0
    only = board.model_copy(update={"entries": board.entries[:1]})
    assert normalised(only, amber) == {board.entries[0].id: 0.5}


def test_scatter_defaults_to_the_alignment_tax_else_two_hallucination_benchmarks() -> None:
    x, y = default_axes(_with_reasoning(_shipped())) or ("", "")
    assert x.split(":")[0] in {"amber", "mmhal_bench", "object_halbench", "pope_adversarial"}
    assert y == "mme:perception"
    shipped = default_axes(_shipped())
    assert shipped is not None
    hallucination = {c.benchmark.task for c in columns(_shipped())} - {"mme", "mm_vet"}
    tasks = [key.split(":")[0] for key in shipped]
    assert tasks[0] != tasks[1] and set(tasks) <= hallucination


def test_page_is_offline_and_explains_its_marks() -> None:
    page = to_html(_shipped())
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert 'id="legend-ranks"' in page and 'id="legend-settings"' in page
    cells = re.findall(r'<td class="rank[^"]*"[^>]*>([^<]*)</td>', page)
    assert cells and all(re.fullmatch(r"~?\d+=?|-", c) for c in cells)
