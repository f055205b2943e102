"""What a benchmark adapter declares: data loading, prompt, answer protocols and metrics."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from mmalign_eval.contracts import (
    GenerationParams,
    ImagePart,
    ItemScore,
    Message,
    Record,
    Request,
    Response,
    Sample,
    TextPart,
)
from mmalign_eval.errors import UsageError
from mmalign_eval.hashing import sha256_file, sha256_text
from mmalign_eval.judges.records import JudgeReply, JudgeTaskSpec
from mmalign_eval.metrics.base import Direction, FloatArray, MetricSpec, Scale
from mmalign_eval.sources import is_synthetic


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
class LoadedData:
    """A task's samples together with where they came from."""

    samples: list[Sample]
    provenance: DataProvenance


@dataclass(frozen=True)
class ParsedAnswer:
    """A protocol's reading of a response: a label, or None with the reason it failed."""

    label: str | None
    reason: str | None = None


Scorer = Callable[[Sample, ParsedAnswer], dict[str, float]]


@dataclass(frozen=True)
class Protocol:
    """A named way of turning a response into an answer (e.g. the official script's rule)."""

    name: str
    description: str
    parse: Callable[[str], ParsedAnswer]
    # Offline resources this protocol reads (NLTK data, word vectors), checked before any
    # model loads; raises a HarnessError (e.g. resources.ResourceError) with the fetch hint.
    requires: Callable[[], None] | None = None
    # Per-item scoring when it differs from the task's (e.g. exact instead of vector synonyms).
    item_values: Scorer | None = None


@dataclass(frozen=True)
class TaskSpec:
    """A registered benchmark task."""

    name: str
    family: str
    version: str
    description: str
    prompt_template: str  # formatted with the sample's question as {question}
    loader: Callable[[DataRequest], LoadedData]
    protocols: Mapping[str, Protocol]
    default_protocol: str
    metrics: tuple[MetricSpec, ...]
    item_values: Scorer
    generation: GenerationParams = field(default_factory=GenerationParams)
    # Judged tasks (MMHal-Bench, ...): protocols then parse the judge's text, not the response.
    judge: JudgeTaskSpec | None = None
    # The protocol that reproduces the official script, when it is not the default one.
    official_protocol: str | None = None
    # The protocol used on synthetic data when none is named: one that needs no downloaded
    # resources, so the offline demo completes (e.g. AMBER's offline noun matching).
    synthetic_protocol: str | None = None
    # The protocols that read the judge's text (None: all); the others score the response
    # itself and need no judge (e.g. Object HalBench's rule-based extraction).
    judge_protocols: frozenset[str] | None = None
    # No fixed item list without its images (CHAIR: any COCO images): `score` then scores the
    # items the predictions name, instead of counting every other image as missing.
    open_item_set: bool = False

    def uses_judge(self, protocol: str) -> bool:
        """Whether scoring with the named protocol needs the judge stage."""
        return self.judge is not None and (
            self.judge_protocols is None or protocol in self.judge_protocols
        )

    @property
    def prompt_hash(self) -> str:
        """Hash of the prompt template, recorded in the results."""
        return sha256_text(self.prompt_template)[:16]

    @property
    def primary_metric(self) -> str:
        """Name of the task's primary metric."""
        return next(spec.name for spec in self.metrics if spec.primary)

    def protocol(self, name: str | None) -> Protocol:
        """The named protocol, or the default one; unknown names are a usage error."""
        key = name or self.default_protocol
        if key not in self.protocols:
            known = ", ".join(sorted(self.protocols))
            raise UsageError(f"task {self.name} has no protocol '{key}'", f"choose one of: {known}")
        return self.protocols[key]

    def protocol_for(self, name: str | None, source: str | None) -> Protocol:
        """The named protocol; unnamed, the synthetic-data one on synthetic data, else default."""
        if name is None and self.synthetic_protocol is not None and is_synthetic(source):
            return self.protocols[self.synthetic_protocol]
        return self.protocol(name)

    def render_prompt(self, sample: Sample) -> str:
        """The text the model sees for a sample."""
        return self.prompt_template.format(question=sample.question)

    def build_request(self, sample: Sample, generation: GenerationParams) -> Request:
        """A single-turn chat request: the sample's images first, then the prompt text."""
        parts: list[ImagePart | TextPart] = [ImagePart(media=m) for m in sample.media]
        parts.append(TextPart(text=self.render_prompt(sample)))
        message = Message(role="user", content=tuple(parts))
        return Request(messages=(message,), generation=generation)

    def score(
        self,
        sample: Sample,
        response: Response,
        protocol: Protocol,
        judgement: JudgeReply | None = None,
    ) -> ItemScore:
        """Per-item score; engine errors and unparseable answers are failures, not zeros.

        A judged task parses the judge's reply; a missing or failed judgement is an error.
        """
        if response.error is not None:
            return ItemScore(
                sample_id=sample.id, status="error", reason=response.error, cluster=sample.cluster
            )
        text = response.text
        if self.uses_judge(protocol.name):
            if judgement is None or judgement.error is not None:
                reason = "not judged" if judgement is None else f"judge error: {judgement.error}"
                return ItemScore(
                    sample_id=sample.id, status="error", reason=reason, cluster=sample.cluster
                )
            text = judgement.text
        parsed = protocol.parse(text)
        if parsed.label is None:
            return ItemScore(
                sample_id=sample.id,
                status="unparseable",
                reason=parsed.reason,
                cluster=sample.cluster,
            )
        return ItemScore(
            sample_id=sample.id,
            status="ok",
            reason=parsed.reason,  # e.g. an unparseable judgement scored 0 by the official rule
            parsed=parsed.label,
            values=(protocol.item_values or self.item_values)(sample, parsed),
            cluster=sample.cluster,
        )


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


Registrable = TaskSpec | GroupSpec | SuiteSpec
_R = TypeVar("_R", bound=Callable[[], object])
REGISTRATION_MARK = "__mmalign_eval_register__"


def register(factory: _R) -> _R:
    """Mark a zero-argument factory of a TaskSpec/GroupSpec/SuiteSpec for discovery.

    Marking has no side effect: the registry imports task modules and collects marked
    factories when it is built, so importing a module never mutates global state.
    """
    setattr(factory, REGISTRATION_MARK, True)
    return factory
