"""Paired comparison of two runs: align items by (task, id), resample the same clusters.

Both runs are resampled with the same cluster counts, so the interval of a difference
reflects only how the two models disagree, not the difficulty of the items they share.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError
from scipy.stats import binom

from mmalign_eval.contracts import Record
from mmalign_eval.errors import UsageError
from mmalign_eval.evaluation import task_seed
from mmalign_eval.metrics.base import ColumnTotals, FloatArray, MetricSpec
from mmalign_eval.metrics.bootstrap import BootstrapConfig, resample_sums
from mmalign_eval.results import ResultsFile, SampleRecord

BoolArray = npt.NDArray[np.bool_]
TestName = Literal["mcnemar-exact", "paired-bootstrap"]
_EXAMPLES = 10


@dataclass(frozen=True)
class RunRecords:
    """A results file with its per-item records."""

    source: Path
    results: ResultsFile
    samples: list[SampleRecord]


def load_run(path: Path) -> RunRecords:
    """Read a run or score folder (or its results.json) and the samples.jsonl beside it."""
    results_path = path / "results.json" if path.is_dir() else path
    samples_path = results_path.with_name("samples.jsonl")
    if not results_path.is_file():
        raise UsageError(f"no results.json at {path}", "pass a run folder or a results.json")
    if not samples_path.is_file():
        raise UsageError(
            f"{results_path} has no samples.jsonl beside it",
            "comparisons need the per-item records a run or `score` writes",
        )
    try:
        results = ResultsFile.model_validate_json(results_path.read_bytes())
        samples = [
            SampleRecord.model_validate_json(line)
            for line in samples_path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    except ValidationError as exc:
        raise UsageError(f"{path} is not a results folder: {exc.errors()[0]['msg']}") from exc
    return RunRecords(results_path.parent, results, samples)


@dataclass(frozen=True)
class TaskPair:
    """One task's items present in both runs, as aligned per-item score matrices."""

    task: str
    ids: tuple[str, ...]
    columns: tuple[str, ...]
    a: FloatArray  # items x columns; rows of failed items are zero (excluded from sums)
    b: FloatArray
    ok_a: BoolArray
    ok_b: BoolArray
    cluster: npt.NDArray[np.intp]  # cluster index of each item
    clustered: bool


class TaskMismatch(Record):
    """Items of one task found in only one of the two runs."""

    task: str
    matched: int
    only_in_a: int
    only_in_b: int
    only_in_a_examples: list[str]
    only_in_b_examples: list[str]


@dataclass(frozen=True)
class Alignment:
    """Aligned tasks plus what did not match."""

    pairs: dict[str, TaskPair]
    mismatches: list[TaskMismatch]
    tasks_only_in_a: list[str]
    tasks_only_in_b: list[str]


def _by_task(samples: Sequence[SampleRecord]) -> dict[str, dict[str, SampleRecord]]:
    out: dict[str, dict[str, SampleRecord]] = {}
    for record in samples:
        out.setdefault(record.task, {})[record.id] = record
    return out


def align(a: Sequence[SampleRecord], b: Sequence[SampleRecord]) -> Alignment:
    """Match items by (task, id); items and tasks on one side only are reported."""
    left, right = _by_task(a), _by_task(b)
    pairs: dict[str, TaskPair] = {}
    mismatches = []
    for task in (t for t in left if t in right):
        ids = [i for i in left[task] if i in right[task]]
        only_a = [i for i in left[task] if i not in right[task]]
        only_b = [i for i in right[task] if i not in left[task]]
        mismatches.append(
            TaskMismatch(
                task=task,
                matched=len(ids),
                only_in_a=len(only_a),
                only_in_b=len(only_b),
                only_in_a_examples=only_a[:_EXAMPLES],
                only_in_b_examples=only_b[:_EXAMPLES],
            )
        )
        if ids:
            pairs[task] = _pair(task, [left[task][i] for i in ids], [right[task][i] for i in ids])
    return Alignment(
        pairs,
        mismatches,
        [t for t in left if t not in right],
        [t for t in right if t not in left],
    )


