"""Seeded, vectorised, cluster-aware percentile bootstrap for any sum-based metric."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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

# Resampled-count matrices are built in chunks of at most this many cells to bound memory
# (small enough to stay in cache-friendly sizes: 20 resamples of 100,000 clusters).
_MAX_CELLS = 2_000_000
# A multinomial draw over distinct rows costs about this many index draws per row.
_PATTERN_COST = 3


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
    out = resample_sums(sums, config)
    return ColumnTotals({name: out[:, i] for i, name in enumerate(columns)}, (config.resamples,))


def resample_sums(sums: FloatArray, config: BootstrapConfig) -> FloatArray:
    """Resamples x columns totals of the clusters (rows of sums) drawn with replacement.

    Exact multinomial resampling either way. Totals only depend on how often each distinct
    row is drawn, so when few rows are distinct (confusion cells, integer judge scores,
    POPE's images of six questions) the counts are drawn over distinct rows: R x U
    binomials instead of R x n draws. Otherwise cluster indices are drawn and counted.
    """
    rng = np.random.default_rng(config.seed)
    n_clusters, n_columns = sums.shape
    out = np.zeros((config.resamples, n_columns), dtype=np.float64)
    if n_clusters == 0:
        return out
    patterns, frequency = _distinct_rows(sums)
    by_pattern = patterns.shape[0] * _PATTERN_COST < n_clusters
    basis = patterns if by_pattern else sums
    chunk = max(1, _MAX_CELLS // basis.shape[0])
    for start in range(0, config.resamples, chunk):
        stop = min(config.resamples, start + chunk)
        if by_pattern:
            counts = rng.multinomial(n_clusters, frequency / n_clusters, size=stop - start)
        else:
            counts = _index_counts(rng, n_clusters, stop - start)
        out[start:stop] = counts.astype(np.float64) @ basis
    return out


def _distinct_rows(sums: FloatArray) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Distinct rows (in a fixed order) and how often each occurs; all rows if too varied."""
    # Mixed-radix codes of per-column ranks: 1-D sorts, much faster than np.unique(axis=0).
    key = np.zeros(sums.shape[0], dtype=np.int64)
    radix = 1
    for column in sums.T:
        values, codes = np.unique(column, return_inverse=True)
        if radix * len(values) >= 2**62:
            return sums, np.ones(sums.shape[0], dtype=np.int64)
        key += codes.astype(np.int64) * radix
        radix *= len(values)
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    return sums[first], counts.astype(np.int64)


def _index_counts(rng: np.random.Generator, n: int, size: int) -> npt.NDArray[np.int64]:
    """Size x n counts of n indices drawn uniformly with replacement per row."""
    # Drawing indices and counting them is ~3x faster than numpy's multinomial for large n.
    index = rng.integers(0, n, size=(size, n), dtype=np.int64)
    index += np.arange(size, dtype=np.int64)[:, None] * n
    return np.bincount(index.ravel(), minlength=size * n).reshape(size, n)


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
