"""Minimal results files for the comparability and gate tests."""

from __future__ import annotations

from typing import Any

from mmalign_eval.contracts import GenerationParams
from mmalign_eval.results import (
    FailureCounts,
    GroupResult,
    MetricResult,
    PromptInfo,
    ProtocolInfo,
    ResultsFile,
    TaskResult,
)
from mmalign_eval.task import DataProvenance


def metric(name: str, direction: str = "higher", primary: bool = False) -> MetricResult:
    """A metric with a value and no interval."""
    return MetricResult(
        name=name,
        value=0.5,
        direction=direction,  # type: ignore[arg-type]
        scale="fraction",
        primary=primary,
    )


def task_result(name: str, **changes: Any) -> TaskResult:
    """A POPE-like task result; keyword arguments replace its fields."""
    fields: dict[str, Any] = {
        "task": name,
        "task_version": "1",
        "family": "hallucination",
        "protocol": ProtocolInfo(name="official", description="d", official=True),
        "prompt": PromptInfo(template="{question}", sha256="p1"),
        "data": DataProvenance(
            kind="synthetic", location="/x/labels.json", sha256="d1", num_items=4
        ),
        "generation": GenerationParams(max_new_tokens=4),
        "n_samples": 4,
        "n_scored": 4,
        "failures": FailureCounts(),
        "failure_rate": 0.0,
        "metrics": [metric("f1", primary=True), metric("accuracy"), metric("yes_ratio", "neither")],
    }
    return TaskResult(**{**fields, **changes})


def results(*tasks: TaskResult, groups: tuple[GroupResult, ...] = ()) -> ResultsFile:
    """A results file of the given tasks and groups."""
    return ResultsFile(
        harness_version="0",
        created_at="now",
        run_id="r",
        kind="run",
        seed=0,
        max_failure_rate=0.05,
        tasks=list(tasks),
        groups=list(groups),
        passed=True,
    )
