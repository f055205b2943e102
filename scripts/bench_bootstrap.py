"""Time the cluster bootstrap: 10,000 resamples over 100,000 items, three kinds of data.

Prints, per case, the seconds for all resamples through `metric_resamples` (the path
results.json and `compare`/`check` use) and the ratio against the previous implementation
(numpy's multinomial over every cluster, timed on a few resamples and extrapolated).

    .venv/bin/python scripts/bench_bootstrap.py --items 100000 --resamples 10000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from mmalign_eval.contracts import ItemScore
from mmalign_eval.metrics.base import MetricSpec, ratio
from mmalign_eval.metrics.binary import confusion_metrics, confusion_values
from mmalign_eval.metrics.bootstrap import BootstrapConfig, cluster_sums, metric_resamples

MEAN_SCORE = MetricSpec(
    "mean_score", lambda t: ratio(t["score"], t["n"]), "higher", "score", True, "judge mean"
)


def _pope(n: int, cluster_size: int, rng: np.random.Generator) -> list[ItemScore]:
    gold = rng.random(n) < 0.5
    correct = rng.random(n) < 0.85
    return [
        ItemScore(
            sample_id=str(i),
            status="ok",
            values=confusion_values(bool(g == c), bool(g)),
            cluster=f"img{i // cluster_size}" if cluster_size > 1 else None,
        )
        for i, (g, c) in enumerate(zip(gold, correct, strict=True))
    ]


def _continuous(n: int, rng: np.random.Generator) -> list[ItemScore]:
    # A continuous per-item score (e.g. a reward margin): every cluster row is distinct.
    scores = rng.normal(size=n)
    return [
        ItemScore(sample_id=str(i), status="ok", values={"score": float(s), "n": 1.0})
        for i, s in enumerate(scores)
    ]


def _old_seconds(items: list[ItemScore], resamples: int) -> float:
    """Seconds the previous implementation (multinomial over all clusters) would take."""
    sums, _ = cluster_sums(items)
    k = sums.shape[0]
    probe = 100
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(probe // 20):
        counts = rng.multinomial(k, np.full(k, 1.0 / k), size=20).astype(np.float64)
        _ = counts @ sums
    return (time.perf_counter() - start) * resamples / probe


def _time(metrics: tuple[MetricSpec, ...], items: list[ItemScore], resamples: int) -> float:
    start = time.perf_counter()
    out = metric_resamples(metrics, items, BootstrapConfig(resamples=resamples, seed=0))
    elapsed = time.perf_counter() - start
    assert all(v.shape == (resamples,) for v in out.values())
    return elapsed


def main() -> None:
    """Run the three cases and print seconds and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=10_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    pope = confusion_metrics("yes")
    cases: list[tuple[str, tuple[MetricSpec, ...], Callable[[], list[ItemScore]]]] = [
        ("binary items (POPE confusion cells)", pope, lambda: _pope(args.items, 1, rng)),
        ("6 questions per image (POPE clusters)", pope, lambda: _pope(args.items, 6, rng)),
        ("continuous scores, all distinct", (MEAN_SCORE,), lambda: _continuous(args.items, rng)),
    ]
    print(f"{args.items:,} items x {args.resamples:,} resamples")
    for name, metrics, build in cases:
        items = build()
        seconds = _time(metrics, items, args.resamples)
        old = _old_seconds(items, args.resamples)
        print(
            f"  {name:40s} {seconds:8.2f} s   previous {old:8.1f} s   ratio {old / seconds:7.1f}x"
        )


if __name__ == "__main__":
    main()
