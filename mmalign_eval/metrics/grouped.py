"""All-correct-in-a-group accuracies (HallusionBench fAcc/qAcc) as sums of per-item columns.

An item of group g emits `<prefix>_w:<g>` = 1/|g| and `<prefix>_wrong:<g>` = 1 - correct.
Summed over items (or over resampled clusters that contain whole groups), `_w` is how many
copies of g were drawn and `_wrong` is zero exactly when every answer in g was right, so

    accuracy = sum_g w_g * [wrong_g == 0] / sum_g w_g

is the official share of all-correct groups. A failed (unscored) item leaves its group's
weight short by 1/|g|: the group then counts in proportion to its scored answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from mmalign_eval.columns import Columns
from mmalign_eval.metrics.base import FloatArray, Totals, ratio

WEIGHT = "_w:"
WRONG = "_wrong:"


def group_columns(prefixes: Sequence[str]) -> Columns:
    """The run-time columns of the given groupings (one pair per group), as declared."""
    return Columns.of(prefixes=[f"{p}{kind}" for p in prefixes for kind in (WEIGHT, WRONG)])


def group_values(prefix: str, group: str, size: int, correct: bool) -> dict[str, float]:
    """One item's two columns for its group (size: the group's number of items)."""
    return {
        f"{prefix}{WEIGHT}{group}": 1.0 / size,
        f"{prefix}{WRONG}{group}": 0.0 if correct else 1.0,
    }


def all_correct_accuracy(prefix: str) -> Callable[[Totals], FloatArray]:
    """Share of (weighted) groups of the prefix whose answers are all correct."""
    weight_key = f"{prefix}{WEIGHT}"

    def fn(t: Totals) -> FloatArray:
        groups = [key[len(weight_key) :] for key in t if key.startswith(weight_key)]
        correct: FloatArray = np.zeros(np.shape(t[f"{weight_key}{groups[0]}"]) if groups else ())
        total: FloatArray = np.zeros_like(correct)
        for group in groups:
            weight = t[f"{weight_key}{group}"]
            wrong = t[f"{prefix}{WRONG}{group}"]
            # Sums of 1/|g| carry rounding error; a wrong count is a sum of whole numbers.
            correct = correct + np.where(wrong < 0.5, weight, 0.0)
            total = total + weight
        return ratio(correct, total)

    return fn
