"""End-to-end: the reasoning suite on the tiny model and the tiny judge, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmalign_eval.testing import run_cli

SUITE_TASKS = {"mmmu_val", "mathvista_testmini", "mmstar", "mme", "mmbench_en_dev"}
PRIMARY = {"mmmu_val": "accuracy", "mathvista_testmini": "accuracy", "mmstar": "accuracy",
           "mme": "perception", "mmbench_en_dev": "accuracy"}  # fmt: skip


@pytest.mark.slow
def test_reasoning_suite_runs_offline_with_the_tiny_judge(cache_dir: Path, tmp_path: Path) -> None:
    done = run_cli(
        tmp_path, "run", "--model", "tiny", "--suite", "reasoning", "--data", "synthetic",
        "--judge", "tiny", "--max-new-tokens", "8", "--output-dir", "out", cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(next((tmp_path / "out").glob("*/results.json")).read_text())
    tasks = {t["task"]: t for t in results["tasks"]}
    assert set(tasks) == SUITE_TASKS
    for name, task in tasks.items():
        primary = next(m for m in task["metrics"] if m["primary"])
        assert primary["name"] == PRIMARY[name] and task["n_scored"] > 0
    for name in ("mathvista_testmini", "mmbench_en_dev"):  # the judged ones
        judge = tasks[name]["judge"]
        assert judge["judge"]["backend"] == "tiny" and judge["counts"]["error"] == 0
    # Fallback credit is never silent: the rate sits beside accuracy where officials guess.
    for name in ("mmmu_val", "mathvista_testmini", "mmbench_en_dev"):
        assert "fallback_rate" in {m["name"] for m in tasks[name]["metrics"]}


def test_without_a_judge_the_error_names_the_judge_free_protocols(
    cache_dir: Path, tmp_path: Path
) -> None:
    done = run_cli(tmp_path, "run", "--model", "tiny", "--suite", "reasoning", "--data",
                   "synthetic", "--output-dir", "out", cache_dir=cache_dir)  # fmt: skip
    assert done.returncode == 2
    assert "mathvista_testmini, mmbench_en_dev are scored by a judge model" in done.stderr
    assert "--protocol mathvista_testmini=rule --protocol mmbench_en_dev=exact" in done.stderr
    assert not (tmp_path / "out").exists()
