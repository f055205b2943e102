"""`compare`: per task and metric the paired difference B - A, its interval and p-value."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import Field

from mmalign_eval.contracts import Record
from mmalign_eval.metrics.base import Direction, FloatArray, MetricSpec, Scale
from mmalign_eval.metrics.bootstrap import BootstrapConfig, percentile_interval
from mmalign_eval.results import GroupResult, MetricResult
from mmalign_eval.stats.comparable import SettingDifference
from mmalign_eval.stats.holm import holm
from mmalign_eval.stats.paired import (
    Alignment,
    RunRecords,
    TaskMismatch,
    TaskPair,
    TestName,
    align,
    binary_outcomes,
    bootstrap_pvalue,
    cluster_count,
    group_mean,
    mcnemar_exact,
    paired_resamples,
    point_values,
)
from mmalign_eval.task import GroupMetric

Verdict = Literal["better", "worse", "changed", "no significant change", "undefined"]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class MetricDiff:
    """A metric's paired difference B - A with its resamples (internal to stats)."""

    target: str  # a task or a group
    metric: str
    direction: Direction
    scale: Scale
    primary: bool
    a: float | None
    b: float | None
    resamples: FloatArray
    test: TestName
    p_value: float | None
    n_items: int
    n_units: int
    unit: str

    @property
    def diff(self) -> float | None:
        """B - A, or None when either side is undefined."""
        return None if self.a is None or self.b is None else self.b - self.a


def task_diffs(
    pair: TaskPair, specs: Sequence[MetricSpec], config: BootstrapConfig
) -> list[MetricDiff]:
    """Every metric of one aligned task."""
    resamples = paired_resamples(specs, pair, config)
    out = []
    for spec in specs:
        a, b = (_finite(v) for v in point_values(spec, pair))
        diff = b - a if a is not None and b is not None else math.nan
        outcomes = binary_outcomes(spec, pair)
        test: TestName = "paired-bootstrap"
        p_value = bootstrap_pvalue(diff, resamples[spec.name])
        if outcomes is not None:
            test = "mcnemar-exact"
            oa, ob = outcomes
            p_value = mcnemar_exact(int(np.sum(oa & ~ob)), int(np.sum(~oa & ob)))
        out.append(
            MetricDiff(
                target=pair.task,
                metric=spec.name,
                direction=spec.direction,
                scale=spec.scale,
                primary=spec.primary,
                a=a,
                b=b,
                resamples=resamples[spec.name],
                test=test,
                p_value=p_value,
                n_items=len(pair.ids),
                n_units=cluster_count(pair),
                unit="image" if pair.clustered else "item",
            )
        )
    return out


Combination = Callable[[Sequence[FloatArray]], FloatArray]


def _mean(parts: Sequence[FloatArray]) -> FloatArray:
    return group_mean({str(i): part for i, part in enumerate(parts)})


def group_diffs(
    group: GroupResult, by_task: Mapping[tuple[str, str], MetricDiff]
) -> list[MetricDiff]:
    """Group means (mean_<metric>) from their member tasks' paired resamples."""
    out = []
    for metric in group.metrics:
        base = metric.name.removeprefix("mean_")
        parts = [by_task.get((task, base)) for task in group.tasks]
        if all(p is not None for p in parts):
            present = [p for p in parts if p is not None]
            unit = "per-task resamples, averaged"
            out.append(_combined(group.group, metric, present, _mean, unit))
    return out


def combined_diffs(
    group: GroupResult,
    combine: Sequence[GroupMetric],
    by_task: Mapping[tuple[str, str], MetricDiff],
) -> list[MetricDiff]:
    """A group's declared combinations (AMBER score, VLGuard's shown rates) from their inputs'
    paired resamples; only affine ones (GroupMetric.affine) combine that way."""
    reported = {m.name: m for m in group.metrics}
    out = []
    for spec in combine:
        parts = [by_task.get(key) for key in spec.inputs]
        if spec.name in reported and spec.affine and all(p is not None for p in parts):
            present = [p for p in parts if p is not None]
            unit = "member resamples, combined"
            out.append(_combined(group.group, reported[spec.name], present, spec.fn, unit))
    return out


def _combined(
    target: str, metric: MetricResult, parts: Sequence[MetricDiff], fn: Combination, unit: str
) -> MetricDiff:
    """An affine combination of member metrics (a group mean, a declared combination): its
    values combine the members' values, and its paired difference is the combination of the
    members' differences minus the combination's value at zero."""
    a_in, b_in = [p.a for p in parts], [p.b for p in parts]
    a = _apply(fn, a_in) if None not in a_in else None
    b = _apply(fn, b_in) if None not in b_in else None
    zero = _apply(fn, [0.0] * len(parts))
    resamples = np.asarray(fn([p.resamples for p in parts]), dtype=np.float64) - zero
    diff = b - a if a is not None and b is not None else math.nan
    return MetricDiff(
        target=target, metric=metric.name, direction=metric.direction, scale=metric.scale,
        primary=metric.primary, a=a, b=b, resamples=resamples, test="paired-bootstrap",
        p_value=bootstrap_pvalue(diff, resamples), n_items=sum(p.n_items for p in parts),
        n_units=sum(p.n_units for p in parts), unit=unit,
    )  # fmt: skip


