"""MM-RLHF-RewardBench through the command line: the tiny reward model (scalar), the tiny chat
model as a judge (generative), the usage error for a chat model asked for rewards, and
`score` on the official output format."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli
from mmalign_eval_tasks.reward.mm_rlhf_rewardbench.synthetic import ensure_synthetic_rewardbench

SIZE = 4


def _run(cache_dir: Path, cwd: Path, model: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        cwd, "run", "--model", model, "--tasks", "mm_rlhf_rewardbench", "--data",
        f"synthetic:{SIZE}", "--output-dir", "out", *extra, cache_dir=cache_dir, columns=160,
    )  # fmt: skip


def _task(cwd: Path, run_id: str) -> dict[str, Any]:
    (task,) = json.loads((cwd / "out" / run_id / "results.json").read_text())["tasks"]
    return dict(task)


def _ok(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"


@pytest.mark.slow
def test_scalar_run_on_the_tiny_reward_model(cache_dir: Path, tmp_path: Path) -> None:
    _ok(_run(cache_dir, tmp_path, "tiny-rm", "--run-id", "rm"))
    task = _task(tmp_path, "rm")
    assert task["protocol"]["name"] == "scalar" and task["protocol"]["asks"] == "reward"
    assert task["n_scored"] == SIZE
    metrics = {m["name"]: m["value"] for m in task["metrics"]}
    assert 0.0 <= metrics["accuracy"] <= 1.0 and metrics["unparsed_rate"] == 0.0
    records = [json.loads(line) for line in (tmp_path / "out" / "rm" / "samples.jsonl").open()]
    assert all(r["parsed"]["rewards"] is not None for r in records)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["generative", "auto"])
def test_generative_on_the_tiny_chat_model(cache_dir: Path, tmp_path: Path, mode: str) -> None:
    # A chat model cannot give the scalar default's rewards: --reward-mode generative, and
    # auto for a model without a reward head, switch this task to its judge protocol.
    done = _run(cache_dir, tmp_path, "tiny", "--reward-mode", mode, "--max-new-tokens", "8",
                "--run-id", "gen")  # fmt: skip
    _ok(done)
    task = _task(tmp_path, "gen")
    assert task["protocol"]["name"] == "generative" and task["n_scored"] == SIZE
    kinds = [c["kind"] for c in task["protocol"]["components"]]
    assert kinds == ["pairwise prompt", "verdict parser"]


@pytest.mark.slow
@pytest.mark.parametrize("ask", [("--reward-mode", "scalar"),
                                 ("--protocol", "mm_rlhf_rewardbench=scalar")])  # fmt: skip
def test_scalar_on_a_chat_model_is_a_usage_error(
    cache_dir: Path, tmp_path: Path, ask: tuple[str, str]
) -> None:
    done = _run(cache_dir, tmp_path, "tiny", *ask)
    assert done.returncode == 2, done.stderr
    assert "cannot answer reward calls" in done.stderr
    assert not (tmp_path / "out").exists()  # refused before any model loads or folder appears


@pytest.mark.slow
def test_score_the_official_output(cache_dir: Path, tmp_path: Path) -> None:
    bench = ensure_synthetic_rewardbench(cache_dir / "data", SIZE)  # where the CLI finds it
    lines = (bench / "mm_reward_bench.jsonl").read_text(encoding="utf-8").splitlines()
    output = [{**json.loads(line), "rewards": [1.0, 0.0], "critic": []} for line in lines]
    path = tmp_path / "mm_reward_bench_result.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in output), encoding="utf-8")
    done = run_cli(tmp_path, "score", "mm_rlhf_rewardbench", "--predictions", path.name,
                   "--data", f"synthetic:{SIZE}", "--output", "scored/results.json",
                   cache_dir=cache_dir)  # fmt: skip
    _ok(done)
    (task,) = json.loads((tmp_path / "scored" / "results.json").read_text())["tasks"]
    metrics = {m["name"]: m["value"] for m in task["metrics"]}
    assert metrics["accuracy"] == 1.0 and metrics["acc_plus"] == 1.0
