"""calculate_score.py: an extraction normalised to the answer's type, compared as a string.

Multiple choice: the stripped extraction's first "(x)" is read as the letter X, a letter
names its choice, anything else is the choice closest by edit distance (credited although
the extraction named none: recorded as a fallback unless it is that choice). Integer:
str(int(float(x))), which truncates. Float: str(round(float(x), precision)). List: the
text as it is. What float() cannot read gives no prediction, which is scored wrong
(recorded as unreadable).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mmalign_eval import Record

from .problem import MathVistaInfo

_PAREN_LETTER = re.compile(r"\(([a-zA-Z])\)")


class Graded(Record):
    """An extraction, the prediction calculate_score.py makes of it, and how."""

    extraction: str
    prediction: str | None
    # Set when the closest choice was credited for an extraction that is not a choice.
    fallback: str | None = None
    # Set when the extraction gave no prediction (not a number): scored wrong.
    unreadable: str | None = None

    def correct(self, info: MathVistaInfo) -> bool:
        """safe_equal: the prediction equals the answer string."""
        return self.prediction is not None and self.prediction == info.answer


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions of code points, cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return previous[-1]


def closest_choice(text: str, choices: Sequence[str]) -> int:
    """get_most_similar: the index of the first choice at the least edit distance."""
    distances = [edit_distance(text, choice) for choice in choices]
    return distances.index(min(distances))


def _multi_choice(extraction: str, choices: Sequence[str]) -> Graded:
    text = extraction.strip()
    found = _PAREN_LETTER.findall(text)
    if found:
        text = found[0].upper()  # the first "(x)", upper-cased
    letters = [chr(ord("A") + i) for i in range(len(choices))]
    if text in letters:
        return Graded(extraction=extraction, prediction=choices[letters.index(text)])
    chosen = choices[closest_choice(text, choices)]
    if chosen.strip() == text:
        # The extraction is the choice (a choice's own trailing space, as in pid 237, can
        # never survive the strip): credited by name, not by the fallback.
        return Graded(extraction=extraction, prediction=chosen)
    reason = (
        f"the extraction {text[:60]!r} names no option: the closest choice {chosen!r} (edit "
        "distance) is credited, as calculate_score.py does"
    )
    return Graded(extraction=extraction, prediction=chosen, fallback=reason)


def _number(extraction: str, info: MathVistaInfo) -> str | None:
    try:
        value = float(extraction)
        if info.answer_type == "integer":
            return str(int(value))
        if info.precision is None:
            return None  # int(None) raises in calculate_score.py: no prediction
        return str(round(value, info.precision))
    except (ValueError, OverflowError):
        return None  # float("12 cm"), float("1,000"), int(float("inf"))


def normalize(extraction: str, info: MathVistaInfo) -> Graded:
    """normalize_extracted_answer, with ignore_empty_extractions off (the default)."""
    if info.question_type == "multi_choice":
        return _multi_choice(extraction, info.choices or ())
    if info.answer_type == "list":
        return Graded(extraction=extraction, prediction=extraction)
    prediction = _number(extraction, info)
    if prediction is not None:
        return Graded(extraction=extraction, prediction=prediction)
    reason = (
        f"the extraction {extraction[:60]!r} is not a number ({info.answer_type}): scored "
        "wrong, as calculate_score.py does"
    )
    return Graded(extraction=extraction, prediction=None, unreadable=reason)
