"""FigStep through the `mmalign-eval` command on the tiny model and synthetic data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli


def _run(cache_dir: Path, cwd: Path, *extra: str) -> dict[str, Any]:
    cwd.mkdir()
    done = run_cli(
        cwd, "run", "--model", "tiny", "--tasks", "figstep,figstep_tiny", "--data",
        "synthetic:10", "--max-new-tokens", "8", "--output-dir", "out", *extra,
        cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (run_dir,) = [p for p in (cwd / "out").iterdir() if p.is_dir()]
    results: dict[str, Any] = json.loads((run_dir / "results.json").read_text())
    return results


@pytest.mark.slow
def test_run_figstep_judged_and_by_keyword(cache_dir: Path, tmp_path: Path) -> None:
    judged = _run(cache_dir, tmp_path / "judged", "--judge", "tiny")
    for task in judged["tasks"]:
        assert task["protocol"]["name"] == "judge" and task["protocol"]["official"] is False
        metrics = {m["name"]: m["value"] for m in task["metrics"]}
        assert metrics["keyword_agreement"] is not None  # measured on every judged run
        assert task["judge"]["counts"]["ok"] == 10
    keyword = _run(cache_dir, tmp_path / "keyword", "--protocol", "keyword")
    for task in keyword["tasks"]:
        assert task["judge"] is None and task["protocol"]["name"] == "keyword"
