"""End-to-end: `mmalign-eval run` of coco_chair and hallusionbench on the tiny model, offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


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
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(next(tmp_path.glob("*/results.json")).read_text(encoding="utf-8"))
    tasks = {t["task"]: t for t in results["tasks"]}
    assert tasks["coco_chair"]["n_samples"] == 8
    assert tasks["coco_chair"]["data"]["kind"] == "synthetic"
    assert tasks["hallusionbench"]["n_samples"] == 24
    names = {m["name"] for m in tasks["hallusionbench"]["metrics"]}
    assert {"aacc", "facc", "qacc", "easy_qacc", "hard_qacc"} <= names
    # The tiny model babbles: its unreadable yes/no answers are counted as failures.
    failures = tasks["hallusionbench"]["failures"]
    assert failures["unparseable"] + tasks["hallusionbench"]["n_scored"] == 24
