"""What a benchmark adapter declares: data, prompt, request plan, protocols, columns, metrics."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal

from typing_extensions import TypeVar

from mmalign_eval.columns import Columns, check_metrics
from mmalign_eval.contracts import GenerationParams, ItemScore, Record, Response, Sample
from mmalign_eval.errors import UsageError
from mmalign_eval.evidence import ANSWER, JUDGE, Evidence, failed_item, scored_item
from mmalign_eval.hashing import sha256_file, sha256_text
from mmalign_eval.judges.records import JudgeReply, JudgeTaskSpec
from mmalign_eval.metrics.base import Direction, FloatArray, MetricSpec, Scale
from mmalign_eval.plans import ModelCall, generate, rank_options, user_request
from mmalign_eval.predictions import Prediction, PredictionIds
from mmalign_eval.protocols import Protocol, Scorer, check_protocols, resolve_protocol

Info = TypeVar("Info", default=Any)


class DataRequest(Record):
    """Where a task should read its data from, as the user asked on the command line."""

    source: str | None = None  # None: the benchmark's default (usually a Hugging Face dataset)
    image_dir: str | None = None
    revision: str | None = None
    cache_dir: str
    need_media: bool = True  # scoring saved answers needs labels only, not the images
    # Only these ids are needed: a loader may skip the others (CHAIR's export covers all
    # 123,287 COCO images, `score` on 500 captions needs 500). None: every item.
    only_ids: tuple[str, ...] | None = None


class DataProvenance(Record):
    """Which data a run used: enough to tell two dataset versions apart."""

    kind: Literal["huggingface", "local", "official_files", "synthetic"]
    location: str
    revision: str | None = None
    sha256: str | None = None
    version_note: str | None = None
    num_items: int


def file_provenance(
    path: Path, num_items: int, kind: Literal["official_files", "local"], synthetic: str | None
) -> DataProvenance:
    """Provenance of a label file: its hash, and a note when it is synthetic stand-in data."""
    return DataProvenance(
        kind="synthetic" if synthetic else kind,
        location=str(path),
        sha256=sha256_file(path),
        version_note=synthetic,
        num_items=num_items,
    )


@dataclass(frozen=True)
class LoadedData(Generic[Info]):
    """A task's samples together with where they came from."""

    samples: list[Sample[Info]]
    provenance: DataProvenance


Planner = Callable[[Sample[Info], GenerationParams, Protocol[Info, Any]], tuple[ModelCall, ...]]


