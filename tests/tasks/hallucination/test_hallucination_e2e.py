"""End-to-end: `mmalign-eval run` of coco_chair and hallusionbench on the tiny model, offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mmalign_eval.testing import run_cli


def test_run_chair_and_hallusionbench(cache_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "MMALIGN_EVAL_CACHE": str(cache_dir), "HF_HUB_OFFLINE": "1",
           "HF_DATASETS_OFFLINE": "1", "NO_COLOR": "1", "COLUMNS": "120"}  # fmt: skip
    args = ["run", "--model", "tiny", "--tasks", "coco_chair,hallusionbench", "--data",
            "synthetic", "--max-new-tokens", "8", "--output-dir", str(tmp_path),
            "--max-failure-rate", "1.0"]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "mmalign_eval.cli", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(next(tmp_path.glob("*/results.json")).read_text(encoding="utf-8"))
    tasks = {t["task"]: t for t in results["tasks"]}
    assert tasks["coco_chair"]["n_samples"] == 8
    assert tasks["coco_chair"]["data"]["kind"] == "synthetic"
    assert tasks["hallusionbench"]["n_samples"] == 24
    names = {m["name"] for m in tasks["hallusionbench"]["metrics"]}
    assert {"aacc", "facc", "qacc", "easy_aacc", "hard_aacc"} <= names
    # The tiny model babbles: under the default `rule` protocol its answers without a yes/no
    # reading are scored wrong (as officially), not failures, and unknown_rate counts them.
    hallusion = tasks["hallusionbench"]
    assert hallusion["protocol"]["name"] == "rule"
    assert hallusion["failures"]["unparseable"] == 0 and hallusion["n_scored"] == 24
    unknown = next(m for m in hallusion["metrics"] if m["name"] == "unknown_rate")
    assert unknown["value"] > 0 and unknown["direction"] == "lower" and not unknown["primary"]


SUITE_TASKS = {
    "pope_adversarial", "pope_popular", "pope_random", "amber_generative",
    "amber_discriminative", "amber_existence", "amber_attribute", "amber_relation",
    "coco_chair", "object_halbench", "mmhal_bench", "hallusionbench",
}  # fmt: skip


@pytest.mark.slow
def test_hallucination_suite_runs_offline_with_the_tiny_judge(
    cache_dir: Path, tmp_path: Path
) -> None:
    # The command, on small synthetic sets and short answers; coco_chair gets its
    # own size through a per-task --data value.
    done = run_cli(
        tmp_path, "run", "--model", "tiny", "--suite", "hallucination", "--data", "synthetic:2",
        "--data", "coco_chair=synthetic:3", "--judge", "tiny", "--max-new-tokens", "8",
        "--output-dir", "out", cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(next((tmp_path / "out").glob("*/results.json")).read_text())
    tasks = {t["task"]: t for t in results["tasks"]}
    assert set(tasks) == SUITE_TASKS
    assert {g["group"] for g in results["groups"]} == {"pope", "amber"}
    assert tasks["coco_chair"]["n_samples"] == 3
    assert tasks["amber_generative"]["protocol"]["name"] == "offline"
    # The AMBER score rests on that unofficial CHAIR: it says so.
    amber = next(g for g in results["groups"] if g["group"] == "amber")
    score = next(m for m in amber["metrics"] if m["name"] == "amber_score")
    assert "unofficial protocol 'offline'" in score["note"]
    assert "† amber: from amber_generative" in done.stdout
    for name in ("mmhal_bench", "object_halbench"):
        judge = tasks[name]["judge"]
        assert judge["judge"]["backend"] == "tiny" and judge["counts"]["error"] == 0
    # One summary row per benchmark and group: primary metric with direction and interval.
    table = done.stdout
    for name in [*SUITE_TASKS, "amber_score ↑", "mean_f1 ↑", "qacc ↑", "chair ↓"]:
        assert name in table, table
    assert "…" not in table, table  # nothing cut at 80 columns
