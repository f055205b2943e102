"""MMStar through the `mmalign-eval` command: a run on the tiny model, then `score` of an
official submission table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmalign_eval.testing import run_cli
from mmalign_eval.toolkit.tables import write_xlsx


@pytest.mark.slow
def test_run_and_score_on_the_tiny_model(cache_dir: Path, tmp_path: Path) -> None:
    done = run_cli(
        tmp_path, "run", "--model", "tiny", "--tasks", "mmstar", "--data", "synthetic",
        "--output-dir", "out", cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "out").iterdir()
    (task,) = json.loads((run_dir / "results.json").read_text())["tasks"]
    assert task["task"] == "mmstar" and task["n_samples"] == 18
    assert (task["protocol"]["name"], task["protocol"]["official"]) == ("official", True)
    assert task["protocol"]["components"] == []
    assert task["failures"] == {"unparseable": 0, "error": 0, "missing": 0}
    records = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    assert all(r["prompt"].startswith("Question: ") for r in records)

    # The replies of the run, as an MMStar submission file, score to the same accuracy.
    rows = [[int(r["id"]), r["response"]] for r in records]
    write_xlsx(tmp_path / "tiny_MMStar.xlsx", ["index", "prediction"], rows)
    scored = run_cli(
        tmp_path, "score", "mmstar", "--predictions", "tiny_MMStar.xlsx", "--data", "synthetic",
        "--output", "scored.json", cache_dir=cache_dir,
    )  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    (again,) = json.loads((tmp_path / "scored.json").read_text())["tasks"]
    accuracy = {m["name"]: m["value"] for m in task["metrics"]}["accuracy"]
    assert {m["name"]: m["value"] for m in again["metrics"]}["accuracy"] == accuracy
