"""Re-judge and re-score a finished run folder from its saved responses (no evaluated model)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from mmalign_eval import __version__
from mmalign_eval.contracts import Response
from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.evaluation import evaluate_group, task_passed
from mmalign_eval.journal import Journal
from mmalign_eval.judges.records import JudgeConfig
from mmalign_eval.judges.stage import judge_run
from mmalign_eval.metrics.bootstrap import BootstrapConfig
from mmalign_eval.paths import default_cache_dir
from mmalign_eval.plan import TaskPlan, plan_tasks
from mmalign_eval.registry import build_registry
from mmalign_eval.results import ResultsFile, write_json, write_jsonl
from mmalign_eval.runner import RunManifest, _now, score_plans


def saved_responses(run_dir: Path, plans: Sequence[TaskPlan]) -> dict[str, dict[str, Response]]:
    """Each task's responses by sample id, via the sample records' keys and the journal."""
    keys: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for line in (run_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        keys[(row["task"], row["id"])] = (row.get("key"), row.get("reason"))
    out: dict[str, dict[str, Response]] = {}
    with Journal(run_dir / "journal.jsonl") as journal:
        for plan in plans:
            by_id: dict[str, Response] = {}
            for sample in plan.samples:
                key, reason = keys.get((plan.task.name, sample.id), (None, None))
                stored = journal.get(key) if key else None
                by_id[sample.id] = stored or Response(
                    key=key or f"missing:{sample.id}",
                    text="",
                    finish_reason="error",
                    error=f"no saved response ({reason or 'not in the journal'})",
                )
            out[plan.task.name] = by_id
    return out


def rejudge_run(run_dir: Path, judge: JudgeConfig | None, console: Console) -> ResultsFile:
    """Judge what is not in the judge cache, re-score every task, rewrite the results."""
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
    by_task = saved_responses(run_dir, plans)
    judging = judge_run(plans, by_task, config.judge_for, cache, run_dir, console)
    bootstrap = BootstrapConfig(resamples=config.bootstrap_resamples, seed=config.seed)
    evaluations = score_plans(plans, by_task, bootstrap, judging)
    by_name = {e.result.task: e for e in evaluations}
    groups = [
        evaluate_group(g, by_name, bootstrap)
        for g in registry.groups_covered(p.task.name for p in plans)
    ]
    results = ResultsFile(
        harness_version=__version__,
        created_at=_now(),
        run_id=manifest.run_id,
        kind="run",
        engine=manifest.engine,
        seed=config.seed,
        max_failure_rate=config.max_failure_rate,
        tasks=[e.result for e in evaluations],
        groups=groups,
        passed=all(task_passed(e.result, config.max_failure_rate) for e in evaluations),
    )
    write_json(run_dir / "manifest.json", manifest.model_copy(update={"config": config}))
    write_jsonl(run_dir / "samples.jsonl", (r for e in evaluations for r in e.records))
    write_json(run_dir / "results.json", results)
    return results
