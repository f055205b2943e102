"""Engine benchmarks: an OpenAI-compatible server vs the in-process engine, and data parallel.

1. The same POPE items through the in-process hf engine and through `--model openai:...`
   against `transformers serve` of the same tiny model, at several `--concurrency` values:
   generation requests per second (from each run's manifest) and the ratio to hf.
2. `--data-parallel 2` vs one process on the same items: wall time of the whole command,
   and each rank's idle wait at the end (load balance, from the manifest).

Every run starts from an empty run folder, so nothing comes from a journal.

    python scripts/bench_engines.py --items 200 --concurrency 1 4 16
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from mmalign_eval.engines.tiny import ensure_tiny_model
from mmalign_eval.testing import cli_command, cli_env

QUESTIONS_PER_IMAGE = 6


@dataclass(frozen=True)
class RunFigures:
    """What one timed CLI run measured."""

    wall_s: float
    generate_s: float
    generated: int
    ranks: list[dict[str, float]]

    @property
    def per_s(self) -> float:
        """Generation requests per second."""
        return self.generated / self.generate_s


def timed_run(work: Path, cache: Path, items: int, *extra: str) -> RunFigures:
    """One `mmalign-eval run` of the POPE items in a fresh run folder."""
    images = -(-items // QUESTIONS_PER_IMAGE)
    run_id = f"r{time.monotonic_ns()}"
    args = ("run", "--tasks", "pope_random", "--data", f"synthetic:{images}", "--limit",
            str(items), "--max-new-tokens", "8", "--output-dir", str(work), "--run-id", run_id,
            "--max-failure-rate", "1.0", *extra)  # fmt: skip
    env = cli_env(cache, extra={"OPENAI_API_KEY": "local"})
    started = time.perf_counter()
    done = subprocess.run(cli_command(*args), env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"run failed ({' '.join(extra)}):\n{done.stderr[-2000:]}")
    timings = json.loads((work / run_id / "manifest.json").read_text())["timings"]
    return RunFigures(
        wall, timings["generate_s"], timings["requests_generated"], timings.get("ranks", [])
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(model: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`transformers serve` of the model on a loopback port, once it lists its models."""
    port = _free_port()
    command = [str(Path(sys.executable).with_name("transformers")), "serve", str(model),
               "--host", "127.0.0.1", "--port", str(port), "--device", "cpu",
               "--dtype", "float32"]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit("transformers serve exited before listening")
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                return server, base_url
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit("transformers serve did not start")


def bench_server(work: Path, cache: Path, items: int, levels: list[int]) -> None:
    """Requests/s through the server at each concurrency, relative to in-process hf."""
    model = ensure_tiny_model(cache / "models")
    local = timed_run(work, cache, items, "--model", "tiny")
    print(f"hf in-process   {local.generated} requests  {local.per_s:7.2f} req/s  1.00x")
    server, base_url = serve(model)
    try:
        for level in levels:
            remote = timed_run(work, cache, items, "--model", f"openai:{model}", "--base-url",
                               base_url, "--concurrency", str(level))  # fmt: skip
            ratio = remote.per_s / local.per_s
            print(f"openai c={level:<3}    {remote.generated} requests  {remote.per_s:7.2f} "
                  f"req/s  {ratio:.2f}x")  # fmt: skip
    finally:
        server.terminate()
        server.wait()


def bench_parallel(work: Path, cache: Path, items: int, world: int) -> None:
    """Wall time of N ranks vs one process, and each rank's idle wait at the end."""
    one = timed_run(work, cache, items, "--model", "tiny")
    many = timed_run(work, cache, items, "--model", "tiny", "--data-parallel", str(world))
    print(f"1 process       wall {one.wall_s:6.1f} s  generate {one.generate_s:6.1f} s")
    print(f"{world} ranks         wall {many.wall_s:6.1f} s  generate {many.generate_s:6.1f} s  "
          f"wall ratio {many.wall_s / one.wall_s:.2f}x")  # fmt: skip
    for rank in many.ranks:
        print(f"  rank {int(rank['rank'])}: {int(rank['calls'])} calls, answered in "
              f"{rank['answer_s']:.1f} s, idle {rank['idle_s']:.1f} s at the end")  # fmt: skip


def main() -> None:
    """Parse arguments and run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--skip", choices=["server", "parallel"], default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp:
        work, cache = Path(tmp) / "runs", Path(tmp) / "cache"
        # Untimed: builds the tiny model and the synthetic data, so no timed run pays for it.
        timed_run(work, cache, args.items, "--model", "tiny")
        if args.skip != "server":
            bench_server(work, cache, args.items, args.concurrency)
        if args.skip != "parallel":
            bench_parallel(work, cache, args.items, args.ranks)


if __name__ == "__main__":
    main()
