"""Planning a run: which tasks, which samples, which requests; recorded in the manifest."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import Field

from mmalign_eval.contracts import GenerationParams, Record, Sample
from mmalign_eval.engines.base import EngineConfig
from mmalign_eval.errors import UsageError
from mmalign_eval.judges.records import JudgeConfig
from mmalign_eval.plans import ModelCall
from mmalign_eval.protocols import Protocol
from mmalign_eval.registry import Registry
from mmalign_eval.stats.subsets import SubsetSpec, stratified_subset
from mmalign_eval.task import DataProvenance, DataRequest, TaskSpec


class GenerationOverrides(Record):
    """Decoding settings given on the command line; None keeps the task's default."""

    max_new_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)


class TaskOptions(Record):
    """Options given for one task (`--data TASK=...`), overriding the run-wide ones."""

    data: str | None = None
    image_dir: str | None = None
    protocol: str | None = None


class RunConfig(Record):
    """Everything `mmalign-eval run` was asked to do."""

    engine: EngineConfig
    tasks: tuple[str, ...]
    data: str | None = None  # run-wide: every task without its own `--data TASK=...`
    image_dir: str | None = None
    revision: str | None = None
    protocol: str | None = None  # run-wide: applies to the tasks that define it
    per_task: dict[str, TaskOptions] = Field(default_factory=dict)  # by task name (expanded)
    overrides: GenerationOverrides = GenerationOverrides()
    # K sampled generations per item for protocols that sample (--samples); None: each
    # protocol's official K.
    samples: int | None = Field(default=None, ge=1)
    limit: int | None = Field(default=None, ge=1)
    ids: tuple[str, ...] = ()
    subset: SubsetSpec | None = None  # a stratified smoke subset per task (--subset smoke)
    seed: int = 0
    bootstrap_resamples: int = Field(default=1000, ge=10)
    max_failure_rate: float = Field(default=0.05, ge=0.0, le=1.0)
    output_dir: str = "results"
    run_id: str | None = None
    cache_dir: str
    judge: JudgeConfig | None = None  # judged tasks only; holds the key's variable name, no key
    # Judges of single tasks (`--judge object_halbench=openai:gpt-3.5-turbo-0613`), by task.
    judges: dict[str, JudgeConfig] = Field(default_factory=dict)

    def judge_for(self, task: str) -> JudgeConfig | None:
        """The task's own judge, else the run-wide one."""
        return self.judges.get(task, self.judge)

    def options(self, task: str) -> TaskOptions:
        """The task's own options, its data and images falling back to the run-wide ones
        (the protocol does not: `resolve_protocols` decides where a run-wide one applies)."""
        own = self.per_task.get(task, TaskOptions())
        return TaskOptions(
            data=own.data if own.data is not None else self.data,
            image_dir=own.image_dir if own.image_dir is not None else self.image_dir,
            protocol=own.protocol,
        )


@dataclass(frozen=True)
class TaskPlan:
    """One task's selected samples, the calls each needs, and the settings behind them."""

    task: TaskSpec[Any]
    protocol: Protocol[Any, Any]
    generation: GenerationParams
    samples: list[Sample[Any]]
    calls: dict[str, tuple[ModelCall, ...]]  # by sample id, in plan order
    data: DataProvenance

    def all_calls(self) -> list[ModelCall]:
        """Every call of the task, samples in order."""
        return [call for sample in self.samples for call in self.calls[sample.id]]


def resolve_protocols(
    tasks: Sequence[TaskSpec[Any]], config: RunConfig
) -> dict[str, Protocol[Any, Any]]:
    """Each task's protocol: its own `--protocol TASK=NAME`, else the run-wide name where the
    task defines it, else the default (on synthetic data the task's synthetic protocol)."""
    shared = config.protocol
    if shared is not None and not any(shared in task.protocol_names for task in tasks):
        known = sorted({name for task in tasks for name in task.protocol_names})
        raise UsageError(
            f"no task of this run has a protocol '{shared}'",
            f"choose one of: {', '.join(known)} (or --protocol TASK=NAME for one task)",
        )
    out = {}
    for task in tasks:
        options = config.options(task.name)
        name = options.protocol
        if name is None and shared in task.protocol_names:
            name = shared
        out[task.name] = task.protocol(name, options.data)
    return _with_samples(out, config.samples)


