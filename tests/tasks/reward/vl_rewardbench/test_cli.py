"""VL-RewardBench through the command line: the tiny model as a sampled judge (K from
--samples), and the tiny reward model, for which the scalar protocol is picked by itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli
from mmalign_eval_tasks.reward.vl_rewardbench.plan import parse_role


def _run(cache_dir: Path, cwd: Path, model: str, *extra: str) -> tuple[dict[str, Any], list[Any]]:
    done = run_cli(
        cwd, "run", "--model", model, "--tasks", "vl_rewardbench", "--data", "synthetic:4",
        "--output-dir", "out", "--run-id", "r", *extra, cache_dir=cache_dir, columns=120,
    )  # fmt: skip
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    (task,) = json.loads((cwd / "out" / "r" / "results.json").read_text())["tasks"]
    lines = (cwd / "out" / "r" / "samples.jsonl").read_text().splitlines()
    return task, [json.loads(line) for line in lines]


@pytest.mark.slow
def test_tiny_judge_samples_k_replies(cache_dir: Path, tmp_path: Path) -> None:
    task, records = _run(cache_dir, tmp_path, "tiny", "--samples", "2", "--max-new-tokens", "8")
    assert (task["protocol"]["name"], task["protocol"]["samples"]) == ("official", 2)
    assert task["protocol"]["asks"] == "generate" and task["n_samples"] == 4
    metrics = {m["name"]: m["value"] for m in task["metrics"]}
    assert 0.0 <= metrics["unparsed_rate"] <= 1.0
    for record in records:
        roles = [parse_role(role) for role in record["calls"]]
        assert [r[0] for r in roles if r] == [0, 1] and len(roles) == 2
        assert record["parsed"]["orders"] == [r[1] for r in roles if r]


@pytest.mark.slow
def test_tiny_reward_model_is_scored_by_its_rewards(cache_dir: Path, tmp_path: Path) -> None:
    task, records = _run(cache_dir, tmp_path, "tiny-rm")
    assert (task["protocol"]["name"], task["protocol"]["asks"]) == ("scalar", "reward")
    assert task["failures"]["error"] == 0 and task["n_scored"] == 4
    for record in records:
        assert set(record["calls"]) == {"chosen", "rejected"}
        rewards = record["parsed"]
        assert record["scores"]["correct"] == float(rewards["chosen"] > rewards["rejected"])
