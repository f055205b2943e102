"""The CI gate: a per-metric test that fails only on a real drop that may exceed the margin.

For each gated metric, delta = B - A with the sign flipped for lower-is-better metrics, and
L, U its one-sided (1 - alpha) bootstrap bounds. The verdict:

- regression: U < 0 (the drop is real at level alpha) and L < -margin (it may exceed the
  margin). A candidate no worse than the baseline fails with probability at most alpha.
- pass: L >= -margin (non-inferior), or no significant drop while the comparison had the
  power to detect a drop of the margin (MDE <= margin).
- inconclusive: neither, because the subset is too small: MDE > margin; the report says how
  many items would bring the MDE down to the margin.
- missing: the baseline has the gated metric and the candidate does not (a task or a group
  left out of the candidate run). A failure like a regression: a gate never passes on
  numbers it did not see.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, ValidationError

from mmalign_eval.contracts import Record
from mmalign_eval.errors import UsageError
from mmalign_eval.metrics.base import Direction
from mmalign_eval.results import ResultsFile
from mmalign_eval.stats.comparable import SettingDifference
from mmalign_eval.stats.compare import MetricDiff
from mmalign_eval.stats.paired import TaskMismatch
from mmalign_eval.stats.power import gate_power, mde, required_size

EXIT_PASS = 0
EXIT_REGRESSION = 1
EXIT_USAGE = 2
EXIT_INCONCLUSIVE = 3
POLICY_FILES = (".mmalign-gate.toml", ".mmalign-gate.json")

GateVerdict = Literal["pass", "regression", "inconclusive", "missing"]


class GatedMetric(Record):
    """One metric the gate guards: a task or group, a metric name, an optional margin."""

    target: str
    metric: str
    margin: float | None = Field(default=None, gt=0.0)


class GatePolicy(Record):
    """Settings of the gate, from a policy file and/or command-line options."""

    alpha: float = Field(default=0.05, gt=0.0, lt=0.5)
    power: float = Field(default=0.8, gt=0.5, lt=1.0)
    margin: float = Field(default=0.02, gt=0.0)
    resamples: int = Field(default=2000, ge=100)
    seed: int = 0
    subset: str | None = None
    subset_size: int | None = Field(default=None, ge=1)
    gate: tuple[GatedMetric, ...] = ()


def find_policy(explicit: Path | None, cwd: Path) -> Path | None:
    """The --policy file, else a policy file in the current folder, else None."""
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"policy file not found: {explicit}")
        return explicit
    return next((cwd / name for name in POLICY_FILES if (cwd / name).is_file()), None)


def load_policy(path: Path) -> GatePolicy:
    """Read a TOML or JSON policy file."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix == ".json" else _toml(text)
        return GatePolicy.model_validate(raw)
    except (ValueError, ValidationError) as exc:
        raise UsageError(f"bad policy file {path}: {exc}", "see README, 'The CI gate'") from exc


def _toml(text: str) -> object:
    try:
        import tomllib  # Python 3.11+; the package still supports 3.10 with JSON policies
    except ImportError as exc:  # pragma: no cover - exercised on 3.10 only
        raise UsageError("TOML policy files need Python 3.11", "use .mmalign-gate.json") from exc
    return tomllib.loads(text)


class MetricGate(Record):
    """The gate's decision on one metric; delta and bounds are direction-adjusted."""

    target: str
    metric: str
    direction: Direction
    baseline: float | None
    candidate: float | None
    delta: float | None = Field(description="candidate - baseline, positive = better")
    lower: float | None = Field(description="one-sided (1 - alpha) lower bound of delta")
    upper: float | None = Field(description="one-sided (1 - alpha) upper bound of delta")
    margin: float
    se: float | None
    mde: float | None = Field(description="drop detectable at alpha with the chosen power")
    power_at_margin: float | None
    n_items: int
    required_items: int | None
    resampling_unit: str
    verdict: GateVerdict
    reason: str


class GateReport(Record):
    """report.json of `mmalign-eval check`."""

    baseline: str
    candidate: str
    verdict: GateVerdict
    exit_code: int
    alpha: float
    power: float
    resamples: int
    seed: int
    method: str = "paired cluster bootstrap, one-sided bounds"
    mismatches: list[TaskMismatch]
    metrics: list[MetricGate]
    failing_tasks: list[str] = Field(
        default_factory=list,
        description="Candidate tasks whose failure rate exceeds its threshold (a regression).",
    )
    differences: list[SettingDifference] = Field(
        default_factory=list,
        description="Settings that differ between the runs and were accepted on purpose.",
    )


def decide(diff: MetricDiff, margin: float, alpha: float, power: float) -> MetricGate:
    """The verdict on one metric (see the module docstring)."""
    sign = -1.0 if diff.direction == "lower" else 1.0
    adjusted = sign * diff.resamples[np.isfinite(diff.resamples)]
    base = {
        "target": diff.target,
        "metric": diff.metric,
        "direction": diff.direction,
        "baseline": diff.a,
        "candidate": diff.b,
        "margin": margin,
        "n_items": diff.n_items,
        "resampling_unit": diff.unit,
    }
    if diff.diff is None or adjusted.size == 0:
        return MetricGate(
            **base, delta=None, lower=None, upper=None, se=None, mde=None,
            power_at_margin=None, required_items=None, verdict="inconclusive",
            reason="the metric is undefined on one side",
        )  # fmt: skip
    delta = sign * diff.diff
    lower, upper = (float(q) for q in np.quantile(adjusted, [alpha, 1.0 - alpha]))
    se = float(np.std(adjusted, ddof=1)) if adjusted.size > 1 else 0.0
    detectable = mde(se, alpha, power)
    verdict, reason = _verdict(delta, lower, upper, margin, detectable)
    return MetricGate(
        **base,
        delta=delta,
        lower=lower,
        upper=upper,
        se=se,
        mde=detectable,
        power_at_margin=gate_power(margin, se, margin, alpha),
        required_items=required_size(diff.n_items, se, margin, alpha, power),
        verdict=verdict,
        reason=reason,
    )


