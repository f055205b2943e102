"""Scoring stage: responses in, per-item scores, metrics with intervals and group means out.

Needs neither the model nor the engine, so `run` and `score` share it.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mmalign_eval.contracts import GenerationParams, ItemScore, Response, Sample
from mmalign_eval.evidence import ANSWER, JUDGE, Evidence
from mmalign_eval.judges.records import Judgement, TaskJudgeInfo, Verdict
from mmalign_eval.metrics.base import FloatArray, MetricSpec, evaluate
from mmalign_eval.metrics.bootstrap import BootstrapConfig, metric_resamples, percentile_interval
from mmalign_eval.protocols import Protocol
from mmalign_eval.results import (
    CallRecord,
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
from mmalign_eval.task import DataProvenance, GroupMetric, GroupSpec, TaskSpec

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

    task: TaskSpec[Any]
    protocol: Protocol[Any, Any]
    data: DataProvenance
    generation: GenerationParams | None
    matching: MatchReport | None = None
    # Judged tasks only: each judge call's verdict by sample id and role.
    verdicts: Mapping[str, Mapping[str, Verdict]] | None = None
    judge: TaskJudgeInfo | None = None


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
    scored: int | None = None,
) -> list[MetricResult]:
    """Metric records with point values and percentile intervals; over zero scored items
    (`scored` 0) every value is null, whatever an official formula's offset would give."""
    out = []
    for spec in metrics:
        value = values[spec.name]
        finite = float(value) if np.isfinite(value) and scored != 0 else None
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


def score_samples(
    inputs: TaskInputs,
    samples: Sequence[Sample[Any]],
    responses: Mapping[str, Mapping[str, Response]],
) -> tuple[list[ItemScore], list[SampleRecord]]:
    """Each sample's item score and record; a sample with no responses was never answered
    (`score` with a predictions file lacking it) and is a failure, never a score."""
    task, protocol = inputs.task, inputs.protocol
    items: list[ItemScore] = []
    records: list[SampleRecord] = []
    for sample in samples:
        by_role = responses.get(sample.id)
        if by_role is None:
            item = ItemScore(
                sample_id=sample.id,
                status="missing",
                reason="no answer for this id in the predictions",
                cluster=sample.cluster,
            )
            items.append(item)
            records.append(_record(task, sample, {}, item))
            continue
        verdicts = (inputs.verdicts or {}).get(sample.id, {}) if protocol.judged else {}
        item = task.score(Evidence(sample, by_role, verdicts), protocol)
        items.append(item)
        judged = _judgements(by_role, verdicts) if protocol.judged else (None, {})
        records.append(_record(task, sample, by_role, item, judged))
    return items, records