def _apply(fn: Combination, values: Sequence[float | None]) -> float:
    return float(fn([np.asarray(v, dtype=np.float64) for v in values]))


def diff_runs(
    a: RunRecords,
    b: RunRecords,
    metrics: Mapping[str, Sequence[MetricSpec]],
    config: BootstrapConfig,
    combined: Mapping[str, Sequence[GroupMetric]] | None = None,
) -> tuple[Alignment, list[MetricDiff]]:
    """Align two runs and compute every task and group metric difference (group means, and
    the combinations in `combined`, by group name)."""
    alignment = align(a.samples, b.samples)
    diffs: list[MetricDiff] = []
    for task, pair in alignment.pairs.items():
        if task in metrics:
            diffs.extend(task_diffs(pair, metrics[task], config))
    by_task = {(d.target, d.metric): d for d in diffs}
    b_groups = {g.group for g in b.results.groups}
    for group in a.results.groups:
        if group.group in b_groups:
            diffs.extend(group_diffs(group, by_task))
            diffs.extend(combined_diffs(group, (combined or {}).get(group.group, ()), by_task))
    return alignment, diffs


class MetricComparison(Record):
    """One row of the comparison: B - A with a paired interval and p-values."""

    target: str
    metric: str
    direction: Direction
    a: float | None
    b: float | None
    diff: float | None
    ci_low: float | None
    ci_high: float | None
    test: TestName
    p_value: float | None
    p_holm: float | None
    n_items: int
    resampling_unit: str
    verdict: Verdict
    settings_differ: bool = Field(
        default=False, description="The task's (or a member task's) settings differ: marked ≠."
    )


class Comparison(Record):
    """What `mmalign-eval compare` reports (and writes with --json)."""

    a: str
    b: str
    level: float
    resamples: int
    seed: int
    correction: str = "holm"
    mismatches: list[TaskMismatch]
    tasks_only_in_a: list[str]
    tasks_only_in_b: list[str]
    metrics: list[MetricComparison]
    differences: list[SettingDifference] = Field(default_factory=list)


def verdict(
    direction: Direction, diff: float | None, p_holm: float | None, alpha: float
) -> Verdict:
    """Better/worse by the metric's direction when significant after correction."""
    if diff is None or p_holm is None:
        return "undefined"
    if p_holm >= alpha:
        return "no significant change"
    if direction == "neither":
        return "changed"
    return "better" if (diff > 0) == (direction == "higher") else "worse"


def _differing_targets(a: RunRecords, differences: Sequence[SettingDifference]) -> set[str]:
    """Tasks with a setting difference nobody allowed, and the groups holding one."""
    tasks = {d.task for d in differences if not d.allowed}
    groups = {g.group for g in a.results.groups if tasks & set(g.tasks)}
    return tasks | groups


def compare_runs(
    a: RunRecords,
    b: RunRecords,
    metrics: Mapping[str, Sequence[MetricSpec]],
    config: BootstrapConfig,
    differences: Sequence[SettingDifference] = (),
    combined: Mapping[str, Sequence[GroupMetric]] | None = None,
) -> Comparison:
    """The full comparison; Holm's correction runs over every metric compared."""
    alignment, diffs = diff_runs(a, b, metrics, config, combined)
    adjusted = holm([d.p_value if d.diff is not None else None for d in diffs])
    differing = _differing_targets(a, differences)
    rows = []
    for d, p_holm in zip(diffs, adjusted, strict=True):
        bounds = percentile_interval(d.resamples, config.level) if d.diff is not None else None
        rows.append(
            MetricComparison(
                target=d.target,
                metric=d.metric,
                direction=d.direction,
                a=d.a,
                b=d.b,
                diff=d.diff,
                ci_low=bounds[0] if bounds else None,
                ci_high=bounds[1] if bounds else None,
                test=d.test,
                p_value=d.p_value if d.diff is not None else None,
                p_holm=p_holm,
                n_items=d.n_items,
                resampling_unit=d.unit,
                verdict=verdict(d.direction, d.diff, p_holm, 1.0 - config.level),
                settings_differ=d.target in differing,
            )
        )
    return Comparison(
        a=str(a.source),
        b=str(b.source),
        level=config.level,
        resamples=config.resamples,
        seed=config.seed,
        mismatches=alignment.mismatches,
        tasks_only_in_a=alignment.tasks_only_in_a,
        tasks_only_in_b=alignment.tasks_only_in_b,
        metrics=rows,
        differences=list(differences),
    )