def _verdict(
    delta: float, lower: float, upper: float, margin: float, detectable: float
) -> tuple[GateVerdict, str]:
    if upper < 0 and lower < -margin:
        return "regression", (
            f"drop of {-delta:.4f} is significant (upper bound {upper:.4f} < 0) and may "
            f"exceed the margin (lower bound {lower:.4f} < -{margin:g})"
        )
    if lower >= -margin:
        return "pass", f"non-inferior: lower bound {lower:.4f} >= -{margin:g}"
    if detectable > margin:
        return "inconclusive", (
            f"subset too small: the minimum detectable drop is {detectable:.4f} > margin {margin:g}"
        )
    return (
        "pass",
        f"no significant drop; a drop of {margin:g} would be detected (MDE {detectable:.4f})",
    )


@dataclass(frozen=True)
class MetricRef:
    """A metric a results file reports for a task or a group."""

    target: str
    metric: str
    direction: Direction
    primary: bool


def metric_refs(results: ResultsFile) -> dict[tuple[str, str], MetricRef]:
    """Every task and group metric of a results file, by (target, metric)."""
    rows = [(t.task, m) for t in results.tasks for m in t.metrics]
    rows += [(g.group, m) for g in results.groups for m in g.metrics]
    return {
        (target, m.name): MetricRef(target, m.name, m.direction, m.primary) for target, m in rows
    }


@dataclass(frozen=True)
class GateChoice:
    """A metric the gate guards, its margin, and its paired difference (None: missing)."""

    ref: MetricRef
    margin: float
    diff: MetricDiff | None


def gated_metrics(
    baseline: ResultsFile, diffs: Sequence[MetricDiff], policy: GatePolicy
) -> list[GateChoice]:
    """The metrics to gate: the policy's list, else every primary metric of the baseline.

    Gates come from the baseline, so a metric the candidate lacks is gated as missing
    instead of silently dropped.
    """
    refs = metric_refs(baseline)
    by_key = {(d.target, d.metric): d for d in diffs}
    if not policy.gate:
        chosen = [
            (ref, policy.margin)
            for ref in refs.values()
            if ref.primary and ref.direction != "neither"
        ]
    else:
        chosen = []
        for item in policy.gate:
            ref = refs.get((item.target, item.metric))
            if ref is None:
                known = ", ".join(f"{t}:{m}" for t, m in refs)
                raise UsageError(
                    f"no metric {item.target}:{item.metric} in the baseline", f"known: {known}"
                )
            if ref.direction == "neither":
                raise UsageError(f"{item.target}:{item.metric} has no direction and is never gated")
            chosen.append((ref, item.margin or policy.margin))
    return [GateChoice(ref, margin, by_key.get((ref.target, ref.metric))) for ref, margin in chosen]


def _value(results: ResultsFile, target: str, metric: str) -> float | None:
    groups = [(g.group, g.metrics) for g in results.groups]
    for name, metrics in [(t.task, t.metrics) for t in results.tasks] + groups:
        if name == target:
            return next((m.value for m in metrics if m.name == metric), None)
    return None


def missing_gate(choice: GateChoice, baseline: ResultsFile, candidate: ResultsFile) -> MetricGate:
    """The verdict on a gated metric the candidate lacks (or has no paired items for)."""
    ref = choice.ref
    present = metric_refs(candidate)
    if (ref.target, ref.metric) in present:
        reason = f"no item of {ref.target} is in both runs, so {ref.metric} cannot be compared"
    elif any(target == ref.target for target, _ in present):
        reason = f"the candidate's {ref.target} has no metric {ref.metric}"
    else:
        reason = f"the candidate has no {ref.target}: the gate cannot pass without it"
    return MetricGate(
        target=ref.target,
        metric=ref.metric,
        direction=ref.direction,
        baseline=_value(baseline, ref.target, ref.metric),
        candidate=None,
        delta=None,
        lower=None,
        upper=None,
        margin=choice.margin,
        se=None,
        mde=None,
        power_at_margin=None,
        n_items=0,
        required_items=None,
        resampling_unit="item",
        verdict="missing",
        reason=reason,
    )


def overall(metrics: Sequence[MetricGate], failing_tasks: int = 0) -> tuple[GateVerdict, int]:
    """Any regression or missing metric fails; else any inconclusive one makes the gate
    inconclusive.

    A candidate whose answers fail (unparseable, errors) beyond the threshold is a
    regression even when its remaining items score well: failures are excluded from metrics.
    """
    verdicts = {m.verdict for m in metrics}
    if {"regression", "missing"} & verdicts or failing_tasks:
        return "regression", EXIT_REGRESSION
    if "inconclusive" in verdicts:
        return "inconclusive", EXIT_INCONCLUSIVE
    return "pass", EXIT_PASS


def required_items_note(metric: MetricGate) -> str:
    """'need about N items' for an inconclusive metric, else ''."""
    if metric.verdict != "inconclusive" or metric.required_items is None:
        return ""
    return f"need about {metric.required_items:,} items (have {metric.n_items:,})"
