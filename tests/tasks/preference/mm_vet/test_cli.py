"""MM-Vet through the `mmalign-eval` command: a run on the tiny model and judge, the score of
its saved answers and judgements, and a two-run API-judge run whose retries follow the
official rule and cost nothing the second time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import FakeJudgeServer, run_cli
from mmalign_eval_tasks.preference.mm_vet.grading import RETRY_SUFFIX

GEN = ("--model", "tiny", "--tasks", "mm_vet", "--data", "synthetic", "--max-new-tokens", "8")
KEY_ENV = "MMALIGN_TEST_MMVET_KEY"


def _task(folder: Path) -> tuple[Path, dict[str, Any], list[dict[str, Any]]]:
    (run_dir,) = [p for p in folder.iterdir() if p.is_dir()]
    (task,) = json.loads((run_dir / "results.json").read_text())["tasks"]
    records = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    return run_dir, task, records


def _metrics(task: dict[str, Any]) -> dict[str, Any]:
    return {m["name"]: m["value"] for m in task["metrics"]}


@pytest.mark.slow
def test_run_and_score_on_the_tiny_model_and_judge(cache_dir: Path, tmp_path: Path) -> None:
    done = run_cli(tmp_path, "run", *GEN, "--judge", "tiny", "--output-dir", "out",
                   cache_dir=cache_dir)  # fmt: skip
    assert done.returncode == 0, done.stderr
    _, task, records = _task(tmp_path / "out")
    assert task["protocol"]["name"] == "official" and task["n_samples"] == 8
    assert task["judge"]["calls"] == 8 and task["judge"]["official"] is False
    assert all(r["judgement"]["text"] in [f"{t / 10:.1f}" for t in range(11)] for r in records)

    lines = [{"id": r["id"], "answer": r["response"], "judgement": r["judgement"]["text"]}
             for r in records]  # fmt: skip
    (tmp_path / "judged.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    scored = run_cli(
        tmp_path, "score", "mm_vet", "--predictions", "judged.jsonl", "--data", "synthetic",
        "--output", "scored.json", cache_dir=cache_dir,
    )  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    (again,) = json.loads((tmp_path / "scored.json").read_text())["tasks"]
    assert _metrics(again)["total"] == _metrics(task)["total"]


@pytest.mark.slow
def test_api_judge_runs_with_official_retries(
    cache_dir: Path, tmp_path: Path, fake_judge: FakeJudgeServer
) -> None:
    # Counting questions never get a score; the others do on the first try.
    fake_judge.reply = lambda prompt: "Hmm" if "How many shapes" in prompt else "0.5"
    judge = ("--judge", "openai:gpt-4-0613", "--judge-base-url", fake_judge.base_url,
             "--judge-api-key-env", KEY_ENV, "--judge-retry-base", "0.01",
             "--judge-runs", "2", "--judge-max-new-tokens", "3")  # fmt: skip
    env = {KEY_ENV: "sk-test", "NO_PROXY": "127.0.0.1,localhost"}
    loose = ("--judge-max-failure-rate", "0.3")  # 4 of 16 final replies hold no score
    done = run_cli(tmp_path, "run", *GEN, *judge, *loose, "--output-dir", "out",
                   cache_dir=cache_dir, extra_env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "asked again (official retry rule)" in done.stderr
    run_dir, task, records = _task(tmp_path / "out")
    # Two counting questions x two runs x six calls, the six others once per run.
    assert fake_judge.calls == 2 * 2 * 6 + 6 * 2
    bodies: list[dict[str, Any]] = list(fake_judge.bodies)
    counting = [b for b in bodies if "How many shapes" in str(b["messages"])]
    assert sorted(b["temperature"] for b in counting) == sorted([0.0, 0.0, 0.5, 1.0, 1.5, 2.0] * 4)
    assert sum(b["messages"][-1]["content"].endswith(RETRY_SUFFIX) for b in counting) == 20
    assert all(b["max_tokens"] == 3 for b in bodies)
    assert task["judge"]["counts"]["unparseable"] == 4
    got = _metrics(task)
    assert got["judge_runs"] == 2 and got["fallback_count"] == 4 and got["total"] == 37.5
    first = next(r for r in records if r["id"] == "v1_0")
    assert len(first["judgement"]["earlier"]) == len(first["judgements"]["judge#1"]["earlier"]) == 5

    fake_judge.calls = 0
    again = run_cli(tmp_path, "judge", str(run_dir), cache_dir=cache_dir, extra_env=env)
    assert again.returncode == 0, again.stderr
    assert fake_judge.calls == 0 and "16 from the judge cache, 0 calls" in again.stderr
