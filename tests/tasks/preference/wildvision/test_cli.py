"""WildVision-Bench through the command line: the tiny model with the tiny judge, and a
loopback judge with a position bias (both orders, cache reuse, the follow-up turn)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli
from mmalign_eval_tasks.preference.wildvision.judge import FOLLOW_UP

SIZE = 4
KEY_ENV = "MMALIGN_TEST_JUDGE_KEY"


def cli(cache_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    extra = {KEY_ENV: "sk-test", "NO_PROXY": "127.0.0.1,localhost"}
    done = run_cli(cwd, *args, cache_dir=cache_dir, columns=160, extra_env=extra)
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


def _run(cache_dir: Path, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli(
        cache_dir, cwd, "run", "--model", "tiny", "--tasks", "wildvision_bench",
        "--data", f"synthetic:{SIZE}", "--max-new-tokens", "8", "--output-dir", "out", *extra,
    )  # fmt: skip


def _api(server: Any) -> tuple[str, ...]:
    return (
        "--judge", "openai:gpt-4o", "--judge-base-url", server.base_url,
        "--judge-api-key-env", KEY_ENV, "--judge-retry-base", "0.01",
    )  # fmt: skip


def _task(cwd: Path, run_id: str) -> dict[str, Any]:
    results = json.loads((cwd / "out" / run_id / "results.json").read_text())
    (task,) = results["tasks"]
    return dict(task)


def _metrics(task: dict[str, Any]) -> dict[str, float]:
    return {m["name"]: m["value"] for m in task["metrics"]}


@pytest.mark.slow
def test_run_on_the_tiny_model_with_the_tiny_judge(cache_dir: Path, tmp_path: Path) -> None:
    _run(cache_dir, tmp_path, "--judge", "tiny", "--run-id", "r")
    task = _task(tmp_path, "r")
    assert task["protocol"]["name"] == "official" and task["n_scored"] == SIZE
    assert 0.0 <= _metrics(task)["score"] <= 100.0


@pytest.mark.slow
def test_position_bias_both_orders_and_cache_reuse(
    cache_dir: Path, tmp_path: Path, fake_judge: Any
) -> None:
    fake_judge.reply = lambda prompt: "Assistant A is better. [[A>B]]"  # always the first seat
    _run(cache_dir, tmp_path, *_api(fake_judge), "--run-id", "r")
    official_calls = fake_judge.calls
    assert official_calls == SIZE
    assert _metrics(_task(tmp_path, "r"))["reward"] == -50.0  # the baseline sits in A
    # Both orders in a new run folder beside it pay only for the swapped half: the official
    # half comes from the sibling folder's cache (and is copied into the new folder's).
    _run(cache_dir, tmp_path, *_api(fake_judge), "--run-id", "both", "--pairwise", "both")
    assert fake_judge.calls - official_calls == SIZE
    metrics = _metrics(_task(tmp_path, "both"))
    assert _task(tmp_path, "both")["protocol"]["name"] == "both"
    assert metrics["position_consistency"] == 0.0 and metrics["tie_rate"] == 1.0
    assert metrics["score"] == 50.0
    cached = (tmp_path / "out" / "both" / "judge_cache.jsonl").read_text().splitlines()
    assert len(cached) == 2 * SIZE
    # Both orders' judgements given with the answers score to the same numbers, no call.
    text = (tmp_path / "out" / "both" / "samples.jsonl").read_text()
    records = [json.loads(x) for x in text.splitlines()]
    lines = [
        {"id": r["id"], "answer": r["response"],
         "judgements": {"judge": r["judgement"]["text"], "BA": r["judgements"]["BA"]["text"]}}
        for r in records
    ]  # fmt: skip
    (tmp_path / "both.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    calls = fake_judge.calls
    (tmp_path / "elsewhere").mkdir()
    cli(cache_dir, tmp_path, "score", "wildvision_bench", "--predictions", "both.jsonl",
        "--data", f"synthetic:{SIZE}", "--protocol", "both", "--output", "both.json")  # fmt: skip
    (scored,) = json.loads((tmp_path / "both.json").read_text())["tasks"]
    assert _metrics(scored) == metrics and fake_judge.calls == calls
    # Only the official order given: the judge is asked for the swapped order alone.
    for line in lines:
        line["judgement"] = line.pop("judgements")["judge"]
    (tmp_path / "official.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    cli(cache_dir, tmp_path / "elsewhere", "score", "wildvision_bench", "--predictions",
        str(tmp_path / "official.jsonl"), "--data", f"synthetic:{SIZE}", "--protocol", "both",
        "--output", "half.json", *_api(fake_judge))  # fmt: skip
    assert fake_judge.calls - calls == SIZE
    # The first folder re-scored with both orders finds every call judged.
    before = fake_judge.calls
    _run(cache_dir, tmp_path, *_api(fake_judge), "--run-id", "r", "--protocol", "both")
    assert fake_judge.calls == before
    # Cold (another output folder), both orders cost twice a single-order run.
    elsewhere = tmp_path / "elsewhere"
    _run(cache_dir, elsewhere, *_api(fake_judge), "--run-id", "cold", "--pairwise", "both")
    assert fake_judge.calls - before == 2 * SIZE


@pytest.mark.slow
def test_a_reply_without_verdict_gets_one_follow_up(
    cache_dir: Path, tmp_path: Path, fake_judge: Any
) -> None:
    fake_judge.reply = lambda prompt: "[[B>>A]]" if prompt == FOLLOW_UP else "Let me think."
    _run(cache_dir, tmp_path, *_api(fake_judge), "--run-id", "r")
    assert fake_judge.calls == 2 * SIZE
    follow_ups = [b["messages"] for b in fake_judge.bodies if len(b["messages"]) == 4]
    assert len(follow_ups) == SIZE
    # The official system prompt, the prompt with the image, the judge's reply, the follow-up.
    assert [m["role"] for m in follow_ups[0]] == ["system", "user", "assistant", "user"]
    assert follow_ups[0][0]["content"].startswith("You are an impartial judge.")
    assert [part["type"] for part in follow_ups[0][1]["content"]] == ["text", "image_url"]
    assert follow_ups[0][2]["content"] == "Let me think."
    assert _metrics(_task(tmp_path, "r"))["much_better_rate"] == 1.0
    record = json.loads((tmp_path / "out" / "r" / "samples.jsonl").read_text().splitlines()[0])
    assert record["judgement"]["earlier"] == ["Let me think."]
