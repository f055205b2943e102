"""VLGuard through the `mmalign-eval` command on the tiny model and synthetic data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli


def _run(cache_dir: Path, cwd: Path, *extra: str) -> dict[str, Any]:
    cwd.mkdir()
    done = run_cli(
        cwd, "run", "--model", "tiny", "--tasks", "vlguard", "--data", "synthetic:4",
        "--max-new-tokens", "8", "--output-dir", "out", *extra, cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (run_dir,) = [p for p in (cwd / "out").iterdir() if p.is_dir()]
    results: dict[str, Any] = json.loads((run_dir / "results.json").read_text())
    return results


@pytest.mark.slow
def test_run_vlguard_with_the_tiny_judge_and_by_keyword(cache_dir: Path, tmp_path: Path) -> None:
    judged = _run(cache_dir, tmp_path / "judged", "--judge", "tiny")
    tasks = {t["task"]: t for t in judged["tasks"]}
    assert set(tasks) == {"vlguard_unsafes", "vlguard_safe_unsafes", "vlguard_safe_safes"}
    assert tasks["vlguard_unsafes"]["protocol"]["official"] is True
    assert tasks["vlguard_safe_safes"]["protocol"]["name"] == "official"
    components = tasks["vlguard_unsafes"]["protocol"]["components"]
    assert components[0]["name"] == "vlguard" and len(components[0]["sha256"]) == 64
    (group,) = judged["groups"]
    assert group["group"] == "vlguard"
    keyword = _run(cache_dir, tmp_path / "keyword", "--protocol", "keyword")
    safes = next(t for t in keyword["tasks"] if t["task"] == "vlguard_safe_safes")
    assert safes["judge"] is None
    metrics = {m["name"]: m["value"] for m in safes["metrics"]}
    assert metrics["win_rate"] is None and metrics["over_refusal_rate"] is not None
