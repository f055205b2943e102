"""Re-judge and re-score a finished run folder from its saved responses (no evaluated model)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from mmalign_eval.assemble import group_results, results_file, score_plans
from mmalign_eval.contracts import Response
from mmalign_eval.distributed import journal_files
from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.journal import Journal
from mmalign_eval.judges.records import JudgeConfig
from mmalign_eval.judges.stage import judge_run
from mmalign_eval.metrics.bootstrap import BootstrapConfig
from mmalign_eval.paths import default_cache_dir
from mmalign_eval.plan import TaskPlan, plan_tasks
from mmalign_eval.plans import ModelCall
from mmalign_eval.registry import build_registry
from mmalign_eval.results import ResultsFile, write_json, write_jsonl
from mmalign_eval.runner import RunManifest

ByTask = dict[str, dict[str, dict[str, Response]]]


def _recorded_keys(run_dir: Path) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """Each sample's answer key and failure reason as samples.jsonl recorded them."""
    keys: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for line in (run_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        keys[(row["task"], row["id"])] = (row.get("key"), row.get("reason"))
    return keys


def saved_responses(run_dir: Path, plans: Sequence[TaskPlan], namespace: str | None) -> ByTask:
    """Each task's responses by sample id and role, from the journal.

    Keys are recomputed from the plan and the run's response namespace; runs that predate
    the namespace in the manifest are found through the keys samples.jsonl recorded.
    """
    recorded = _recorded_keys(run_dir) if namespace is None else {}
    out: ByTask = {}
    files = journal_files(run_dir) or [run_dir / "journal.jsonl"]  # data-parallel: one per rank
    with Journal(files[0], also=files) as journal:
        for plan in plans:
            by_id: dict[str, dict[str, Response]] = {}
            for sample in plan.samples:
                by_id[sample.id] = {
                    call.role: _saved(journal, call, namespace, recorded, plan.task.name, sample.id)
                    for call in plan.calls[sample.id]
                }
            out[plan.task.name] = by_id
    return out


def _saved(
    journal: Journal,
    call: ModelCall,
    namespace: str | None,
    recorded: dict[tuple[str, str], tuple[str | None, str | None]],
    task: str,
    sample_id: str,
) -> Response:
    reason = None
    if namespace is not None:
        key: str | None = call.key(namespace)
    else:
        key, reason = recorded.get((task, sample_id), (None, None))
    stored = journal.get(key) if key else None
    return stored or Response(
        key=key or f"missing:{sample_id}",
        text="",
        finish_reason="error",
        error=f"no saved response ({reason or 'not in the journal'})",
    )


FAILED_SUFFIX = ".judge-failed"


@dataclass(frozen=True)
class Rejudged:
    """New results, and whether they replaced the run's (a failed judge stage does not)."""

    results: ResultsFile
    written: Path


def judge_failed(results: ResultsFile) -> bool:
    """Whether a judge stage failed: a task's judge failures above its threshold."""
    return any(
        t.judge is not None and t.judge.failure_rate > t.judge.max_failure_rate
        for t in results.tasks
    )


def rejudge_run(run_dir: Path, judge: JudgeConfig | None, console: Console) -> Rejudged:
    """Judge what is not in the judge cache, re-score every task, rewrite the results.

    When the judge stage fails (its failures above the threshold) and the run already has
    results, those stay, with the run's recorded judge: the new ones are written beside them
    (results.judge-failed.json, samples.judge-failed.jsonl) for inspection.
    """
    try:
        manifest = RunManifest.model_validate_json((run_dir / "manifest.json").read_bytes())
    except ValueError as exc:
        raise DataError(f"cannot read {run_dir}/manifest.json: {exc}") from exc
    config = manifest.config
    if judge is None and config.judge is None and not config.judges:
        raise UsageError("the run was made without a judge", "pass --judge")
    cache = Path(config.cache_dir) if Path(config.cache_dir).is_dir() else default_cache_dir()
    config = config.model_copy(update={"cache_dir": str(cache)})
    if judge is not None:  # a judge given here replaces every judge of the run
        config = config.model_copy(update={"judge": judge, "judges": {}})
    registry = build_registry()
    plans = plan_tasks(config, registry)
    by_task = saved_responses(run_dir, plans, manifest.engine.response_namespace)
    judging = judge_run(plans, by_task, config.judge_for, cache, run_dir, console)
    bootstrap = BootstrapConfig(resamples=config.bootstrap_resamples, seed=config.seed)
    evaluations = score_plans(plans, by_task, bootstrap, judging)
    groups = group_results(registry, evaluations, bootstrap)
    results = results_file(
        "run", manifest.run_id, evaluations, groups, config.seed, config.max_failure_rate,
        manifest.engine,
    )  # fmt: skip
    records = [r for e in evaluations for r in e.records]
    if judge_failed(results) and (run_dir / "results.json").is_file():
        write_jsonl(run_dir / f"samples{FAILED_SUFFIX}.jsonl", records)
        written = run_dir / f"results{FAILED_SUFFIX}.json"
        write_json(written, results)
        return Rejudged(results, written)
    write_json(run_dir / "manifest.json", manifest.model_copy(update={"config": config}))
    write_jsonl(run_dir / "samples.jsonl", records)
    write_json(run_dir / "results.json", results)
    return Rejudged(results, run_dir / "results.json")
