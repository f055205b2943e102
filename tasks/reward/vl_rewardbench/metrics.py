"""VL-RewardBench's report (`cal.py` distribution_dataset): accuracy over the items with an
agree or reject majority, overall and per category, and the macro average of the three
categories; the items left out of both sides are counted.

Per item: `n`/`correct` (and per category) count only agree or reject items; `excluded`
counts the others (`unparsed_majority`: most replies had no verdict; `no_majority`: no class
held more than half); `replies`/`unparsed_replies` count the sampled replies.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mmalign_eval import Columns, MetricSpec, ratio
from mmalign_eval.metrics.base import FloatArray, Totals

from .official import CATEGORIES, ItemClass

COUNTS = ("excluded", "unparsed_majority", "no_majority")
COLUMNS = Columns.of(
    "n", "correct", *COUNTS, "replies", "unparsed_replies",
    *(f"{kind}_{c}" for c in CATEGORIES for kind in ("n", "correct")),
)  # fmt: skip


def item_values(
    category: str, decided: ItemClass, replies: int = 0, unparsed: int = 0
) -> dict[str, float]:
    """One item's columns: a decided item (agree or reject) counts in accuracy, any other
    is counted as excluded from both sides."""
    counted = decided in ("agree", "reject")
    hit = float(decided == "agree")
    values = {
        "n": float(counted), "correct": hit, "excluded": float(not counted),
        "unparsed_majority": float(decided == "unparsed"),
        "no_majority": float(decided == "other"),
        "replies": float(replies), "unparsed_replies": float(unparsed),
    }  # fmt: skip
    if counted:
        values |= {f"n_{category}": 1.0, f"correct_{category}": hit}
    return values


def _share(count: str, n: str) -> Callable[[Totals], FloatArray]:
    def fn(t: Totals) -> FloatArray:
        return ratio(t[count], t[n])

    return fn


def _total(column: str) -> Callable[[Totals], FloatArray]:
    def fn(t: Totals) -> FloatArray:
        return np.asarray(t[column], dtype=np.float64)

    return fn


def _macro(t: Totals) -> FloatArray:
    # An empty category makes the macro average undefined (cal.py divides by zero).
    parts = [ratio(t[f"correct_{c}"], t[f"n_{c}"]) for c in CATEGORIES]
    return np.asarray(sum(parts) / len(parts), dtype=np.float64)


def vl_reward_metrics() -> tuple[MetricSpec, ...]:
    """Overall accuracy (primary), per category, macro average, exclusions."""
    specs = [
        MetricSpec("accuracy", _share("correct", "n"), "higher", primary=True,
                   description="agree / (agree + reject) over the decided items "
                   "(cal.py's 'Overall Accuracy')"),
        MetricSpec("macro_accuracy", _macro, "higher",
                   description="mean of the general, hallucination and reasoning accuracies "
                   "(cal.py's 'Macro Average Acc')"),
    ]  # fmt: skip
    specs += [
        MetricSpec(f"accuracy_{c}", _share(f"correct_{c}", f"n_{c}"), "higher",
                   description=f"accuracy on the {c} items")
        for c in CATEGORIES
    ]  # fmt: skip
    specs += [
        MetricSpec("excluded_count", _total("excluded"), "lower", scale="score",
                   description="items left out of both sides: no agree or reject majority"),
        MetricSpec("unparsed_majority_count", _total("unparsed_majority"), "lower",
                   scale="score", description="items most of whose replies held no verdict"),
        MetricSpec("no_majority_count", _total("no_majority"), "lower", scale="score",
                   description="items where no class held more than half of the replies "
                   "(cal.py's 'other', e.g. 5 agree and 5 reject of 10)"),
        MetricSpec("unparsed_rate", _share("unparsed_replies", "replies"), "lower",
                   description="sampled replies without an 'Answer N is better' verdict"),
    ]  # fmt: skip
    return tuple(specs)
