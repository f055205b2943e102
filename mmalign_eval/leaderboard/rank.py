"""Comparability of entries per task, and ranks that do not pretend to a strict order.

Two numbers on a task are comparable when their settings agree on protocol, judge, dataset
version and subset. A setting a source does not state is unknown, and unknown settings are
only assumed to match within the same source table (or run), so rows of one paper's table
rank together while the same model from two papers does not.

Ranks: entries are sorted best first; a new rank group starts at the first entry whose
difference from the current group's leader is significant by a two-sided z-test at 5% on
the standard errors (from the 95% CI, or binomial from n for proportions). Entries on
different items are independent samples, so this unpaired test is the right one for a
board that keeps only aggregates; a paired test on per-item records is sharper and belongs
to `mmalign-eval compare`. When either error is unknown the order is by value and the rank
is marked uncertain.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from mmalign_eval.leaderboard.schema import (
    Board,
    Entry,
    ImportSource,
    Metric,
    PublicationSource,
    RunSource,
)

Key = tuple[str | None, ...]
Z_CRITICAL = 1.959963984540054


def source_identity(entry: Entry) -> str:
    """What makes two entries share unstated settings: the same table, run or file."""
    source = entry.source
    if isinstance(source, PublicationSource):
        return f"{source.title} / {source.table}"
    if isinstance(source, RunSource):
        return f"run {source.run_id}"
    assert isinstance(source, ImportSource)
    return f"{source.harness} {source.sha256[:12]}"


def settings_key(entry: Entry, task: str) -> Key | None:
    """The comparability key of an entry on a task, or None without numbers on it."""
    result = entry.task(task)
    if result is None:
        return None
    key = result.settings.comparability_key()
    return key if result.settings.fully_stated() else (*key, source_identity(entry))


def settings_letters(board: Board, task: str) -> dict[Key, str]:
    """A letter per distinct settings key of a task, 'a' for the most common."""
    keys = [k for e in board.entries if (k := settings_key(e, task)) is not None]
    counts = Counter(keys)
    first = {k: keys.index(k) for k in counts}
    ordered = sorted(counts, key=lambda k: (-counts[k], first[k]))
    return {k: "abcdefghijklmnopqrstuvwxyz"[i % 26] for i, k in enumerate(ordered)}


def mixed_tasks(board: Board) -> list[str]:
    """Tasks whose entries were produced under more than one set of settings."""
    return [b.task for b in board.benchmarks if len(settings_letters(board, b.task)) > 1]


def metric_of(entry: Entry, task: str, metric: str) -> Metric | None:
    """An entry's metric on a task, or None."""
    result = entry.task(task)
    return result.metric(metric) if result else None


@dataclass(frozen=True)
class RankedRow:
    """An entry's place in a ranking on one metric."""

    entry: Entry
    value: float | None
    rank: int | None
    tied: bool
    uncertain: bool
    letter: str | None

    @property
    def rank_label(self) -> str:
        """'3', '3=' when tied with others, '~3' when the order is by value only (no
        uncertainty known), as the HTML page shows it."""
        if self.rank is None:
            return "-"
        return f"{'~' if self.uncertain else ''}{self.rank}{'=' if self.tied else ''}"


def significantly_different(a: Metric, b: Metric) -> bool | None:
    """Two-sided z-test at 5% on the difference; None when an error is unknown."""
    se_a, se_b = a.standard_error(), b.standard_error()
    va, vb = a.percent(), b.percent()
    if se_a is None or se_b is None or va is None or vb is None:
        return None
    spread = math.hypot(se_a, se_b)
    if spread == 0.0:
        return va != vb
    return abs(va - vb) / spread > Z_CRITICAL


def _ranks(items: list[tuple[Entry, Metric]]) -> list[tuple[int, bool, bool]]:
    """(rank, tied, uncertain) for items sorted best first."""
    starts: list[int] = []
    uncertain: list[bool] = []
    leader = 0
    for i, (_, metric) in enumerate(items):
        differs = significantly_different(items[leader][1], metric) if i else False
        uncertain.append(differs is None)
        if differs is None:  # no error known: fall back to the order of the values
            differs = items[leader][1].percent() != metric.percent()
        if differs:
            leader = i
        starts.append(leader)
    sizes = Counter(starts)
    return [(s + 1, sizes[s] > 1, u) for s, u in zip(starts, uncertain, strict=True)]


def rank_section(
    entries: list[Entry], task: str, metric: str, letters: dict[Key, str]
) -> list[RankedRow]:
    """Entries with the metric sorted best first and ranked in groups; the rest unranked last."""
    scored = [(e, m) for e in entries if (m := metric_of(e, task, metric)) and m.value is not None]
    missing = [e for e in entries if all(e is not s[0] for s in scored)]
    sign = -1.0 if scored and scored[0][1].direction == "higher" else 1.0
    scored.sort(key=lambda pair: sign * (pair[1].percent() or 0.0))
    rows = [
        RankedRow(e, m.percent(), rank, tied, unc, _letter(e, task, letters))
        for (e, m), (rank, tied, unc) in zip(scored, _ranks(scored), strict=True)
    ]
    rows += [RankedRow(e, None, None, False, False, _letter(e, task, letters)) for e in missing]
    return rows


def _letter(entry: Entry, task: str, letters: dict[Key, str]) -> str | None:
    key = settings_key(entry, task)
    return letters.get(key) if key is not None else None


def rank_board(board: Board, task: str, metric: str, *, mixed: bool) -> list[list[RankedRow]]:
    """Sections of ranked rows: one per settings group, or one for all when `mixed`."""
    letters = settings_letters(board, task)
    if mixed or len(letters) <= 1:
        return [rank_section(list(board.entries), task, metric, letters)]
    sections: list[list[RankedRow]] = []
    for key in letters:  # most common settings first
        members = [e for e in board.entries if settings_key(e, task) == key]
        sections.append(rank_section(members, task, metric, letters))
    rest = [e for e in board.entries if settings_key(e, task) is None]
    if rest:
        sections.append(rank_section(rest, task, metric, letters))
    return sections
