"""MME through the `mmalign-eval` command: a tiny-model run on synthetic data (generated and
ranked answers) and `score` on a zipped eval_tool results folder."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli
from mmalign_eval_tasks.reasoning.mme.subtasks import SUBTASKS
from mmalign_eval_tasks.reasoning.mme.synthetic import ensure_synthetic_mme


def _task(folder: Path) -> dict[str, Any]:
    (run,) = [p for p in (folder / "out").iterdir() if p.is_dir()]
    (task,) = json.loads((run / "results.json").read_text())["tasks"]
    return dict(task)


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["official", "likelihood"])
def test_run_mme_on_the_tiny_model(cache_dir: Path, tmp_path: Path, protocol: str) -> None:
    done = run_cli(
        tmp_path, "run", "--model", "tiny", "--tasks", "mme", "--data", "synthetic",
        "--protocol", protocol, "--max-new-tokens", "4", "--output-dir", "out",
        cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    task = _task(tmp_path)
    assert task["n_samples"] == 2 * len(SUBTASKS)
    # Neither protocol fails an answer: the official rule reads anything (else 'other').
    assert task["failures"] == {"unparseable": 0, "error": 0, "missing": 0}
    metrics = {m["name"]: m for m in task["metrics"]}
    assert metrics["perception"]["primary"] and 0.0 <= metrics["perception"]["value"] <= 2000.0
    assert 0.0 <= metrics["cognition"]["value"] <= 800.0
    if protocol == "likelihood":
        assert metrics["other_rate"]["value"] == 0.0


def test_score_a_zipped_results_folder(cache_dir: Path, tmp_path: Path) -> None:
    folder = ensure_synthetic_mme(cache_dir / "data", len(SUBTASKS))
    with zipfile.ZipFile(tmp_path / "results.zip", "w") as archive:
        for file in folder.glob("*.txt"):
            lines = file.read_text().splitlines()
            filled = "".join(f"{line}\t{line.split(chr(9))[2]}\n" for line in lines)
            archive.writestr(f"Your_Results/{file.name}", filled)
    done = run_cli(
        tmp_path, "score", "mme", "--predictions", "results.zip", "--data", "synthetic",
        "--output", "scored.json", cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (task,) = json.loads((tmp_path / "scored.json").read_text())["tasks"]
    metrics = {m["name"]: m["value"] for m in task["metrics"]}
    assert metrics["perception"] == 2000.0 and metrics["cognition"] == 800.0
