"""LLaVA-Bench's review parsing: the official parse_score rule, quirk by quirk."""

from __future__ import annotations

import math
import random

import pytest

from mmalign_eval_tasks.preference.llava_bench.scores import (
    ScorePair,
    official_tuple,
    parse_score_pair,
)

CASES = [
    ("8 9\nAssistant 1 gives a precise answer...", (8.0, 9.0)),
    ("8 9", (8.0, 9.0)),
    ("10 10\n\nBoth are excellent.", (10.0, 10.0)),
    ("8,9\nThe second answer is better.", (8.0, 9.0)),  # the comma becomes the one space
    ("8, 9\nScores with a comma and a space.", None),  # two spaces: three fields
    ("8.5 7\n...", (8.5, 7.0)),
    ("7 6.\n", (7.0, 6.0)),  # float('6.') is 6.0
    ("1e1 5", (10.0, 5.0)),  # whatever float() reads
    ("8 9\r\nWindows line end", (8.0, 9.0)),  # float() strips the '\r'
    ("8 9 \n", None),  # a trailing space is a third, empty field
    (" 8 9", None),  # so is a leading one
    ("8  9", None),
    ("8\t9", None),  # only spaces separate
    ("\n8 9", None),  # the first line is empty
    ("Assistant 1: 8\nAssistant 2: 9", None),
    ("Scores: 8 9", None),
    ("(8, 9)", None),
    ("8/10 9/10", None),
    ("8,9,10", None),
    ("", None),
    ("nan 9", None),  # the one departure: non-finite scores are unparsed
    ("inf 9", None),
]


@pytest.mark.parametrize(("text", "pair"), CASES, ids=[repr(t[:20]) for t, _ in CASES])
def test_parse_score_pair(text: str, pair: tuple[float, float] | None) -> None:
    parsed = parse_score_pair(text)
    expected = None if pair is None else ScorePair(first=pair[0], second=pair[1])
    assert parsed == expected
    assert official_tuple(text) == (pair or (-1.0, -1.0))


def _official_parse_score(review: str) -> list[float]:
    """eval_gpt_review_bench.parse_score restated step by step (independent of the module)."""
    try:
        score_pair = review.split("\n")[0]
        score_pair = score_pair.replace(",", " ")
        sp = score_pair.split(" ")
        if len(sp) == 2:
            return [float(sp[0]), float(sp[1])]
        return [-1, -1]
    except Exception:
        return [-1, -1]


@pytest.mark.parametrize("seed", range(5))
def test_agrees_with_the_official_rule_on_random_reviews(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "0123456789 ,.\n-+eAs:"  # no letters that spell nan or inf
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        official = _official_parse_score(text)
        if not all(math.isfinite(x) for x in official):  # '1e999': the one departure
            official = [-1, -1]
        assert list(official_tuple(text)) == official, repr(text)
