"""LLaVA-Bench through the `mmalign-eval` command: a run on the tiny model and judge, the
score of its saved answers and judgements, and a both-order run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli

RUN = ("run", "--model", "tiny", "--tasks", "llava_bench_wild", "--data", "synthetic:6",
       "--judge", "tiny", "--max-new-tokens", "8")  # fmt: skip


def _task(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    (run_dir,) = [p for p in folder.iterdir() if p.is_dir()]
    (task,) = json.loads((run_dir / "results.json").read_text())["tasks"]
    records = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    return task, records


def _metrics(task: dict[str, Any]) -> dict[str, Any]:
    return {m["name"]: m["value"] for m in task["metrics"]}


@pytest.mark.slow
def test_run_score_and_both_orders_on_the_tiny_model(cache_dir: Path, tmp_path: Path) -> None:
    done = run_cli(tmp_path, *RUN, "--output-dir", "official", cache_dir=cache_dir)
    assert done.returncode == 0, done.stderr
    task, records = _task(tmp_path / "official")
    assert task["protocol"]["name"] == "official" and task["n_samples"] == 6
    assert task["judge"]["calls"] == 6 and task["judge"]["counts"]["ok"] == 6
    assert all(r["judgement"]["text"] in [f"{a} {b}" for a in range(2, 11, 2)
                                          for b in range(2, 11, 2)] for r in records)  # fmt: skip

    # The run's answers and judge replies, scored again without a judge, give its numbers.
    lines = [{"id": r["id"], "answer": r["response"], "judgement": r["judgement"]["text"]}
             for r in records]  # fmt: skip
    (tmp_path / "judged.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    scored = run_cli(
        tmp_path, "score", "llava_bench_wild", "--predictions", "judged.jsonl",
        "--data", "synthetic:6", "--output", "scored.json", cache_dir=cache_dir,
    )  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    (again,) = json.loads((tmp_path / "scored.json").read_text())["tasks"]
    assert _metrics(again)["relative_score"] == _metrics(task)["relative_score"]

    # Both orders in a run folder of their own: twice the calls on a cold judge cache.
    both = run_cli(tmp_path, *RUN, "--protocol", "both", "--output-dir", "both",
                   cache_dir=cache_dir)  # fmt: skip
    assert both.returncode == 0, both.stderr
    task, records = _task(tmp_path / "both")
    assert task["protocol"]["name"] == "both" and task["judge"]["calls"] == 12
    assert _metrics(task)["position_consistency"] is not None
    assert all(set(r["judgements"]) == {"BA"} for r in records)
