"""Scalar reward throughput: pairs per second, batched against one conversation at a time.

Both ways score the same (image, prompt, response) pairs with the tiny reward model in this
process (weights loaded and warmed up first, so only the reward passes are timed); the
figure is pairs/s each way (median of the repeats) and the batched/one-by-one ratio, with
the largest difference between the two ways' rewards.

    python scripts/bench_reward.py --pairs 200 --batch-size 16 --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from mmalign_eval.contracts import GenerationParams, ImagePart, Message, Request, TextPart
from mmalign_eval.engines.base import EngineConfig
from mmalign_eval.engines.reward import RewardEngine
from mmalign_eval.engines.tiny import ensure_untrained_reward_model
from mmalign_eval.media import media_from_file
from mmalign_eval_tasks.hallucination.pope.synthetic import ensure_synthetic_pope

ANSWERS = ("A red circle on a plain background.", "There is no object in the image.")


def conversations(cache: Path, pairs: int) -> list[Request]:
    """Two conversations (chosen, rejected) per pair, each image shown once per conversation."""
    folder = ensure_synthetic_pope(cache / "data", 20)
    images = [media_from_file(p) for p in sorted((folder / "images").glob("*.png"))]
    out = []
    for index in range(pairs):
        user = Message(role="user", content=(
            ImagePart(media=images[index % len(images)]), TextPart(text=f"Describe image {index}.")
        ))  # fmt: skip
        for answer in ANSWERS:
            reply = Message(role="assistant", content=(TextPart(text=answer),))
            out.append(Request(messages=(user, reply), generation=GenerationParams()))
    return out


def pairs_per_second(engine: RewardEngine, requests: list[Request], one_by_one: bool) -> float:
    """Pairs scored per second, batched or one conversation per forward pass."""
    started = time.perf_counter()
    if one_by_one:
        for request in requests:
            engine.reward([request])
    else:
        engine.reward(requests)
    return len(requests) / 2 / (time.perf_counter() - started)


def main() -> None:
    """Time both ways and print pairs/s, the ratio and the largest reward difference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        folder = ensure_untrained_reward_model(cache / "models")
        config = EngineConfig(model="tiny-rm", batch_size=args.batch_size, device="cpu")
        engine = RewardEngine(config, folder)
        requests = conversations(cache, args.pairs)
        batched, alone = engine.reward(requests), [engine.reward([r])[0] for r in requests]
        fast = [pairs_per_second(engine, requests, False) for _ in range(args.repeats)]
        slow = [pairs_per_second(engine, requests, True) for _ in range(args.repeats)]
    b, o = statistics.median(fast), statistics.median(slow)
    print(f"pairs: {args.pairs}, batch size {args.batch_size}, median of {args.repeats}")
    print(f"batched:    {b:8.1f} pairs/s")
    print(f"one by one: {o:8.1f} pairs/s")
    print(f"ratio:      {b / o:8.2f}x")
    worst = max(abs(x - y) for x, y in zip(batched, alone, strict=True))
    print(f"max |batched - one by one| reward: {worst:.2e}")


if __name__ == "__main__":
    main()
