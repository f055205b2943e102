"""A non-editable install ships the benchmark adapters and finds them without the repo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_non_editable_install_finds_tasks(tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(REPO)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    assert (target / "mmalign_eval_tasks" / "hallucination" / "pope.py").is_file()
    # The shipped leaderboard is package data too (found by `leaderboard show hallucination`).
    assert (target / "mmalign_eval_leaderboards" / "hallucination.json").is_file()
    assert (target / "mmalign_eval_tasks" / "hallucination" / "mmhal_bench_judge_v1.txt").is_file()
    probe = (
        "import mmalign_eval_tasks, mmalign_eval;"
        "from mmalign_eval.registry import build_registry;"
        "r = build_registry();"
        "print(mmalign_eval_tasks.__file__);"
        "print(mmalign_eval.__file__);"
        "print(','.join(sorted(r.tasks)))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, check=True, capture_output=True,
        text=True,
    ).stdout.splitlines()  # fmt: skip
    assert out[0].startswith(str(target)), "tasks must come from the installed copy"
    assert out[1].startswith(str(target))
    expected = {"mmhal_bench", "pope_adversarial", "pope_popular", "pope_random"}
    expected |= {f"amber_{k}" for k in ("generative", "discriminative", "existence", "attribute")}
    assert set(out[2].split(",")) >= expected | {"amber_relation"}
