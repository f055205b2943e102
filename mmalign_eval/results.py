"""The versioned results schema (results.json), the run manifest and per-sample records.

Documented field by field in docs/results-schema.md; `mmalign-eval validate` checks a file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from mmalign_eval.contracts import (
    ChoiceScore,
    Component,
    GenerationParams,
    ItemStatus,
    ParsedValue,
    Record,
    Response,
)
from mmalign_eval.engines.base import EngineInfo
from mmalign_eval.judges.records import Judgement, TaskJudgeInfo
from mmalign_eval.metrics.base import Direction, Scale
from mmalign_eval.task import DataProvenance

# 1.1: optional judge fields (task judge, metric note, judgement); 1.2: missing answers are
# failures (status "missing", failures.missing, matching.outside_selection); 1.3: engines at
# scale (engine.note for remote weights, timings.world_size for data-parallel runs),
# protocol.components (named, versioned scoring components with their hashes); 1.4:
# protocol.samples (K sampled generations per item) and protocol.asks (generate,
# loglikelihood or reward: what the model was asked).
SCHEMA_VERSION = "1.4"


class ConfidenceInterval(Record):
    """A bootstrap interval around a metric value."""

    low: float
    high: float
    level: float
    method: str = "percentile bootstrap"
    resamples: int
    seed: int
    resampling_unit: str = Field(description="'item', or the cluster items share (e.g. 'image').")


class MetricResult(Record):
    """One aggregate of a task; value is null when undefined (e.g. precision with no positives)."""

    name: str
    value: float | None
    direction: Direction
    scale: Scale
    primary: bool
    ci: ConfidenceInterval | None = None
    description: str = ""
    note: str | None = Field(
        default=None, description="Caveat shown next to the value, e.g. a non-official judge."
    )


class FailureCounts(Record):
    """Items that were not scored, by cause."""

    unparseable: int = 0
    error: int = 0
    missing: int = Field(default=0, description="Items without any answer (`score`).")

    @property
    def total(self) -> int:
        """All failed items."""
        return self.unparseable + self.error + self.missing


class FailureExample(Record):
    """A failed item, for the report."""

    sample_id: str
    status: ItemStatus
    reason: str | None


class MatchReport(Record):
    """How external predictions matched the benchmark's ids (score command only)."""

    missing_predictions: int = Field(description="Selected benchmark ids without a prediction.")
    unmatched_predictions: int = Field(description="Predictions whose id the benchmark lacks.")
    missing_examples: list[str] = Field(default_factory=list)
    unmatched_examples: list[str] = Field(default_factory=list)
    outside_selection: int = Field(
        default=0, description="Predictions of benchmark ids that --ids/--limit left out."
    )


class PromptInfo(Record):
    """The prompt template and its hash."""

    template: str
    sha256: str


class ProtocolInfo(Record):
    """Which answer protocol produced the numbers."""

    name: str
    description: str
    official: bool
    components: tuple[Component, ...] = Field(
        default=(), description="Named, versioned scoring components (e.g. a refusal detector)."
    )
    samples: int | None = Field(
        default=None, description="Sampled generations per item (protocols that sample K)."
    )
    asks: str = Field(
        default="generate",
        description="What the model was asked: generate, loglikelihood or reward (scalar).",
    )


class TaskResult(Record):
    """Everything reported for one task."""

    task: str
    task_version: str
    family: str
    protocol: ProtocolInfo
    prompt: PromptInfo
    data: DataProvenance
    generation: GenerationParams | None
    n_samples: int = Field(
        ge=0, description="Items evaluated (after --limit/--ids and id matching)."
    )
    n_scored: int = Field(ge=0, description="Items that count towards the metrics.")
    failures: FailureCounts
    failure_rate: float
    failure_examples: list[FailureExample] = Field(default_factory=list)
    matching: MatchReport | None = None
    metrics: list[MetricResult]
    judge: TaskJudgeInfo | None = Field(
        default=None, description="Judged tasks only: judge identity, template and outcomes."
    )

    def metric(self, name: str) -> MetricResult:
        """The named metric."""
        return next(m for m in self.metrics if m.name == name)


class GroupResult(Record):
    """Unweighted means of member-task metrics."""

    group: str
    tasks: list[str]
    metrics: list[MetricResult]


class PredictionsSource(Record):
    """Answers produced elsewhere and scored with `mmalign-eval score`."""

    path: str
    sha256: str


ResultsKind = Literal["run", "score"]


class ResultsFile(Record):
    """results.json: the numbers of a run or a scoring, with what produced them."""

    schema_version: str = SCHEMA_VERSION
    harness_version: str
    created_at: str
    run_id: str
    kind: ResultsKind
    engine: EngineInfo | None = None
    predictions: PredictionsSource | None = None
    seed: int
    max_failure_rate: float
    tasks: list[TaskResult]
    groups: list[GroupResult] = Field(default_factory=list)
    passed: bool = Field(description="False when a task's failure rate exceeded the threshold.")


class CallRecord(Record):
    """One call of a sample's plan beyond a single generation, as recorded."""

    key: str
    text: str | None
    finish_reason: str | None
    choices: list[ChoiceScore] = Field(default_factory=list)
    reward: float | None = None
    error: str | None = None

    @classmethod
    def of(cls, response: Response) -> CallRecord:
        """The record of one response."""
        return cls(
            key=response.key,
            text=response.text if response.error is None else None,
            finish_reason=response.finish_reason,
            choices=list(response.choices),
            reward=response.reward,
            error=response.error,
        )


class SampleRecord(Record):
    """One line of samples.jsonl."""

    task: str
    id: str
    prompt: str
    target: str
    response: str | None
    finish_reason: str | None
    parsed: ParsedValue = Field(
        description="The protocol's reading: a label, a number, a list (e.g. objects), ..."
    )
    status: ItemStatus
    reason: str | None = None
    scores: dict[str, float] = Field(default_factory=dict)
    cluster: str | None = None
    key: str | None = None
    judgement: Judgement | None = None
    judgements: dict[str, Judgement] = Field(
        default_factory=dict,
        description="Judge calls of other roles (both pairwise orders, rotations, repeated "
        "runs `<role>#<k>`), by role.",
    )
    calls: dict[str, CallRecord] = Field(
        default_factory=dict,
        description="Plans beyond one generation (K samples, both pairwise orders, option "
        "log-likelihoods): every call by role.",
    )


def write_json(path: Path, model: BaseModel) -> None:
    """Write a record as indented JSON atomically (temp file + rename)."""
    _atomic_write(path, model.model_dump_json(indent=2) + "\n")


def write_jsonl(path: Path, records: Iterable[BaseModel]) -> None:
    """Write records as JSON Lines atomically."""
    _atomic_write(path, "".join(r.model_dump_json() + "\n" for r in records))


def check_writable(folder: Path, option: str = "--output-dir") -> None:
    """Fail before any model loads when the output folder cannot take files (creating
    nothing: a run that stops early leaves no empty folders behind)."""
    from mmalign_eval.errors import OutputError, write_error

    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(existing))
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".write-check-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        known = write_error(exc)
        raise known or OutputError(
            f"cannot write to {folder}: {exc}", f"choose another {option}"
        ) from exc


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        # A full disk must not stay full of half-written copies.
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
