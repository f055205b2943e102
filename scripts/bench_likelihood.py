"""Likelihood vs generation on the same multiple-choice items: model-stage seconds per item.

Each protocol runs through `mmalign-eval run` on the tiny model, in a fresh run folder (so no
answer comes from a journal), with the task's own generation settings; the figure is the
manifest's generation-stage time divided by the items, and the ratio generation/likelihood.

    python scripts/bench_likelihood.py --task mmstar --items 120 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from mmalign_eval.testing import cli_command, cli_env


def stage_seconds(work: Path, cache: Path, task: str, items: int, protocol: str) -> float:
    """Seconds the model stage took for one fresh run of the task under a protocol."""
    run_id = f"{protocol}-{time.monotonic_ns()}"
    args = ("run", "--model", "tiny", "--tasks", task, "--data", f"synthetic:{items}",
            "--protocol", protocol, "--output-dir", str(work), "--run-id", run_id,
            "--max-failure-rate", "1.0")  # fmt: skip
    done = subprocess.run(cli_command(*args), env=cli_env(cache), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{protocol} run failed:\n{done.stderr[-2000:]}")
    manifest = json.loads((work / run_id / "manifest.json").read_text())
    seconds: float = manifest["timings"]["generate_s"]
    return seconds


def main() -> None:
    """Time both protocols (median of the repeats) and print seconds per item and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="mmstar")
    parser.add_argument("--items", type=int, default=120)
    parser.add_argument("--generation-protocol", default="official")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    protocols = (args.generation_protocol, "likelihood")
    with tempfile.TemporaryDirectory(prefix="bench-likelihood-") as tmp:
        work, cache = Path(tmp) / "runs", Path(tmp) / "cache"
        stage_seconds(work, cache, args.task, args.items, "likelihood")  # untimed: builds data
        times: dict[str, list[float]] = {p: [] for p in protocols}
        for _ in range(args.repeats):  # interleaved, so a busy spell hits both alike
            for protocol in protocols:
                times[protocol].append(stage_seconds(work, cache, args.task, args.items, protocol))
    median = {p: statistics.median(t) for p, t in times.items()}
    for protocol in protocols:
        per_item = 1000 * median[protocol] / args.items
        print(f"{args.task} {protocol:<12} {per_item:8.2f} ms/item  (runs: "
              f"{', '.join(f'{t:.2f}' for t in times[protocol])} s)")  # fmt: skip
    ratio = median[args.generation_protocol] / median["likelihood"]
    print(f"generation / likelihood time per item: {ratio:.2f}x")


if __name__ == "__main__":
    main()
