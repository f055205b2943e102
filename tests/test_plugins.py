"""An external task package (the worked examples of docs/adding-a-benchmark.md) registers
through the `mmalign_eval.tasks` entry point and runs end to end on the public API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mmalign_eval.testing import run_cli

pytestmark = pytest.mark.slow
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mmalign_example_tasks"


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The example package installed (not editable) into its own folder, on PYTHONPATH."""
    target = tmp_path_factory.mktemp("plugin-site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(EXAMPLE)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return {"PYTHONPATH": str(target)}


def _results(folder: Path) -> dict[str, dict[str, float | None]]:
    (run,) = (folder / "out").iterdir()
    tasks = json.loads((run / "results.json").read_text())["tasks"]
    return {t["task"]: {m["name"]: m["value"] for m in t["metrics"]} for t in tasks}


def test_the_tasks_are_listed(cache_dir: Path, tmp_path: Path, plugin_env: dict[str, str]) -> None:
    done = run_cli(tmp_path, "tasks", cache_dir=cache_dir, columns=200, extra_env=plugin_env)
    assert done.returncode == 0, done.stderr
    assert "shape_quiz" in done.stdout and "shape_pairs" in done.stdout
    assert "likelihood" in done.stdout  # the multiple-choice protocols


@pytest.mark.parametrize(("protocol", "limit"), [("letter", "1"), ("likelihood", "0.05")])
def test_the_multiple_choice_example_runs(
    cache_dir: Path, tmp_path: Path, plugin_env: dict[str, str], protocol: str, limit: str
) -> None:
    # The random tiny model seldom writes a letter: `letter` counts those as failures, while
    # `likelihood` ranks the options and never fails.
    done = run_cli(
        tmp_path, "run", "--model", "tiny", "--tasks", "shape_quiz", "--data", "synthetic:4",
        "--protocol", protocol, "--max-new-tokens", "4", "--max-failure-rate", limit,
        "--output-dir", "out", cache_dir=cache_dir, extra_env=plugin_env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    accuracy = _results(tmp_path)["shape_quiz"]["accuracy"]
    assert protocol == "letter" or (accuracy is not None and 0.0 <= accuracy <= 1.0)


def test_the_pairwise_example_runs_with_a_judge(
    cache_dir: Path, tmp_path: Path, plugin_env: dict[str, str]
) -> None:
    done = run_cli(
        tmp_path, "run", "--model", "tiny", "--tasks", "shape_pairs", "--data", "synthetic:4",
        "--max-new-tokens", "8", "--judge", "tiny", "--output-dir", "out",
        cache_dir=cache_dir, extra_env=plugin_env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    metrics = _results(tmp_path)["shape_pairs"]
    rates = [metrics[m] for m in ("win_rate", "tie_rate", "loss_rate")]
    assert all(r is not None for r in rates) and sum(r or 0.0 for r in rates) == pytest.approx(1)
    assert metrics["position_consistency"] is not None
    (run,) = (tmp_path / "out").iterdir()
    cache = (run / "judge_cache.jsonl").read_text().splitlines()
    assert len(cache) == 8  # both orders of 4 items, each its own cache entry


def test_one_order_reuses_the_judged_pairs(
    cache_dir: Path, tmp_path: Path, plugin_env: dict[str, str]
) -> None:
    args = (
        "run", "--model", "tiny", "--tasks", "shape_pairs", "--data", "synthetic:4",
        "--max-new-tokens", "8", "--judge", "tiny", "--output-dir", "out", "--run-id", "r",
    )  # fmt: skip
    first = run_cli(tmp_path, *args, "--protocol", "ab", cache_dir=cache_dir, extra_env=plugin_env)
    assert first.returncode == 0, first.stderr
    assert "4 calls to make" in first.stderr  # one order: the BA calls are never made
    both = run_cli(tmp_path, *args, cache_dir=cache_dir, extra_env=plugin_env)
    assert both.returncode == 0, both.stderr
    assert "4 from the judge cache, 4 calls to make" in both.stderr
