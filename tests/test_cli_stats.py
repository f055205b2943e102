"""End-to-end: `mmalign-eval compare` and the `check` gate's exit codes, in subprocesses."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.metrics.binary import confusion_values
from mmalign_eval.testing import run_cli
from mmalign_eval_tasks.hallucination.pope.synthetic import ensure_synthetic_pope, label_file_name

pytestmark = pytest.mark.slow
TASKS = ("pope_adversarial", "pope_popular", "pope_random")


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli(cache_dir: Path, cwd: Path, *args: str) -> Result:
    done = run_cli(cwd, *args, cache_dir=cache_dir, columns=200)
    return Result(done.returncode, done.stdout, done.stderr)


def _expect(result: Result, code: int) -> None:
    text = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == code, text
    assert "Traceback" not in result.stdout + result.stderr, text


@pytest.fixture(scope="module")
def baseline(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny-model POPE run on a 12-item smoke subset per task."""
    workdir = tmp_path_factory.mktemp("gate")
    result = cli(
        cache_dir, workdir, "run", "--model", "tiny", "--tasks", "pope", "--data",
        "synthetic:4", "--max-new-tokens", "4", "--subset", "smoke", "--subset-size", "12",
        "--output-dir", "base",
    )  # fmt: skip
    _expect(result, 0)
    (run_dir,) = (workdir / "base").iterdir()
    return run_dir


def _samples(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]


def _rewrite(source: Path, target: Path, correct: set[tuple[str, str]]) -> Path:
    """A copy of a run whose listed (task, id) items are answered correctly."""
    shutil.copytree(source, target)
    lines = []
    for sample in _samples(source):
        if (sample["task"], sample["id"]) in correct and sample["status"] == "ok":
            gold = sample["target"] == "yes"
            sample["parsed"] = sample["target"]
            sample["scores"] = confusion_values(gold, gold)
        lines.append(json.dumps(sample))
    (target / "samples.jsonl").write_text("\n".join(lines) + "\n")
    return target


def _report(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / "report.json").read_text()))


def test_check_model_replays_the_baseline_and_passes(cache_dir: Path, baseline: Path) -> None:
    work = baseline.parent.parent
    # The README's example: `--subset smoke` replays the baseline's 12 items, not the default 300.
    result = cli(
        cache_dir, work, "check", "--baseline", str(baseline), "--model", "tiny",
        "--subset", "smoke", "--output-dir", "cand", "--report-dir", "rep-pass",
    )  # fmt: skip
    _expect(result, 0)
    (candidate,) = (work / "cand").iterdir()
    manifest = json.loads((candidate / "manifest.json").read_text())
    assert manifest["config"]["subset"] == {"name": "smoke", "size": 12, "seed": 0}
    assert manifest["config"]["overrides"]["max_new_tokens"] == 4
    base_manifest = json.loads((baseline / "manifest.json").read_text())
    assert [t["sample_ids_sha256"] for t in manifest["tasks"]] == [
        t["sample_ids_sha256"] for t in base_manifest["tasks"]
    ]
    assert all(t["n_samples"] == 12 for t in manifest["tasks"])
    report = _report(work / "rep-pass")
    assert report["verdict"] == "pass" and report["exit_code"] == 0
    assert {(m["target"], m["metric"]) for m in report["metrics"]} == {
        *((t, "f1") for t in TASKS),
        ("pope", "mean_f1"),
    }
    assert (work / "rep-pass" / "summary.md").read_text().startswith("## mmalign-eval gate")
    assert "<testsuite" in (work / "rep-pass" / "junit.xml").read_text()


def test_check_model_fails_on_a_real_regression(cache_dir: Path, baseline: Path) -> None:
    # A baseline that answered every item correctly; the tiny model is far worse.
    work = baseline.parent.parent
    everything = {(s["task"], s["id"]) for s in _samples(baseline)}
    perfect = _rewrite(baseline, work / "perfect", everything)
    result = cli(
        cache_dir, work, "check", "--baseline", str(perfect), "--model", "tiny",
        "--output-dir", "cand", "--report-dir", "rep-fail",
    )  # fmt: skip
    _expect(result, 1)
    report = _report(work / "rep-fail")
    assert report["verdict"] == "regression"
    assert 'failures="' in (work / "rep-fail" / "junit.xml").read_text()
    assert "regression" in (work / "rep-fail" / "summary.md").read_text()


