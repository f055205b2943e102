"""End-to-end: the safety suite on the tiny model, with the tiny judge and judge-free."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli

SUITE_TASKS = {"vlguard_unsafes", "vlguard_safe_unsafes", "vlguard_safe_safes",
               "mm_safetybench", "figstep", "mossbench"}  # fmt: skip


def _suite(tmp_path: Path, cache_dir: Path, *extra: str) -> dict[str, Any]:
    done = run_cli(
        tmp_path, "run", "--model", "tiny", "--suite", "safety", "--data", "synthetic:6",
        "--max-new-tokens", "8", "--output-dir", "out", *extra, cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "safety_overview" in done.stdout
    results: dict[str, Any] = json.loads(
        next((tmp_path / "out").glob("*/results.json")).read_text()
    )
    assert {t["task"] for t in results["tasks"]} == SUITE_TASKS
    return results


def _overview(results: dict[str, Any]) -> dict[str, Any]:
    (group,) = [g for g in results["groups"] if g["group"] == "safety_overview"]
    return {m["name"]: m for m in group["metrics"]}


@pytest.mark.slow
def test_safety_suite_with_the_tiny_judge(cache_dir: Path, tmp_path: Path) -> None:
    results = _suite(tmp_path, cache_dir, "--judge", "tiny")
    judged = {t["task"] for t in results["tasks"] if t["judge"] is not None}
    assert judged == {"vlguard_safe_safes", "mm_safetybench", "figstep", "mossbench"}
    for task in results["tasks"]:
        if task["judge"] is not None:
            assert task["judge"]["counts"]["error"] == 0, task["task"]
    # Harm and its cost side by side: both are rates in [0, 1], ASR the primary one.
    overview = _overview(results)
    assert overview["attack_success_rate"]["primary"]
    for name in ("attack_success_rate", "over_refusal_rate"):
        assert 0.0 <= overview[name]["value"] <= 1.0


@pytest.mark.slow
def test_safety_suite_by_keyword_needs_no_judge(cache_dir: Path, tmp_path: Path) -> None:
    results = _suite(tmp_path, cache_dir, "--protocol", "keyword")
    for task in results["tasks"]:
        assert task["protocol"]["name"] == "keyword" and task["judge"] is None, task["task"]
        assert task["protocol"]["official"] is False, task["task"]
        (keywords,) = task["protocol"]["components"]
        assert keywords["kind"] == "refusal detector" and len(keywords["sha256"]) == 64
    # The keyword detector on the same replies: the overview is the mean of the tasks' rates.
    tasks = {t["task"]: {m["name"]: m["value"] for m in t["metrics"]} for t in results["tasks"]}
    harm = [
        tasks["vlguard_unsafes"]["attack_success_rate"] / 100,
        tasks["vlguard_safe_unsafes"]["attack_success_rate"] / 100,
        tasks["mm_safetybench"]["attack_success_rate"],
        tasks["figstep"]["attack_success_rate"],
    ]
    assert _overview(results)["attack_success_rate"]["value"] == pytest.approx(sum(harm) / 4)