@dataclass(frozen=True)
class TaskSpec(Generic[Info]):
    """A registered benchmark task: data, prompt, plan, protocols, columns and metrics."""

    name: str
    family: str
    version: str
    description: str
    prompt_template: str  # formatted with the sample's question as {question}
    loader: Callable[[DataRequest], LoadedData[Info]]
    protocols: tuple[Protocol[Info, Any], ...]
    metrics: tuple[MetricSpec, ...]
    columns: Columns
    score_values: Scorer[Info, Any]  # (sample, read value) -> per-item column values
    generation: GenerationParams = field(default_factory=GenerationParams)
    # Judged protocols: how the judge is asked and its verdict parsed (judges/records.py).
    judge: JudgeTaskSpec | None = None
    # What the model is asked per sample; default: one generation of the rendered prompt
    # (or, under a log-likelihood protocol, the log-likelihood of each of `options`).
    planner: Planner[Info] | None = None
    options: Callable[[Sample[Info]], tuple[str, ...]] | None = None
    prediction_ids: PredictionIds = field(default_factory=PredictionIds)
    # The benchmark's own output formats for `score` (e.g. MMMU's output.json): a reader that
    # returns the predictions by sample id, or None when the file is not in its format (the
    # generic JSON Lines reader then reads it).
    prediction_reader: Callable[[Path], Mapping[str, Prediction] | None] | None = None
    # No fixed item list without its images (CHAIR: any COCO images): `score` then scores the
    # items the predictions name, instead of counting every other image as missing.
    open_item_set: bool = False

    def __post_init__(self) -> None:
        check_protocols(self.name, self.protocols)
        check_metrics(self.name, self.metrics, self.columns)
        if sum(m.primary for m in self.metrics) != 1:
            raise ValueError(f"task {self.name} must have exactly one primary metric")
        if self.judge is None and any(p.judged for p in self.protocols):
            raise ValueError(f"task {self.name} has a judged protocol but no judge")

    @property
    def default_protocol(self) -> str:
        """Name of the protocol used when none is named (on real data)."""
        return next(p.name for p in self.protocols if p.default)

    @property
    def official_protocol(self) -> str | None:
        """Name of the protocol that reproduces the official script, if one does."""
        return next((p.name for p in self.protocols if p.official), None)

    @property
    def judge_free_protocol(self) -> str | None:
        """Name of the first protocol that needs no judge, if the task has one."""
        return next((p.name for p in self.protocols if not p.judged), None)

    @property
    def protocol_names(self) -> tuple[str, ...]:
        """Every protocol's name, in declaration order."""
        return tuple(p.name for p in self.protocols)

    def uses_judge(self, protocol: str) -> bool:
        """Whether scoring with the named protocol needs the judge stage."""
        return any(p.name == protocol and p.judged for p in self.protocols)

    @property
    def prompt_hash(self) -> str:
        """Hash of the prompt template, recorded in the results."""
        return sha256_text(self.prompt_template)[:16]

    @property
    def primary_metric(self) -> str:
        """Name of the task's primary metric."""
        return next(spec.name for spec in self.metrics if spec.primary)

    def protocol(self, name: str | None, source: str | None = None) -> Protocol[Info, Any]:
        """The named protocol; unnamed, the synthetic default on synthetic data, else the
        default; an unknown name is a usage error."""
        return resolve_protocol(self.name, self.protocols, name, source)

    def render_prompt(self, sample: Sample[Info]) -> str:
        """The text the model sees for a sample."""
        return self.prompt_template.format(question=sample.question)

    def plan(
        self, sample: Sample[Info], generation: GenerationParams, protocol: Protocol[Info, Any]
    ) -> tuple[ModelCall, ...]:
        """The calls one sample needs from the evaluated model."""
        if self.planner is not None:
            return self.planner(sample, generation, protocol)
        request = user_request(sample.media, self.render_prompt(sample), generation)
        if protocol.asks == "loglikelihood":
            if self.options is None:
                raise UsageError(f"task {self.name} has no options to rank by log-likelihood")
            return (rank_options(request, self.options(sample)),)
        return (generate(request),)

    def score(self, evidence: Evidence[Info], protocol: Protocol[Info, Any]) -> ItemScore:
        """Per-item score; failed calls, missing judgements and unreadable answers are
        counted failures, never values."""
        sample = evidence.sample
        failure = evidence.failure(protocol.judged)
        if failure is not None:
            return failed_item(sample, *failure)
        reading = protocol.apply(evidence)
        if reading.value is None:
            return failed_item(sample, "unparseable", reading.reason)
        values = (protocol.score or self.score_values)(sample, reading.value)
        return scored_item(sample, reading.value, values, self.columns, reading.reason)

    def score_answer(
        self,
        sample: Sample[Info],
        response: Response,
        protocol: Protocol[Info, Any],
        reply: JudgeReply | None = None,
    ) -> ItemScore:
        """Score one sample of a single-answer task (with its judge reply when judged)."""
        verdicts = {}
        if protocol.judged:
            assert self.judge is not None
            verdicts = {JUDGE: self.judge.verdict(reply)}
        return self.score(Evidence(sample, {ANSWER: response}, verdicts), protocol)


@dataclass(frozen=True)
class GroupMetric:
    """A group metric combining named member metrics (e.g. AMBER score from CHAIR and F1).

    `fn` gets one array per input, in order: point values as 0-d arrays, or the members'
    bootstrap resamples, so the same function gives the value and its interval.
    """

    name: str
    inputs: tuple[tuple[str, str], ...]  # (task, metric) pairs
    fn: Callable[[Sequence[FloatArray]], FloatArray]
    direction: Direction
    scale: Scale = "score"
    primary: bool = False
    description: str = ""
    # fn is affine (a weighted sum of its inputs plus a constant): `compare` and `check` then
    # get its paired difference from its inputs' differences. A test checks every declared one.
    affine: bool = True


@dataclass(frozen=True)
class GroupSpec:
    """A named group of tasks reported together, with metrics averaged over its members."""

    name: str
    tasks: tuple[str, ...]
    mean_of: tuple[str, ...]  # member metrics whose unweighted mean the group reports
    description: str = ""
    combine: tuple[GroupMetric, ...] = ()  # custom combinations, reported after the means


@dataclass(frozen=True)
class SuiteSpec:
    """A named list of tasks and groups run together."""

    name: str
    members: tuple[str, ...]
    description: str = ""


Registrable = TaskSpec[Any] | GroupSpec | SuiteSpec
_R = TypeVar("_R", bound=Callable[[], object])
REGISTRATION_MARK = "__mmalign_eval_register__"


def register(factory: _R) -> _R:
    """Mark a zero-argument factory of a TaskSpec/GroupSpec/SuiteSpec for discovery.

    Marking has no side effect: the registry imports task modules and collects marked
    factories when it is built, so importing a module never mutates global state.
    """
    setattr(factory, REGISTRATION_MARK, True)
    return factory
