"""MathVista through the `mmalign-eval` command: the tiny model and judge, and `score`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli
from mmalign_eval_tasks.reasoning.mathvista.synthetic import LABEL_FILE, ensure_synthetic_mathvista

TASK = "mathvista_testmini"


def cli(cache_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cwd.mkdir(parents=True, exist_ok=True)
    return run_cli(cwd, *args, cache_dir=cache_dir)


def _run(cache_dir: Path, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli(cache_dir, cwd, "run", "--model", "tiny", "--tasks", TASK, "--data",
               "synthetic:6", "--max-new-tokens", "8", "--output-dir", "out", *extra)  # fmt: skip


def _task(workdir: Path) -> dict[str, Any]:
    (run_dir,) = [p for p in (workdir / "out").iterdir() if p.is_dir()]
    results = json.loads((run_dir / "results.json").read_text())
    (task,) = results["tasks"]
    assert isinstance(task, dict)
    return task


@pytest.mark.slow
def test_run_on_the_tiny_model_and_judge(cache_dir: Path, tmp_path: Path) -> None:
    judged = _run(cache_dir, tmp_path / "judge", "--judge", "tiny")
    assert judged.returncode == 0, judged.stderr
    task = _task(tmp_path / "judge")
    assert task["protocol"]["name"] == "judge" and task["n_samples"] == 6
    # The tiny judge picks from options, so every extraction parses; nothing fails.
    assert task["failures"] == {"unparseable": 0, "error": 0, "missing": 0}
    names = {m["name"] for m in task["metrics"]}
    assert {"accuracy", "fallback_rate", "accuracy_skills_logical_reasoning"} <= names
    for protocol in ("rule", "likelihood"):
        # The tiny model writes no numbers: the rule's unreadable replies are failures.
        done = _run(cache_dir, tmp_path / protocol, "--protocol", protocol,
                    "--max-failure-rate", "1")  # fmt: skip
        assert done.returncode == 0, done.stderr
        task = _task(tmp_path / protocol)
        assert task["protocol"]["name"] == protocol
        assert task["failures"]["unparseable"] + task["n_scored"] == 6, task["failures"]
    # The default protocol is judged: without --judge the run stops before generating.
    refused = _run(cache_dir, tmp_path / "nojudge")
    assert refused.returncode == 2 and "no --judge was given" in refused.stderr  # usage error
    assert not (tmp_path / "nojudge" / "out").exists()


def test_score_an_official_output_file(cache_dir: Path, tmp_path: Path) -> None:
    folder = ensure_synthetic_mathvista(cache_dir / "data", 6)
    problems = json.loads((folder / LABEL_FILE).read_text())
    output = {pid: {**p, "response": p["answer"], "extraction": p["answer"]}
              for pid, p in problems.items()}  # fmt: skip
    (tmp_path / "output_model.json").write_text(json.dumps(output))
    done = cli(cache_dir, tmp_path, "score", TASK, "--predictions", "output_model.json",
               "--data", str(folder), "--output", "scored.json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    (task,) = json.loads((tmp_path / "scored.json").read_text())["tasks"]
    metrics = {m["name"]: m["value"] for m in task["metrics"]}
    assert task["n_samples"] == 6 and metrics["accuracy"] == 1.0
