"""Multimodal RewardBench through the command line: the tiny model as a judge (the official
protocol), and the tiny reward model, for which the scalar protocol is picked by itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli

SIZE = 4


def _run(cache_dir: Path, cwd: Path, model: str, *extra: str) -> dict[str, Any]:
    done = run_cli(
        cwd, "run", "--model", model, "--tasks", "multimodal_rewardbench",
        "--data", f"synthetic:{SIZE}", "--output-dir", "out", "--run-id", "r", *extra,
        cache_dir=cache_dir, columns=160,
    )  # fmt: skip
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    (task,) = json.loads((cwd / "out" / "r" / "results.json").read_text())["tasks"]
    result: dict[str, Any] = task
    return result


def _metrics(task: dict[str, Any]) -> dict[str, float | None]:
    return {m["name"]: m["value"] for m in task["metrics"]}


@pytest.mark.slow
def test_the_tiny_model_as_a_judge(cache_dir: Path, tmp_path: Path) -> None:
    task = _run(cache_dir, tmp_path, "tiny", "--max-new-tokens", "8")
    assert task["protocol"]["name"] == "official" and task["protocol"]["asks"] == "generate"
    assert task["protocol"]["components"][0]["name"] == "judge_v1.txt"
    metrics = _metrics(task)
    # Eight random tokens hold no verdict: the official random pick decides, and is counted.
    assert metrics["fallback_rate"] == 1.0
    assert metrics["accuracy"] is not None and 0.0 <= metrics["accuracy"] <= 1.0
    assert task["failures"] == {"unparseable": 0, "error": 0, "missing": 0}


@pytest.mark.slow
def test_the_tiny_reward_model_gets_the_scalar_protocol(cache_dir: Path, tmp_path: Path) -> None:
    task = _run(cache_dir, tmp_path, "tiny-rm")
    assert task["protocol"]["name"] == "scalar" and task["protocol"]["asks"] == "reward"
    metrics = _metrics(task)
    assert metrics["accuracy"] is not None and metrics["fallback_rate"] == 0.0
    assert task["failures"] == {"unparseable": 0, "error": 0, "missing": 0}
    records = [json.loads(line) for line in (tmp_path / "out" / "r" / "samples.jsonl").open()]
    assert len(records) == SIZE
    for record in records:
        chosen, rejected = (
            record["calls"]["chosen"]["reward"],
            record["calls"]["rejected"]["reward"],
        )
        assert record["scores"]["correct"] == float(chosen > rejected)
