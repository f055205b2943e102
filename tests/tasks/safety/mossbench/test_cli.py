"""MOSSBench through the `mmalign-eval` command on the tiny model: judged and keyword runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli


def _run(cache_dir: Path, workdir: Path, *extra: str) -> dict[str, Any]:
    workdir.mkdir()
    done = run_cli(
        workdir, "run", "--model", "tiny", "--tasks", "mossbench", "--data", "synthetic:3",
        "--max-new-tokens", "8", "--output-dir", "out", *extra, cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = [p for p in (workdir / "out").iterdir() if p.is_dir()]
    (task,) = json.loads((run_dir / "results.json").read_text())["tasks"]
    result: dict[str, Any] = task
    return result


@pytest.mark.slow
def test_run_mossbench_on_the_tiny_model(cache_dir: Path, tmp_path: Path) -> None:
    judged = _run(cache_dir, tmp_path / "judged", "--judge", "tiny")
    assert judged["protocol"]["name"] == "official" and judged["protocol"]["official"]
    assert judged["judge"]["counts"]["ok"] == 3 and judged["judge"]["official"] is False
    names = {m["name"] for m in judged["metrics"]}
    assert {"over_refusal_rate", "over_refusal_rate:negated_harm", "keyword_agreement"} <= names
    keyword = _run(cache_dir, tmp_path / "keyword", "--protocol", "keyword")
    assert keyword["protocol"]["name"] == "keyword" and keyword["judge"] is None
    (component,) = keyword["protocol"]["components"]
    assert component["kind"] == "refusal detector" and component["name"] == "vlguard"
    assert keyword["n_samples"] == 3
