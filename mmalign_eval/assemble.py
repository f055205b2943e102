"""From responses to results.json: scoring every planned task, groups, and the results file.

One builder for `run`, `score` and `judge RUN_DIR`, so the three write the same schema the
same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

from mmalign_eval import __version__
from mmalign_eval.contracts import Response
from mmalign_eval.engines.base import EngineInfo
from mmalign_eval.evaluation import (
    TaskEvaluation,
    TaskInputs,
    evaluate_group,
    evaluate_task,
    task_passed,
)
from mmalign_eval.judges.stage import TaskJudging
from mmalign_eval.metrics.bootstrap import BootstrapConfig
from mmalign_eval.plan import TaskPlan
from mmalign_eval.registry import Registry
from mmalign_eval.results import GroupResult, PredictionsSource, ResultsFile, ResultsKind

ByRole = Mapping[str, Response]


def now() -> str:
    """The current UTC time as results files record it."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def responses_by_task(
    plans: Sequence[TaskPlan], responses: Mapping[str, Response], namespace: str
) -> dict[str, dict[str, dict[str, Response]]]:
    """Each task's responses by sample id and plan role."""
    return {
        plan.task.name: {
            sample.id: {call.role: responses[call.key(namespace)] for call in plan.calls[sample.id]}
            for sample in plan.samples
        }
        for plan in plans
    }


def score_plans(
    plans: Sequence[TaskPlan],
    by_task: Mapping[str, Mapping[str, ByRole]],
    bootstrap: BootstrapConfig,
    judging: Mapping[str, TaskJudging],
) -> list[TaskEvaluation]:
    """Score every task (judged tasks with their verdicts)."""
    evaluations = []
    for plan in plans:
        judged = judging.get(plan.task.name)
        inputs = TaskInputs(
            plan.task,
            plan.protocol,
            plan.data,
            plan.generation,
            verdicts=judged.verdicts if judged else None,
            judge=judged.info if judged else None,
        )
        evaluations.append(evaluate_task(inputs, plan.samples, by_task[plan.task.name], bootstrap))
    return evaluations


def group_results(
    registry: Registry, evaluations: Sequence[TaskEvaluation], bootstrap: BootstrapConfig
) -> list[GroupResult]:
    """Every group whose tasks were all evaluated."""
    by_name = {e.result.task: e for e in evaluations}
    return [evaluate_group(g, by_name, bootstrap) for g in registry.groups_covered(by_name)]


def results_file(
    kind: ResultsKind,
    run_id: str,
    evaluations: Sequence[TaskEvaluation],
    groups: Sequence[GroupResult],
    seed: int,
    max_failure_rate: float,
    engine: EngineInfo | None = None,
    predictions: PredictionsSource | None = None,
) -> ResultsFile:
    """The results file of a run, a re-judged run or a scoring of external answers."""
    return ResultsFile(
        harness_version=__version__,
        created_at=now(),
        run_id=run_id,
        kind=kind,
        engine=engine,
        predictions=predictions,
        seed=seed,
        max_failure_rate=max_failure_rate,
        tasks=[e.result for e in evaluations],
        groups=list(groups),
        passed=all(task_passed(e.result, max_failure_rate) for e in evaluations),
    )
