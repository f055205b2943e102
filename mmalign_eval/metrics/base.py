"""Metric specifications: a metric is a pure function of summed per-item columns.

Summation is the merge rule (as in torchmetrics' state), so sharded runs, resumed runs and
bootstrap resamples all aggregate the same way: resampling only changes the totals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from mmalign_eval.contracts import ItemScore

FloatArray = npt.NDArray[np.float64]
Totals = Mapping[str, FloatArray]
# "neither" marks diagnostics such as yes_ratio, where no direction is better.
Direction = Literal["higher", "lower", "neither"]
Scale = Literal["fraction", "percent", "score"]


@dataclass(frozen=True)
class MetricSpec:
    """A named aggregate over column totals, with its direction and scale."""

    name: str
    fn: Callable[[Totals], FloatArray]
    direction: Direction
    scale: Scale = "fraction"
    primary: bool = False
    description: str = ""

    def compute(self, totals: Totals) -> FloatArray:
        """Evaluate on totals; 0/0 gives NaN instead of a warning or a crash."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(self.fn(totals), dtype=np.float64)


class ColumnTotals(dict[str, FloatArray]):
    """Column totals where a column no item carries sums to zero."""

    def __init__(self, data: Mapping[str, FloatArray], shape: tuple[int, ...] = ()) -> None:
        super().__init__(data)
        self.shape = shape

    def __missing__(self, key: str) -> FloatArray:
        return np.zeros(self.shape, dtype=np.float64)


def ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """Elementwise division that yields NaN where the denominator is zero."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den == 0, np.nan, num / np.where(den == 0, 1.0, den))


def scored_items(items: Sequence[ItemScore]) -> list[ItemScore]:
    """Items that count towards aggregates: failures are reported, never scored."""
    return [item for item in items if item.status == "ok"]


def column_names(items: Sequence[ItemScore]) -> list[str]:
    """Sorted union of the value columns present in the items."""
    return sorted({name for item in items for name in item.values})


def value_matrix(items: Sequence[ItemScore], columns: Sequence[str]) -> FloatArray:
    """Items x columns matrix of per-item values (missing values count as 0)."""
    matrix = np.zeros((len(items), len(columns)), dtype=np.float64)
    for row, item in enumerate(items):
        for col, name in enumerate(columns):
            matrix[row, col] = item.values.get(name, 0.0)
    return matrix


def totals_of(items: Sequence[ItemScore]) -> ColumnTotals:
    """Column totals over the scored items (0-d arrays)."""
    ok = scored_items(items)
    columns = column_names(ok)
    sums = value_matrix(ok, columns).sum(axis=0)
    return ColumnTotals({name: np.asarray(sums[i]) for i, name in enumerate(columns)})


def evaluate(metrics: Sequence[MetricSpec], items: Sequence[ItemScore]) -> dict[str, float]:
    """Point estimate of each metric on the scored items."""
    totals = totals_of(items)
    return {spec.name: float(spec.compute(totals)) for spec in metrics}
