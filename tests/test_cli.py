"""End-to-end: the `mmalign-eval` command in subprocesses, on the tiny model and synthetic POPE."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.registry import build_registry
from mmalign_eval.testing import cli_command, cli_env, run_cli
from mmalign_eval_tasks.hallucination.pope.synthetic import ensure_synthetic_pope

POPE_TASKS = ("pope_adversarial", "pope_popular", "pope_random")
SCRIPT = Path(sys.executable).with_name("mmalign-eval")


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def _env(cache_dir: Path) -> dict[str, str]:
    return cli_env(cache_dir)


def _command(args: tuple[str, ...]) -> list[str]:
    return cli_command(*args)


def cli(cache_dir: Path, cwd: Path, *args: str, timeout: float = 300) -> Result:
    done = run_cli(cwd, *args, cache_dir=cache_dir, timeout=timeout)
    return Result(done.returncode, done.stdout, done.stderr)


def _assert_ok(result: Result) -> None:
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def _assert_clean_error(result: Result, code: int | None, *needles: str) -> tuple[str, str]:
    """Exit code, one `error:` line followed directly by one `hint:` line, no traceback."""
    message = _assert_error_line(result, code)
    lines = result.stderr.splitlines()
    index = lines.index(message)
    assert index + 1 < len(lines) and lines[index + 1].startswith("hint:"), result.stderr
    assert sum(line.startswith("hint:") for line in lines) == 1, result.stderr
    hint = lines[index + 1]
    for needle in needles:
        assert needle in message + "\n" + hint, result.stderr
    return message, hint


def _assert_error_line(result: Result, code: int | None) -> str:
    """Exit code, exactly one `error:` line, no traceback."""
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text
    if code is None:
        assert result.returncode != 0, text
    else:
        assert result.returncode == code, text
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def _run_dir(output_dir: Path) -> Path:
    (run_dir,) = [p for p in output_dir.iterdir() if p.is_dir()]
    return run_dir


def _load(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    results = json.loads((run_dir / "results.json").read_text())
    samples = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    return results, samples, manifest


def _numbers(results: dict[str, Any]) -> Any:
    """What must not change between equivalent runs: everything but timestamps."""
    return {
        "run_id": results["run_id"],
        "passed": results["passed"],
        "tasks": results["tasks"],
        "groups": results["groups"],
    }


def _answers(samples: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    fields = ("task", "id", "response", "finish_reason", "parsed", "status", "key")
    return [(*(s[f] for f in fields), tuple(sorted(s["scores"].items()))) for s in samples]


# -- run: the group, the files it writes, and a rerun -----------------------------------

POPE_RUN = (
    "run",
    "--model",
    "tiny",
    "--tasks",
    "pope",
    "--data",
    "synthetic:4",
    "--max-new-tokens",
    "4",
    "--output-dir",
    "out",
)


@dataclass(frozen=True)
class PopeRun:
    workdir: Path
    run_dir: Path
    result: Result
    results: dict[str, Any]
    samples: list[dict[str, Any]]
    manifest: dict[str, Any]


@pytest.fixture(scope="module")
def pope_run(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> PopeRun:
    workdir = tmp_path_factory.mktemp("cli-pope")
    result = cli(cache_dir, workdir, *POPE_RUN)
    _assert_ok(result)
    run_dir = _run_dir(workdir / "out")
    # Read everything now: the rerun test rewrites these files.
    return PopeRun(workdir, run_dir, result, *_load(run_dir))


@pytest.mark.slow
def test_run_writes_valid_results(cache_dir: Path, pope_run: PopeRun) -> None:
    assert {p.name for p in pope_run.run_dir.iterdir()} >= {
        "results.json",
        "samples.jsonl",
        "manifest.json",
        "journal.jsonl",
    }
    assert "Traceback" not in pope_run.result.stderr
    validated = cli(cache_dir, pope_run.workdir, "validate", str(pope_run.run_dir / "results.json"))
    _assert_ok(validated)
    assert "valid" in validated.stdout
    # The table prints every metric of the three tasks at 80 columns without cutting any.
    table = pope_run.result.stdout
    assert "…" not in table and "[0." in table, table
    # Its marks are explained in one line under it; the random demo model says it is random.
    assert "↑ higher is better  ★ primary metric" in table
    assert "tiny is an untrained test model with random weights" in pope_run.result.stderr

    results = pope_run.results
    assert results["kind"] == "run"
    assert results["passed"] is True
    assert results["run_id"] == pope_run.run_dir.name
    assert [t["task"] for t in results["tasks"]] == list(POPE_TASKS)
    for task in results["tasks"]:
        assert task["n_samples"] == 24
        assert task["n_scored"] + task["failures"]["unparseable"] + task["failures"]["error"] == 24
        assert task["generation"]["max_new_tokens"] == 4
        assert task["data"]["kind"] == "synthetic"
        assert task["protocol"]["name"] == "official" and task["protocol"]["official"] is True
        assert sum(m["primary"] for m in task["metrics"]) == 1
        assert {m["name"] for m in task["metrics"]} >= {"accuracy", "precision", "recall", "f1"}
        for metric in task["metrics"]:
            assert metric["direction"] in ("higher", "lower", "neither")
            assert isinstance(metric["primary"], bool)
            assert "ci" in metric
            if metric["value"] is not None:
                ci = metric["ci"]
                assert ci is not None
                assert ci["low"] - 1e-9 <= metric["value"] <= ci["high"] + 1e-9
        assert next(m for m in task["metrics"] if m["primary"])["name"] == "f1"

    (group,) = [g for g in results["groups"] if g["group"] == "pope"]
    assert group["tasks"] == list(POPE_TASKS)
    by_name = {m["name"]: m for m in group["metrics"]}
    assert {"mean_f1", "mean_accuracy"} <= set(by_name)
    f1s = [next(m["value"] for m in t["metrics"] if m["name"] == "f1") for t in results["tasks"]]
    assert by_name["mean_f1"]["value"] == pytest.approx(sum(f1s) / 3)
    for metric in group["metrics"]:
        assert metric["direction"] == "higher"
        assert isinstance(metric["primary"], bool)
        assert "ci" in metric
    assert by_name["mean_f1"]["primary"] is True


@pytest.mark.slow
def test_run_writes_one_sample_line_per_sample(pope_run: PopeRun) -> None:
    samples = pope_run.samples
    assert len(samples) == 3 * 24
    for task in POPE_TASKS:
        ids = [s["id"] for s in samples if s["task"] == task]
        assert sorted(ids, key=int) == [str(i) for i in range(1, 25)]
    for sample in samples:
        assert sample["status"] in ("ok", "unparseable", "error")
        assert isinstance(sample["scores"], dict)
        assert sample["target"] in ("yes", "no")
        if sample["status"] == "ok":
            assert set(sample["scores"]) >= {"tp", "fp", "tn", "fn"}
            assert sample["parsed"] in ("yes", "no")
            assert sample["finish_reason"] in ("stop", "length")
    # Scores recompute the per-task counts that the metrics were aggregated from.
    for task in pope_run.results["tasks"]:
        rows = [s for s in samples if s["task"] == task["task"] and s["status"] == "ok"]
        tp = sum(s["scores"]["tp"] for s in rows)
        fp = sum(s["scores"]["fp"] for s in rows)
        tn = sum(s["scores"]["tn"] for s in rows)
        accuracy = next(m["value"] for m in task["metrics"] if m["name"] == "accuracy")
        assert accuracy == pytest.approx((tp + tn) / len(rows))
        if tp + fp:
            precision = next(m["value"] for m in task["metrics"] if m["name"] == "precision")
            assert precision == pytest.approx(tp / (tp + fp))


@pytest.mark.slow
def test_run_writes_manifest(pope_run: PopeRun) -> None:
    manifest, results = pope_run.manifest, pope_run.results
    fingerprint = manifest["engine"]["model_fingerprint"]
    assert len(fingerprint) == 64 and int(fingerprint, 16) >= 0
    assert fingerprint == results["engine"]["model_fingerprint"]
    assert manifest["engine"]["model"] == "tiny"
    assert manifest["config"]["overrides"]["max_new_tokens"] == 4
    assert manifest["config"]["tasks"] == ["pope"]
    assert manifest["config"]["data"] == "synthetic:4"
    assert manifest["run_id"] == results["run_id"]

    registry = build_registry()
    assert [t["task"] for t in manifest["tasks"]] == list(POPE_TASKS)
    for entry, task in zip(manifest["tasks"], results["tasks"], strict=True):
        spec = registry.tasks[entry["task"]]
        expected = hashlib.sha256(spec.prompt_template.encode()).hexdigest()[:16]
        assert entry["prompt_sha256"] == expected == task["prompt"]["sha256"]
        assert entry["n_samples"] == 24
        assert entry["protocol"] == "official"

    timings = manifest["timings"]
    assert timings["requests_total"] == 72
    # POPE splits share their positive questions: one generation per distinct request key.
    assert timings["requests_generated"] == len({s["key"] for s in pope_run.samples})
    assert timings["requests_from_journal"] == 0  # a fresh run reads nothing from a journal


@pytest.mark.slow
def test_rerun_generates_nothing_and_reproduces_results(cache_dir: Path, pope_run: PopeRun) -> None:
    rerun = cli(cache_dir, pope_run.workdir, *POPE_RUN)
    _assert_ok(rerun)
    assert "resuming" in rerun.stderr
    assert _run_dir(pope_run.workdir / "out") == pope_run.run_dir
    results, samples, manifest = _load(pope_run.run_dir)
    assert manifest["timings"]["requests_generated"] == 0
    assert manifest["timings"]["requests_from_journal"] == 72
    assert _numbers(results) == _numbers(pope_run.results)
    assert _answers(samples) == _answers(pope_run.samples)


# -- resume after SIGKILL -----------------------------------------------------------------

REQUESTS = 120  # pope_random on synthetic:20: 20 images x 6 questions
RESUME_RUN = (
    "run",
    "--model",
    "tiny",
    "--tasks",
    "pope_random",
    "--data",
    "synthetic:20",
    "--batch-size",
    "2",
    "--max-new-tokens",
    "12",
    "--output-dir",
    "out",
)


def _complete_lines(path: Path) -> int:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    return data.count(b"\n")


def _start_and_kill(cache_dir: Path, workdir: Path, min_lines: int = 3) -> int:
    """Start a run, SIGKILL it once its journal has some lines; return the lines at kill."""
    log = (workdir / "killed.log").open("w")
    proc = subprocess.Popen(
        _command(RESUME_RUN), cwd=workdir, env=_env(cache_dir), stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            journals = list((workdir / "out").glob("*/journal.jsonl"))
            if journals and _complete_lines(journals[0]) >= min_lines:
                break
            if proc.poll() is not None:
                pytest.fail(f"the run ended before it could be killed:\n{_read(workdir)}")
            time.sleep(0.005)
        else:
            pytest.fail("the run wrote no journal lines in time")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    assert proc.returncode == -signal.SIGKILL
    return _complete_lines(journals[0])


def _read(workdir: Path) -> str:
    return (workdir / "killed.log").read_text(errors="replace")


@pytest.mark.slow
def test_resume_after_sigkill_matches_uninterrupted_run(cache_dir: Path, tmp_path: Path) -> None:
    ensure_synthetic_pope(cache_dir / "data", 20)  # built here, not inside the timed run
    interrupted = tmp_path / "interrupted"
    interrupted.mkdir()
    lines_at_kill = _start_and_kill(cache_dir, interrupted)
    run_dir = _run_dir(interrupted / "out")
    assert not (run_dir / "results.json").exists(), "the run finished before the kill"
    assert 0 < lines_at_kill < REQUESTS

    resumed = cli(cache_dir, interrupted, *RESUME_RUN)
    _assert_ok(resumed)
    assert "resuming" in resumed.stderr
    assert _run_dir(interrupted / "out") == run_dir

    clean = tmp_path / "clean"
    clean.mkdir()
    _assert_ok(cli(cache_dir, clean, *RESUME_RUN))

    results, samples, manifest = _load(run_dir)
    clean_results, clean_samples, clean_manifest = _load(_run_dir(clean / "out"))
    assert _numbers(results) == _numbers(clean_results)
    assert _answers(samples) == _answers(clean_samples)
    assert len(samples) == REQUESTS

    timings = manifest["timings"]
    assert timings["requests_total"] == REQUESTS
    assert timings["requests_from_journal"] >= lines_at_kill > 0
    assert timings["requests_generated"] + timings["requests_from_journal"] == REQUESTS
    assert clean_manifest["timings"]["requests_from_journal"] == 0
    assert clean_manifest["timings"]["requests_generated"] == REQUESTS
    # Each response is journaled once: the resumed run appended only what was missing.
    assert _complete_lines(run_dir / "journal.jsonl") == REQUESTS


# -- error exits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "needles"),
    [
        pytest.param(
            ("run", "--model", "tiny", "--tasks", "no_such_task", "--data", "synthetic:4"),
            2,
            ("unknown task 'no_such_task'", "mmalign-eval tasks"),
            id="unknown-task",
        ),
        pytest.param(
            (
                "run",
                "--model",
                "./does-not-exist",
                "--tasks",
                "pope_random",
                "--data",
                "synthetic:4",
            ),
            2,
            ("does-not-exist",),
            id="bad-model-path",
        ),
        pytest.param(
            ("run", "--model", "tiny", "--data", "synthetic:4"), 2, ("no tasks",), id="no-tasks"
        ),
        pytest.param(
            ("run", "--model", "tiny", "--tasks", "pope_random", "--data", "synthetic:x"),
            2,
            ("synthetic:x",),
            id="bad-synthetic-size",
        ),
        pytest.param(
            (
                "run",
                "--model",
                "tiny",
                "--tasks",
                "pope",
                "--data",
                "synthetic:4",
                "--protocol",
                "x",
            ),
            2,
            ("protocol 'x'", "official"),
            id="unknown-protocol",
        ),
        pytest.param(
            ("score", "pope", "--predictions", "p.jsonl", "--data", "synthetic:4"),
            2,
            ("single task", "pope_random"),
            id="score-group",
        ),
    ],
)
def test_usage_errors(
    cache_dir: Path, tmp_path: Path, args: tuple[str, ...], code: int, needles: tuple[str, ...]
) -> None:
    _assert_clean_error(cli(cache_dir, tmp_path, *args), code, *needles)


def test_validate_errors(cache_dir: Path, tmp_path: Path) -> None:
    missing = cli(cache_dir, tmp_path, "validate", "nowhere.json")
    assert "nowhere.json" in _assert_error_line(missing, 2)
    (tmp_path / "results.json").write_text('{"schema_version": "1.0", "tasks": []}\n')
    broken = cli(cache_dir, tmp_path, "validate", "results.json")
    assert "results schema" in _assert_error_line(broken, 1)


@pytest.mark.parametrize(
    ("second_line", "needle"),
    [
        pytest.param('{"question_id": 2, "text": "no"', "bad.jsonl:2", id="invalid-json"),
        pytest.param('{"question_id": 2}', "line 2", id="no-answer-field"),
        pytest.param('["yes"]', "bad.jsonl:2", id="not-an-object"),
    ],
)
def test_score_malformed_predictions_names_the_line(
    cache_dir: Path, tmp_path: Path, second_line: str, needle: str
) -> None:
    (tmp_path / "bad.jsonl").write_text(
        '{"question_id": 1, "text": "yes"}\n' + second_line + "\n", encoding="utf-8"
    )
    result = cli(
        cache_dir,
        tmp_path,
        "score",
        "pope_random",
        "--predictions",
        "bad.jsonl",
        "--data",
        "synthetic:4",
        "--output",
        "scored/results.json",
    )
    _assert_clean_error(result, None, needle)
    assert not (tmp_path / "scored").exists()


def _labels_only(cache_dir: Path, target: Path) -> Path:
    source = ensure_synthetic_pope(cache_dir / "data", 4)
    target.mkdir()
    for split in ("random", "popular", "adversarial"):
        name = f"coco_pope_{split}.json"
        shutil.copy(source / name, target / name)
    return target


def test_label_files_without_image_folder(cache_dir: Path, tmp_path: Path) -> None:
    labels = _labels_only(cache_dir, tmp_path / "pope-labels")
    base = ("run", "--model", "tiny", "--tasks", "pope_random", "--max-new-tokens", "4")
    for extra in (
        ("--data", str(labels)),
        ("--data", str(labels / "coco_pope_random.json")),
        ("--data", str(labels), "--image-dir", str(tmp_path / "no-such-images")),
    ):
        _, hint = _assert_clean_error(
            cli(cache_dir, tmp_path, *base, *extra), None, "image folder not found"
        )
        assert "--image-dir" in hint
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_failure_rate_above_threshold_exits_1_and_still_writes_results(
    cache_dir: Path, tmp_path: Path
) -> None:
    data = tmp_path / "pope-broken"
    shutil.copytree(ensure_synthetic_pope(cache_dir / "data", 4), data)
    images = sorted((data / "images").glob("*.png"))
    assert len(images) == 4
    images[0].unlink()
    images[1].unlink()
    images[2].write_bytes(b"not a png at all")
    args = (
        "run",
        "--model",
        "tiny",
        "--tasks",
        "pope_random",
        "--data",
        str(data),
        "--max-new-tokens",
        "4",
        "--output-dir",
        "out",
    )

    failed = cli(cache_dir, tmp_path, *args, "--max-failure-rate", "0.5")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Traceback" not in failed.stdout + failed.stderr
    assert "--max-failure-rate" in failed.stdout + failed.stderr
    run_dir = _run_dir(tmp_path / "out")
    results, samples, _ = _load(run_dir)
    (task,) = results["tasks"]
    assert results["passed"] is False
    assert task["n_samples"] == 24
    assert task["failures"] == {"unparseable": 0, "error": 18, "missing": 0}
    assert task["failure_rate"] == pytest.approx(0.75)
    assert task["n_scored"] == 6
    assert task["failure_examples"]
    errors = [s for s in samples if s["status"] == "error"]
    assert len(errors) == 18
    assert all(s["response"] is None and s["scores"] == {} for s in errors)
    reasons = {s["reason"] for s in errors}
    assert any("not found" in r and images[0].name in r for r in reasons)
    assert any("corrupt" in r and images[2].name in r for r in reasons)
    # Failed requests are not journaled: only the 6 good answers are kept for a rerun.
    assert _complete_lines(run_dir / "journal.jsonl") == 6

    # The same failures under a looser threshold pass (and the errors are retried, not reused).
    passed = cli(cache_dir, tmp_path, *args, "--max-failure-rate", "0.8")
    _assert_ok(passed)
    results, _, manifest = _load(run_dir)
    assert results["passed"] is True
    assert results["tasks"][0]["failures"]["error"] == 18
    assert manifest["timings"]["requests_from_journal"] == 6


# -- tasks and score --------------------------------------------------------------------


def test_tasks_lists_tasks_groups_and_suites(cache_dir: Path, tmp_path: Path) -> None:
    command = [str(SCRIPT), "tasks"] if SCRIPT.exists() else _command(("tasks",))
    done = subprocess.run(
        command, cwd=tmp_path, env=_env(cache_dir), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    words = done.stdout.split()
    # Whole names even at 80 columns: a pipe to grep must find them.
    for name in (*POPE_TASKS, "pope", "hallucination"):
        assert name in words, done.stdout


def test_score_writes_results_for_matched_ids(cache_dir: Path, tmp_path: Path) -> None:
    labels = ensure_synthetic_pope(cache_dir / "data", 4) / "coco_pope_random.json"
    rows = [json.loads(line) for line in labels.read_text().splitlines()]
    assert len(rows) == 24
    answered = rows[:20]
    tp = fp = tn = fn = 0
    with (tmp_path / "preds.jsonl").open("w") as handle:
        for index, row in enumerate(answered):
            truth = row["label"] == "yes"
            say_yes = truth if index % 3 else not truth  # every third answer is wrong
            tp += truth and say_yes
            fp += (not truth) and say_yes
            tn += (not truth) and not say_yes
            fn += truth and not say_yes
            text = "Yes, there is." if say_yes else "No, there is not."
            handle.write(json.dumps({"question_id": row["question_id"], "text": text}) + "\n")
        handle.write(json.dumps({"question_id": 999, "text": "yes"}) + "\n")

    result = cli(
        cache_dir,
        tmp_path,
        "score",
        "pope_random",
        "--predictions",
        "preds.jsonl",
        "--data",
        str(labels),
        "--output",
        "scored/results.json",
    )
    # 4 of 24 questions unanswered: failures (missing) above the 5% threshold, exit 1.
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "4 benchmark ids have no prediction" in result.stderr
    assert "they count as failures" in result.stderr
    assert "1 predictions match no benchmark id" in result.stderr
    output = tmp_path / "scored" / "results.json"
    _assert_ok(cli(cache_dir, tmp_path, "validate", str(output)))

    results = json.loads(output.read_text())
    assert results["kind"] == "score"
    assert results["engine"] is None
    digest = hashlib.sha256((tmp_path / "preds.jsonl").read_bytes()).hexdigest()
    assert results["predictions"]["sha256"] == digest
    (task,) = results["tasks"]
    assert task["task"] == "pope_random"
    assert task["n_samples"] == 24 and task["n_scored"] == 20
    assert task["failures"] == {"unparseable": 0, "error": 0, "missing": 4}
    assert not results["passed"]
    assert task["matching"]["missing_predictions"] == 4
    assert task["matching"]["unmatched_predictions"] == 1
    assert task["matching"]["unmatched_examples"] == ["999"]
    assert sorted(task["matching"]["missing_examples"]) == ["21", "22", "23", "24"]
    metrics = {m["name"]: m["value"] for m in task["metrics"]}
    assert metrics["accuracy"] == pytest.approx((tp + tn) / 20)
    assert metrics["precision"] == pytest.approx(tp / (tp + fp))
    assert metrics["recall"] == pytest.approx(tp / (tp + fn))
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert metrics["f1"] == pytest.approx(2 * precision * recall / (precision + recall))
    assert metrics["yes_ratio"] == pytest.approx((tp + fp) / 20)

    samples = [json.loads(line) for line in (tmp_path / "scored" / "samples.jsonl").open()]
    assert len(samples) == 24
    missing = {s["id"] for s in samples if s["status"] == "missing"}
    assert missing == {"21", "22", "23", "24"}
    assert {s["id"] for s in samples} - missing == {str(r["question_id"]) for r in answered}

    # Asking for the answered subset scores it without failures.
    ids = ",".join(str(r["question_id"]) for r in answered)
    subset = cli(
        cache_dir, tmp_path, "score", "pope_random", "--predictions", "preds.jsonl",
        "--data", str(labels), "--ids", ids, "--output", "subset/results.json",
    )  # fmt: skip
    _assert_ok(subset)
    (task,) = json.loads((tmp_path / "subset" / "results.json").read_text())["tasks"]
    assert task["n_samples"] == task["n_scored"] == 20
    unknown = cli(
        cache_dir, tmp_path, "score", "pope_random", "--predictions", "preds.jsonl",
        "--data", str(labels), "--ids", "1,2,99999",
    )  # fmt: skip
    assert unknown.returncode == 2 and "--ids names 1 ids" in unknown.stderr


@pytest.mark.parametrize("command", ["run", "score"])
def test_protocol_help_names_no_false_default(tmp_path: Path, command: str) -> None:
    # MMHal-Bench's default protocol is `strict`: the help must not claim `official`.
    done = run_cli(tmp_path, command, "--help", columns=200)
    assert done.returncode == 0, done.stderr
    assert "default: official" not in done.stdout
    assert "mmalign-eval tasks" in done.stdout
