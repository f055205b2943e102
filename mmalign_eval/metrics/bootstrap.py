"""Seeded, vectorised, cluster-aware percentile bootstrap for any sum-based metric."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mmalign_eval.contracts import ItemScore
from mmalign_eval.metrics.base import (
    ColumnTotals,
    FloatArray,
    MetricSpec,
    Totals,
    column_names,
    scored_items,
    value_matrix,
)

# Resampled-count matrices are built in chunks of at most this many cells to bound memory.
_MAX_CELLS = 20_000_000


@dataclass(frozen=True)
class BootstrapConfig:
    """How intervals are computed; recorded in results.json."""

    resamples: int = 1000
    level: float = 0.95
    seed: int = 0


def cluster_sums(items: Sequence[ItemScore]) -> tuple[FloatArray, list[str]]:
    """Clusters x columns sums of the scored items; an item without a cluster is its own."""
    ok = scored_items(items)
    columns = column_names(ok)
    matrix = value_matrix(ok, columns)
    labels = [item.cluster if item.cluster is not None else f"\0{i}" for i, item in enumerate(ok)]
    uniques, inverse = np.unique(np.array(labels, dtype=object), return_inverse=True)
    sums = np.zeros((len(uniques), len(columns)), dtype=np.float64)
    np.add.at(sums, inverse, matrix)
    return sums, columns


def resampled_totals(
    sums: FloatArray, columns: Sequence[str], config: BootstrapConfig
) -> ColumnTotals:
    """Column totals for each bootstrap resample of clusters: arrays of shape (resamples,)."""
    rng = np.random.default_rng(config.seed)
    n_clusters = sums.shape[0]
    out = np.zeros((config.resamples, len(columns)), dtype=np.float64)
    if n_clusters == 0:
        return ColumnTotals({}, (config.resamples,))
    chunk = max(1, _MAX_CELLS // n_clusters)
    uniform = np.full(n_clusters, 1.0 / n_clusters)
    for start in range(0, config.resamples, chunk):
        stop = min(config.resamples, start + chunk)
        counts = rng.multinomial(n_clusters, uniform, size=stop - start).astype(np.float64)
        out[start:stop] = counts @ sums
    return ColumnTotals({name: out[:, i] for i, name in enumerate(columns)}, (config.resamples,))


def percentile_interval(samples: FloatArray, level: float) -> tuple[float, float] | None:
    """Equal-tailed percentile interval, ignoring NaN resamples; None when all are NaN."""
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return None
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(finite, [alpha, 1.0 - alpha])
    return float(low), float(high)


def metric_resamples(
    metrics: Sequence[MetricSpec], items: Sequence[ItemScore], config: BootstrapConfig
) -> dict[str, FloatArray]:
    """Each metric evaluated on every resample, keyed by metric name."""
    sums, columns = cluster_sums(items)
    totals: Totals = resampled_totals(sums, columns, config)
    return {spec.name: spec.compute(totals) for spec in metrics}
