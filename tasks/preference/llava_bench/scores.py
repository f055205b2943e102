"""LLaVA-Bench's verdict: the two scores on the first line of the judge's review.

The official parse_score (llava/eval/eval_gpt_review_bench.py) takes the review's first line,
turns every comma into a space, splits on single spaces and needs exactly two fields that
float() reads; anything else becomes the pair [-1, -1]. So "8 9" and "8,9" parse, while
"8, 9" (two spaces after the comma), "8 9 " (a trailing space) or "Assistant 1: 8" do not.
"""

from __future__ import annotations

import math

from mmalign_eval import Record


class ScorePair(Record):
    """The two scores as the judge wrote them: Assistant 1's, then Assistant 2's."""

    first: float
    second: float


# The official stand-in for a review it cannot read: both assistants "score" -1.
UNPARSED = (-1.0, -1.0)


def parse_score_pair(text: str) -> ScorePair | None:
    """The official first-line rule; None where the official script writes [-1, -1].

    A field float() reads as nan or inf is refused too (the official script would carry it
    into the mean and print nan): the one place this parser departs from it.
    """
    fields = text.split("\n")[0].replace(",", " ").split(" ")
    if len(fields) != 2:
        return None
    try:
        first, second = float(fields[0]), float(fields[1])
    except ValueError:
        return None
    if not (math.isfinite(first) and math.isfinite(second)):
        return None
    return ScorePair(first=first, second=second)


def official_tuple(text: str) -> tuple[float, float]:
    """The `tuple` the official script stores for a review ([-1, -1] when unparsed)."""
    pair = parse_score_pair(text)
    return UNPARSED if pair is None else (pair.first, pair.second)
