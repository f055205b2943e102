"""`validate`: results files checked against the published schema and for sound values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.errors import HarnessError, UsageError
from mmalign_eval.results import ConfidenceInterval
from mmalign_eval.validation import validate_results

from .stats.results_builders import metric, results, task_result


def _good() -> dict[str, Any]:
    scored = metric("f1", primary=True).model_copy(
        update={
            "ci": ConfidenceInterval(
                low=0.4, high=0.6, level=0.95, resamples=10, seed=0, resampling_unit="item"
            )
        }
    )
    document: dict[str, Any] = json.loads(
        results(task_result("pope", metrics=[scored])).model_dump_json()
    )
    return document


def _write(folder: Path, document: Any) -> Path:
    path = folder / "results.json"
    path.write_text(json.dumps(document))
    return path


def _set(document: dict[str, Any], where: str, value: Any) -> dict[str, Any]:
    node: Any = document
    *parents, last = where.split("/")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return document


def test_a_written_results_file_and_its_run_folder_are_valid(tmp_path: Path) -> None:
    path = _write(tmp_path, _good())
    assert validate_results(path).tasks[0].task == "pope"
    assert validate_results(tmp_path).run_id == "r"


@pytest.mark.parametrize(
    ("where", "value", "problem"),
    [
        ("tasks/0/metrics/0/value", "0.5", "tasks/0/metrics/0/value"),  # a string, not a number
        ("tasks/0/metrics/0/value", float("nan"), "is not a finite number"),
        ("tasks/0/metrics/0/ci/low", 0.9, "low 0.9 is above high 0.6"),
        ("schema_version", "7.3-garbage", "'7.3-garbage' is not one of"),
        ("tasks/0/n_samples", -1, "tasks/0/n_samples"),
        ("passed", "yes", "passed"),
    ],
)
def test_what_the_schema_forbids_is_refused(
    tmp_path: Path, where: str, value: Any, problem: str
) -> None:
    path = _write(tmp_path, _set(_good(), where, value))
    with pytest.raises(HarnessError, match="does not follow the results schema") as caught:
        validate_results(path)
    assert problem in caught.value.message


def test_a_folder_without_results_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"without results\.json"):
        validate_results(tmp_path)
