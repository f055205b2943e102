"""Alignment, paired resampling and the choice of test."""

from __future__ import annotations

import numpy as np
import pytest

from mmalign_eval.metrics.binary import confusion_metrics, confusion_values
from mmalign_eval.metrics.bootstrap import BootstrapConfig
from mmalign_eval.results import SampleRecord
from mmalign_eval.stats.compare import task_diffs, verdict
from mmalign_eval.stats.paired import (
    align,
    binary_outcomes,
    bootstrap_pvalue,
    paired_resamples,
    point_values,
)

from .simulate import pair, paired_outcomes

METRICS = {m.name: m for m in confusion_metrics("yes", primary="f1")}


def _record(task: str, i: str, pred: bool, gold: bool, cluster: str | None = None) -> SampleRecord:
    return SampleRecord(
        task=task,
        id=i,
        prompt="",
        target="yes" if gold else "no",
        response="",
        finish_reason="stop",
        parsed="yes" if pred else "no",
        status="ok",
        scores=confusion_values(pred, gold),
        cluster=cluster,
    )


def test_align_by_task_and_id_reports_mismatches() -> None:
    a = [_record("t", str(i), True, True) for i in range(5)] + [_record("only_a", "1", 1, 1)]
    b = [_record("t", str(i), True, False) for i in (4, 3, 2, 9)] + [_record("only_b", "1", 1, 1)]
    alignment = align(a, b)
    (mismatch,) = alignment.mismatches
    assert (mismatch.matched, mismatch.only_in_a, mismatch.only_in_b) == (3, 2, 1)
    assert mismatch.only_in_a_examples == ["0", "1"] and mismatch.only_in_b_examples == ["9"]
    assert alignment.tasks_only_in_a == ["only_a"] and alignment.tasks_only_in_b == ["only_b"]
    pair_t = alignment.pairs["t"]
    # Rows are aligned by id, not by line order.
    assert pair_t.ids == ("2", "3", "4")
    assert point_values(METRICS["accuracy"], pair_t) == (1.0, 0.0)


def test_same_clusters_are_drawn_for_both_runs() -> None:
    rng = np.random.default_rng(0)
    gold, ca, _ = paired_outcomes(rng, 300, 0.8, 0.0, 0.0)
    same = pair(gold, ca, ca)
    diffs = paired_resamples(list(METRICS.values()), same, BootstrapConfig(500, seed=1))
    for name, values in diffs.items():
        # Identical answers: every resample of the difference is exactly zero (or undefined).
        finite = values[np.isfinite(values)]
        assert finite.size and np.all(finite == 0.0), name


def test_two_item_bootstrap_matches_the_enumerated_distribution() -> None:
    # Item 0: A wrong, B right (+1); item 1: both right (0). The resampled accuracy difference
    # is k/2 with k ~ Bin(2, 1/2): 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4.
    gold = np.array([True, True])
    p = pair(gold, np.array([False, True]), np.array([True, True]))
    values = paired_resamples([METRICS["accuracy"]], p, BootstrapConfig(20_000, seed=3))
    frequencies = [np.mean(values["accuracy"] == v) for v in (0.0, 0.5, 1.0)]
    assert frequencies == pytest.approx([0.25, 0.5, 0.25], abs=0.015)


def test_bootstrap_se_matches_the_analytic_paired_se() -> None:
    rng = np.random.default_rng(4)
    n, a_only, b_only = 4000, 0.08, 0.05
    gold, ca, cb = paired_outcomes(rng, n, 0.8, a_only, b_only)
    values = paired_resamples([METRICS["accuracy"]], pair(gold, ca, cb), BootstrapConfig(4000))
    p10, p01 = np.mean(ca & ~cb), np.mean(~ca & cb)
    analytic = np.sqrt((p10 + p01 - (p10 - p01) ** 2) / n)
    assert np.std(values["accuracy"]) == pytest.approx(analytic, rel=0.06)


def test_binary_metrics_use_mcnemar_others_the_bootstrap() -> None:
    rng = np.random.default_rng(5)
    gold, ca, cb = paired_outcomes(rng, 200, 0.8, 0.1, 0.05)
    independent = pair(gold, ca, cb)
    assert binary_outcomes(METRICS["accuracy"], independent) is not None
    assert binary_outcomes(METRICS["yes_ratio"], independent) is not None
    for name in ("f1", "precision", "recall"):
        assert binary_outcomes(METRICS[name], independent) is None, name
    clustered = pair(gold, ca, cb, cluster=np.arange(200, dtype=np.intp) // 4)
    assert binary_outcomes(METRICS["accuracy"], clustered) is None
    tests = {
        d.metric: d.test
        for d in task_diffs(independent, list(METRICS.values()), BootstrapConfig(200))
    }
    assert tests == {
        "accuracy": "mcnemar-exact",
        "yes_ratio": "mcnemar-exact",
        "precision": "paired-bootstrap",
        "recall": "paired-bootstrap",
        "f1": "paired-bootstrap",
    }


def test_differing_failures_fall_back_to_the_bootstrap() -> None:
    rng = np.random.default_rng(6)
    gold, ca, cb = paired_outcomes(rng, 50, 0.8, 0.1, 0.1)
    p = pair(gold, ca, cb)
    b = p.b.copy()
    b[0] = 0.0
    ok_b = p.ok_b.copy()
    ok_b[0] = False
    failed = type(p)(**{**p.__dict__, "b": b, "ok_b": ok_b})
    assert binary_outcomes(METRICS["accuracy"], failed) is None


def test_bootstrap_pvalue_edges() -> None:
    assert bootstrap_pvalue(0.0, np.array([0.1, -0.1])) == 1.0
    assert bootstrap_pvalue(float("nan"), np.array([0.1])) is None
    assert bootstrap_pvalue(0.1, np.array([np.nan])) is None
    # All 99 resamples as far from the estimate as it is from zero: p = (99 + 1) / 100.
    assert bootstrap_pvalue(0.1, np.full(99, 0.0)) == pytest.approx(1.0)
    assert bootstrap_pvalue(0.1, np.full(99, 0.1)) == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("direction", "diff", "expected"),
    [
        ("higher", 0.1, "better"),
        ("higher", -0.1, "worse"),
        ("lower", 0.1, "worse"),
        ("lower", -0.1, "better"),
        ("neither", 0.1, "changed"),
    ],
)
def test_verdict_respects_direction(direction: str, diff: float, expected: str) -> None:
    assert verdict(direction, diff, 0.001, 0.05) == expected  # type: ignore[arg-type]
    assert verdict(direction, diff, 0.5, 0.05) == "no significant change"  # type: ignore[arg-type]
    assert verdict(direction, None, 0.001, 0.05) == "undefined"  # type: ignore[arg-type]
