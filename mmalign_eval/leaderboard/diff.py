"""Each method's change against its base model, per benchmark, on comparable numbers only."""

from __future__ import annotations

from dataclasses import dataclass

from mmalign_eval.leaderboard.rank import (
    metric_of,
    settings_key,
    significantly_different,
    source_identity,
)
from mmalign_eval.leaderboard.schema import Board, Entry


@dataclass(frozen=True)
class Change:
    """A method entry's change on one benchmark's metric against a base entry."""

    entry: Entry
    task: str
    metric: str
    base: Entry | None
    value: float | None
    base_value: float | None
    reason: str | None = None
    significant: bool | None = None
    higher_is_better: bool | None = None

    @property
    def delta(self) -> float | None:
        """Method minus base, on the percent scale; None when not computable."""
        if self.value is None or self.base_value is None:
            return None
        return self.value - self.base_value

    @property
    def better(self) -> bool | None:
        """True when the change goes the metric's good way, None when it has none."""
        delta = self.delta
        if delta is None or delta == 0 or self.higher_is_better is None:
            return None
        return (delta > 0) == self.higher_is_better


def base_candidates(board: Board, base: str) -> list[Entry]:
    """Entries of the base model itself (no method)."""
    return [e for e in board.entries if e.model == base and e.method is None]


def matching_base(board: Board, entry: Entry, base: str, task: str) -> Entry | None:
    """A base entry with the same settings on the task, preferring the same source."""
    key = settings_key(entry, task)
    if key is None:
        return None
    same = [e for e in base_candidates(board, base) if settings_key(e, task) == key]
    own = [e for e in same if source_identity(e) == source_identity(entry)]
    found = own or same
    return found[0] if found else None


def change(board: Board, entry: Entry, base: str, task: str, metric: str) -> Change:
    """The change of one method entry on one benchmark."""
    mine = metric_of(entry, task, metric)
    if mine is None or mine.value is None:
        return Change(entry, task, metric, None, None, None, "not reported")
    reference = matching_base(board, entry, base, task)
    theirs = metric_of(reference, task, metric) if reference else None
    if reference is None or theirs is None or theirs.value is None:
        return Change(entry, task, metric, None, mine.percent(), None, "no comparable base")
    return Change(
        entry,
        task,
        metric,
        reference,
        mine.percent(),
        theirs.percent(),
        significant=significantly_different(mine, theirs),
        higher_is_better={"higher": True, "lower": False}.get(mine.direction),
    )


def method_entries(board: Board, base: str) -> list[Entry]:
    """Entries of methods applied to the base model, in board order."""
    return [e for e in board.entries if e.base_model == base and e.method is not None]


def board_changes(board: Board, base: str) -> list[list[Change]]:
    """Per method entry, its change on each benchmark's primary metric."""
    return [
        [change(board, entry, base, b.task, b.primary) for b in board.benchmarks]
        for entry in method_entries(board, base)
    ]