def test_check_is_inconclusive_on_a_subset_too_small(cache_dir: Path, baseline: Path) -> None:
    # The baseline is better on a single item: no significant drop, but 12 items cannot
    # detect a drop of 0.01 either.
    work = baseline.parent.parent
    wrong = next(
        s for s in _samples(baseline) if s["task"] == TASKS[0] and s["scores"].get("tp") != 1.0
    )
    better = _rewrite(baseline, work / "better", {(wrong["task"], wrong["id"])})
    result = cli(
        cache_dir, work, "check", "--baseline", str(better), "--candidate", str(baseline),
        "--metric", f"{TASKS[0]}:accuracy=0.01", "--report-dir", "rep-unsure",
    )  # fmt: skip
    _expect(result, 3)
    (metric,) = _report(work / "rep-unsure")["metrics"]
    assert metric["verdict"] == "inconclusive"
    assert metric["required_items"] > metric["n_items"] == 12
    assert "need about" in (work / "rep-unsure" / "summary.md").read_text()


@pytest.mark.parametrize(
    "args",
    [
        ("--model", "tiny", "--candidate", "{base}"),
        (),
        ("--candidate", "{base}", "--metric", "pope_random"),
        ("--candidate", "{base}", "--metric", "pope_random:yes_ratio"),
        ("--candidate", "{base}", "--alpha", "0.7"),
        ("--candidate", "does-not-exist"),
        ("--model", "tiny", "--device", "tpu"),
    ],
    ids=["both", "neither", "bad-metric", "no-direction", "bad-alpha", "missing-run", "device"],
)
def test_check_usage_errors_exit_2(cache_dir: Path, baseline: Path, args: tuple[str, ...]) -> None:
    filled = [a.format(base=baseline) for a in args]
    result = cli(cache_dir, baseline.parent.parent, "check", "--baseline", str(baseline), *filled)
    _expect(result, 2)
    assert "error:" in result.stderr


def test_check_reads_a_policy_file(cache_dir: Path, baseline: Path, tmp_path: Path) -> None:
    (tmp_path / ".mmalign-gate.toml").write_text(
        f'margin = 0.01\n[[gate]]\ntarget = "{TASKS[1]}"\nmetric = "accuracy"\n'
    )
    result = cli(
        cache_dir, tmp_path, "check", "--baseline", str(baseline), "--candidate", str(baseline)
    )
    _expect(result, 0)
    (metric,) = _report(tmp_path / "results" / "gate-report")["metrics"]
    assert (metric["target"], metric["metric"], metric["margin"]) == (TASKS[1], "accuracy", 0.01)


def test_compare_score_outputs(cache_dir: Path, tmp_path: Path) -> None:
    labels = ensure_synthetic_pope(cache_dir / "data", 4) / label_file_name("adversarial")
    rows = [json.loads(line) for line in labels.read_text().splitlines()]
    good = [{"question_id": r["question_id"], "text": r["label"].capitalize()} for r in rows]
    bad = [{"question_id": r["question_id"], "text": "Yes"} for r in rows[:-2]]
    for name, answers in (("good", good), ("bad", bad)):
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(a) + "\n" for a in answers))
        scored = cli(
            cache_dir, tmp_path, "score", "pope_adversarial", "--predictions", f"{name}.jsonl",
            "--data", str(labels), "--output", f"{name}/results.json", "--max-failure-rate", "0.1",
        )  # fmt: skip
        _expect(scored, 0)
    # The two questions "bad" did not answer are its failures (missing), in both item lists.
    (bad_task,) = json.loads((tmp_path / "bad" / "results.json").read_text())["tasks"]
    assert bad_task["failures"]["missing"] == 2 and bad_task["n_samples"] == len(rows)
    result = cli(cache_dir, tmp_path, "compare", "good", "bad", "--json", "cmp.json")
    _expect(result, 0)
    assert "pope_adversarial" in result.stdout and "▼ worse" in result.stdout
    assert "settings:" not in result.stderr and "≠" not in result.stdout
    comparison = json.loads((tmp_path / "cmp.json").read_text())
    rows_by_metric = {m["metric"]: m for m in comparison["metrics"]}
    assert rows_by_metric["accuracy"]["diff"] == pytest.approx(-0.5, abs=0.05)
    assert rows_by_metric["accuracy"]["verdict"] == "worse"
    assert rows_by_metric["yes_ratio"]["verdict"] == "changed"
    assert comparison["mismatches"][0]["only_in_a"] == 0


def _keep_tasks(source: Path, target: Path, tasks: set[str]) -> Path:
    """A copy of a run holding only the given tasks (and no groups)."""
    shutil.copytree(source, target)
    results = json.loads((source / "results.json").read_text())
    results["tasks"] = [t for t in results["tasks"] if t["task"] in tasks]
    results["groups"] = []
    (target / "results.json").write_text(json.dumps(results))
    kept = [json.dumps(s) for s in _samples(source) if s["task"] in tasks]
    (target / "samples.jsonl").write_text("\n".join(kept) + "\n")
    return target