def _with_samples(
    protocols: dict[str, Protocol[Any, Any]], samples: int | None
) -> dict[str, Protocol[Any, Any]]:
    """--samples K replaces the K of every protocol that samples; none sampling is an error."""
    if samples is None:
        return protocols
    if not any(p.samples is not None for p in protocols.values()):
        raise UsageError(
            f"--samples {samples}: no task of this run samples several answers per item",
            "drop the option (vl_rewardbench's official protocol samples 10 per item)",
        )
    return {
        name: replace(p, samples=samples) if p.samples is not None else p
        for name, p in protocols.items()
    }


def select(
    samples: list[Sample[Any]],
    limit: int | None,
    ids: Sequence[str],
    subset: SubsetSpec | None = None,
) -> list[Sample[Any]]:
    """Samples of the --subset, then picked by --ids (in the given order), capped by --limit."""
    if subset is not None:
        samples = stratified_subset(samples, subset)
    if ids:
        by_id = {s.id: s for s in samples}
        samples = [by_id[i] for i in ids if i in by_id]
    return samples[:limit] if limit is not None else samples


def check_ids(ids: Sequence[str], samples: Iterable[Sample[Any]]) -> None:
    """--ids that no task of the run has are a usage error, never silently dropped."""
    known = {s.id for s in samples}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UsageError(
            f"--ids names {len(unknown)} ids that no task of this run has "
            f"(e.g. {', '.join(unknown[:10])})",
            "ids are the benchmark's own question ids (see samples.jsonl of a run)",
        )


def check_requirements(protocols: Iterable[Protocol[Any, Any]]) -> None:
    """Every protocol's offline resources, checked before any data or model loads."""
    for protocol in protocols:
        if protocol.needs is not None:
            protocol.needs.check()


def data_request(config: RunConfig, task: str) -> DataRequest:
    """Where one task reads its data."""
    options = config.options(task)
    return DataRequest(
        source=options.data,
        image_dir=options.image_dir,
        revision=config.revision,
        cache_dir=config.cache_dir,
    )


def plan_tasks(config: RunConfig, registry: Registry) -> list[TaskPlan]:
    """Load each task's data and build its requests (before any model is loaded)."""
    tasks = [registry.tasks[name] for name in registry.expand(config.tasks)]
    unused = sorted({*config.per_task, *config.judges} - {task.name for task in tasks})
    if unused:
        raise UsageError(
            f"options given for {', '.join(unused)}, which this run does not include",
            "add the task to --tasks/--suite or drop its TASK=... option",
        )
    protocols = resolve_protocols(tasks, config)
    check_requirements(protocols.values())
    data = {task.name: task.loader(data_request(config, task.name)) for task in tasks}
    check_ids(config.ids, [s for loaded in data.values() for s in loaded.samples])
    plans = []
    for task in tasks:
        loaded = data[task.name]
        samples = select(loaded.samples, config.limit, config.ids, config.subset)
        if not samples:
            raise UsageError(
                f"no samples selected for {task.name}",
                "check --ids against the benchmark's ids" if config.ids else "the dataset is empty",
            )
        generation = task.generation.with_overrides(**config.overrides.model_dump())
        protocol = protocols[task.name]
        calls = {s.id: task.plan(s, generation, protocol) for s in samples}
        plans.append(TaskPlan(task, protocol, generation, samples, calls, loaded.provenance))
    return plans


def slug(text: str) -> str:
    """Filesystem-safe short name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:60] or "run"


def default_run_id(config: RunConfig, identity: str) -> str:
    """Readable, deterministic run id: rerunning the same command finds the same folder."""
    name = Path(config.engine.model.rstrip("/")).name
    return f"{slug(name)}__{slug('+'.join(config.tasks))}__{identity[:10]}"
