"""Confusion-matrix metrics over totals of tp/fp/tn/fn columns (POPE, AMBER, ...)."""

from __future__ import annotations

from mmalign_eval.metrics.base import FloatArray, MetricSpec, Totals, ratio

TP, FP, TN, FN = "tp", "fp", "tn", "fn"
PRED_POSITIVE = "pred_pos"
CONFUSION_COLUMNS = frozenset({TP, FP, TN, FN, PRED_POSITIVE})  # what confusion_values writes


def confusion_values(predicted_positive: bool, gold_positive: bool) -> dict[str, float]:
    """One item's one-hot confusion cell plus its predicted-positive indicator."""
    return {
        TP: float(predicted_positive and gold_positive),
        FP: float(predicted_positive and not gold_positive),
        TN: float(not predicted_positive and not gold_positive),
        FN: float(not predicted_positive and gold_positive),
        PRED_POSITIVE: float(predicted_positive),
    }


def _n(t: Totals) -> FloatArray:
    return t[TP] + t[FP] + t[TN] + t[FN]


def accuracy(t: Totals) -> FloatArray:
    """(TP + TN) / N."""
    return ratio(t[TP] + t[TN], _n(t))


def precision(t: Totals) -> FloatArray:
    """TP / (TP + FP)."""
    return ratio(t[TP], t[TP] + t[FP])


def recall(t: Totals) -> FloatArray:
    """TP / (TP + FN)."""
    return ratio(t[TP], t[TP] + t[FN])


def f1(t: Totals) -> FloatArray:
    """Harmonic mean of precision and recall, 2TP / (2TP + FP + FN).

    Written with counts so that F1 is 0, not undefined, when there are errors but no true
    positive (e.g. a model that always answers "no"); only TP = FP = FN = 0 gives NaN.
    """
    return ratio(2 * t[TP], 2 * t[TP] + t[FP] + t[FN])


def positive_ratio(t: Totals) -> FloatArray:
    """Share of items *predicted* positive (not the share of gold positives)."""
    return ratio(t[PRED_POSITIVE], _n(t))


def confusion_metrics(positive: str, primary: str = "f1") -> tuple[MetricSpec, ...]:
    """Accuracy, precision, recall, F1 and the predicted-positive ratio named after the class."""
    specs = [
        MetricSpec("accuracy", accuracy, "higher", description="(TP+TN)/N"),
        MetricSpec("precision", precision, "higher", description=f"'{positive}' is positive"),
        MetricSpec("recall", recall, "higher", description=f"'{positive}' is positive"),
        MetricSpec("f1", f1, "higher", description="2PR/(P+R)"),
        MetricSpec(
            f"{positive}_ratio",
            positive_ratio,
            "neither",
            description=f"share of predicted '{positive}' answers (0.5 is balanced)",
        ),
    ]
    return tuple(
        MetricSpec(s.name, s.fn, s.direction, s.scale, s.name == primary, s.description)
        for s in specs
    )