def test_check_fails_when_the_candidate_lacks_gated_tasks(cache_dir: Path, baseline: Path) -> None:
    work = baseline.parent.parent
    partial = _keep_tasks(baseline, work / "partial", {"pope_random"})
    result = cli(
        cache_dir, work, "check", "--baseline", str(baseline), "--candidate", str(partial),
        "--report-dir", "rep-missing",
    )  # fmt: skip
    _expect(result, 1)
    report = _report(work / "rep-missing")
    verdicts = {(m["target"], m["metric"]): m["verdict"] for m in report["metrics"]}
    assert verdicts == {
        ("pope_adversarial", "f1"): "missing",
        ("pope_popular", "f1"): "missing",
        ("pope_random", "f1"): "pass",
        ("pope", "mean_f1"): "missing",
    }
    assert report["verdict"] == "regression" and "gate regression (exit 1)" in result.stderr
    assert "the candidate has no pope_popular" in (work / "rep-missing" / "summary.md").read_text()


def _scored(cache_dir: Path, cwd: Path, size: int, name: str) -> Path:
    """`score` output of all-"Yes" answers on synthetic POPE labels of `size` images."""
    labels = ensure_synthetic_pope(cache_dir / "data", size) / label_file_name("random")
    rows = [json.loads(line) for line in labels.read_text().splitlines()]
    answers = "".join(
        json.dumps({"question_id": r["question_id"], "text": "Yes"}) + "\n" for r in rows
    )
    (cwd / f"{name}.jsonl").write_text(answers)
    done = cli(
        cache_dir, cwd, "score", "pope_random", "--predictions", f"{name}.jsonl",
        "--data", str(labels), "--output", f"{name}/results.json",
    )  # fmt: skip
    _expect(done, 0)
    return cwd / name


def test_runs_on_other_data_are_not_comparable(cache_dir: Path, tmp_path: Path) -> None:
    # Two label files whose question ids overlap (1..24 and 1..36) but whose questions differ.
    small, large = (
        _scored(cache_dir, tmp_path, 4, "small"),
        _scored(cache_dir, tmp_path, 6, "large"),
    )
    gate = cli(cache_dir, tmp_path, "check", "--baseline", str(small), "--candidate", str(large))
    _expect(gate, 2)
    assert "not comparable: 2 task settings differ (data, ids)" in gate.stderr
    assert "pope_random: data differs" in gate.stderr and "pope_random: ids differs" in gate.stderr
    assert not (tmp_path / "results" / "gate-report").exists()

    compared = cli(cache_dir, tmp_path, "compare", str(small), str(large), "--json", "cmp.json")
    _expect(compared, 0)
    assert "settings: pope_random: data differs" in compared.stderr
    assert "≠" in compared.stdout
    comparison = json.loads((tmp_path / "cmp.json").read_text())
    assert {d["field"] for d in comparison["differences"]} == {"data", "ids"}
    assert all(row["settings_differ"] for row in comparison["metrics"])

    allowed = cli(
        cache_dir, tmp_path, "check", "--baseline", str(small), "--candidate", str(large),
        "--allow-difference", "data", "--allow-difference", "ids",
    )  # fmt: skip
    assert allowed.returncode != 2, allowed.stderr
    report = _report(tmp_path / "results" / "gate-report")
    assert {(d["field"], d["allowed"]) for d in report["differences"]} == {
        ("data", True),
        ("ids", True),
    }


# (baseline subset size or None for a full baseline, --subset, --subset-size, replayed size)
REPLAY_CASES = [
    (12, None, None, 12),
    (12, "smoke", None, 12),  # never the default 300
    (12, "smoke", 20, 20),  # asked explicitly: the ids then differ, and check refuses
    (12, None, 20, 20),
    (12, "full", None, None),
    (None, "smoke", None, 300),  # a smoke subset of a full baseline
    (None, None, None, None),
]


@pytest.mark.parametrize(("base_size", "subset", "size", "expected"), REPLAY_CASES)
def test_replayed_subset(
    baseline: Path, base_size: int | None, subset: str | None, size: int | None, expected: int
) -> None:
    from mmalign_eval.cli.stats import baseline_manifest, replay_config
    from mmalign_eval.stats.gate import GatePolicy

    manifest = baseline_manifest(baseline)
    base_subset = None if base_size is None else manifest.config.subset
    config = manifest.config.model_copy(update={"subset": base_subset})
    manifest = manifest.model_copy(update={"config": config})
    rules = GatePolicy(subset=subset, subset_size=size)
    replayed = replay_config(manifest, "tiny", rules, "out", "cache").subset
    assert (replayed.size if replayed else None) == expected
    assert replayed is None or replayed.seed == 0
