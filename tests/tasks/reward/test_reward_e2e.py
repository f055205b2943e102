"""End-to-end: the reward suite takes the path the model offers (scalar or generative)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli

SUITE = {"vl_rewardbench", "multimodal_rewardbench", "mm_rlhf_rewardbench"}


def _tasks(cwd: Path, cache_dir: Path, model: str, *extra: str) -> dict[str, dict[str, Any]]:
    done = run_cli(
        cwd, "run", "--model", model, "--suite", "reward", "--data", "synthetic:4",
        "--max-new-tokens", "8", "--output-dir", "out", *extra, cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(next((cwd / "out").glob("*/results.json")).read_text())
    return {t["task"]: t for t in results["tasks"]}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model", "asks", "protocols"),
    [
        ("tiny-rm", "reward", dict.fromkeys(SUITE, "scalar")),
        # --samples reaches VL-RewardBench's sampling protocol (on the scalar path no task
        # samples, and --samples there is a usage error).
        ("tiny", "generate", {"vl_rewardbench": "official", "multimodal_rewardbench": "official",
                              "mm_rlhf_rewardbench": "generative"}),
    ],
)  # fmt: skip
def test_the_suite_follows_the_model(
    cache_dir: Path, tmp_path: Path, model: str, asks: str, protocols: dict[str, str]
) -> None:
    tasks = _tasks(tmp_path, cache_dir, model, *(("--samples", "2") if asks == "generate" else ()))
    assert {name: t["protocol"]["name"] for name, t in tasks.items()} == protocols
    assert {t["protocol"]["asks"] for t in tasks.values()} == {asks}
    for task in tasks.values():
        assert task["failures"]["error"] == 0 and task["n_scored"] > 0
    samples = {name: t["protocol"]["samples"] for name, t in tasks.items()}
    assert samples["vl_rewardbench"] == (2 if asks == "generate" else None)
