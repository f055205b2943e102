"""The trained demo models behave as the README's demo says, by the CLI, on held-out
synthetic data: tiny-sft is accurate but says "yes" too often, tiny-dpo hallucinates less by
a margin `compare` calls significant, the CI gate passes DPO and fails the degraded model,
and tiny-rm prefers faithful answers. Thresholds sit well inside the measured figures
(scripts/bench_tiny_models.py) so that other CPUs, with other rounding, pass too. The models
are built once per test run (the cache is shared by all workers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli

pytestmark = pytest.mark.slow
SPLITS = ("pope_adversarial", "pope_popular", "pope_random")


def _run(cwd: Path, cache_dir: Path, model: str, tasks: str, data: str = "synthetic") -> Path:
    out = cwd / model
    done = run_cli(
        cwd, "run", "--model", model, "--tasks", tasks, "--data", data, "--output-dir", str(out),
        cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return next(out.glob("*/results.json")).parent


def _metrics(run: Path) -> dict[tuple[str, str], Any]:
    results = json.loads((run / "results.json").read_text())
    rows = [(t["task"], t["metrics"]) for t in results["tasks"]]
    rows += [(g["group"], g["metrics"]) for g in results["groups"]]
    return {(name, m["name"]): m["value"] for name, metrics in rows for m in metrics}


@pytest.fixture(scope="module")
def pope_runs(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    cwd = tmp_path_factory.mktemp("demo")
    return {m: _run(cwd, cache_dir, m, "pope") for m in ("tiny-sft", "tiny-dpo")}


def test_sft_is_accurate_but_biased_towards_yes(pope_runs: dict[str, Path]) -> None:
    sft = _metrics(pope_runs["tiny-sft"])
    # Measured: F1 0.77-0.81, yes_ratio 0.69-0.76 per split.
    assert sft[("pope", "mean_f1")] >= 0.72
    for split in SPLITS:
        assert sft[(split, "yes_ratio")] >= 0.6, split


def test_dpo_hallucinates_less(pope_runs: dict[str, Path], tmp_path: Path) -> None:
    sft, dpo = _metrics(pope_runs["tiny-sft"]), _metrics(pope_runs["tiny-dpo"])
    for split in SPLITS:
        assert dpo[(split, "f1")] > sft[(split, "f1")], split
        assert abs(dpo[(split, "yes_ratio")] - 0.5) < abs(sft[(split, "yes_ratio")] - 0.5), split
    done = run_cli(
        tmp_path, "compare", str(pope_runs["tiny-sft"]), str(pope_runs["tiny-dpo"]),
        "--json", "cmp.json",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    rows = json.loads((tmp_path / "cmp.json").read_text())["metrics"]
    mean_f1 = next(r for r in rows if (r["target"], r["metric"]) == ("pope", "mean_f1"))
    assert mean_f1["verdict"] == "better" and mean_f1["ci_low"] > 0  # measured [+0.047, +0.105]


def test_the_gate_passes_dpo_and_fails_the_degraded_model(
    pope_runs: dict[str, Path], cache_dir: Path, tmp_path: Path
) -> None:
    gate = ("--metric", "pope:mean_f1=0.02", "--report-dir", "gate")
    base = ("check", "--baseline", str(pope_runs["tiny-sft"]))
    passed = run_cli(tmp_path, *base, "--candidate", str(pope_runs["tiny-dpo"]), *gate)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    failed = run_cli(tmp_path, *base, "--model", "tiny-degraded", *gate, cache_dir=cache_dir)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    report = json.loads((tmp_path / "gate" / "report.json").read_text())
    (verdict,) = [m["verdict"] for m in report["metrics"]]
    assert verdict == "regression"


def test_the_reward_model_prefers_faithful_answers(cache_dir: Path, tmp_path: Path) -> None:
    run = _run(tmp_path, cache_dir, "tiny-rm", "vl_rewardbench", "synthetic:60")
    # Measured 0.733 on 60 pairs; a random head scores about 0.5.
    assert _metrics(run)[("vl_rewardbench", "accuracy")] >= 0.6
