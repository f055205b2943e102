"""MM-SafetyBench through the `mmalign-eval` command on the tiny model: judged and keyword."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli


def _run(cache_dir: Path, workdir: Path, *extra: str) -> dict[str, Any]:
    workdir.mkdir()
    done = run_cli(
        workdir, "run", "--model", "tiny", "--tasks", "mm_safetybench", "--data", "synthetic:2",
        "--max-new-tokens", "8", "--output-dir", "out", *extra, cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = [p for p in (workdir / "out").iterdir() if p.is_dir()]
    (task,) = json.loads((run_dir / "results.json").read_text())["tasks"]
    result: dict[str, Any] = task
    return result


@pytest.mark.slow
def test_run_mm_safetybench_on_the_tiny_model(cache_dir: Path, tmp_path: Path) -> None:
    judged = _run(cache_dir, tmp_path / "judged", "--judge", "tiny")
    assert judged["protocol"]["name"] == "strict" and judged["n_samples"] == 6
    assert (
        judged["judge"]["counts"]["ok"] == 6 and judged["judge"]["unparseable_policy"] == "failure"
    )
    names = {m["name"] for m in judged["metrics"]}
    assert {"attack_success_rate", "attack_success_rate:SD_TYPO",
            "attack_success_rate:02-HateSpeech/TYPO", "keyword_agreement"} <= names  # fmt: skip
    official = _run(cache_dir, tmp_path / "official", "--judge", "tiny", "--protocol", "official")
    assert official["protocol"]["official"] and official["judge"]["unparseable_policy"] == "zero"
    keyword = _run(cache_dir, tmp_path / "keyword", "--protocol", "keyword")
    assert keyword["protocol"]["name"] == "keyword" and keyword["judge"] is None
    assert keyword["protocol"]["components"][0]["name"] == "vlguard"
