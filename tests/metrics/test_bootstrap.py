"""Seeded, cluster-aware percentile bootstrap over per-item scores."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mmalign_eval.contracts import ItemScore, ItemStatus
from mmalign_eval.metrics.base import evaluate
from mmalign_eval.metrics.binary import confusion_metrics, confusion_values
from mmalign_eval.metrics.bootstrap import (
    BootstrapConfig,
    cluster_sums,
    metric_resamples,
    percentile_interval,
    resampled_totals,
)

METRICS = confusion_metrics("yes", primary="f1")


def _item(
    i: int,
    pred: bool,
    gold: bool,
    cluster: str | None = None,
    status: ItemStatus = "ok",
) -> ItemScore:
    return ItemScore(
        sample_id=str(i), status=status, values=confusion_values(pred, gold), cluster=cluster
    )


def _random_items(n: int, seed: int = 0, accuracy: float = 0.75) -> list[ItemScore]:
    rng = np.random.default_rng(seed)
    gold = rng.random(n) < 0.5
    correct = rng.random(n) < accuracy
    pairs = enumerate(zip(gold, correct, strict=True))
    return [_item(i, bool(g == c), bool(g)) for i, (g, c) in pairs]


def _width(bounds: tuple[float, float] | None) -> float:
    assert bounds is not None
    return bounds[1] - bounds[0]


@pytest.mark.parametrize(
    ("samples", "level", "expected"),
    [
        (np.arange(101, dtype=float), 0.90, (5.0, 95.0)),
        (np.arange(101, dtype=float), 0.50, (25.0, 75.0)),
        (np.arange(101, dtype=float)[::-1], 0.80, (10.0, 90.0)),
        (np.array([0.0, 1.0, 2.0, 3.0, 4.0]), 0.5, (1.0, 3.0)),
        (np.array([0.0, 10.0]), 0.0, (5.0, 5.0)),
        (np.array([0.0, 10.0]), 1.0, (0.0, 10.0)),
        (np.full(7, 0.25), 0.95, (0.25, 0.25)),
        (np.array([math.nan, 0.0, math.nan, 1.0, 2.0, 3.0, 4.0]), 0.5, (1.0, 3.0)),
        (np.array([math.inf, 0.0, 4.0, -math.inf]), 1.0, (0.0, 4.0)),
    ],
    ids=[
        "0..100@90",
        "0..100@50",
        "reversed@80",
        "five@50",
        "two@0",
        "two@100",
        "constant",
        "nan ignored",
        "inf ignored",
    ],
)
def test_percentile_interval_known_arrays(
    samples: np.ndarray, level: float, expected: tuple[float, float]
) -> None:
    assert percentile_interval(samples, level) == pytest.approx(expected)


@pytest.mark.parametrize("samples", [np.array([]), np.array([math.nan, math.nan])], ids=str)
def test_percentile_interval_none_without_finite_values(samples: np.ndarray) -> None:
    assert percentile_interval(samples, 0.95) is None


def test_deterministic_for_a_seed() -> None:
    items = _random_items(120)
    config = BootstrapConfig(resamples=300, seed=7)
    first = metric_resamples(METRICS, items, config)
    second = metric_resamples(METRICS, items, config)
    assert set(first) == {m.name for m in METRICS}
    for name in first:
        assert first[name].shape == (300,)
        np.testing.assert_array_equal(first[name], second[name])
    other = metric_resamples(METRICS, items, BootstrapConfig(resamples=300, seed=8))
    assert not np.array_equal(first["accuracy"], other["accuracy"])


def test_resample_totals_keep_the_item_count() -> None:
    items = _random_items(50)
    sums, columns = cluster_sums(items)
    assert sums.shape == (50, len(columns))
    totals = resampled_totals(sums, columns, BootstrapConfig(resamples=200, seed=3))
    n = totals["tp"] + totals["fp"] + totals["tn"] + totals["fn"]
    np.testing.assert_array_equal(n, np.full(200, 50.0))
    # Resampling with replacement: the totals vary between resamples.
    assert np.unique(totals["tp"]).size > 1


@pytest.mark.parametrize(("n", "seed"), [(200, 0), (500, 1), (80, 2)])
def test_interval_contains_point_estimate(n: int, seed: int) -> None:
    items = _random_items(n, seed=seed)
    config = BootstrapConfig(resamples=1000, seed=seed)
    point = evaluate(METRICS, items)
    resamples = metric_resamples(METRICS, items, config)
    for name, value in point.items():
        bounds = percentile_interval(resamples[name], config.level)
        assert bounds is not None
        low, high = bounds
        assert low <= value <= high, (name, low, value, high)
        assert high - low < 0.5, name  # a sample this size pins the metric down
        if name == "accuracy":
            assert high - low > 0.0, name


@pytest.mark.parametrize("cluster_size", [2, 5, 10])
def test_cluster_resampling_is_wider_for_correlated_items(cluster_size: int) -> None:
    # Every item of a cluster has the same outcome, so a cluster is one observation, not many.
    rng = np.random.default_rng(11)
    outcomes = [(bool(rng.random() < 0.6), bool(rng.random() < 0.5)) for _ in range(40)]
    clustered = [
        _item(100 * c + k, pred, gold, cluster=f"img{c}")
        for c, (pred, gold) in enumerate(outcomes)
        for k in range(cluster_size)
    ]
    independent = [item.model_copy(update={"cluster": None}) for item in clustered]
    config = BootstrapConfig(resamples=2000, seed=5)
    assert evaluate(METRICS, clustered) == evaluate(METRICS, independent)
    by_cluster = metric_resamples(METRICS, clustered, config)
    by_item = metric_resamples(METRICS, independent, config)
    for name in ("accuracy", "f1"):
        wide = _width(percentile_interval(by_cluster[name], 0.95))
        narrow = _width(percentile_interval(by_item[name], 0.95))
        assert wide >= narrow, name
        # The standard error grows by about sqrt(cluster_size); demand a clear margin.
        assert wide > 1.2 * narrow, (name, wide, narrow)


def test_cluster_sums_add_items_of_a_cluster() -> None:
    items = [
        _item(0, True, True, "a"),
        _item(1, False, True, "a"),
        _item(2, True, False, "b"),
        _item(3, False, False, None),
        _item(4, False, False, None),
    ]
    sums, columns = cluster_sums(items)
    assert columns == ["fn", "fp", "pred_pos", "tn", "tp"]
    # Two named clusters plus one row per item without a cluster, in any order.
    rows = sorted(tuple(row) for row in sums.tolist())
    assert rows == sorted(
        [
            (1.0, 0.0, 1.0, 0.0, 1.0),  # a: one tp, one fn
            (0.0, 1.0, 1.0, 0.0, 0.0),  # b: one fp
            (0.0, 0.0, 0.0, 1.0, 0.0),  # item 3
            (0.0, 0.0, 0.0, 1.0, 0.0),  # item 4
        ]
    )


@pytest.mark.parametrize("status", ["unparseable", "error"])
def test_failures_are_excluded_from_aggregates(status: ItemStatus) -> None:
    items = _random_items(60, seed=4)
    # Failed items carrying values that would change every metric if they were counted.
    failed = [_item(1000 + i, True, False, status=status) for i in range(40)]
    config = BootstrapConfig(resamples=200, seed=9)
    assert evaluate(METRICS, items + failed) == evaluate(METRICS, items)
    with_failures = metric_resamples(METRICS, items + failed, config)
    without = metric_resamples(METRICS, items, config)
    for name in without:
        np.testing.assert_array_equal(with_failures[name], without[name])
    assert cluster_sums(items + failed)[0].shape[0] == 60


def test_only_failures_give_undefined_metrics() -> None:
    failed = [_item(i, True, True, status="error") for i in range(5)]
    values = evaluate(METRICS, failed)
    assert all(math.isnan(v) for v in values.values())
    resamples = metric_resamples(METRICS, failed, BootstrapConfig(resamples=20))
    for name in values:
        assert resamples[name].shape == (20,)
        assert percentile_interval(resamples[name], 0.95) is None


def test_chunked_resampling_matches_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    from mmalign_eval.metrics import bootstrap

    items = _random_items(30)
    config = BootstrapConfig(resamples=101, seed=2)
    whole = metric_resamples(METRICS, items, config)
    monkeypatch.setattr(bootstrap, "_MAX_CELLS", 30 * 7)  # chunks of 7 resamples
    chunked = metric_resamples(METRICS, items, config)
    np.testing.assert_array_equal(whole["accuracy"], chunked["accuracy"])
