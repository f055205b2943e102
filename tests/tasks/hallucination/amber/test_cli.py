"""AMBER through the `mmalign-eval` command: run on the tiny model, score, resources."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.resources import nltk_available, spacy_model_available
from mmalign_eval.testing import run_cli
from mmalign_eval_tasks.hallucination.amber.nouns import NLTK_PACKAGES, SPACY_MODEL
from mmalign_eval_tasks.hallucination.amber.synthetic import ensure_synthetic_amber

DISCRIMINATIVE = "amber_discriminative,amber_existence,amber_attribute,amber_relation"


def cli(cache_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(cwd, *args, cache_dir=cache_dir)


def _run(cache_dir: Path, cwd: Path, tasks: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli(
        cache_dir,
        cwd,
        "run",
        "--model",
        "tiny",
        "--tasks",
        tasks,
        "--data",
        "synthetic:4",
        "--max-new-tokens",
        "8",
        "--output-dir",
        "out",
        *extra,
    )


def _results(workdir: Path) -> dict[str, Any]:
    (run_dir,) = [p for p in (workdir / "out").iterdir() if p.is_dir()]
    results: dict[str, Any] = json.loads((run_dir / "results.json").read_text())
    return results


@pytest.mark.slow
def test_run_amber_on_the_tiny_model(cache_dir: Path, tmp_path: Path) -> None:
    # Synthetic data: the generative task uses the offline protocol, so nothing is downloaded.
    (tmp_path / "full").mkdir()
    full = _run(cache_dir, tmp_path / "full", "amber")
    assert full.returncode == 0, full.stderr
    results = _results(tmp_path / "full")
    groups = {g["group"]: g for g in results["groups"]}
    assert "amber_score" in {m["name"] for m in groups["amber"]["metrics"]}
    generative = next(t for t in results["tasks"] if t["task"] == "amber_generative")
    assert generative["protocol"]["name"] == "offline" and not generative["protocol"]["official"]
    # The official extraction on the same data needs NLTK data and word vectors.
    (tmp_path / "official").mkdir()
    official = _run(
        cache_dir, tmp_path / "official", "amber", "--protocol", "amber_generative=official"
    )
    if nltk_available(NLTK_PACKAGES) and spacy_model_available(SPACY_MODEL):
        assert official.returncode == 0, official.stderr
    else:
        # Stops before the model loads or anything is generated, with the exact command.
        assert official.returncode == 1, official.stdout + official.stderr
        assert "Traceback" not in official.stderr
        errors = [line for line in official.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, official.stderr
        hints = [line for line in official.stderr.splitlines() if line.startswith("hint:")]
        assert len(hints) == 1 and "`mmalign-eval resources fetch`" in hints[0], official.stderr
        assert not (tmp_path / "official" / "out").exists()
    (tmp_path / "disc").mkdir()
    disc = _run(cache_dir, tmp_path / "disc", DISCRIMINATIVE)
    assert disc.returncode == 0, disc.stderr
    results = _results(tmp_path / "disc")
    tasks = {t["task"]: t for t in results["tasks"]}
    assert set(tasks) == set(DISCRIMINATIVE.split(","))
    assert tasks["amber_discriminative"]["n_samples"] == 4 * 8
    assert tasks["amber_attribute"]["n_samples"] == 4 * 6
    # The official protocol never fails an answer: anything but Yes/No is just wrong.
    assert all(
        t["failures"] == {"unparseable": 0, "error": 0, "missing": 0} for t in tasks.values()
    )
    names = {m["name"] for m in tasks["amber_attribute"]["metrics"]}
    assert {"f1", "state_f1", "number_accuracy", "action_recall"} <= names


def test_score_amber_predictions_by_id(cache_dir: Path, tmp_path: Path) -> None:
    folder = ensure_synthetic_amber(cache_dir / "data", 4)
    annotations = json.loads((folder / "annotations.json").read_text())
    answers = [
        {"id": a["id"], "response": "Yes" if a["truth"] == "yes" else "No"}
        for a in annotations
        if a["type"] != "generative"
    ]
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    done = cli(
        cache_dir,
        tmp_path,
        "score",
        "amber_discriminative",
        "--predictions",
        "answers.json",
        "--data",
        str(folder),
        "--output",
        "scored.json",
    )
    assert done.returncode == 0, done.stderr
    (task,) = json.loads((tmp_path / "scored.json").read_text())["tasks"]
    metrics = {m["name"]: m["value"] for m in task["metrics"]}
    assert task["n_samples"] == len(answers)
    assert metrics["accuracy"] == round(len(answers) / (len(answers) + 0.001) * 100, 1)


def test_resources_status_reports_and_exits(cache_dir: Path, tmp_path: Path) -> None:
    done = cli(cache_dir, tmp_path, "resources", "status")
    ready = nltk_available(NLTK_PACKAGES) and spacy_model_available(SPACY_MODEL)
    assert done.returncode == (0 if ready else 1), done.stderr
    for name in ("punkt_tab", "wordnet", SPACY_MODEL):
        assert name in done.stdout


def test_an_amber_folder_without_images_fails_before_the_model_loads(
    cache_dir: Path, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "amber"
    shutil.copytree(ensure_synthetic_amber(cache_dir / "data", 4), folder)
    shutil.rmtree(folder / "images")
    done = cli(cache_dir, tmp_path, "run", "--model", "tiny", "--tasks", "amber_existence",
               "--data", str(folder), "--output-dir", "out")  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"image folder not found: {folder / 'images'}" in done.stderr
    assert "--image-dir" in done.stderr and "(hf engine)" not in done.stderr
    assert not list((tmp_path / "out").glob("*/results.json"))


def test_metrics_over_zero_scored_items_are_null(cache_dir: Path, tmp_path: Path) -> None:
    # AMBER's official formulas divide by (count + a small offset): over no items they give
    # 0.0, which would read as a real score. Nothing scored means every value is null.
    folder = ensure_synthetic_amber(cache_dir / "data", 4)
    annotations = json.loads((folder / "annotations.json").read_text())
    answers = [{"id": a["id"], "response": None} for a in annotations if a["type"] != "generative"]
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    done = cli(cache_dir, tmp_path, "score", "amber_discriminative", "--predictions",
               "answers.json", "--data", str(folder), "--output", "scored.json")  # fmt: skip
    assert done.returncode == 1  # every item failed
    (task,) = json.loads((tmp_path / "scored.json").read_text())["tasks"]
    assert task["n_scored"] == 0 and task["failures"]["error"] == len(answers)
    assert all(m["value"] is None and m["ci"] is None for m in task["metrics"])
