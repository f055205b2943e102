"""Leaderboard entries from a harness run folder (results.json + manifest.json)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import ValidationError

from mmalign_eval.errors import HarnessError, UsageError
from mmalign_eval.leaderboard.schema import (
    Benchmark,
    Board,
    Category,
    Entry,
    Interval,
    Metric,
    RunSource,
    TaskEntry,
    TaskSettings,
)
from mmalign_eval.results import GroupResult, MetricResult, ResultsFile, TaskResult

_CATEGORIES: tuple[Category, ...] = ("hallucination", "safety", "reasoning", "preference", "reward")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_run(run: Path) -> tuple[ResultsFile, Path, Path | None]:
    """The results of a run folder (or a results.json path) and the manifest beside it."""
    results_path = run / "results.json" if run.is_dir() else run
    if not results_path.is_file():
        raise UsageError(f"no results.json in {run}", "pass a run folder written by `run`")
    try:
        results = ResultsFile.model_validate_json(results_path.read_bytes())
    except ValidationError as exc:
        raise HarnessError(f"{results_path} is not a valid results file:\n{exc}") from exc
    manifest = results_path.with_name("manifest.json")
    return results, results_path, manifest if manifest.is_file() else None


def _metric(result: MetricResult) -> Metric:
    ci = result.ci
    return Metric(
        name=result.name,
        value=result.value,
        direction=result.direction,
        scale=result.scale,
        ci=Interval(low=ci.low, high=ci.high, level=ci.level, method=ci.method) if ci else None,
        note=result.note,
    )


def _subset(manifest: dict[str, object]) -> str:
    """Which items the run covered: 'all', or the --limit / --ids that narrowed it."""
    config = manifest.get("config")
    if not isinstance(config, dict):
        return "all"
    if config.get("limit"):
        return f"limit {config['limit']}"
    if config.get("ids"):
        return f"ids {','.join(str(i) for i in config['ids'])}"
    return "all"


def task_settings(task: TaskResult, subset: str) -> TaskSettings:
    """The comparability settings a results.json states for one task."""
    data = task.data
    version = data.version_note or data.revision or (data.sha256 or "")[:16] or data.location
    gen = task.generation
    decoding = None
    if gen is not None:
        mode = f"sampling T={gen.temperature} top_p={gen.top_p}" if gen.do_sample else "greedy"
        decoding = f"{mode}, max_new_tokens={gen.max_new_tokens}"
    return TaskSettings(
        protocol=f"{task.protocol.name}{'' if task.protocol.official else ' (non-official)'}",
        judge=task.judge.judge.label if task.judge else "none",
        decoding=decoding,
        dataset_version=f"{data.kind}: {version}",
        subset=subset,
    )


def _group_entry(group: GroupResult, members: list[TaskEntry]) -> TaskEntry:
    # A group's settings are its members' when they agree; otherwise they are left unstated.
    keys = {m.settings for m in members}
    settings = next(iter(keys)) if len(keys) == 1 else TaskSettings()
    return TaskEntry(
        task=group.group, settings=settings, metrics=[_metric(m) for m in group.metrics]
    )


def entry_from_run(
    run: Path, *, entry_id: str | None, model: str | None, method: str | None, base: str | None
) -> tuple[Entry, list[Benchmark]]:
    """An entry for a run folder, and the benchmarks (columns) its tasks need."""
    results, results_path, manifest_path = read_run(run)
    manifest = json.loads(manifest_path.read_text()) if manifest_path else {}
    subset = _subset(manifest)
    tasks = [
        TaskEntry(
            task=t.task,
            settings=task_settings(t, subset),
            n=t.n_scored,
            metrics=[_metric(m) for m in t.metrics],
        )
        for t in results.tasks
    ]
    by_name = {t.task: t for t in tasks}
    groups = [
        _group_entry(g, [by_name[m] for m in g.tasks if m in by_name]) for g in results.groups
    ]
    engine = results.engine
    source = RunSource(
        run_id=results.run_id,
        manifest_sha256=_sha256(manifest_path) if manifest_path else None,
        results_sha256=_sha256(results_path),
        harness_version=results.harness_version,
        created_at=results.created_at,
        model_fingerprint=engine.model_fingerprint if engine else None,
    )
    name = model or (engine.model if engine else results.run_id)
    entry = Entry(
        id=entry_id or results.run_id,
        model=name,
        base_model=base,
        method=method,
        source=source,
        results=tasks + groups,
    )
    return entry, _benchmarks(results)


def _benchmarks(results: ResultsFile) -> list[Benchmark]:
    family = {t.task: t.family for t in results.tasks}
    named: list[tuple[str, str, list[MetricResult]]] = [
        (t.task, t.family, t.metrics) for t in results.tasks
    ]
    for group in results.groups:
        named.append((group.group, family.get(group.tasks[0], "other"), group.metrics))
    columns = []
    for task, fam, metrics in named:
        primary = next((m.name for m in metrics if m.primary), metrics[0].name)
        category: Category = next((c for c in _CATEGORIES if c == fam), "other")
        columns.append(Benchmark(task=task, title=task, category=category, primary=primary))
    return columns


def add_entry(board: Board, entry: Entry, benchmarks: list[Benchmark]) -> tuple[Board, bool]:
    """The board with the entry added (or replacing the one with its id) and new columns."""
    replaced = board.entry(entry.id) is not None
    entries = [e for e in board.entries if e.id != entry.id] + [entry]
    # The board's own column definitions win: a board may pick another primary metric.
    known = {b.task for b in board.benchmarks}
    columns = board.benchmarks + [b for b in benchmarks if b.task not in known]
    return board.model_copy(update={"entries": entries, "benchmarks": columns}), replaced
