"""Data-parallel runs: shards by content key, two ranks equal one process, a killed rank's
share is finished by a rerun with any number of ranks, and the launcher stops on a failure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mmalign_eval.distributed import Rank, current_rank
from mmalign_eval.errors import HarnessError
from mmalign_eval.hashing import sha256_text
from mmalign_eval.launch import _wait, rank_argv
from mmalign_eval.testing import cli_env, run_cli

KEYS = [sha256_text(str(i)) for i in range(400)]


@pytest.mark.parametrize("world", [1, 2, 3, 8])
def test_every_key_has_exactly_one_rank(world: int) -> None:
    owners = [[r for r in range(world) if Rank(r, world).owns(key)] for key in KEYS]
    assert all(len(o) == 1 for o in owners)
    counts = [sum(o == [r] for o in owners) for r in range(world)]
    assert min(counts) > 0.5 * len(KEYS) / world  # roughly balanced


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, Rank()), ({"RANK": "1", "WORLD_SIZE": "2"}, Rank(1, 2, 1)),
     ({"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1"}, Rank(3, 4, 1))],
)  # fmt: skip
def test_rank_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: Rank
) -> None:
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert current_rank() == expected


@pytest.mark.parametrize("env", [{"RANK": "2", "WORLD_SIZE": "2"}, {"WORLD_SIZE": "x"}])
def test_bad_ranks_are_clear_errors(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(HarnessError):
        current_rank()


def test_rank_command_lines_drop_the_launch_option() -> None:
    argv = ["run", "--model", "tiny", "--data-parallel", "2", "--tasks", "pope"]
    assert rank_argv(argv) == ["run", "--model", "tiny", "--tasks", "pope"]
    assert rank_argv(["run", "--data-parallel=4", "-t", "x"]) == ["run", "-t", "x"]


def test_a_failed_rank_stops_the_others(capsys: pytest.CaptureFixture[str]) -> None:
    quick = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    slow = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    started = time.monotonic()
    assert _wait([slow, quick]) == 1
    assert time.monotonic() - started < 30 and slow.poll() is not None
    assert "rank 1 exited with code 3" in capsys.readouterr().err


# -- end to end on the tiny model, two ranks on this CPU (gloo) ----------------------------

ARGS = ("run", "--model", "tiny", "--tasks", "pope", "--data", "synthetic:6",
        "--max-new-tokens", "12")  # fmt: skip


def _items(run: Path) -> dict[tuple[str, str], object]:
    rows = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    return {(r["task"], r["id"]): (r["response"], r["scores"]) for r in rows}


def _metrics(run: Path) -> object:
    results = json.loads((run / "results.json").read_text())
    return [(t["task"], t["metrics"]) for t in results["tasks"]], results["groups"]


@pytest.fixture(scope="module")
def single(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("single")
    done = run_cli(folder, *ARGS, "--output-dir", "out", "--run-id", "r", cache_dir=cache_dir)
    assert done.returncode == 0, done.stderr
    return folder / "out" / "r"


@pytest.mark.slow
def test_two_ranks_give_the_one_process_results(
    cache_dir: Path, tmp_path: Path, single: Path
) -> None:
    done = run_cli(tmp_path, *ARGS, "--data-parallel", "2", "--output-dir", "out", "--run-id",
                   "r", cache_dir=cache_dir)  # fmt: skip
    assert done.returncode == 0, done.stderr
    run = tmp_path / "out" / "r"
    assert {p.name for p in run.glob("journal*.jsonl")} == {
        "journal.rank0.jsonl",
        "journal.rank1.jsonl",
    }
    assert _items(run) == _items(single) and _metrics(run) == _metrics(single)
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["timings"]["world_size"] == 2
    ranks = manifest["timings"]["ranks"]
    assert [r["rank"] for r in ranks] == [0, 1]
    assert sum(r["calls"] for r in ranks) == manifest["timings"]["requests_total"]
    assert min(r["idle_s"] for r in ranks) == 0.0  # the last rank to finish waits for no one


LAUNCHERS = {
    "torchrun": ("torchrun", "--nproc-per-node", "2", "-m", "mmalign_eval"),
    # accelerate's multi-GPU launch is torchrun's launcher underneath; here the ranks use CPU.
    "accelerate": ("accelerate", "launch", "--multi_gpu", "--num_processes", "2",
                   "--num_machines", "1", "-m", "mmalign_eval"),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_external_launchers_give_the_one_process_results(
    cache_dir: Path, tmp_path: Path, single: Path, launcher: str
) -> None:
    program = Path(sys.executable).with_name(launcher)
    if not program.exists():
        pytest.skip(f"{launcher} is not installed")
    command = [str(program), *LAUNCHERS[launcher][1:], *ARGS, "--device", "cpu",
               "--output-dir", "out", "--run-id", "r"]  # fmt: skip
    done = subprocess.run(command, cwd=tmp_path, env=cli_env(cache_dir), capture_output=True,
                          text=True, timeout=1800, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    run = tmp_path / "out" / "r"
    assert len(list(run.glob("journal.rank*.jsonl"))) == 2
    assert _items(run) == _items(single) and _metrics(run) == _metrics(single)


@pytest.mark.slow
def test_a_killed_rank_is_finished_by_a_rerun_with_one_rank(
    cache_dir: Path, tmp_path: Path, single: Path
) -> None:
    from mmalign_eval.testing import cli_command

    command = cli_command(*ARGS, "--output-dir", "out", "--run-id", "r")
    ranks = []
    port = str(29_500 + os.getpid() % 1000)
    for rank in range(2):
        extra = {"RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": "2"}
        extra |= {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": port}
        env = cli_env(cache_dir, extra=extra)
        quiet = subprocess.DEVNULL
        ranks.append(subprocess.Popen(command, cwd=tmp_path, env=env, stdout=quiet, stderr=quiet))
    journal = tmp_path / "out" / "r" / "journal.rank1.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (not journal.exists() or not journal.read_text().strip()):
        time.sleep(0.05)
    os.kill(ranks[1].pid, signal.SIGKILL)  # rank 1 dies mid-generation
    ranks[0].send_signal(signal.SIGKILL)  # and its partner is stopped, as torchrun would
    for process in ranks:
        process.wait()
    assert not (tmp_path / "out" / "r" / "results.json").exists()
    again = run_cli(tmp_path, *ARGS, "--output-dir", "out", "--run-id", "r", cache_dir=cache_dir)
    assert again.returncode == 0, again.stderr
    assert "resuming:" in again.stderr
    run = tmp_path / "out" / "r"
    assert _items(run) == _items(single) and _metrics(run) == _metrics(single)


def test_idle_time_is_the_wait_for_the_slowest_rank(tmp_path: Path) -> None:
    from mmalign_eval.answering import RankTiming, rank_timings, timing_file
    from mmalign_eval.results import write_json

    for rank, finished in ((0, 100.0), (1, 103.5), (2, 101.0)):
        timing = RankTiming(rank=rank, calls=4, generated=4, answer_s=1.0, finished_at=finished)
        write_json(timing_file(tmp_path, rank), timing)
    assert [t.idle_s for t in rank_timings(tmp_path, 3)] == [3.5, 0.0, 2.5]
