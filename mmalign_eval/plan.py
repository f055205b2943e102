"""Planning a run: which tasks, which samples, which requests; recorded in the manifest."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from mmalign_eval.contracts import GenerationParams, Record, Request, Sample
from mmalign_eval.engines.base import EngineConfig
from mmalign_eval.errors import UsageError
from mmalign_eval.judges.records import JudgeConfig
from mmalign_eval.registry import Registry
from mmalign_eval.stats.subsets import SubsetSpec, stratified_subset
from mmalign_eval.task import DataProvenance, DataRequest, Protocol, TaskSpec


class GenerationOverrides(Record):
    """Decoding settings given on the command line; None keeps the task's default."""

    max_new_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)


class RunConfig(Record):
    """Everything `mmalign-eval run` was asked to do."""

    engine: EngineConfig
    tasks: tuple[str, ...]
    data: str | None = None
    image_dir: str | None = None
    revision: str | None = None
    protocol: str | None = None
    overrides: GenerationOverrides = GenerationOverrides()
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


@dataclass(frozen=True)
class TaskPlan:
    """One task's selected samples, their requests and the settings that produced them."""

    task: TaskSpec
    protocol: Protocol
    generation: GenerationParams
    samples: list[Sample]
    requests: list[Request]
    data: DataProvenance


def resolve_protocols(tasks: Sequence[TaskSpec], name: str | None) -> dict[str, Protocol]:
    """The protocol of each task; a named protocol must exist for every task."""
    return {task.name: task.protocol(name) for task in tasks}


def select(
    samples: list[Sample],
    limit: int | None,
    ids: Sequence[str],
    subset: SubsetSpec | None = None,
) -> list[Sample]:
    """Samples of the --subset, then picked by --ids (in the given order), capped by --limit."""
    if subset is not None:
        samples = stratified_subset(samples, subset)
    if ids:
        by_id = {s.id: s for s in samples}
        samples = [by_id[i] for i in ids if i in by_id]
    return samples[:limit] if limit is not None else samples


def check_requirements(tasks: Sequence[TaskSpec], request: DataRequest | None) -> None:
    """Every task's offline resources, checked before any data or model loads."""
    for task in tasks:
        if task.requires is not None:
            task.requires(request)


def plan_tasks(config: RunConfig, registry: Registry) -> list[TaskPlan]:
    """Load each task's data and build its requests (before any model is loaded)."""
    tasks = [registry.tasks[name] for name in registry.expand(config.tasks)]
    protocols = resolve_protocols(tasks, config.protocol)
    request = DataRequest(
        source=config.data,
        image_dir=config.image_dir,
        revision=config.revision,
        cache_dir=config.cache_dir,
    )
    check_requirements(tasks, request)
    plans = []
    for task in tasks:
        loaded = task.loader(request)
        samples = select(loaded.samples, config.limit, config.ids, config.subset)
        if not samples:
            raise UsageError(
                f"no samples selected for {task.name}",
                "check --ids against the benchmark's ids" if config.ids else "the dataset is empty",
            )
        generation = task.generation.with_overrides(**config.overrides.model_dump())
        requests = [task.build_request(s, generation) for s in samples]
        plans.append(
            TaskPlan(task, protocols[task.name], generation, samples, requests, loaded.provenance)
        )
    return plans


def slug(text: str) -> str:
    """Filesystem-safe short name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:60] or "run"


def default_run_id(config: RunConfig, identity: str) -> str:
    """Readable, deterministic run id: rerunning the same command finds the same folder."""
    name = Path(config.engine.model.rstrip("/")).name
    return f"{slug(name)}__{slug('+'.join(config.tasks))}__{identity[:10]}"
