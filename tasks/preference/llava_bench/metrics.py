"""LLaVA-Bench's numbers: the relative score, mean(model) / mean(reference) x 100.

summarize_gpt_review.py averages the score pairs of each category and of all reviews
(np.mean), rounds both means to 3 decimals with Python's round, then prints
round(model / reference x 100, 1), round(reference x 10, 1) and round(model x 10, 1).
An unparsed review's [-1, -1] is part of those means under the official protocol.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from mmalign_eval import Columns, MetricSpec, Record, Sample
from mmalign_eval.metrics.base import FloatArray, Totals
from mmalign_eval.toolkit import pairwise

CATEGORIES = ("conv", "detail", "complex")  # the official llava_bench_<category> rules


class PairScores(Record):
    """One item's scores from the model's side (both orders: their means)."""

    reference: float
    model: float
    preferred: pairwise.Side
    unparsed: bool = False  # the official [-1, -1] of a review it could not read
    consistent: bool | None = None  # both orders prefer the same side (None: one order)


def preferred(reference: float, model: float) -> pairwise.Side:
    """The side with the higher score; equal scores are a tie."""
    if model == reference:
        return "tie"
    return "model" if model > reference else "reference"


def item_values(sample: Sample[Any], scores: PairScores) -> dict[str, float]:
    """Score sums overall and for the item's category, and the preference columns."""
    category = sample.category or ""
    values = {
        "n": 1.0,
        "reference": scores.reference,
        "model": scores.model,
        "unparsed": float(scores.unparsed),
        f"n_{category}": 1.0,
        f"reference_{category}": scores.reference,
        f"model_{category}": scores.model,
    }
    preference = pairwise.Preference(preferred=scores.preferred, consistent=scores.consistent)
    return values | pairwise.preference_values(preference)


COLUMNS = (
    Columns.of(
        "reference",
        "model",
        "unparsed",
        *(f"{kind}_{c}" for c in CATEGORIES for kind in ("n", "reference", "model")),
    )
    | pairwise.COLUMNS
)


def _official_relative(reference_sum: float, model_sum: float, count: float) -> float:
    """summarize_gpt_review's rounding on one set of totals (Python floats throughout)."""
    if count == 0:
        return math.nan
    reference = round(float(reference_sum) / float(count), 3)
    model = round(float(model_sum) / float(count), 3)
    return round(model / reference * 100, 1) if reference != 0 else math.nan


def _official_scaled(score_sum: float, count: float) -> float:
    """round(round(mean, 3) x 10, 1): a side's mean score printed on a 0-100 scale."""
    if count == 0:
        return math.nan
    return round(round(float(score_sum) / float(count), 3) * 10, 1)


def relative_score(suffix: str = "") -> Callable[[Totals], FloatArray]:
    """The official relative score of all items or of one category (suffix '_conv')."""
    relative = np.vectorize(_official_relative, otypes=[np.float64])

    def fn(t: Totals) -> FloatArray:
        count = t[f"n{suffix}"]
        return np.asarray(relative(t[f"reference{suffix}"], t[f"model{suffix}"], count))

    return fn


def scaled_mean(side: str, suffix: str = "") -> Callable[[Totals], FloatArray]:
    """One side's official mean score x 10 (the second and third numbers printed)."""
    scaled = np.vectorize(_official_scaled, otypes=[np.float64])

    def fn(t: Totals) -> FloatArray:
        return np.asarray(scaled(t[f"{side}{suffix}"], t[f"n{suffix}"]))

    return fn


def _group_metrics(suffix: str, label: str, primary: bool) -> list[MetricSpec]:
    return [
        MetricSpec(f"relative_score{suffix}", relative_score(suffix), "higher", "percent",
                   primary=primary, description=f"{label}: round(round(mean model score, 3) / "
                   "round(mean reference score, 3) x 100, 1), as summarize_gpt_review.py"),
        MetricSpec(f"model_score{suffix}", scaled_mean("model", suffix), "higher", "percent",
                   description=f"{label}: the model's mean judge score x 10 (official rounding)"),
        MetricSpec(f"reference_score{suffix}", scaled_mean("reference", suffix), "neither",
                   "percent", description=f"{label}: the GPT-4 reference answers' mean judge "
                   "score x 10 (official rounding)"),
    ]  # fmt: skip


def _unparsed_count(t: Totals) -> FloatArray:
    return np.asarray(t["unparsed"], dtype=np.float64)


def llava_metrics() -> tuple[MetricSpec, ...]:
    """Relative score (primary) overall and per category, both sides' means, the count of
    unparsed reviews, and the pairwise preference rates."""
    specs = _group_metrics("", "all questions", primary=True)
    for category in CATEGORIES:
        specs += _group_metrics(f"_{category}", f"{category} questions", primary=False)
    specs.append(
        MetricSpec("unparsed_count", _unparsed_count, "lower", "score",
                   description="reviews without two scores on their first line, scored "
                   "[-1, -1] and kept in the means (official protocol)")
    )  # fmt: skip
    # Win/tie/loss from the two scores; position consistency needs the `both` protocol.
    specs += [dataclasses.replace(m, primary=False) for m in pairwise.preference_metrics()]
    return tuple(specs)
