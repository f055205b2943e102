"""`--data-parallel N`: start N ranks of the same command on this machine, as torchrun would.

Each rank gets RANK, WORLD_SIZE, LOCAL_RANK and a loopback rendezvous; if one exits with an
error the others are stopped and the run fails naming it. What every rank journaled stays,
so rerunning the command (with any number of ranks) finishes the missing share.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence

DATA_PARALLEL_OPTION = "--data-parallel"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rank_argv(argv: Sequence[str]) -> list[str]:
    """The command line of one rank: the same, without --data-parallel and its value."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == DATA_PARALLEL_OPTION:
            skip = True
        elif not arg.startswith(f"{DATA_PARALLEL_OPTION}="):
            out.append(arg)
    return out


def launch(ranks: int, argv: Sequence[str]) -> int:
    """Run `ranks` copies of `mmalign-eval ARGV` and return the run's exit code."""
    port = _free_port()
    processes = []
    # Ranks share this machine's cores (on CPU they compute there); torchrun sets 1 thread.
    threads = os.environ.get("OMP_NUM_THREADS") or str(max(1, (os.cpu_count() or 1) // ranks))
    for rank in range(ranks):
        env = {
            **os.environ,
            "OMP_NUM_THREADS": threads,
            "RANK": str(rank),
            "LOCAL_RANK": str(rank),
            "WORLD_SIZE": str(ranks),
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(port),
        }
        command = [sys.executable, "-m", "mmalign_eval", *rank_argv(argv)]
        processes.append(subprocess.Popen(command, env=env))
    return _wait(processes)


def _wait(processes: list[subprocess.Popen[bytes]]) -> int:
    while True:
        codes = [p.poll() for p in processes]
        failed = [(rank, code) for rank, code in enumerate(codes) if code not in (None, 0)]
        if failed and any(code is None for code in codes):
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait()
            rank, code = failed[0]
            print(
                f"error: rank {rank} exited with code {code}; the other ranks were stopped",
                file=sys.stderr,
            )
            print(
                "hint: rerun the same command: every answer a rank journaled is kept",
                file=sys.stderr,
            )
            return 1
        if all(code is not None for code in codes):
            return next((code for code in codes if code), 0) or 0
        time.sleep(0.2)
