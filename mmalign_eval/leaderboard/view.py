"""What every rendering of a board shows: columns, cells with settings flags, sections."""

from __future__ import annotations

from dataclasses import dataclass

from mmalign_eval.errors import UsageError
from mmalign_eval.leaderboard.rank import Key, RankedRow, rank_board, settings_key, settings_letters
from mmalign_eval.leaderboard.schema import Benchmark, Board, Entry, TaskSettings

CATEGORY_ORDER = ("hallucination", "safety", "reasoning", "preference", "reward", "other")
ARROWS = {"higher": "↑", "lower": "↓", "neither": "·"}


@dataclass(frozen=True)
class Column:
    """One benchmark's shown metric."""

    benchmark: Benchmark
    metric: str
    direction: str
    letters: dict[Key, str]

    @property
    def mixed(self) -> bool:
        """True when entries on this task used more than one set of settings."""
        return len(self.letters) > 1

    @property
    def header(self) -> str:
        """Title, metric and direction arrow."""
        return f"{self.benchmark.title} {self.metric} {ARROWS.get(self.direction, '')}"


@dataclass(frozen=True)
class Cell:
    """An entry's value in a column, with its settings group."""

    value: float | None
    text: str
    letter: str | None
    settings: TaskSettings | None

    @property
    def flagged(self) -> bool:
        """Settings differ from the column's most common ones ('a')."""
        return self.letter not in (None, "a")


def _direction(board: Board, task: str, metric: str) -> str:
    for entry in board.entries:
        result = entry.task(task)
        found = result.metric(metric) if result else None
        if found is not None:
            return found.direction
    return "neither"


def columns(board: Board, tasks: list[str] | None = None) -> list[Column]:
    """Benchmarks with at least one number (or the given ones), grouped by category."""
    used = [b for b in board.benchmarks if any(e.task(b.task) for e in board.entries)]
    if tasks:
        used = [b for b in used if b.task in tasks]
    used.sort(key=lambda b: CATEGORY_ORDER.index(b.category))
    return [
        Column(b, b.primary, _direction(board, b.task, b.primary), settings_letters(board, b.task))
        for b in used
    ]


def format_number(value: float | None) -> str:
    """Two decimals, or a dash for a missing value."""
    return "-" if value is None else f"{value:.2f}"


def cell(entry: Entry, column: Column) -> Cell:
    """The entry's value in the column (percent scale for fractions), with its letter."""
    result = entry.task(column.benchmark.task)
    metric = result.metric(column.metric) if result else None
    key = settings_key(entry, column.benchmark.task)
    letter = column.letters.get(key) if key is not None else None
    value = metric.percent() if metric else None
    text = format_number(value)
    # Only the odd ones carry a letter: 'a' (the most common settings) is the default.
    if value is not None and column.mixed and letter and letter != "a":
        text = f"{text} {letter}"
    return Cell(value, text, letter, result.settings if result else None)


def resolve_sort(board: Board, sort: str | None) -> tuple[str, str]:
    """'TASK' or 'TASK:METRIC' (default: the first column's primary metric)."""
    cols = columns(board)
    if not sort:
        if not cols:
            raise UsageError(f"leaderboard '{board.name}' has no numbers yet")
        return cols[0].benchmark.task, cols[0].metric
    task, _, metric = sort.partition(":")
    benchmark = board.benchmark(task)
    if benchmark is None:
        known = ", ".join(b.task for b in board.benchmarks)
        raise UsageError(f"unknown benchmark '{task}' in --sort", f"one of: {known}")
    return task, metric or benchmark.primary


def sections(board: Board, sort: str | None, mixed: bool) -> tuple[str, str, list[list[RankedRow]]]:
    """The sort target and the ranked sections of the board."""
    task, metric = resolve_sort(board, sort)
    return task, metric, rank_board(board, task, metric, mixed=mixed)


def section_label(letter: str | None, task: str) -> str:
    """The heading of a ranked section: its settings letter, or that the task is absent."""
    if letter is None:
        return f"not reported on {task}"
    return f"settings {letter} on {task}"
