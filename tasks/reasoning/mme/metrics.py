"""MME's scores as sums of per-question columns (calculation.py, restated).

Per subtask: acc = right answers / questions; acc+ = images whose two answers are both
right / images; score = (acc + acc+) x 100 (at most 200). Perception is the sum of the 10
perception scores (at most 2000), cognition that of the 4 cognition scores (at most 800).
acc+ is an all-correct group metric (mmalign_eval.metrics.grouped) over an image's two
questions; samples are clustered by image, so resamples draw whole images.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from mmalign_eval import Columns, MetricSpec, Sample, ratio
from mmalign_eval.metrics.base import FloatArray, Totals
from mmalign_eval.metrics.grouped import all_correct_accuracy, group_columns, group_values

from .answers import OTHER
from .samples import MmeInfo
from .subtasks import COGNITION, PAIR_SIZE, PERCEPTION, SUBTASKS

Metric = Callable[[Totals], FloatArray]


def column(kind: str, subtask: str) -> str:
    """A per-subtask count column: n, correct or other."""
    return f"{kind}:{subtask}"


def pairs(subtask: str) -> str:
    """The group prefix of a subtask's images (acc+)."""
    return f"pair_{subtask}"


COLUMNS = Columns.of(
    "n", "correct", "other",
    *(column(kind, s) for kind in ("n", "correct", "other") for s in SUBTASKS),
) | group_columns([pairs(s) for s in SUBTASKS])  # fmt: skip


def item_values(sample: Sample[MmeInfo], label: str) -> dict[str, float]:
    """The question's counts overall and in its subtask, and its image's acc+ columns."""
    subtask = sample.info.subtask
    correct = float(label == sample.target)
    other = float(label == OTHER)
    values = {
        "n": 1.0, "correct": correct, "other": other,
        column("n", subtask): 1.0, column("correct", subtask): correct,
        column("other", subtask): other,
    }  # fmt: skip
    values.update(group_values(pairs(subtask), sample.info.image, PAIR_SIZE, bool(correct)))
    return values


def accuracy(subtask: str) -> Metric:
    """acc: the share of the subtask's questions answered right."""
    return lambda t: ratio(t[column("correct", subtask)], t[column("n", subtask)])


def subtask_score(subtask: str) -> Metric:
    """(acc + acc+) x 100, added in calculation.py's order (acc first, onto 0)."""
    plus = all_correct_accuracy(pairs(subtask))
    return lambda t: 0.0 + accuracy(subtask)(t) * 100 + plus(t) * 100


def total_score(subtasks: Sequence[str]) -> Metric:
    """The sum of subtask scores in the official order (NaN when one is absent)."""
    scores = [subtask_score(s) for s in subtasks]

    def fn(t: Totals) -> FloatArray:
        total: FloatArray = np.zeros(np.shape(t["n"]))  # calculation.py: scores = 0, then +=
        for score in scores:
            total = total + score(t)
        return total

    return fn


def _per_subtask(subtask: str) -> tuple[MetricSpec, ...]:
    kind = "perception" if subtask in PERCEPTION else "cognition"
    return (
        MetricSpec(f"{subtask}_score", subtask_score(subtask), "higher", scale="score",
                   description=f"{kind} subtask {subtask}: (acc + acc+) x 100, at most 200"),
        MetricSpec(f"{subtask}_acc", accuracy(subtask), "higher",
                   description=f"{subtask}: questions answered right"),
        MetricSpec(f"{subtask}_acc_plus", all_correct_accuracy(pairs(subtask)), "higher",
                   description=f"{subtask}: images whose two questions are both right"),
    )  # fmt: skip


def mme_metrics() -> tuple[MetricSpec, ...]:
    """Perception (primary) and cognition, their sum, overall rates and the subtask scores."""
    return (
        MetricSpec("perception", total_score(PERCEPTION), "higher", scale="score", primary=True,
                   description="sum of the 10 perception subtask scores (at most 2000)"),
        MetricSpec("cognition", total_score(COGNITION), "higher", scale="score",
                   description="sum of the 4 cognition subtask scores (at most 800)"),
        MetricSpec("total", lambda t: total_score(PERCEPTION)(t) + total_score(COGNITION)(t),
                   "higher", scale="score", description="perception + cognition (at most "
                   "2800; papers quote it, calculation.py prints the two sums only)"),
        MetricSpec("accuracy", lambda t: ratio(t["correct"], t["n"]), "higher",
                   description="questions answered right, over all subtasks (not an official "
                   "number)"),
        MetricSpec("other_rate", lambda t: ratio(t["other"], t["n"]), "lower",
                   description="replies read as neither yes nor no (calculation.py's "
                   "'other', scored wrong)"),
        *(spec for s in SUBTASKS for spec in _per_subtask(s)),
    )  # fmt: skip
