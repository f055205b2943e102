"""The per-item value columns a task declares, checked where they are read and written.

Metrics are functions of summed columns. A column a metric reads that no item writes sums
to zero, so a misspelt name would silently give 0: every column is therefore declared by the
task, a metric that reads an undeclared column is an error when the task is registered, and
an item that writes one is an error when it is scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from mmalign_eval.metrics.base import FloatArray, MetricSpec


@dataclass(frozen=True)
class Columns:
    """Declared column names, plus prefixes of columns named at run time (one per group)."""

    names: frozenset[str]
    prefixes: tuple[str, ...] = ()

    @classmethod
    def of(cls, *names: str, prefixes: Iterable[str] = ()) -> Columns:
        """Columns from names and prefixes."""
        return cls(frozenset(names), tuple(prefixes))

    def __or__(self, other: Columns) -> Columns:
        return Columns(self.names | other.names, (*self.prefixes, *other.prefixes))

    def declares(self, name: str) -> bool:
        """Whether a column name is declared (by name or by prefix)."""
        return name in self.names or name.startswith(self.prefixes)

    def check_written(self, values: Mapping[str, float]) -> None:
        """An adapter bug, not a data problem: an item wrote a column nobody declared."""
        undeclared = sorted(name for name in values if not self.declares(name))
        if undeclared:
            raise ValueError(f"per-item columns {undeclared} are not declared by the task")


class _RecordingTotals(Mapping[str, FloatArray]):
    """Totals that remember which columns a metric reads (each reads as zero)."""

    def __init__(self) -> None:
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> FloatArray:
        self.read.add(key)
        return np.zeros((), dtype=np.float64)

    def __iter__(self) -> Iterator[str]:
        return iter(())  # run-time columns (groups) are found by iterating: none here

    def __len__(self) -> int:
        return 0


def columns_read(metric: MetricSpec) -> set[str]:
    """The columns a metric reads, found by evaluating it on recording totals."""
    totals = _RecordingTotals()
    metric.compute(totals)
    return totals.read


def check_metrics(task: str, metrics: Iterable[MetricSpec], columns: Columns) -> None:
    """Every column each metric reads must be declared (registration-time check)."""
    for metric in metrics:
        undeclared = sorted(c for c in columns_read(metric) if not columns.declares(c))
        if undeclared:
            raise ValueError(
                f"task {task}: metric {metric.name} reads undeclared columns {undeclared}"
            )
