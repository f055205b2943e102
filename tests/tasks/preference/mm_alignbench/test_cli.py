"""MM-AlignBench through the command line: the tiny model with the tiny judge, and a
loopback judge (VLMEvalKit's same-prompt retry, both orders after the official one)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli

SIZE = 6
KEY_ENV = "MMALIGN_TEST_JUDGE_KEY"


def _run(cache_dir: Path, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    done = run_cli(
        cwd, "run", "--model", "tiny", "--tasks", "mm_alignbench", "--data", f"synthetic:{SIZE}",
        "--max-new-tokens", "8", "--output-dir", "out", *extra, cache_dir=cache_dir,
        columns=160, extra_env={KEY_ENV: "sk-test", "NO_PROXY": "127.0.0.1,localhost"},
    )  # fmt: skip
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


def _api(server: Any) -> tuple[str, ...]:
    return (
        "--judge", "openai:gpt-4o", "--judge-base-url", server.base_url,
        "--judge-api-key-env", KEY_ENV, "--judge-retry-base", "0.01",
    )  # fmt: skip


def _metrics(cwd: Path, run_id: str) -> dict[str, float]:
    (task,) = json.loads((cwd / "out" / run_id / "results.json").read_text())["tasks"]
    return {m["name"]: m["value"] for m in task["metrics"]}


@pytest.mark.slow
def test_run_on_the_tiny_model_with_the_tiny_judge(cache_dir: Path, tmp_path: Path) -> None:
    _run(cache_dir, tmp_path, "--judge", "tiny", "--run-id", "r")
    metrics = _metrics(tmp_path, "r")
    assert -100.0 <= metrics["reward"] <= 100.0 and metrics["unparsed_rate"] == 0.0


@pytest.mark.slow
def test_retry_then_ties_and_both_orders(cache_dir: Path, tmp_path: Path, fake_judge: Any) -> None:
    fake_judge.reply = lambda prompt: "[[A>B]] or rather [[B>A]]"  # two verdicts: retried
    _run(cache_dir, tmp_path, *_api(fake_judge), "--run-id", "r")
    assert fake_judge.calls == 2 * SIZE  # the first call and VLMEvalKit's second
    metrics = _metrics(tmp_path, "r")
    assert metrics["unparsed_rate"] == 1.0 and metrics["reward"] == 0.0  # ties, recorded
    fake_judge.reply = lambda prompt: "[[B>A]]"  # a judge that always prefers assistant B
    before = fake_judge.calls
    # Another output folder: its run folder does not see the first one's judge cache.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run(cache_dir, elsewhere, *_api(fake_judge), "--run-id", "fresh")
    assert fake_judge.calls - before == SIZE
    _run(cache_dir, elsewhere, *_api(fake_judge), "--run-id", "fresh", "--protocol", "both")
    assert fake_judge.calls - before == 2 * SIZE  # the official half came from the cache
    both = _metrics(elsewhere, "fresh")
    assert both["position_consistency"] == 0.0 and both["reward"] == 0.0
