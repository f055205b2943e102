"""The demo models' targets (issue 18): build time, bit-identical rebuilds, the README's
first command, and what the models score on held-out synthetic POPE.

Everything runs in fresh temporary caches, so nothing is reused from earlier runs:

1. build tiny (random), tiny-sft, tiny-dpo, tiny-rm and tiny-degraded, timing each;
2. build them again in a second cache and compare the sha256 of every weights file;
3. time the README's first command (`run --model tiny-sft --tasks pope --data synthetic`)
   in a third cache (first use, model build included) and again (cached), as a ratio;
4. evaluate tiny-sft and tiny-dpo on synthetic POPE, `compare` them (paired cluster
   bootstrap) and gate DPO and the degraded model against SFT with `check`.

    python scripts/bench_tiny_models.py [--json figures.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mmalign_eval.engines import tiny
from mmalign_eval.hashing import sha256_file
from mmalign_eval.testing import cli_command, cli_env

STAGES: tuple[tuple[str, Callable[[Path], Path]], ...] = (
    ("tiny", tiny.ensure_tiny_model),
    ("tiny-sft", tiny.ensure_tiny_sft),
    ("tiny-dpo", tiny.ensure_tiny_dpo),
    ("tiny-rm", tiny.ensure_tiny_reward_model),
    ("tiny-degraded", tiny.ensure_tiny_degraded),
)
SPLITS = ("pope_adversarial", "pope_popular", "pope_random")


def build_all(cache: Path) -> tuple[dict[str, float], dict[str, str]]:
    """Seconds per model (each after the ones it builds on) and sha256 per weights file."""
    seconds, hashes = {}, {}
    for name, ensure in STAGES:
        started = time.perf_counter()
        folder = ensure(cache)
        seconds[name] = round(time.perf_counter() - started, 1)
        for path in sorted(folder.glob("*.safetensors")):
            hashes[f"{name}/{path.name}"] = sha256_file(path)
    return seconds, hashes


def cli(cwd: Path, cache: Path, *args: str) -> tuple[int, float]:
    """Run mmalign-eval in cwd with its own cache; exit code and wall seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        cli_command(*args), cwd=cwd, env=cli_env(cache, 100, None), capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    if done.returncode not in (0, 1):
        sys.exit(f"mmalign-eval {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.returncode, round(time.perf_counter() - started, 1)


def metrics(run: Path) -> dict[str, float]:
    """task:metric -> value for the POPE figures of one run."""
    results = json.loads(next(run.glob("*/results.json")).read_text())
    rows = [(t["task"], t["metrics"]) for t in results["tasks"]]
    rows += [(g["group"], g["metrics"]) for g in results["groups"]]
    return {f"{n}:{m['name']}": m["value"] for n, ms in rows for m in ms}


def pope_story(work: Path, cache: Path) -> dict[str, Any]:
    """SFT and DPO on synthetic POPE, their paired comparison and both gates."""
    figures: dict[str, Any] = {}
    for model in ("tiny-sft", "tiny-dpo"):
        cli(work, cache, "run", "--model", model, "--tasks", "pope", "--data", "synthetic",
            "--output-dir", f"runs/{model}")  # fmt: skip
        values = metrics(work / "runs" / model)
        figures[model] = {
            k: round(v, 4) for k, v in values.items()
            if k.endswith((":f1", ":yes_ratio", ":mean_f1"))
        }  # fmt: skip
    sft, dpo = (str(next((work / "runs" / m).glob("*/"))) for m in ("tiny-sft", "tiny-dpo"))
    cli(work, cache, "compare", sft, dpo, "--json", "cmp.json")
    rows = json.loads((work / "cmp.json").read_text())["metrics"]
    figures["compare"] = {
        f"{r['target']}:{r['metric']}": {
            "diff": round(r["diff"], 4), "ci": [round(r["ci_low"], 4), round(r["ci_high"], 4)],
            "p_holm": r["p_holm"], "verdict": r["verdict"],
        }
        for r in rows if r["metric"] in ("f1", "yes_ratio", "mean_f1")
    }  # fmt: skip
    gate = ("--metric", "pope:mean_f1=0.02", "--report-dir", "gate")
    figures["check_dpo_exit"] = cli(
        work, cache, "check", "--baseline", sft, "--candidate", dpo, *gate
    )[0]
    figures["check_degraded_exit"] = cli(
        work, cache, "check", "--baseline", sft, "--model", "tiny-degraded", *gate
    )[0]
    figures["tiny-degraded"] = json.loads((work / "gate" / "report.json").read_text())["metrics"][
        0
    ]["candidate"]
    return figures


def main() -> None:
    """Measure everything and print (and optionally write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tiny-") as tmp:
        root = Path(tmp)
        seconds, first = build_all(root / "a" / "models")
        _, second = build_all(root / "b" / "models")
        demo = ("run", "--model", "tiny-sft", "--tasks", "pope", "--data", "synthetic")
        (root / "demo").mkdir()
        _, cold = cli(root / "demo", root / "c", *demo, "--output-dir", "one")
        _, warm = cli(root / "demo", root / "c", *demo, "--output-dir", "two")
        (root / "story").mkdir()
        story = pope_story(root / "story", root / "a")
    trained = seconds["tiny-sft"] + seconds["tiny-dpo"] + seconds["tiny-rm"]
    figures = {
        "build_seconds": seconds,
        "build_seconds_sft_dpo_rm": round(trained, 1),
        "rebuild_identical": first == second,
        "weights_files_compared": len(first),
        "readme_first_command_seconds": {"first_use": cold, "cached": warm,
                                         "cached_over_first": round(warm / cold, 3)},
        **story,
    }  # fmt: skip
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
