"""Fault injection: SIGKILL a judged run N times during its judge stage, then let it finish.

The judge is a loopback OpenAI-compatible server that answers slowly and counts requests;
the figure is the number of paid judge calls beyond what one uninterrupted run needs.

    python scripts/fault_judge_kills.py --items 24 --kills 5
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from mmalign_eval.testing import FakeJudgeServer, cli_command, cli_env

KEY_ENV = "FAULT_JUDGE_KEY"


def main() -> None:
    """Kill the run after every few judge requests, finish it, print the extra paid calls."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=24)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    server = FakeJudgeServer()
    server.delay_s = 0.2
    with tempfile.TemporaryDirectory(prefix="fault-judge-") as tmp:
        work = Path(tmp)
        command = cli_command(
            "run", "--model", "tiny", "--tasks", "mmhal_bench", "--data",
            f"synthetic:{args.items}", "--max-new-tokens", "4", "--judge", "openai:gpt-4-0314",
            "--judge-base-url", server.base_url, "--judge-api-key-env", KEY_ENV,
            "--judge-concurrency", str(args.concurrency), "--output-dir", "out",
        )  # fmt: skip
        env = cli_env(work / "cache", extra={KEY_ENV: "local", "NO_PROXY": "127.0.0.1"})
        step = max(1, args.items // (args.kills + 1))
        for kill in range(1, args.kills + 1):
            proc = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)  # fmt: skip
            while len(server.bodies) < kill * step and proc.poll() is None:
                time.sleep(0.01)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-2000:])
    server.close()
    extra = len(server.bodies) - args.items
    print(f"{args.kills} kills: {len(server.bodies)} judge calls paid for {args.items} items "
          f"({extra} extra)")  # fmt: skip


if __name__ == "__main__":
    main()
