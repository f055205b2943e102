"""MIA-Bench through the `mmalign-eval` command: runs on the tiny model and judge, on
synthetic data and on a file whose images come from a loopback web server."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from mmalign_eval.testing import run_cli

RUN = ("run", "--model", "tiny", "--tasks", "mia_bench", "--judge", "tiny",
       "--max-new-tokens", "8")  # fmt: skip


def _results(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    (run_dir,) = [p for p in folder.iterdir() if p.is_dir()]
    (task,) = json.loads((run_dir / "results.json").read_text())["tasks"]
    records = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    return task, records


@pytest.mark.slow
def test_run_on_synthetic_data(cache_dir: Path, tmp_path: Path) -> None:
    done = run_cli(tmp_path, *RUN, "--data", "synthetic:5", "--output-dir", "out",
                   cache_dir=cache_dir)  # fmt: skip
    assert done.returncode == 0, done.stderr
    task, records = _results(tmp_path / "out")
    assert task["protocol"]["name"] == "official" and task["n_samples"] == 5
    assert task["failures"] == {"unparseable": 0, "error": 0, "missing": 0}
    assert task["judge"]["counts"]["ok"] == 5  # choice mode: always the official format
    assert {m["name"] for m in task["metrics"]} >= {"total_score", "score_describe"}
    assert all(r["judgement"]["text"].startswith("score of component 1: ") for r in records)


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (16, 16), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.slow
def test_unreachable_images_fail_only_their_items(
    cache_dir: Path, tmp_path: Path, file_server: Any
) -> None:
    file_server.files["/img/0.png"] = _png()
    file_server.files["/img/1.png"] = _png()
    rows = [
        {"image": file_server.url(f"/img/{i}.png"), "instruction": f"Describe shape {i} briefly.",
         "type": "basic", "num_of_component": 2, "components": [f"Describe shape {i}", "briefly"],
         "component_weight": [6, 4], "component_type": ["describe", "length_limit"]}
        for i in range(3)
    ]  # fmt: skip
    file_server.files["/instruction_benchmark_all.json"] = json.dumps(rows).encode()
    done = run_cli(
        tmp_path, *RUN, "--data", file_server.url("/instruction_benchmark_all.json"),
        "--output-dir", "out", "--max-failure-rate", "0.5", cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    task, records = _results(tmp_path / "out")
    assert task["failures"]["error"] == 1 and task["n_scored"] == 2
    failed = next(r for r in records if r["id"].endswith("/img/2.png"))
    assert failed["status"] == "error" and "/img/2.png" in failed["reason"]
    assert "1 images could not be had" in task["data"]["version_note"]
