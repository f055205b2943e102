"""Confusion-matrix metrics (POPE and friends) on hand-computed confusion matrices."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pytest

from mmalign_eval.contracts import ItemScore
from mmalign_eval.evaluation import metric_results
from mmalign_eval.metrics.base import ColumnTotals, evaluate
from mmalign_eval.metrics.binary import confusion_metrics, confusion_values
from mmalign_eval.metrics.bootstrap import BootstrapConfig, metric_resamples

NAN = math.nan
METRICS = confusion_metrics("yes", primary="f1")
NAMES = ("accuracy", "precision", "recall", "f1", "yes_ratio")


class Case(NamedTuple):
    """A confusion matrix and its metrics, worked out by hand; NaN marks an undefined 0/0."""

    name: str
    tp: int
    fp: int
    tn: int
    fn: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    yes_ratio: float

    def expected(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in NAMES}


CASES = [
    # 50 predicted yes but 60 gold yes: yes_ratio is 0.5, not 0.6.
    Case("mixed", 40, 10, 30, 20, 0.70, 0.80, 40 / 60, 80 / 110, 0.50),
    # 5 predicted yes, 10 gold yes out of 20.
    Case("cautious", 5, 0, 10, 5, 0.75, 1.0, 0.5, 10 / 15, 0.25),
    # Always "yes": 10 predicted yes out of 10, 6 gold yes.
    Case("always yes", 6, 4, 0, 0, 0.6, 0.6, 1.0, 0.75, 1.0),
    # Always "no": precision is 0/0; F1 = 2TP/(2TP+FP+FN) = 0/6 = 0.
    Case("always no", 0, 0, 4, 6, 0.4, NAN, 0.0, 0.0, 0.0),
    # Every yes wrong: precision 0/3, recall 0/5, F1 = 0/8.
    Case("all yes wrong", 0, 3, 2, 5, 0.2, 0.0, 0.0, 0.0, 0.3),
    # No gold positives and no predicted positives: precision, recall and F1 are 0/0.
    Case("only negatives", 0, 0, 5, 0, 1.0, NAN, NAN, NAN, 0.0),
    Case("perfect", 3, 0, 3, 0, 1.0, 1.0, 1.0, 1.0, 0.5),
    Case("single fn", 0, 0, 0, 1, 0.0, NAN, 0.0, 0.0, 0.0),
    Case("single fp", 0, 1, 0, 0, 0.0, 0.0, NAN, 0.0, 1.0),
    Case("empty", 0, 0, 0, 0, NAN, NAN, NAN, NAN, NAN),
]
IDS = [c.name for c in CASES]


def _items(tp: int, fp: int, tn: int, fn: int) -> list[ItemScore]:
    cells = (
        [(True, True)] * tp + [(True, False)] * fp + [(False, False)] * tn + [(False, True)] * fn
    )
    return [
        ItemScore(sample_id=str(i), status="ok", values=confusion_values(pred, gold))
        for i, (pred, gold) in enumerate(cells)
    ]


def _same(actual: float, expected: float) -> bool:
    if math.isnan(expected):
        return math.isnan(actual)
    return actual == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_metrics_on_items(case: Case) -> None:
    values = evaluate(METRICS, _items(case.tp, case.fp, case.tn, case.fn))
    assert list(values) == list(NAMES)
    for name, want in case.expected().items():
        assert _same(values[name], want), (name, values[name], want)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_metrics_on_totals(case: Case) -> None:
    counts = {"tp": case.tp, "fp": case.fp, "tn": case.tn, "fn": case.fn}
    counts["pred_pos"] = case.tp + case.fp
    totals = ColumnTotals({k: np.asarray(float(v)) for k, v in counts.items()})
    for spec in METRICS:
        want = case.expected()[spec.name]
        assert _same(float(spec.compute(totals)), want), spec.name


@pytest.mark.parametrize(
    ("pairs", "predicted_ratio", "gold_ratio"),
    [
        ([("yes", "no")] * 3 + [("no", "no")], 0.75, 0.0),
        ([("no", "yes")] * 3 + [("yes", "yes")], 0.25, 1.0),
        ([("yes", "yes"), ("yes", "no"), ("yes", "no"), ("no", "yes"), ("no", "no")], 0.6, 0.4),
    ],
)
def test_yes_ratio_counts_predicted_yes_not_gold(
    pairs: list[tuple[str, str]], predicted_ratio: float, gold_ratio: float
) -> None:
    # lmms-eval's POPE yes_ratio counted gold labels; the metric must count predictions.
    items = [
        ItemScore(sample_id=str(i), status="ok", values=confusion_values(p == "yes", g == "yes"))
        for i, (p, g) in enumerate(pairs)
    ]
    values = evaluate(METRICS, items)
    assert values["yes_ratio"] == pytest.approx(predicted_ratio)
    assert values["yes_ratio"] != pytest.approx(gold_ratio)


@pytest.mark.parametrize(
    ("pred", "gold", "cell"),
    [(True, True, "tp"), (True, False, "fp"), (False, False, "tn"), (False, True, "fn")],
)
def test_confusion_values_one_hot(pred: bool, gold: bool, cell: str) -> None:
    values = confusion_values(pred, gold)
    assert {k: v for k, v in values.items() if k != "pred_pos"} == {
        k: float(k == cell) for k in ("tp", "fp", "tn", "fn")
    }
    assert values["pred_pos"] == float(pred)


def test_metric_declarations() -> None:
    assert [m.name for m in METRICS] == list(NAMES)
    assert [m.name for m in METRICS if m.primary] == ["f1"]
    directions = {m.name: m.direction for m in METRICS}
    assert directions == {
        "accuracy": "higher",
        "precision": "higher",
        "recall": "higher",
        "f1": "higher",
        "yes_ratio": "neither",
    }
    assert [m.name for m in confusion_metrics("no", primary="accuracy") if m.primary] == [
        "accuracy"
    ]
    assert confusion_metrics("no")[-1].name == "no_ratio"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_undefined_metrics_are_reported_as_none(case: Case) -> None:
    items = _items(case.tp, case.fp, case.tn, case.fn)
    config = BootstrapConfig(resamples=50, seed=1)
    results = metric_results(
        METRICS, evaluate(METRICS, items), metric_resamples(METRICS, items, config), config, "item"
    )
    for result in results:
        want = case.expected()[result.name]
        if math.isnan(want):
            assert result.value is None, result.name
            assert result.ci is None, result.name
        else:
            assert result.value is not None, result.name
            assert result.value == pytest.approx(want), result.name
            assert result.ci is not None, result.name
            assert result.ci.low <= result.value <= result.ci.high


HARMONIC = [c for c in CASES if c.precision + c.recall > 0]  # NaN compares False


@pytest.mark.parametrize("case", HARMONIC, ids=[c.name for c in HARMONIC])
def test_f1_is_harmonic_mean_where_precision_and_recall_are_defined(case: Case) -> None:
    p, r = case.precision, case.recall
    values = evaluate(METRICS, _items(case.tp, case.fp, case.tn, case.fn))
    assert values["f1"] == pytest.approx(2 * p * r / (p + r))
