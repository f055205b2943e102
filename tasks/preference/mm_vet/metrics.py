"""MM-Vet's numbers as mm-vet_evaluator.py's export_result computes them, from columns.

Per run k and group g (all items, a capability, an integration): run<k>:<g> sums the
scores, n:<g> counts the items, and the run's percentage is sum / count x 100. A group's
number is the mean over runs of those percentages, then round(.., 1) of a numpy float,
which is numpy's rounding (half to even of the value x 10 in binary: 0.35 -> 0.4, where
Python's round gives 0.3). `total_std` is numpy's std (population, ddof=0) of the runs'
totals before rounding, as the evaluator's `std` column.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mmalign_eval import Columns, MetricSpec, Sample, ratio
from mmalign_eval.metrics.base import FloatArray, Totals

from .capabilities import CAPABILITIES, INTEGRATIONS
from .data import MMVetInfo
from .grading import Grades

DECIMALS = 1  # the evaluator's --decimal_places
TOTAL = "total"
COLUMNS = Columns.of("n", "runs", "fallback", "retries", "retry_known", prefixes=("n:", "run"))


def official_round(value: FloatArray) -> FloatArray:
    """round(numpy float, 1) as the evaluator applies it: numpy's round."""
    return np.round(value, DECIMALS)


def _groups(info: MMVetInfo) -> list[str]:
    return [TOTAL, *info.capabilities, f"int:{info.integration}"]


def item_values(sample: Sample[MMVetInfo], grades: Grades) -> dict[str, float]:
    """Counts of the item's groups, its score per run and group, and its fallbacks."""
    groups = _groups(sample.info)
    values = {"n": 1.0, "runs": float(len(grades.runs))}
    values |= {f"n:{g}": 1.0 for g in groups}
    for k, run in enumerate(grades.runs):
        values |= {f"run{k}:{g}": run.score for g in groups}
    values["fallback"] = float(sum(run.fallback for run in grades.runs))
    known = [run.retries for run in grades.runs if run.retries is not None]
    if len(known) == len(grades.runs):
        values |= {"retries": float(sum(known)), "retry_known": 1.0}
    return values


def run_indices(t: Totals) -> list[int]:
    """The runs present in the totals (run<k>:total columns)."""
    suffix = f":{TOTAL}"
    found = [key[3 : -len(suffix)] for key in t if key.startswith("run") and key.endswith(suffix)]
    return sorted(int(k) for k in found if k.isdigit())


def run_percentages(t: Totals, group: str) -> FloatArray:
    """Each run's sum / count x 100 of a group, stacked on the last axis."""
    count = t[f"n:{group}"]
    runs = [ratio(t[f"run{k}:{group}"], count) * 100 for k in run_indices(t)]
    if not runs:
        return np.full((*np.shape(count), 1), np.nan)
    return np.stack(runs, axis=-1)


def group_score(group: str) -> Callable[[Totals], FloatArray]:
    """The evaluator's number of a group: the mean over runs, rounded."""

    def fn(t: Totals) -> FloatArray:
        return official_round(run_percentages(t, group).mean(axis=-1))

    return fn


def total_std(t: Totals) -> FloatArray:
    """The evaluator's std: numpy's (ddof=0) over the runs' unrounded totals, rounded."""
    return official_round(run_percentages(t, TOTAL).std(axis=-1))


def _runs(t: Totals) -> FloatArray:
    return ratio(t["runs"], t["n"])


def _fallback_rate(t: Totals) -> FloatArray:
    return ratio(t["fallback"], t["runs"])


def _retries(t: Totals) -> FloatArray:
    return np.where(np.asarray(t["retry_known"]) > 0, t["retries"], np.nan)


def mmvet_metrics() -> tuple[MetricSpec, ...]:
    """Total (primary), its std over runs, each capability and integration, and how the
    official rules were applied (runs, fallbacks, retries)."""
    specs = [
        MetricSpec(TOTAL, group_score(TOTAL), "higher", "percent", primary=True,
                   description="mean over judge runs of sum(score) / items x 100, rounded as "
                   "mm-vet_evaluator.py (numpy's round, 1 decimal)"),
        MetricSpec("total_std", total_std, "neither", "percent",
                   description="the evaluator's std: numpy std (ddof=0) of the runs' totals"),
    ]  # fmt: skip
    specs += [
        MetricSpec(c, group_score(c), "higher", "percent",
                   description=f"items needing '{c}': mean over runs of sum / count x 100")
        for c in CAPABILITIES
    ]  # fmt: skip
    specs += [
        MetricSpec(f"int_{name}", group_score(f"int:{name}"), "higher", "percent",
                   description=f"items of the integration {name} (the cap-int table)")
        for name in INTEGRATIONS
    ]  # fmt: skip
    specs += [
        MetricSpec("judge_runs", _runs, "neither", "score",
                   description="independent gradings per item (--judge-runs, or the grade "
                   "file's runs); the paper reports 5"),
        MetricSpec("fallback_count", lambda t: np.asarray(t["fallback"]), "lower", "score",
                   description="gradings the official rule set to 0.0 after its last try"),
        MetricSpec("fallback_rate", _fallback_rate, "lower",
                   description="share of gradings (items x runs) set to 0.0 by the official "
                   "rule after its last try"),
        MetricSpec("retry_count", _retries, "lower", "score",
                   description="judge calls after the first of each grading (official retry "
                   "rule); unknown for grade files"),
    ]  # fmt: skip
    return tuple(specs)
