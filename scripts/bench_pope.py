"""Speed benchmark: the whole `mmalign-eval run` process vs a bare batched generate loop.

Both sides are separate processes timed from start to exit on the same samples, model,
batch size and token budget, so imports and model loading count on both sides. Prints the
wall-time ratio (harness / bare loop) and each process's peak resident memory.

    python scripts/bench_pope.py --sizes 200 2000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TASK_SPLIT = "random"
QUESTIONS_PER_IMAGE = 6


@dataclass(frozen=True)
class Measurement:
    """Wall seconds and peak RSS of one child process."""

    wall_s: float
    peak_rss_mb: float


def measure(command: list[str], env: dict[str, str]) -> Measurement:
    """Run a command to completion; wall time and its own peak RSS (via wait4)."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"command failed: {' '.join(command)}\n{stderr[-2000:]}")
    return Measurement(wall, usage.ru_maxrss / 1024.0)


def bare_loop(
    size: int, batch_size: int, max_new_tokens: int, model_dir: Path, folder: Path
) -> None:
    """The baseline: load, read labels and images, batched greedy generate, decode.

    It imports nothing from mmalign_eval: the parent prepared the model and data folders.
    """
    import torch
    from PIL import Image
    from transformers import AutoModelForImageTextToText, AutoProcessor

    processor = AutoProcessor.from_pretrained(model_dir)  # type: ignore[no-untyped-call]
    processor.tokenizer.padding_side = "left"
    model = AutoModelForImageTextToText.from_pretrained(model_dir, dtype=torch.float32)
    model.eval()  # type: ignore[no-untyped-call]
    lines = (folder / f"coco_pope_{TASK_SPLIT}.json").read_text().splitlines()[:size]
    rows = [json.loads(line) for line in lines]
    prompt = "{}\nAnswer the question using a single word or phrase."
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        texts = [
            processor.apply_chat_template(
                [
                    {
                        "role": "user",
                        "content": [
                            {"type": "image"},
                            {"type": "text", "text": prompt.format(r["text"])},
                        ],
                    }
                ],
                tokenize=False,
                add_generation_prompt=True,
            )
            for r in batch
        ]
        pictures = [Image.open(folder / "images" / r["image"]).convert("RGB") for r in batch]
        inputs = processor(text=texts, images=pictures, padding=True, return_tensors="pt")
        with torch.inference_mode():
            out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
        processor.batch_decode(out[:, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


def harness_command(size: int, args: argparse.Namespace, images: int, out: Path) -> list[str]:
    """The `mmalign-eval run` command measured."""
    script = Path(sys.executable).with_name("mmalign-eval")
    return [
        str(script),
        "run",
        "--model",
        "tiny",
        "--tasks",
        f"pope_{TASK_SPLIT}",
        "--data",
        f"synthetic:{images}",
        "--limit",
        str(size),
        "--batch-size",
        str(args.batch_size),
        "--max-new-tokens",
        str(args.max_new_tokens),
        "--output-dir",
        str(out),
    ]


def bench_size(
    size: int, args: argparse.Namespace, cache: Path, env: dict[str, str]
) -> dict[str, float]:
    """Median wall times over repeats (alternating order) and the ratio for one size."""
    from mmalign_eval.data.synthetic import ensure_synthetic_pope
    from mmalign_eval.engines.tiny import ensure_tiny_model

    images = -(-size // QUESTIONS_PER_IMAGE)
    baseline_cmd = [
        sys.executable,
        __file__,
        "--bare-loop",
        str(size),
        "--batch-size",
        str(args.batch_size),
        "--max-new-tokens",
        str(args.max_new_tokens),
        "--model-dir",
        str(ensure_tiny_model(cache / "models")),
        "--data-dir",
        str(ensure_synthetic_pope(cache / "data", images)),
        *(["--fast-exit"] if args.fast_exit else []),
    ]
    harness, bare = [], []
    for _ in range(args.repeats):
        out = Path(tempfile.mkdtemp(prefix="bench-run-"))
        harness.append(measure(harness_command(size, args, images, out), env))
        shutil.rmtree(out)
        bare.append(measure(baseline_cmd, env))
    h = statistics.median(m.wall_s for m in harness)
    b = statistics.median(m.wall_s for m in bare)
    return {
        "samples": size,
        "harness_wall_s": round(h, 3),
        "bare_loop_wall_s": round(b, 3),
        "ratio": round(h / b, 3),
        "harness_peak_rss_mb": round(max(m.peak_rss_mb for m in harness), 1),
        "bare_loop_peak_rss_mb": round(max(m.peak_rss_mb for m in bare), 1),
    }


def main() -> None:
    """Parse arguments; either run the bare loop (child) or the whole benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--fast-exit",
        action="store_true",
        help="let the bare loop also skip interpreter teardown (isolates harness overhead)",
    )
    parser.add_argument("--bare-loop", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_loop:
        bare_loop(
            args.bare_loop, args.batch_size, args.max_new_tokens, args.model_dir, args.data_dir
        )
        if args.fast_exit:
            sys.stdout.flush()
            os._exit(0)  # skip interpreter teardown, as the mmalign-eval entry point does
        return
    cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    env = {**os.environ, "MMALIGN_EVAL_CACHE": str(cache), "TOKENIZERS_PARALLELISM": "false"}
    # Warm-up: build the tiny model and the synthetic data once, outside the timings.
    for size in args.sizes:
        images = -(-size // QUESTIONS_PER_IMAGE)
        out = Path(tempfile.mkdtemp(prefix="bench-warm-"))
        measure(harness_command(min(size, 16), args, images, out), env)
        shutil.rmtree(out)
    rows = [bench_size(size, args, cache, env) for size in args.sizes]
    print(
        json.dumps(
            {
                "batch_size": args.batch_size,
                "max_new_tokens": args.max_new_tokens,
                "repeats": args.repeats,
                "bare_loop_fast_exit": args.fast_exit,
                "results": rows,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
