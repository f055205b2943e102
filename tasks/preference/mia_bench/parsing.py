"""MIA-Bench's verdict: the component scores and the total in the judge's first sentence.

The official process_rawscore (evaluation.ipynb, apple/ml-mia-bench @ 89171af) keeps the
text before the first '.', splits it on ',' and reads every part but the last as one
component's score and the last part as the total. A part is read as: the text after its
first ':' up to any second ':', without its first character (the space after the colon),
split on '/', int(numerator) / int(denominator). Any part that does not read, a single part
(no comma), a zero denominator, or more component scores than the instruction has component
types make the whole reply unusable: get_score_dict's bare `except: pass` drops the item.
"""

from __future__ import annotations

from collections.abc import Sequence

from mmalign_eval import Record


class Grade(Record):
    """The fractions the judge gave: one per listed component, in order, and the total."""

    components: tuple[float, ...]
    total: float


def _fraction(part: str) -> float | None:
    """One part as the official code reads it, or None where it raises."""
    fields = part.split(":")
    if len(fields) < 2:
        return None
    numbers = fields[1][1:].split("/")
    if len(numbers) < 2:
        return None
    try:
        numerator, denominator = int(numbers[0]), int(numbers[1])
    except ValueError:
        return None
    return None if denominator == 0 else numerator / denominator


def parse_grade(text: str) -> Grade | None:
    """The official reading of a judge reply (stripped, as the notebook stores it); None
    where the notebook drops the item."""
    parts = text.strip().split(".")[0].split(",")
    if len(parts) < 2:
        return None  # the official loop never runs and the total's index is unbound
    fractions = [_fraction(part) for part in parts]
    if any(f is None for f in fractions):
        return None
    scores = [f for f in fractions if f is not None]
    return Grade(components=tuple(scores[:-1]), total=scores[-1])


def by_type(grade: Grade, types: Sequence[str]) -> dict[str, float] | None:
    """The official score_dict without its total: each component's fraction under its
    type, a later component of a type replacing an earlier one; None when the judge listed
    more components than there are types (the official IndexError)."""
    if len(grade.components) > len(types):
        return None
    return {types[i]: score for i, score in enumerate(grade.components)}
