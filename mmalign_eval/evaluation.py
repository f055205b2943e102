"""Scoring stage: responses in, per-item scores, metrics with intervals and group means out.

Needs neither the model nor the engine, so `run` and `score` share it.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from mmalign_eval.contracts import GenerationParams, ItemScore, Response, Sample
from mmalign_eval.metrics.base import FloatArray, MetricSpec, evaluate
from mmalign_eval.metrics.bootstrap import BootstrapConfig, metric_resamples, percentile_interval
from mmalign_eval.results import (
    ConfidenceInterval,
    FailureCounts,
    FailureExample,
    GroupResult,
    MatchReport,
    MetricResult,
    PromptInfo,
    ProtocolInfo,
    SampleRecord,
    TaskResult,
)
from mmalign_eval.task import DataProvenance, GroupSpec, Protocol, TaskSpec

_MAX_FAILURE_EXAMPLES = 5


@dataclass(frozen=True)
class TaskEvaluation:
    """A task's result, its per-sample records and its bootstrap resamples (for groups)."""

    result: TaskResult
    records: list[SampleRecord]
    resamples: dict[str, FloatArray]


@dataclass(frozen=True)
class TaskInputs:
    """What scoring a task needs besides the responses."""

    task: TaskSpec
    protocol: Protocol
    data: DataProvenance
    generation: GenerationParams | None
    matching: MatchReport | None = None


def task_seed(config: BootstrapConfig, task: str) -> BootstrapConfig:
    """Per-task seed, so group means combine independent resamples of each task."""
    return replace(config, seed=(config.seed * 1_000_003 + zlib.crc32(task.encode())) % 2**32)


def interval(
    resamples: FloatArray, value: float | None, config: BootstrapConfig, unit: str
) -> ConfidenceInterval | None:
    """Percentile interval of the resamples; none when the value itself is undefined."""
    bounds = percentile_interval(resamples, config.level)
    if bounds is None or value is None:
        return None
    return ConfidenceInterval(
        low=bounds[0],
        high=bounds[1],
        level=config.level,
        resamples=config.resamples,
        seed=config.seed,
        resampling_unit=unit,
    )


def metric_results(
    metrics: Sequence[MetricSpec],
    values: Mapping[str, float],
    resamples: Mapping[str, FloatArray],
    config: BootstrapConfig,
    unit: str,
) -> list[MetricResult]:
    """Metric records with point values and percentile intervals."""
    out = []
    for spec in metrics:
        value = values[spec.name]
        finite = float(value) if np.isfinite(value) else None
        out.append(
            MetricResult(
                name=spec.name,
                value=finite,
                direction=spec.direction,
                scale=spec.scale,
                primary=spec.primary,
                ci=interval(resamples[spec.name], finite, config, unit),
                description=spec.description,
            )
        )
    return out


def evaluate_task(
    inputs: TaskInputs,
    samples: Sequence[Sample],
    responses: Mapping[str, Response],
    config: BootstrapConfig,
) -> TaskEvaluation:
    """Score each sample's response (by sample id) and aggregate with intervals."""
    task, protocol = inputs.task, inputs.protocol
    items: list[ItemScore] = []
    records: list[SampleRecord] = []
    for sample in samples:
        response = responses[sample.id]
        item = task.score(sample, response, protocol)
        items.append(item)
        records.append(_record(task, sample, response, item))
    seeded = task_seed(config, task.name)
    resamples = metric_resamples(task.metrics, items, seeded)
    unit = "image" if any(s.cluster for s in samples) else "item"
    failures = FailureCounts(
        unparseable=sum(i.status == "unparseable" for i in items),
        error=sum(i.status == "error" for i in items),
    )
    result = TaskResult(
        task=task.name,
        task_version=task.version,
        family=task.family,
        protocol=ProtocolInfo(
            name=protocol.name,
            description=protocol.description,
            official=protocol.name == task.default_protocol,
        ),
        prompt=PromptInfo(template=task.prompt_template, sha256=task.prompt_hash),
        data=inputs.data,
        generation=inputs.generation,
        n_samples=len(items),
        n_scored=len(items) - failures.total,
        failures=failures,
        failure_rate=failures.total / len(items) if items else 0.0,
        failure_examples=[
            FailureExample(sample_id=i.sample_id, status=i.status, reason=i.reason)
            for i in items
            if i.status != "ok"
        ][:_MAX_FAILURE_EXAMPLES],
        matching=inputs.matching,
        metrics=metric_results(
            task.metrics, evaluate(task.metrics, items), resamples, seeded, unit
        ),
    )
    return TaskEvaluation(result, records, resamples)


def _record(task: TaskSpec, sample: Sample, response: Response, item: ItemScore) -> SampleRecord:
    return SampleRecord(
        task=task.name,
        id=sample.id,
        prompt=task.render_prompt(sample),
        target=sample.target,
        response=response.text if response.error is None else None,
        finish_reason=response.finish_reason,
        parsed=item.parsed,
        status=item.status,
        reason=item.reason,
        scores=item.values,
        cluster=sample.cluster,
        key=response.key,
    )


def evaluate_group(
    group: GroupSpec, members: Mapping[str, TaskEvaluation], config: BootstrapConfig
) -> GroupResult:
    """Unweighted means over member tasks; intervals from the means of their resamples."""
    metrics = []
    for name in group.mean_of:
        parts = [members[t].result.metric(name) for t in group.tasks]
        values = [p.value for p in parts if p.value is not None]
        value = float(np.mean(values)) if len(values) == len(parts) else None
        stacked = np.mean([members[t].resamples[name] for t in group.tasks], axis=0)
        ci = interval(stacked, value, config, "per-task resamples, averaged")
        first = parts[0]
        metrics.append(
            MetricResult(
                name=f"mean_{name}",
                value=value,
                direction=first.direction,
                scale=first.scale,
                primary=first.primary,
                ci=ci,
                description=f"unweighted mean of {name} over {', '.join(group.tasks)}",
            )
        )
    return GroupResult(group=group.name, tasks=list(group.tasks), metrics=metrics)
