"""`mmalign-eval run`: plan, generate through the journal, score, write the run folder."""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pydantic import Field
from rich.console import Console

from mmalign_eval import __version__
from mmalign_eval.contracts import Record, Request, Response
from mmalign_eval.engines.base import Engine, EngineInfo
from mmalign_eval.evaluation import (
    TaskEvaluation,
    TaskInputs,
    evaluate_group,
    evaluate_task,
    task_passed,
)
from mmalign_eval.hashing import stable_hash
from mmalign_eval.journal import Journal
from mmalign_eval.judges.stage import TaskJudging, judge_run
from mmalign_eval.metrics.bootstrap import BootstrapConfig
from mmalign_eval.plan import RunConfig, TaskPlan, default_run_id, plan_tasks
from mmalign_eval.progress import generation_progress
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
            "requests": [[r.key("") for r in p.requests] for p in plans],
        }
    )


def generate_all(
    engine: Engine, journal: Journal, requests: Sequence[Request], console: Console
) -> tuple[dict[str, Response], int]:
    """Responses for all requests by key: from the journal, else generated once per key."""
    namespace = engine.response_namespace
    unique: dict[str, Request] = {}
    for request in requests:
        unique.setdefault(request.key(namespace), request)
    pending = [r for k, r in unique.items() if k not in journal]
    errors: dict[str, Response] = {}
    with generation_progress(console, total=len(pending)) as advance:
        for batch in engine.generate(pending):
            journal.append(batch)
            errors.update((r.key, r) for r in batch if r.error is not None)
            advance(len(batch))
    out = {}
    for key in unique:
        stored = journal.get(key)
        out[key] = stored if stored is not None else errors[key]
    return out, len(pending)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run(
    config: RunConfig, registry: Registry, console: Console, load_engine: EngineLoader
) -> RunOutcome:
    """Evaluate a model on the configured tasks and write the run folder."""
    started = time.perf_counter()
    plans = plan_tasks(config, registry)
    data_done = time.perf_counter()
    engine = load_engine(config)
    model_done = time.perf_counter()
    run_id = config.run_id or default_run_id(config, run_identity(config, engine, plans))
    run_dir = Path(config.output_dir) / run_id
    console.print(f"[bold]run[/] {run_id}  ->  {run_dir}")
    all_requests = [r for p in plans for r in p.requests]
    with Journal(run_dir / "journal.jsonl") as journal:
        if len(journal):
            console.print(f"resuming: {len(journal)} responses already in the journal")
        # Counted before generating: requests sharing a key with another request of this run
        # (e.g. POPE questions common to several splits) are answered now, not by the journal.
        namespace = engine.response_namespace
        reused = sum(r.key(namespace) in journal for r in all_requests)
        responses, generated = generate_all(engine, journal, all_requests, console)
    gen_done = time.perf_counter()
    by_task = responses_by_task(plans, responses, engine.response_namespace)
    judging = judge_run(plans, by_task, config.judge_for, Path(config.cache_dir), run_dir, console)
    bootstrap = BootstrapConfig(resamples=config.bootstrap_resamples, seed=config.seed)
    evaluations = score_plans(plans, by_task, bootstrap, judging)
    groups = [
        evaluate_group(g, {e.result.task: e for e in evaluations}, bootstrap)
        for g in registry.groups_covered(p.task.name for p in plans)
    ]
    results = ResultsFile(
        harness_version=__version__,
        created_at=_now(),
        run_id=run_id,
        kind="run",
        engine=engine.info,
        seed=config.seed,
        max_failure_rate=config.max_failure_rate,
        tasks=[e.result for e in evaluations],
        groups=groups,
        passed=all(task_passed(e.result, config.max_failure_rate) for e in evaluations),
    )
    end = time.perf_counter()
    timings = Timings(
        data_s=data_done - started,
        model_s=model_done - data_done,
        generate_s=gen_done - model_done,
        score_s=end - gen_done,
        total_s=end - started,
        requests_total=len(all_requests),
        requests_generated=generated,
        requests_from_journal=reused,
        samples_per_s=generated / (gen_done - model_done) if generated else None,
    )
    _write(run_dir, config, engine.info, plans, evaluations, results, timings)
    return RunOutcome(results, run_dir, evaluations)


def responses_by_task(
    plans: Sequence[TaskPlan], responses: Mapping[str, Response], namespace: str
) -> dict[str, dict[str, Response]]:
    """Each task's responses by sample id."""
    return {
        plan.task.name: {
            s.id: responses[r.key(namespace)]
            for s, r in zip(plan.samples, plan.requests, strict=True)
        }
        for plan in plans
    }


def score_plans(
    plans: Sequence[TaskPlan],
    by_task: Mapping[str, Mapping[str, Response]],
    bootstrap: BootstrapConfig,
    judging: Mapping[str, TaskJudging],
) -> list[TaskEvaluation]:
    """Score every task (judged tasks with their judge replies)."""
    evaluations = []
    for plan in plans:
        judged = judging.get(plan.task.name)
        inputs = TaskInputs(
            plan.task,
            plan.protocol,
            plan.data,
            plan.generation,
            judge_replies=judged.replies if judged else None,
            judge=judged.info if judged else None,
        )
        evaluations.append(evaluate_task(inputs, plan.samples, by_task[plan.task.name], bootstrap))
    return evaluations


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
