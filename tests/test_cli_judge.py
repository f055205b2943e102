"""End-to-end judge stage through the CLI: a loopback judge server and the tiny local judge."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.testing import run_cli

SECRET = "sk-mmalign-TEST-7f3a9c1e5b2d4f60"
KEY_ENV = "MMALIGN_TEST_JUDGE_KEY"
GEN = (
    "--model",
    "tiny",
    "--tasks",
    "mmhal_bench",
    "--data",
    "synthetic:8",
    "--max-new-tokens",
    "4",
)


def cli(cache_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    extra = {KEY_ENV: SECRET, "NO_PROXY": "127.0.0.1,localhost"}
    return run_cli(cwd, *args, cache_dir=cache_dir, columns=120, extra_env=extra)


def _api(server: Any, *extra: str, judge: str = "openai:gpt-4-0314") -> tuple[str, ...]:
    return (
        "--judge", judge, "--judge-base-url", server.base_url,
        "--judge-api-key-env", KEY_ENV, "--judge-retry-base", "0.01", *extra,
    )  # fmt: skip


def _run_dir(workdir: Path) -> Path:
    (run_dir,) = [p for p in (workdir / "out").iterdir() if p.is_dir()]
    return run_dir


def _task(run_dir: Path) -> dict[str, Any]:
    results = json.loads((run_dir / "results.json").read_text())
    (task,) = results["tasks"]
    return dict(task)


def _ok(done: subprocess.CompletedProcess[str], code: int = 0) -> None:
    assert done.returncode == code, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_api_judge_rescore_costs_zero_calls_and_never_writes_the_key(
    cache_dir: Path, tmp_path: Path, fake_judge: Any
) -> None:
    fake_judge.expected_key = SECRET
    fake_judge.faults = ["429", "500"]  # retried transparently
    fake_judge.retry_after = "0"
    done = cli(cache_dir, tmp_path, "run", *GEN, *_api(fake_judge), "--output-dir", "out")
    _ok(done)
    assert "8 calls to make" in done.stderr and "input and" in done.stderr
    assert fake_judge.auth_failures == 0 and fake_judge.calls == 8 + 2
    run_dir = _run_dir(tmp_path)
    task = _task(run_dir)
    assert task["metrics"][0]["name"] == "average_score" and task["metrics"][0]["value"] == 4.0
    judge = task["judge"]
    assert judge["official"] is True and judge["judge"]["model"] == "gpt-4-0314"
    assert judge["counts"] == {"ok": 8, "unparseable": 0, "error": 0, "not_judged": 0}
    assert len(judge["template"]["sha256"]) == 64 and judge["calls"] == 8
    assert all(m["note"] is None for m in task["metrics"])

    fake_judge.calls = 0
    again = cli(cache_dir, tmp_path, "judge", str(run_dir))
    _ok(again)
    assert fake_judge.calls == 0, "re-scoring a judged run must cost zero judge calls"
    assert "8 from the judge cache, 0 calls to make" in again.stderr
    assert _task(run_dir)["metrics"] == task["metrics"]

    leaked = [p for p in run_dir.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaked == [], f"the API key was written to {leaked}"
    assert SECRET not in done.stdout + done.stderr + again.stdout + again.stderr
    assert KEY_ENV in (run_dir / "manifest.json").read_text()  # the variable name only


@pytest.mark.slow
def test_budget_stop_then_resume(cache_dir: Path, tmp_path: Path, fake_judge: Any) -> None:
    done = cli(
        cache_dir, tmp_path, "run", *GEN, *_api(fake_judge, "--judge-max-calls", "3"),
        "--output-dir", "out",
    )  # fmt: skip
    _ok(done, 1)
    assert "--judge-max-calls reached" in done.stderr and fake_judge.calls == 3
    run_dir = _run_dir(tmp_path)
    counts = _task(run_dir)["judge"]["counts"]
    assert counts["ok"] == 3 and counts["not_judged"] == 5
    fake_judge.calls = 0
    resumed = cli(cache_dir, tmp_path, "judge", str(run_dir), *_api(fake_judge))
    _ok(resumed)
    assert fake_judge.calls == 5 and "3 from the judge cache, 5 calls" in resumed.stderr
    assert _task(run_dir)["judge"]["counts"]["ok"] == 8


@pytest.mark.slow
def test_a_killed_judge_stage_never_pays_twice(
    cache_dir: Path, tmp_path: Path, fake_judge: Any
) -> None:
    # A chunk holds 4 x concurrency = 8 calls, all 8 items: the kill lands inside it.
    import os
    import signal
    import time

    from mmalign_eval.testing import cli_command, cli_env

    fake_judge.delay_s = 0.3
    args = ("run", *GEN, *_api(fake_judge, "--judge-concurrency", "2"), "--output-dir", "out")
    env = cli_env(cache_dir, 120, {KEY_ENV: SECRET, "NO_PROXY": "127.0.0.1,localhost"})
    proc = subprocess.Popen(cli_command(*args), cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and len(fake_judge.bodies) < 6:  # 4 answered, 2 in flight
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    sent = len(fake_judge.bodies)
    received = sum(
        len(f.read_text().splitlines()) for f in tmp_path.glob("out/*/judge_cache.jsonl")
    )
    assert received >= 3  # replies were written as they arrived, not at the chunk's end
    finished = cli(cache_dir, tmp_path, *args)
    _ok(finished)
    # Only the calls in flight at the kill (at most the concurrency, plus one reply that
    # arrived while the process died) are paid twice; before, the whole chunk was.
    assert len(fake_judge.bodies) == sent + (8 - received) <= 8 + 3
    assert _task(_run_dir(tmp_path))["judge"]["counts"]["ok"] == 8


@pytest.mark.slow
def test_judge_failures_and_threshold(cache_dir: Path, tmp_path: Path, fake_judge: Any) -> None:
    fake_judge.faults = ["malformed", "empty"]
    fake_judge.reply = lambda p: "No rating." if "How many shapes" in p else "Rating: 5"
    # One request in flight: the two faults hit the first two inputs (attribute and
    # adversarial questions), never the counting question whose reply is unparseable.
    serial = ("--judge-concurrency", "1")
    done = cli(cache_dir, tmp_path, "run", *GEN, *_api(fake_judge, *serial), "--output-dir", "out")
    _ok(done, 1)
    run_dir = _run_dir(tmp_path)
    task = _task(run_dir)
    assert task["judge"]["counts"] == {"ok": 5, "unparseable": 1, "error": 2, "not_judged": 0}
    assert task["failures"] == {"unparseable": 1, "error": 2, "missing": 0}
    assert task["n_scored"] == 5
    assert task["metrics"][0]["value"] == 5.0  # failed items excluded, never scored 0
    assert "judgements failed" in done.stdout
    samples = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    reasons = sorted(
        s["judgement"]["reason"] or "" for s in samples if s["judgement"]["status"] == "error"
    )
    assert "malformed" in reasons[0] and "no choices" in reasons[1]
    # Errors are not cached: a rerun retries exactly those two; a looser threshold passes.
    fake_judge.calls = 0
    loose = ("--judge-max-failure-rate", "0.2")
    rerun = cli(cache_dir, tmp_path, "judge", str(run_dir), *_api(fake_judge, *loose))
    assert fake_judge.calls == 2
    assert _task(run_dir)["judge"]["counts"]["error"] == 0
    _ok(rerun, 1)  # the task's own --max-failure-rate (0.05) still sees 1 unparseable of 8


@pytest.mark.slow
def test_tiny_local_judge_end_to_end(cache_dir: Path, tmp_path: Path) -> None:
    done = cli(cache_dir, tmp_path, "run", *GEN, "--judge", "tiny", "--output-dir", "out")
    # tiny judges in choice mode: it picks the most likely of "Rating: 0".."Rating: 6", so
    # every judgement parses and the offline demo finishes with numbers (exit 0).
    _ok(done, 0)
    run_dir = _run_dir(tmp_path)
    _ok(cli(cache_dir, tmp_path, "validate", str(run_dir / "results.json")))
    task = _task(run_dir)
    identity = task["judge"]["judge"]
    assert identity["backend"] == "tiny" and identity["mode"] == "choice"
    assert task["judge"]["official"] is False
    assert task["judge"]["counts"] == {"ok": 8, "unparseable": 0, "error": 0, "not_judged": 0}
    assert "not the official gpt-4-0314" in done.stdout
    samples = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    texts = {s["judgement"]["text"] for s in samples}
    assert texts <= {f"Rating: {r}" for r in range(7)}
    score = next(m for m in task["metrics"] if m["name"] == "average_score")["value"]
    ratings = [int(t.split(": ")[1]) for t in (s["judgement"]["text"] for s in samples)]
    assert score == pytest.approx(sum(ratings) / len(ratings))


@pytest.mark.slow
def test_tiny_judge_in_generate_mode_counts_unparseable_texts(
    cache_dir: Path, tmp_path: Path
) -> None:
    done = cli(
        cache_dir, tmp_path, "run", *GEN, "--judge", "tiny", "--judge-mode", "generate",
        "--judge-max-new-tokens", "4", "--output-dir", "out",
    )  # fmt: skip
    # The random tiny model writes no "Rating: s": every item is a counted failure, exit 1.
    _ok(done, 1)
    task = _task(_run_dir(tmp_path))
    assert task["judge"]["judge"]["mode"] == "generate"
    assert task["judge"]["counts"]["unparseable"] + task["judge"]["counts"]["ok"] == 8


def test_choice_mode_needs_a_local_judge(cache_dir: Path, tmp_path: Path) -> None:
    done = cli(
        cache_dir, tmp_path, "run", *GEN, "--judge", "openai:gpt-4-0314",
        "--judge-mode", "choice", "--output-dir", "out",
    )  # fmt: skip
    _ok(done, 2)
    assert "needs a local judge" in done.stderr


def test_judged_task_without_judge_is_a_usage_error(cache_dir: Path, tmp_path: Path) -> None:
    done = cli(cache_dir, tmp_path, "run", *GEN, "--output-dir", "out")
    _ok(done, 2)
    assert "scored by a judge" in done.stderr and "--judge" in done.stderr
    bad = cli(cache_dir, tmp_path, "run", *GEN, "--judge", "gpt4", "--output-dir", "out")
    _ok(bad, 2)
    assert "bad --judge value" in bad.stderr
    nokey = cli(
        cache_dir, tmp_path, "run", *GEN, "--judge", "openai:x",
        "--judge-api-key-env", "MMALIGN_UNSET_VAR", "--output-dir", "out",
    )  # fmt: skip
    _ok(nokey, 2)
    assert "MMALIGN_UNSET_VAR" in nokey.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_each_task_can_have_its_own_judge(cache_dir: Path, tmp_path: Path, fake_judge: Any) -> None:
    # MMHal-Bench by the tiny local judge, Object HalBench by "its official" API judge (the
    # loopback server), in one run: two judge stages, each task recording its own judge.
    fake_judge.expected_key = SECRET
    fake_judge.reply = lambda prompt: '["circle", "unicorn"]'
    done = cli(
        cache_dir, tmp_path, "run", "--model", "tiny", "--tasks", "mmhal_bench,object_halbench",
        "--data", "synthetic:4", "--max-new-tokens", "48", "--output-dir", "out",
        "--judge", "tiny", *_api(fake_judge, judge="object_halbench=openai:gpt-3.5-turbo-0613"),
    )  # fmt: skip
    _ok(done, 0)
    results = json.loads((_run_dir(tmp_path) / "results.json").read_text())
    judges = {t["task"]: t["judge"] for t in results["tasks"]}
    assert judges["mmhal_bench"]["judge"]["backend"] == "tiny"
    halbench = judges["object_halbench"]
    assert halbench["judge"]["backend"] == "openai" and halbench["official"] is True
    assert halbench["counts"]["ok"] == 4
    assert 1 <= fake_judge.calls <= 4  # identical judge inputs are sent once
    calls_before = fake_judge.calls
    lines = (_run_dir(tmp_path) / "samples.jsonl").read_text().splitlines()
    scored = [json.loads(line) for line in lines]
    # 'circle' is a class of the synthetic synonym list, 'unicorn' is not.
    assert [r["scores"]["mentions"] for r in scored if r["task"] == "object_halbench"] == [1] * 4
    run_dir = _run_dir(tmp_path)
    assert "gpt-3.5-turbo-0613" in (run_dir / "manifest.json").read_text()
    leaked = [p for p in run_dir.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert not leaked and SECRET not in done.stdout + done.stderr
    # Re-scoring the folder uses each task's own judge again, from the judge cache.
    again = cli(cache_dir, tmp_path, "judge", str(run_dir))
    _ok(again, 0)
    assert fake_judge.calls == calls_before
    rejudged = json.loads((run_dir / "results.json").read_text())
    assert {t["task"]: t["judge"]["judge"]["backend"] for t in rejudged["tasks"]} == {
        "mmhal_bench": "tiny", "object_halbench": "openai",
    }  # fmt: skip


def test_a_judged_task_without_its_judge_is_a_usage_error(cache_dir: Path, tmp_path: Path) -> None:
    done = cli(
        cache_dir, tmp_path, "run", "--model", "tiny", "--tasks", "mmhal_bench,object_halbench",
        "--data", "synthetic:4", "--judge", "object_halbench=tiny",
    )  # fmt: skip
    _ok(done, 2)
    assert "mmhal_bench is scored by a judge model" in done.stderr
    assert "object_halbench is" not in done.stderr


@pytest.mark.slow
def test_short_answers_get_the_official_empty_list_without_a_call(
    cache_dir: Path, tmp_path: Path, fake_judge: Any
) -> None:
    # Four new tokens of the tiny model are one "word" each: RLHF-V's rule (three words or
    # fewer name no object) settles them, so the API judge is never called.
    fake_judge.expected_key = SECRET
    done = cli(
        cache_dir, tmp_path, "run", "--model", "tiny", "--tasks", "object_halbench",
        "--data", "synthetic:4", "--max-new-tokens", "4", "--output-dir", "out",
        *_api(fake_judge, judge="openai:gpt-3.5-turbo-0613"),
    )  # fmt: skip
    _ok(done, 0)
    assert fake_judge.calls == 0
    assert "settled by the official script's rule" in done.stderr
    task = _task(_run_dir(tmp_path))
    assert task["judge"]["counts"]["ok"] == 4 and task["judge"]["calls"] == 0
    lines = (_run_dir(tmp_path) / "samples.jsonl").read_text().splitlines()
    assert {json.loads(line)["judgement"]["text"] for line in lines} == {"[]"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--judge", "tiny", "--judge", "pope_random=tiny"), "pope_random is not scored by a"),
        (("--judge", "tiny", "--judge", "mmhal_bench=openai:gpt-4-0314",
          "--judge-api-key-env", "MMALIGN_TEST_UNSET_KEY"), "MMALIGN_TEST_UNSET_KEY"),
        (("--judge", "amber=tiny"), "no task of amber is in this run"),
    ],
)  # fmt: skip
def test_per_task_judge_mistakes_stop_before_loading(
    cache_dir: Path, tmp_path: Path, args: tuple[str, ...], needle: str
) -> None:
    done = cli(
        cache_dir, tmp_path, "run", "--model", "tiny", "--tasks", "pope_random,mmhal_bench",
        "--data", "synthetic:2", *args,
    )  # fmt: skip
    _ok(done, 2)
    assert needle in done.stderr


def test_a_suite_wide_judge_covers_the_judged_tasks_in_the_run(
    cache_dir: Path, tmp_path: Path
) -> None:
    done = cli(
        cache_dir, tmp_path, "run", "--model", "tiny", "--tasks", "mmhal_bench,pope_random",
        "--data", "synthetic:2", "--max-new-tokens", "2", "--judge", "hallucination=tiny",
        "--output-dir", "out",
    )  # fmt: skip
    _ok(done, 0)
    results = json.loads((_run_dir(tmp_path) / "results.json").read_text())
    judges = {t["task"]: t["judge"] for t in results["tasks"]}
    assert judges["mmhal_bench"]["judge"]["backend"] == "tiny" and judges["pope_random"] is None


@pytest.mark.slow
def test_a_failed_rejudge_keeps_the_results_and_the_judge_of_the_run(
    cache_dir: Path, tmp_path: Path, fake_judge: Any
) -> None:
    _ok(cli(cache_dir, tmp_path, "run", *GEN, "--judge", "tiny", "--output-dir", "out"))
    run_dir = _run_dir(tmp_path)
    before = {n: (run_dir / n).read_bytes() for n in ("results.json", "manifest.json")}
    fake_judge.faults = ["500"] * 100
    failed = cli(cache_dir, tmp_path, "judge", str(run_dir),
                 *_api(fake_judge, "--judge-max-retries", "0"))  # fmt: skip
    _ok(failed, 1)
    assert "the judge stage failed" in failed.stderr
    assert {n: (run_dir / n).read_bytes() for n in before} == before
    kept = json.loads((run_dir / "results.judge-failed.json").read_text())
    assert kept["tasks"][0]["judge"]["counts"]["error"] == 8
