"""MMMU through `mmalign-eval run` on the tiny model and synthetic data: the official
protocol (with its recorded fallbacks) and the likelihood protocol."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli

SIZE = 8


def _run(cache_dir: Path, cwd: Path, *extra: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    cwd.mkdir()
    done = run_cli(
        cwd, "run", "--model", "tiny", "--tasks", "mmmu_val", "--data", f"synthetic:{SIZE}",
        "--max-new-tokens", "8", "--output-dir", "out", *extra, cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (run_dir,) = [p for p in (cwd / "out").iterdir() if p.is_dir()]
    (task,) = json.loads((run_dir / "results.json").read_text())["tasks"]
    lines = (run_dir / "samples.jsonl").read_text().splitlines()
    return task, [json.loads(line) for line in lines]


@pytest.mark.slow
def test_run_mmmu_on_the_tiny_model(cache_dir: Path, tmp_path: Path) -> None:
    task, records = _run(cache_dir, tmp_path / "official")
    assert task["protocol"]["name"] == "official" and task["protocol"]["official"]
    assert task["n_samples"] == SIZE and task["n_scored"] == SIZE  # the fallback never fails
    metrics = {m["name"]: m["value"] for m in task["metrics"]}
    drawn = [r for r in records if r["scores"].get("fallback") == 1.0]
    assert metrics["fallback_rate"] == len(drawn) / SIZE
    assert all("random.choice (seed 42)" in r["reason"] for r in drawn)
    assert records[0]["prompt"].endswith(
        "\n\nAnswer with the option's letter from the given choices directly."
    )

    ranked, records = _run(cache_dir, tmp_path / "likelihood", "--protocol", "likelihood")
    assert ranked["protocol"]["name"] == "likelihood" and ranked["n_scored"] == SIZE
    metrics = {m["name"]: m["value"] for m in ranked["metrics"]}
    assert metrics["fallback_rate"] == 0.0
    for record in records:
        scores = record["calls"].get("answer", {}).get("choices", [])
        # Multiple choice is ranked over its letters; open questions are generated.
        if "Answer with the option's letter" in record["prompt"]:
            assert [s["option"] for s in scores] == ["A", "B", "C", "D"]
        else:
            assert scores == []
