"""The leaderboard file schema (leaderboards/<name>.json), documented in leaderboards/README.md."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Annotated, Literal

from pydantic import Field, model_validator

from mmalign_eval.contracts import Record
from mmalign_eval.metrics.base import Direction, Scale

BOARD_SCHEMA_VERSION = "1.0"
Category = Literal["hallucination", "safety", "reasoning", "preference", "reward", "other"]
Mark = Literal["V", "S", "U"]


class Interval(Record):
    """A confidence interval in the metric's own scale."""

    low: float
    high: float
    level: float = Field(default=0.95, gt=0.0, lt=1.0)
    method: str = "percentile bootstrap"


class Metric(Record):
    """One number of an entry on a task, in the scale its source used."""

    name: str
    value: float | None = Field(description="null when undefined or not reported.")
    direction: Direction
    scale: Scale
    ci: Interval | None = None
    n: int | None = Field(
        default=None, ge=1, description="Items the value is a proportion over, when it is one."
    )
    note: str | None = None

    def percent(self) -> float | None:
        """The value on a common scale: fractions and percents as percent, scores unchanged."""
        if self.value is None:
            return None
        return self.value * 100.0 if self.scale == "fraction" else self.value

    def standard_error(self) -> float | None:
        """Standard error on the `percent()` scale, from the CI or a binomial n; None if unknown."""
        factor = 100.0 if self.scale == "fraction" else 1.0
        if self.ci is not None:
            z = NormalDist().inv_cdf(0.5 + self.ci.level / 2)
            return (self.ci.high - self.ci.low) * factor / (2 * z)
        if self.n is not None and self.value is not None and self.scale != "score":
            p = self.value if self.scale == "fraction" else self.value / 100.0
            if 0.0 <= p <= 1.0:
                return math.sqrt(p * (1.0 - p) / self.n) * 100.0
        return None


class TaskSettings(Record):
    """What must match for two numbers on a task to be compared; null means not stated."""

    protocol: str | None = Field(default=None, description="Answer parsing / scoring protocol.")
    judge: str | None = Field(
        default=None, description="Judge model and version; 'none' for unjudged tasks."
    )
    decoding: str | None = Field(default=None, description="Shown, not part of comparability.")
    dataset_version: str | None = None
    subset: str | None = Field(default=None, description="Which items: 'all', 'limit 50' ...")

    def comparability_key(self) -> tuple[str | None, ...]:
        """The fields the comparability check looks at (decoding is part of the method)."""
        return (self.protocol, self.judge, self.dataset_version, self.subset)

    def fully_stated(self) -> bool:
        """True when no comparability field is unknown."""
        return all(value is not None for value in self.comparability_key())

    def summary(self) -> str:
        """One line for tables and tooltips."""
        parts = [
            f"protocol: {self.protocol or '?'}",
            f"judge: {self.judge or '?'}",
            f"decoding: {self.decoding or '?'}",
            f"data: {self.dataset_version or '?'}",
            f"subset: {self.subset or '?'}",
        ]
        return "; ".join(parts)


class TaskEntry(Record):
    """An entry's numbers on one task, with the settings that produced them."""

    task: str
    settings: TaskSettings = TaskSettings()
    n: int | None = Field(default=None, ge=0, description="Items scored, when known.")
    metrics: list[Metric]

    def metric(self, name: str) -> Metric | None:
        """The named metric, or None."""
        return next((m for m in self.metrics if m.name == name), None)


class RunSource(Record):
    """An entry produced by this harness."""

    kind: Literal["run"] = "run"
    run_id: str
    manifest_sha256: str | None = Field(description="sha256 of manifest.json (null for `score`).")
    results_sha256: str
    harness_version: str
    created_at: str
    model_fingerprint: str | None = None


class PublicationSource(Record):
    """An entry transcribed from a paper, project page or README table."""

    kind: Literal["publication"] = "publication"
    title: str
    year: int | None = None
    table: str
    link: str | None = None
    mark: Mark = Field(description="V: primary source read; S: secondary summary; U: unverified.")
    footnote: str | None = Field(default=None, description="The row's footnote mark and meaning.")


class ImportSource(Record):
    """An entry imported from another harness's results file (e.g. lmms-eval)."""

    kind: Literal["import"] = "import"
    harness: str
    path: str
    sha256: str
    refused: list[str] = Field(
        default_factory=list, description="Metrics not imported, with the reason."
    )


Source = Annotated[RunSource | PublicationSource | ImportSource, Field(discriminator="kind")]


class Entry(Record):
    """One row: a model (a base model or a method applied to one) and its numbers."""

    id: str = Field(description="Unique within the board.")
    model: str
    base_model: str | None = Field(default=None, description="null for a base model.")
    method: str | None = Field(default=None, description="Alignment method; null for a base.")
    source: Source
    details: dict[str, str] = Field(
        default_factory=dict, description="Free facts, e.g. training data size, feedback source."
    )
    results: list[TaskEntry]

    def task(self, name: str) -> TaskEntry | None:
        """This entry's numbers on a task, or None."""
        return next((t for t in self.results if t.task == name), None)

    @property
    def label(self) -> str:
        """Row label: the model, plus the method when it is an aligned variant."""
        return self.model

    @property
    def source_label(self) -> str:
        """Short source description for tables."""
        source = self.source
        if isinstance(source, PublicationSource):
            mark = f" {source.footnote.split()[0]}" if source.footnote else ""
            return f"{source.title}{mark} [{source.mark}]"
        if isinstance(source, RunSource):
            return f"run {source.run_id}"
        return f"{source.harness} {source.path.rsplit('/', 1)[-1]}"


class Benchmark(Record):
    """A column of the board: a task, its category and the metric shown by default."""

    task: str
    title: str
    category: Category = "other"
    primary: str = Field(description="Metric shown in `show` and used for ranks by default.")
    description: str = ""


class Board(Record):
    """A leaderboard file."""

    schema_version: str = BOARD_SCHEMA_VERSION
    name: str
    description: str = ""
    benchmarks: list[Benchmark] = Field(default_factory=list)
    entries: list[Entry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Board:
        ids = [e.id for e in self.entries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate entry ids: {', '.join(duplicates)}")
        tasks = [b.task for b in self.benchmarks]
        if len(set(tasks)) != len(tasks):
            raise ValueError("duplicate benchmark tasks")
        return self

    def benchmark(self, task: str) -> Benchmark | None:
        """The column of a task, or None."""
        return next((b for b in self.benchmarks if b.task == task), None)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return next((e for e in self.entries if e.id == entry_id), None)
