"""End-to-end: the preference suite on the tiny model and the tiny judge, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli

SUITE_TASKS = {"llava_bench_wild", "mm_vet", "wildvision_bench", "mia_bench", "mm_alignbench"}
PAIRWISE = {"llava_bench_wild", "wildvision_bench", "mm_alignbench"}


def _suite(cwd: Path, cache_dir: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    done = run_cli(
        cwd, "run", "--model", "tiny", "--suite", "preference", "--data", "synthetic:4",
        "--judge", "tiny", "--max-new-tokens", "8", "--output-dir", "out", *extra,
        cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = (cwd / "out").glob("*/results.json") if not extra else [
        cwd / "out" / extra[extra.index("--run-id") + 1] / "results.json"
    ]  # fmt: skip
    results: dict[str, Any] = json.loads(path.read_text())
    assert {t["task"] for t in results["tasks"]} == SUITE_TASKS
    return done.returncode, results, done.stderr


def _stage(results: dict[str, Any]) -> tuple[int, int]:
    """The judge stage's (calls made, calls served from the cache), as every task records."""
    judge = results["tasks"][0]["judge"]
    return judge["calls"], judge["cached"]


@pytest.mark.slow
def test_preference_suite_with_the_tiny_judge_in_both_orders(
    cache_dir: Path, tmp_path: Path
) -> None:
    _, official, _ = _suite(tmp_path, cache_dir, "--run-id", "official")
    for task in official["tasks"]:
        assert task["judge"]["judge"]["backend"] == "tiny" and task["n_scored"] > 0
        assert task["protocol"]["name"] == "official"
    # --pairwise both switches the pairwise tasks only, and pays for the swapped orders only.
    _, both, _ = _suite(tmp_path, cache_dir, "--run-id", "both", "--pairwise", "both")
    names = {t["task"]: t["protocol"]["name"] for t in both["tasks"]}
    assert {t for t, name in names.items() if name == "both"} == PAIRWISE
    # Every official call is reused from the sibling folder; one new call per pairwise item.
    swapped = sum(t["n_samples"] for t in both["tasks"] if t["task"] in PAIRWISE)
    assert _stage(both) == (swapped, _stage(official)[0])
    for task in both["tasks"]:
        if task["task"] in PAIRWISE:
            assert "position_consistency" in {m["name"] for m in task["metrics"]}


def test_pairwise_both_without_a_pairwise_task_is_a_usage_error(
    cache_dir: Path, tmp_path: Path
) -> None:
    done = run_cli(
        tmp_path, "run", "--model", "tiny", "--tasks", "mm_vet", "--data", "synthetic",
        "--judge", "tiny", "--pairwise", "both", cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 2
    assert "no task in this run is judged in pairs" in done.stderr