def evaluate_task(
    inputs: TaskInputs,
    samples: Sequence[Sample[Any]],
    responses: Mapping[str, Mapping[str, Response]],
    config: BootstrapConfig,
) -> TaskEvaluation:
    """Score each sample's responses (by sample id and role) and aggregate with intervals."""
    task, protocol = inputs.task, inputs.protocol
    items, records = score_samples(inputs, samples, responses)
    seeded = task_seed(config, task.name)
    resamples = metric_resamples(task.metrics, items, seeded)
    unit = "image" if any(s.cluster for s in samples) else "item"
    failures = FailureCounts(
        unparseable=sum(i.status == "unparseable" for i in items),
        error=sum(i.status == "error" for i in items),
        missing=sum(i.status == "missing" for i in items),
    )
    result = TaskResult(
        task=task.name,
        task_version=task.version,
        family=task.family,
        protocol=ProtocolInfo(
            name=protocol.name,
            description=protocol.description,
            official=protocol.official,
            components=protocol.components,
            samples=protocol.samples,
            asks=protocol.asks,
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
        metrics=_with_note(
            metric_results(
                task.metrics,
                evaluate(task.metrics, items),
                resamples,
                seeded,
                unit,
                scored=len(items) - failures.total,
            ),
            inputs.judge,
        ),
        judge=inputs.judge,
    )
    return TaskEvaluation(result, records, resamples)


def task_passed(result: TaskResult, max_failure_rate: float) -> bool:
    """Failure rate within the threshold, and the judge's within its own threshold."""
    judge = result.judge
    judge_ok = judge is None or judge.failure_rate <= judge.max_failure_rate
    return result.failure_rate <= max_failure_rate and judge_ok


def _with_note(metrics: list[MetricResult], judge: TaskJudgeInfo | None) -> list[MetricResult]:
    if judge is None or judge.official:
        return metrics
    return [m.model_copy(update={"note": judge.note}) for m in metrics]


def _judgement(verdict: Verdict | None) -> Judgement:
    """One judge call's outcome as recorded in samples.jsonl."""
    if verdict is None or verdict.status == "not_judged":
        return Judgement(status="error", reason="not judged (judge budget reached or no judge)")
    reply = verdict.reply
    key = reply.key if reply is not None else None
    earlier = tuple(r.text for r in verdict.earlier)
    if verdict.status == "error":
        reason = reply.error if reply else verdict.reason
        return Judgement(status="error", reason=reason, key=key, earlier=earlier)
    text = reply.text if reply is not None else None
    if verdict.status == "unparseable":
        return Judgement(
            status="unparseable", reason=verdict.reason, text=text, key=key, earlier=earlier
        )
    return Judgement(status="ok", text=text, key=key, earlier=earlier)


def _judgements(
    responses: Mapping[str, Response], verdicts: Mapping[str, Verdict]
) -> tuple[Judgement | None, dict[str, Judgement]]:
    """The sample's "judge" call's judgement, and every other role's (pairwise orders,
    rotations, repeated runs)."""
    if any(r.error is not None for r in responses.values()):
        return None, {}  # nothing was judged: the answer already failed
    others = {role: _judgement(v) for role, v in verdicts.items() if role != JUDGE}
    if JUDGE in verdicts or not others:
        return _judgement(verdicts.get(JUDGE)), others
    return None, others


def _calls(responses: Mapping[str, Response]) -> dict[str, CallRecord]:
    """Calls beyond a plan's single "answer" generation, by role."""
    if set(responses) == {ANSWER} and not responses[ANSWER].choices:
        return {}
    return {role: CallRecord.of(response) for role, response in responses.items()}


def _record(
    task: TaskSpec[Any],
    sample: Sample[Any],
    responses: Mapping[str, Response],
    item: ItemScore,
    judged: tuple[Judgement | None, dict[str, Judgement]] = (None, {}),
) -> SampleRecord:
    response = responses.get(ANSWER)
    answered = response is not None and response.error is None
    return SampleRecord(
        task=task.name,
        id=sample.id,
        prompt=task.render_prompt(sample),
        target=sample.target,
        response=response.text if response is not None and answered else None,
        finish_reason=response.finish_reason if response is not None else None,
        parsed=item.parsed,
        status=item.status,
        reason=item.reason,
        scores=item.values,
        cluster=sample.cluster,
        key=response.key if response is not None else None,
        judgement=judged[0],
        judgements=judged[1],
        calls=_calls(responses),
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
                note=_unofficial_note(group.tasks, members),
            )
        )
    metrics.extend(_combined(spec, members, config) for spec in group.combine)
    return GroupResult(group=group.name, tasks=list(group.tasks), metrics=metrics)


def _unofficial_note(tasks: Sequence[str], members: Mapping[str, TaskEvaluation]) -> str | None:
    """Why a group value is not comparable with published ones: a member scored unofficially
    (e.g. AMBER's offline protocol) or by a non-official judge."""
    parts = []
    for task in dict.fromkeys(tasks):
        result = members[task].result
        if not result.protocol.official:
            parts.append(f"{task} by the unofficial protocol '{result.protocol.name}'")
        elif result.judge is not None and not result.judge.official:
            parts.append(f"{task} judged by {result.judge.judge.label}")
    return f"from {'; '.join(parts)}" if parts else None


def _combined(
    spec: GroupMetric, members: Mapping[str, TaskEvaluation], config: BootstrapConfig
) -> MetricResult:
    """A custom group metric from member point values, its interval from member resamples."""
    parts = [members[task].result.metric(metric).value for task, metric in spec.inputs]
    value: float | None = None
    if all(p is not None for p in parts):
        with np.errstate(divide="ignore", invalid="ignore"):
            point = float(spec.fn([np.asarray(p, dtype=np.float64) for p in parts]))
        value = point if np.isfinite(point) else None
    with np.errstate(divide="ignore", invalid="ignore"):
        stacked = spec.fn([members[task].resamples[metric] for task, metric in spec.inputs])
    inputs = ", ".join(f"{task}.{metric}" for task, metric in spec.inputs)
    return MetricResult(
        name=spec.name,
        value=value,
        direction=spec.direction,
        scale=spec.scale,
        primary=spec.primary,
        ci=interval(np.asarray(stacked, dtype=np.float64), value, config, "per-task resamples"),
        description=spec.description or f"combination of {inputs}",
        note=_unofficial_note([task for task, _ in spec.inputs], members),
    )
