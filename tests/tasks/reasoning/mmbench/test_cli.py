"""MMBench through the `mmalign-eval` command on the tiny model: CircularEval with the tiny
judge, the rule-only protocol without one, and `score` of a VLMEvalKit prediction table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli
from mmalign_eval.toolkit.tables import write_xlsx
from mmalign_eval_tasks.reasoning.mmbench.items import OFFSET


def _task(run_dir: Path) -> dict[str, Any]:
    (task,) = json.loads((run_dir / "results.json").read_text())["tasks"]
    return task  # type: ignore[no-any-return]


def _metric(task: dict[str, Any], name: str) -> float:
    return {m["name"]: m["value"] for m in task["metrics"]}[name]  # type: ignore[no-any-return]


@pytest.mark.slow
def test_run_and_score_on_the_tiny_model(cache_dir: Path, tmp_path: Path) -> None:
    def run(*extra: str) -> Path:
        done = run_cli(
            tmp_path, "run", "--model", "tiny", "--tasks", "mmbench_en_dev", "--data",
            "synthetic:8", "--max-new-tokens", "8", "--output-dir", "out", *extra,
            cache_dir=cache_dir,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return max((tmp_path / "out").iterdir(), key=lambda p: p.stat().st_mtime)

    judged = _task(run("--judge", "tiny"))
    assert (
        judged["protocol"]["name"] == "official" and judged["judge"]["judge"]["backend"] == "tiny"
    )
    assert judged["n_samples"] == 8 and judged["failures"]["error"] == 0

    exact_dir = run("--protocol", "exact")  # no judge needed; the same replies (journal)
    exact = _task(exact_dir)
    assert exact["judge"] is None and exact["n_scored"] == 8
    records = [json.loads(line) for line in (exact_dir / "samples.jsonl").read_text().splitlines()]
    rotations = {r["id"]: r["calls"] for r in records}
    assert [len(calls) for calls in rotations.values()] == [2, 3, 4, 2, 3, 4, 2, 3]

    # The same replies as a VLMEvalKit prediction table (copies at index + k x 1e6).
    rows = [[int(qid) + k * OFFSET, calls[f"circular-{k}"]["text"]]
            for qid, calls in rotations.items() for k in range(len(calls))]  # fmt: skip
    write_xlsx(tmp_path / "tiny_MMBench_DEV_EN.xlsx", ["index", "prediction"], rows)
    scored = run_cli(
        tmp_path, "score", "mmbench_en_dev", "--predictions", "tiny_MMBench_DEV_EN.xlsx",
        "--data", "synthetic:8", "--protocol", "exact", "--output", "scored.json",
        cache_dir=cache_dir,
    )  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    (again,) = json.loads((tmp_path / "scored.json").read_text())["tasks"]
    assert _metric(again, "accuracy") == _metric(exact, "accuracy")
    assert _metric(again, "judged_rate") == _metric(exact, "judged_rate")
