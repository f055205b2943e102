"""`mmalign-eval run`: plan, generate through the journal, score, write the run folder."""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field
from rich.console import Console

from mmalign_eval import __version__
from mmalign_eval.answering import Answered, RankTiming, answer_share
from mmalign_eval.assemble import group_results, responses_by_task, results_file, score_plans
from mmalign_eval.contracts import Record
from mmalign_eval.distributed import current_rank, finish
from mmalign_eval.engines.base import Engine, EngineInfo
from mmalign_eval.engines.registry import check_calls
from mmalign_eval.evaluation import TaskEvaluation
from mmalign_eval.hashing import stable_hash
from mmalign_eval.judges.stage import judge_run
from mmalign_eval.locks import exclusive
from mmalign_eval.metrics.bootstrap import BootstrapConfig
from mmalign_eval.plan import RunConfig, TaskPlan, default_run_id, plan_tasks
from mmalign_eval.registry import Registry
from mmalign_eval.results import ResultsFile, write_json, write_jsonl

EngineLoader = Callable[[RunConfig], Engine]


class Timings(Record):
    """Wall-clock seconds per stage and generation throughput."""

    data_s: float
    model_s: float
    generate_s: float
    score_s: float
    total_s: float
    requests_total: int
    requests_generated: int
    requests_from_journal: int
    samples_per_s: float | None
    world_size: int = Field(default=1, description="Data-parallel ranks (generated: rank 0's).")
    ranks: tuple[RankTiming, ...] = Field(
        default=(), description="Data-parallel runs: each rank's share, time and idle wait."
    )


class TaskManifest(Record):
    """What was asked of one task."""

    task: str
    task_version: str
    prompt_sha256: str
    protocol: str
    n_samples: int
    sample_ids_sha256: str


class RunManifest(Record):
    """manifest.json: how a run was produced (enough to reproduce it or gate against it)."""

    harness_version: str
    run_id: str
    created_at: str
    command: list[str]
    config: RunConfig
    engine: EngineInfo
    tasks: list[TaskManifest]
    timings: Timings
    environment: dict[str, str] = Field(default_factory=dict)


@dataclass
class RunOutcome:
    """The written results and where they are."""

    results: ResultsFile
    run_dir: Path
    evaluations: list[TaskEvaluation] = field(default_factory=list)


def run_identity(config: RunConfig, engine: Engine, plans: Sequence[TaskPlan]) -> str:
    """Hash of what decides the answers and scores; batch size and device do not count."""
    return stable_hash(
        {
            "responses": engine.response_namespace,
            "tasks": [(p.task.name, p.task.version, p.protocol.name) for p in plans],
            "data": [p.data.model_dump(mode="json") for p in plans],
            "requests": [[c.key("") for c in p.all_calls()] for p in plans],
        }
    )


@dataclass(frozen=True)
class _Prepared:
    """A run planned and its engine built, before anything is written."""

    config: RunConfig
    plans: Sequence[TaskPlan]
    engine: Engine
    run_id: str
    run_dir: Path
    marks: tuple[float, float, float]  # perf_counter at start, data done, engine built


def run_lock(run_dir: Path, rank: int) -> Path:
    """The lock a run (one per data-parallel rank) holds on its run folder."""
    return run_dir / f".lock.rank{rank}"


def run(
    config: RunConfig, registry: Registry, console: Console, load_engine: EngineLoader
) -> RunOutcome | None:
    """Evaluate a model on the configured tasks and write the run folder.

    In a data-parallel run every rank answers its share; rank 0 then judges, scores and
    writes, and the other ranks return None. A run holds its folder for its life: a second
    run of the same folder stops with a usage error naming the holder.
    """
    started = time.perf_counter()
    plans = plan_tasks(config, registry)
    needed: dict[str, list[str]] = {}
    for p in plans:
        for kind in dict.fromkeys(c.kind for c in p.all_calls()):
            needed.setdefault(kind, []).append(f"{p.task.name} ({p.protocol.name})")
    check_calls(config.engine.model, needed, engine=config.engine.engine)
    data_done = time.perf_counter()
    engine = load_engine(config)
    marks = (started, data_done, time.perf_counter())
    run_id = config.run_id or default_run_id(config, run_identity(config, engine, plans))
    run_dir = Path(config.output_dir) / run_id
    prepared = _Prepared(config, plans, engine, run_id, run_dir, marks)
    with exclusive(run_lock(run_dir, current_rank().rank), f"run folder {run_dir}"):
        return _evaluate(prepared, registry, console)


def _evaluate(prepared: _Prepared, registry: Registry, console: Console) -> RunOutcome | None:
    config, plans, engine, run_dir = (
        prepared.config,
        prepared.plans,
        prepared.engine,
        prepared.run_dir,
    )
    rank = current_rank()
    where = f" (rank {rank.rank} of {rank.world})" if rank.parallel else ""
    console.print(f"[bold]run[/] {prepared.run_id}  ->  {run_dir}{where}")
    all_calls = [c for p in plans for c in p.all_calls()]
    answered = answer_share(engine, all_calls, run_dir, rank, console)
    gen_done = time.perf_counter()
    if not rank.main:
        finish(rank)
        return None
    by_task = responses_by_task(plans, answered.responses, engine.response_namespace)
    judging = judge_run(plans, by_task, config.judge_for, Path(config.cache_dir), run_dir, console)
    bootstrap = BootstrapConfig(resamples=config.bootstrap_resamples, seed=config.seed)
    evaluations = score_plans(plans, by_task, bootstrap, judging)
    groups = group_results(registry, evaluations, bootstrap)
    results = results_file(
        "run", prepared.run_id, evaluations, groups, config.seed, config.max_failure_rate,
        engine.info,
    )  # fmt: skip
    timings = _timings(prepared.marks, gen_done, len(all_calls), answered, rank.world)
    _write(run_dir, config, engine.info, plans, evaluations, results, timings)
    finish(rank)
    return RunOutcome(results, run_dir, evaluations)


def _timings(
    marks: tuple[float, float, float], gen_done: float, total: int, answered: Answered, world: int
) -> Timings:
    started, data_done, model_done = marks
    end = time.perf_counter()
    generating = gen_done - model_done
    return Timings(
        data_s=data_done - started,
        model_s=model_done - data_done,
        generate_s=generating,
        score_s=end - gen_done,
        total_s=end - started,
        requests_total=total,
        requests_generated=answered.generated,
        requests_from_journal=answered.reused,
        samples_per_s=answered.generated / generating if answered.generated else None,
        world_size=world,
        ranks=answered.ranks,
    )


def _write(
    run_dir: Path,
    config: RunConfig,
    engine: EngineInfo,
    plans: Sequence[TaskPlan],
    evaluations: Sequence[TaskEvaluation],
    results: ResultsFile,
    timings: Timings,
) -> None:
    manifest = RunManifest(
        harness_version=__version__,
        run_id=results.run_id,
        created_at=results.created_at,
        command=sys.argv,
        config=config,
        engine=engine,
        tasks=[
            TaskManifest(
                task=p.task.name,
                task_version=p.task.version,
                prompt_sha256=p.task.prompt_hash,
                protocol=p.protocol.name,
                n_samples=len(p.samples),
                sample_ids_sha256=stable_hash([s.id for s in p.samples]),
            )
            for p in plans
        ],
        timings=timings,
        environment={"python": platform.python_version(), "platform": platform.platform()},
    )
    write_json(run_dir / "manifest.json", manifest)
    write_jsonl(run_dir / "samples.jsonl", (r for e in evaluations for r in e.records))
    write_json(run_dir / "results.json", results)
