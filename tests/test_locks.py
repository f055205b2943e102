"""Exclusive use of run folders and leaderboards: nothing lost, nothing paid twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mmalign_eval.errors import UsageError
from mmalign_eval.locks import exclusive
from mmalign_eval.testing import cli_command, cli_env, run_cli

HOLD = """
import sys, time
from pathlib import Path
from mmalign_eval.locks import exclusive
with exclusive(Path(sys.argv[1]), "thing"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(lock: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(lock), str(seconds)],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_held_lock_is_a_usage_error_naming_the_holder(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    proc = _holder(lock, 60)
    try:
        with pytest.raises(UsageError, match=f"in use by pid {proc.pid}"), exclusive(lock, "x"):
            pass
    finally:
        proc.kill()
        proc.wait()
    with exclusive(lock, "x"):  # a killed holder leaves no lock behind
        assert json.loads(lock.with_name(".lock.holder").read_text())["pid"] > 0
    assert not lock.with_name(".lock.holder").exists()


def test_a_waiting_lock_gets_its_turn(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    proc = _holder(lock, 1)
    with exclusive(lock, "x", wait_s=300):
        assert proc.wait() == 0


@pytest.fixture(scope="module")
def finished_run(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("locked")
    args = ("--tasks", "pope_random", "--data", "synthetic:2", "--output-dir", "out")
    done = run_cli(folder, "run", "--model", "tiny", *args, "--run-id", "r", cache_dir=cache_dir)
    assert done.returncode == 0, done.stderr
    return folder / "out" / "r"


@pytest.mark.slow
def test_concurrent_leaderboard_adds_lose_no_entry(
    cache_dir: Path, tmp_path: Path, finished_run: Path
) -> None:
    adds = [
        subprocess.Popen(cli_command("leaderboard", "add", str(finished_run), "--board", "b",
                                     "--id", f"e{i}", "--boards-dir", "boards"),
                         cwd=tmp_path, env=cli_env(cache_dir), stderr=subprocess.PIPE, text=True)
        for i in range(10)
    ]  # fmt: skip
    assert [p.wait(timeout=1800) for p in adds] == [0] * 10
    board = json.loads((tmp_path / "boards" / "b.json").read_text())
    assert sorted(e["id"] for e in board["entries"]) == sorted(f"e{i}" for i in range(10))


@pytest.mark.slow
def test_a_second_run_of_a_busy_run_folder_stops_naming_the_holder(
    cache_dir: Path, tmp_path: Path, finished_run: Path
) -> None:
    lock = finished_run / ".lock.rank0"
    proc = _holder(lock, 120)
    try:
        again = run_cli(finished_run.parent.parent, "run", "--model", "tiny", "--tasks",
                        "pope_random", "--data", "synthetic:2", "--output-dir", "out",
                        "--run-id", "r", cache_dir=cache_dir)  # fmt: skip
    finally:
        proc.kill()
        proc.wait()
    assert again.returncode == 2, again.stderr
    assert f"run folder out/r is in use by pid {proc.pid}" in again.stderr
    free = run_cli(finished_run.parent.parent, "run", "--model", "tiny", "--tasks", "pope_random",
                   "--data", "synthetic:2", "--output-dir", "out", "--run-id", "r",
                   cache_dir=cache_dir)  # fmt: skip
    assert free.returncode == 0 and "all 12 answers are in the journal" in free.stderr
