"""MIA-Bench's numbers: get_score_dict's averages over the items whose reply it could read.

Per item, the official score_dict holds the total (z/10 as the judge wrote it, not the sum
of the components) and, per component type, the fraction k/n of the last component of that
type; each key is then averaged over the items that have it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import Field

from mmalign_eval import Columns, MetricSpec, Record, Sample, ratio
from mmalign_eval.metrics.base import FloatArray, Totals

from .data import COMPONENT_TYPES


class MiaScores(Record):
    """One item's official score_dict, or the mark that the official code dropped it."""

    total: float = 0.0
    by_type: dict[str, float] = Field(default_factory=dict)
    dropped: bool = False  # unreadable reply: in no average (the official `except: pass`)


def item_values(sample: Sample[Any], scores: MiaScores) -> dict[str, float]:
    """The total and each type's fraction, with counts; a dropped item only counts itself."""
    if scores.dropped:
        return {"unparsed": 1.0}
    values = {"n": 1.0, "total": scores.total}
    for kind, score in scores.by_type.items():
        values[f"n_{kind}"] = 1.0
        values[f"score_{kind}"] = score
    return values


COLUMNS = Columns.of(
    "n", "total", "unparsed", *(f"{k}_{t}" for t in COMPONENT_TYPES for k in ("n", "score"))
)


def _mean(column: str, count: str) -> Callable[[Totals], FloatArray]:
    def fn(t: Totals) -> FloatArray:
        return ratio(t[column], t[count])

    return fn


def _unparsed(t: Totals) -> FloatArray:
    return np.asarray(t["unparsed"], dtype=np.float64)


def mia_metrics() -> tuple[MetricSpec, ...]:
    """The mean total score (primary), each component type's mean, and the dropped count."""
    specs = [
        MetricSpec("total_score", _mean("total", "n"), "higher", primary=True,
                   description="mean of the judge's total score z/10 (official total_score)"),
    ]  # fmt: skip
    specs += [
        MetricSpec(f"score_{t}", _mean(f"score_{t}", f"n_{t}"), "higher",
                   description=f"mean k/n of '{t}' components (the last one of an item's "
                   "components of that type)")
        for t in COMPONENT_TYPES
    ]  # fmt: skip
    specs.append(
        MetricSpec("unparsed_count", _unparsed, "lower", "score",
                   description="judge replies the official code cannot read, dropped from "
                   "every average (official protocol)")
    )  # fmt: skip
    return tuple(specs)
