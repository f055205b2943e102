"""MathVista accuracies: overall and per group, as calculate_score.py groups them.

A problem counts in its question type, its answer type, its task and in each of its
skills (a problem with two skills counts in both). Each group's accuracy is its correct
problems over its problems; groups are named by their official value, spaces as `_`.
"""

from __future__ import annotations

from collections.abc import Callable

from mmalign_eval import Columns, MetricSpec, ratio
from mmalign_eval.metrics.base import FloatArray, Totals

from .normalize import Graded
from .problem import ANSWER_TYPES, QUESTION_TYPES, SKILLS, TASKS, MathVistaInfo

GROUPINGS: dict[str, tuple[str, ...]] = {
    "question_type": QUESTION_TYPES,
    "answer_type": ANSWER_TYPES,
    "task": TASKS,
    "skills": SKILLS,
}
COLUMNS = Columns.of("n", "correct", "fallback", "unreadable", prefixes=("n_", "correct_"))


def slug(value: str) -> str:
    """A group value as a name part: 'math word problem' -> 'math_word_problem'."""
    return "_".join(value.lower().split())


def groups_of(info: MathVistaInfo) -> list[tuple[str, str]]:
    """The (grouping, value) pairs a problem counts in."""
    pairs: list[tuple[str, str]] = [("question_type", info.question_type)]
    pairs.append(("answer_type", info.answer_type))
    pairs.append(("task", info.task))
    pairs += [("skills", skill) for skill in dict.fromkeys(info.skills)]
    return pairs


def item_values(info: MathVistaInfo, graded: Graded) -> dict[str, float]:
    """Counted, correct, credited by the closest-choice fallback, unreadable; per group."""
    correct = float(graded.correct(info))
    values = {
        "n": 1.0,
        "correct": correct,
        "fallback": float(graded.fallback is not None),
        "unreadable": float(graded.unreadable is not None),
    }
    for grouping, value in groups_of(info):
        values[f"n_{grouping}:{slug(value)}"] = 1.0
        values[f"correct_{grouping}:{slug(value)}"] = correct
    return values


def _share(count: str, total: str) -> Callable[[Totals], FloatArray]:
    def fn(t: Totals) -> FloatArray:
        return ratio(t[count], t[total])

    return fn


def mathvista_metrics() -> tuple[MetricSpec, ...]:
    """Accuracy (primary), the fallback and unreadable rates, and the group accuracies."""
    specs = [
        MetricSpec("accuracy", _share("correct", "n"), "higher", primary=True,
                   description="problems whose normalised extraction equals the answer"),
        MetricSpec("fallback_rate", _share("fallback", "n"), "lower",
                   description="multiple-choice extractions that named no option, credited "
                   "with the closest choice by edit distance as calculate_score.py does "
                   "(failures under `strict`)"),
        MetricSpec("unreadable_rate", _share("unreadable", "n"), "lower",
                   description="numeric extractions float() cannot read (units, words, "
                   "thousands separators), scored wrong as calculate_score.py does "
                   "(failures under `strict`)"),
    ]  # fmt: skip
    for grouping, values in GROUPINGS.items():
        for value in values:
            key = f"{grouping}:{slug(value)}"
            specs.append(
                MetricSpec(f"accuracy_{grouping}_{slug(value)}",
                           _share(f"correct_{key}", f"n_{key}"), "higher",
                           description=f"accuracy on problems with {grouping} '{value}'")
            )  # fmt: skip
    return tuple(specs)
