"""The official report as sums of per-pair columns (cal_performance_mmreweard_bench.py,
Kwai-YuanQi/MM-RLHF @ 7c8af1d, restated).

- ACC: pairs right over all pairs; a pair is right when the chosen response's reward is
  strictly greater (`rewards[0] > rewards[1]`: a tie, or a NaN, is wrong).
- ACC+: prompts (lines sharing an `id`) whose pairs are all right, over prompts; an
  all-correct group metric (mmalign_eval.metrics.grouped), samples clustered by prompt so
  resamples draw whole prompts.
- per category (categories.py): ACC = right pairs of the scored category over pairs of the
  counted category; ACC+ = all-right prompts whose first keyword is the category over
  prompts whose paths contain it. A category with no counted pair is NaN (the script
  prints its initial 0.00 for both).

The script prints two decimals; the harness reports the fractions unrounded.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mmalign_eval import Columns, MetricSpec, Record, Sample, ratio
from mmalign_eval.metrics.base import FloatArray, Totals
from mmalign_eval.metrics.grouped import all_correct_accuracy, group_columns, group_values

from .categories import KEYWORDS
from .rows import PairInfo

Metric = Callable[[Totals], FloatArray]
PROMPTS = "prompts"  # the group prefix of ACC+


class PairOutcome(Record):
    """A pair read by a protocol: right or not, a tie of rewards, an unread verdict."""

    correct: bool
    tie: bool = False
    unread: bool = False  # generative: the reply named neither response (scored wrong)
    rewards: tuple[float, float] | None = None  # scalar: (chosen, rejected)
    verdict: str | None = None  # generative: the verdict text read


def prompts_of(category: str) -> str:
    """The group prefix of a category's ACC+."""
    return f"{PROMPTS}@{category}"


COLUMNS = Columns.of(
    "n", "correct", "tie", "unread", prefixes=("n_cat:", "correct_cat:")
) | group_columns([PROMPTS, *(prompts_of(k) for k in KEYWORDS)])  # fmt: skip


def item_values(sample: Sample[PairInfo], outcome: PairOutcome) -> dict[str, float]:
    """A pair's counts, its categories' counts and its prompt's ACC+ columns."""
    info = sample.info
    hit = float(outcome.correct)
    values = {"n": 1.0, "correct": hit, "tie": float(outcome.tie), "unread": float(outcome.unread)}
    if info.category is not None:
        values[f"n_cat:{info.category}"] = 1.0
    if info.scored_category is not None:
        values[f"correct_cat:{info.scored_category}"] = hit
    values.update(group_values(PROMPTS, info.group, info.group_size, outcome.correct))
    for keyword in info.group_keywords:
        # Counted in the keyword's denominator; right only for the prompt's first keyword.
        right = outcome.correct and info.group_category == keyword
        values.update(group_values(prompts_of(keyword), info.group, info.group_size, right))
    return values


def _share(count: str, n: str) -> Metric:
    return lambda t: ratio(t[count], t[n])


def _gated_acc_plus(keyword: str) -> Metric:
    """A category's ACC+, computed only where the category counts a pair (as the script)."""
    plus = all_correct_accuracy(prompts_of(keyword))

    def fn(t: Totals) -> FloatArray:
        return np.where(t[f"n_cat:{keyword}"] > 0, plus(t), np.nan)

    return fn


def _per_category(keyword: str) -> tuple[MetricSpec, ...]:
    return (
        MetricSpec(f"accuracy_{keyword}", _share(f"correct_cat:{keyword}", f"n_cat:{keyword}"),
                   "higher", description=f"ACC of the {keyword} pairs"),
        MetricSpec(f"acc_plus_{keyword}", _gated_acc_plus(keyword), "higher",
                   description=f"ACC+ of the {keyword} prompts"),
    )  # fmt: skip


def rewardbench_metrics() -> tuple[MetricSpec, ...]:
    """ACC (primary), ACC+, tie and unparsed rates, and both per category."""
    return (
        MetricSpec("accuracy", _share("correct", "n"), "higher", primary=True,
                   description="ACC: pairs whose chosen response wins (a tie is wrong)"),
        MetricSpec("acc_plus", all_correct_accuracy(PROMPTS), "higher",
                   description="ACC+: prompts whose pairs are all right"),
        MetricSpec("tie_rate", _share("tie", "n"), "lower",
                   description="pairs whose two rewards are equal (scored wrong)"),
        MetricSpec("unparsed_rate", _share("unread", "n"), "lower",
                   description="generative: replies naming neither response (scored wrong)"),
        *(spec for keyword in KEYWORDS for spec in _per_category(keyword)),
    )  # fmt: skip