def _pair(task: str, a: Sequence[SampleRecord], b: Sequence[SampleRecord]) -> TaskPair:
    columns = sorted({c for r in (*a, *b) if r.status == "ok" for c in r.scores})

    def matrix(records: Sequence[SampleRecord]) -> FloatArray:
        out = np.zeros((len(records), len(columns)), dtype=np.float64)
        for row, record in enumerate(records):
            if record.status == "ok":
                out[row] = [record.scores.get(c, 0.0) for c in columns]
        return out

    labels = [
        ra.cluster or rb.cluster or f"\0{i}" for i, (ra, rb) in enumerate(zip(a, b, strict=True))
    ]
    uniques, cluster = np.unique(np.array(labels, dtype=object), return_inverse=True)
    return TaskPair(
        task=task,
        ids=tuple(r.id for r in a),
        columns=tuple(columns),
        a=matrix(a),
        b=matrix(b),
        ok_a=np.array([r.status == "ok" for r in a], dtype=bool),
        ok_b=np.array([r.status == "ok" for r in b], dtype=bool),
        cluster=cluster.astype(np.intp),
        clustered=len(uniques) < len(labels),
    )


def _totals(matrix: FloatArray, columns: Sequence[str]) -> ColumnTotals:
    sums = matrix.sum(axis=0)
    return ColumnTotals({c: np.asarray(sums[i]) for i, c in enumerate(columns)})


def point_values(spec: MetricSpec, pair: TaskPair) -> tuple[float, float]:
    """The metric on each run's scored items."""
    return (
        float(spec.compute(_totals(pair.a, pair.columns))),
        float(spec.compute(_totals(pair.b, pair.columns))),
    )


def paired_resamples(
    metrics: Sequence[MetricSpec], pair: TaskPair, config: BootstrapConfig
) -> dict[str, FloatArray]:
    """Per metric, resamples of metric(B) - metric(A) with the same clusters drawn for both."""
    width = len(pair.columns)
    n_clusters = int(pair.cluster.max()) + 1 if pair.cluster.size else 0
    sums = np.zeros((n_clusters, 2 * width), dtype=np.float64)
    np.add.at(sums, pair.cluster, np.hstack([pair.a, pair.b]))
    totals = resample_sums(sums, task_seed(config, pair.task))
    shape = (config.resamples,)
    side_a = ColumnTotals({c: totals[:, i] for i, c in enumerate(pair.columns)}, shape)
    side_b = ColumnTotals({c: totals[:, width + i] for i, c in enumerate(pair.columns)}, shape)
    return {spec.name: spec.compute(side_b) - spec.compute(side_a) for spec in metrics}


def binary_outcomes(spec: MetricSpec, pair: TaskPair) -> tuple[BoolArray, BoolArray] | None:
    """Per-item 0/1 outcomes when the metric is their mean on both runs, else None.

    Detected from the data, not declared: the metric evaluated on each single item must be
    0 or 1 and the aggregate must equal the mean (accuracy, yes_ratio; not F1 or precision).
    Clustered items and differing failure sets are not independent pairs: None.
    """
    if pair.clustered or not np.array_equal(pair.ok_a, pair.ok_b) or not pair.ok_a.any():
        return None
    outcomes = []
    for matrix in (pair.a[pair.ok_a], pair.b[pair.ok_b]):
        per_item = ColumnTotals(
            {c: matrix[:, i] for i, c in enumerate(pair.columns)}, (matrix.shape[0],)
        )
        values = spec.compute(per_item)
        if not np.all((values == 0.0) | (values == 1.0)):
            return None
        aggregate = float(spec.compute(_totals(matrix, pair.columns)))
        if not math.isclose(aggregate, float(values.mean()), rel_tol=1e-9, abs_tol=1e-12):
            return None
        outcomes.append(values == 1.0)
    return outcomes[0], outcomes[1]


def mcnemar_exact(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar p-value: binomial test of the discordant pairs at 1/2."""
    n = a_only + b_only
    if n == 0:
        return 1.0
    return min(1.0, 2.0 * float(binom.cdf(min(a_only, b_only), n, 0.5)))


def bootstrap_pvalue(diff: float, resamples: FloatArray) -> float | None:
    """Two-sided p-value of a zero difference from the centred bootstrap distribution."""
    finite = resamples[np.isfinite(resamples)]
    if finite.size == 0 or not math.isfinite(diff):
        return None
    if diff == 0.0:
        return 1.0
    extreme = np.count_nonzero(np.abs(finite - diff) >= abs(diff) * (1 - 1e-12))
    return float((extreme + 1) / (finite.size + 1))


def cluster_count(pair: TaskPair) -> int:
    """Independent resampling units of a pair."""
    return int(pair.cluster.max()) + 1 if pair.cluster.size else 0


def group_mean(parts: Mapping[str, FloatArray]) -> FloatArray:
    """Unweighted mean of per-task resamples (how group metrics are formed)."""
    return np.asarray(np.mean(np.stack(list(parts.values())), axis=0), dtype=np.float64)
