"""Per-item values and MMMU's official accuracies: overall, per discipline and per subject,
all instance-weighted (calculate_ins_level_acc: a group's accuracy is its correct answers
over its answered questions, so subjects weigh by their number of questions)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mmalign_eval import Columns, MetricSpec, Sample, ratio
from mmalign_eval.metrics.base import FloatArray, Totals
from mmalign_eval.toolkit.choice import ACCURACY, FALLBACK_RATE, Picked
from mmalign_eval.toolkit.choice import COLUMNS as CHOICE_COLUMNS

from .items import MMMUInfo
from .parsing import Normal, choice_correct, open_correct
from .subjects import DISCIPLINES, SUBJECTS, snake

N, CORRECT = "n:", "correct:"  # per-subject column prefixes
COLUMNS = CHOICE_COLUMNS | Columns.of(prefixes=(N, CORRECT))
Value = Picked | tuple[Normal, ...]  # a multiple-choice pick, or an open reply's candidates


def is_correct(sample: Sample[MMMUInfo], value: Value) -> bool:
    """The official verdict: the letter for multiple choice, eval_open for open questions."""
    if isinstance(value, Picked):
        return choice_correct(sample.info.answer, value.letter)
    return open_correct(sample.info.answer, value)


def item_values(sample: Sample[MMMUInfo], value: Value) -> dict[str, float]:
    """Counted, correct and fallback, overall and in the item's subject."""
    correct = float(is_correct(sample, value))
    subject = sample.info.subject
    return {
        "n": 1.0,
        "correct": correct,
        "fallback": float(isinstance(value, Picked) and value.fallback is not None),
        f"{N}{subject}": 1.0,
        f"{CORRECT}{subject}": correct,
    }


def _accuracy_of(subjects: Sequence[str]) -> Callable[[Totals], FloatArray]:
    def fn(t: Totals) -> FloatArray:
        correct, count = t[f"{CORRECT}{subjects[0]}"], t[f"{N}{subjects[0]}"]
        for subject in subjects[1:]:
            correct = correct + t[f"{CORRECT}{subject}"]
            count = count + t[f"{N}{subject}"]
        return ratio(correct, count)

    return fn


def mmmu_metrics() -> tuple[MetricSpec, ...]:
    """Overall accuracy (primary), the fallback rate, then per discipline and subject."""
    disciplines = tuple(
        MetricSpec(f"accuracy_{snake(name)}", _accuracy_of(subjects), "higher",
                   description=f"discipline {name} ({', '.join(subjects)}), instance-weighted")
        for name, subjects in DISCIPLINES.items()
    )  # fmt: skip
    subjects = tuple(
        MetricSpec(f"accuracy_{snake(s)}", _accuracy_of((s,)), "higher",
                   description=f"subject {s}")
        for s in SUBJECTS
    )  # fmt: skip
    overall = MetricSpec(
        ACCURACY.name, ACCURACY.fn, "higher", primary=True,
        description="questions answered correctly over all subjects (the official Overall)",
    )  # fmt: skip
    return (overall, FALLBACK_RATE, *disciplines, *subjects)
