"""MIA-Bench's judge-reply parsing: evaluation.ipynb's process_rawscore, quirk by quirk."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mmalign_eval_tasks.preference.mia_bench.parsing import Grade, by_type, parse_grade

CASES = [
    ("score of component 1: 4/4, score of component 2: 3/3, score of component 3: 2/3, "
     "total score: 9/10. The response follows...", ((1.0, 1.0, 2 / 3), 0.9)),
    ("Score of component 1: 2/2, total score: 8/10.", ((1.0,), 0.8)),
    ("score of component 1: 4/4, total score: 9/10", ((1.0,), 0.9)),  # no period at all
    ("  score of component 1: 1/2, total score: 5/10.\n", ((0.5,), 0.5)),  # stripped
    ("score of component 1:  4/4, total score: 9/10.", ((1.0,), 0.9)),  # int(' 4')
    ("score of component 1: 4 / 4, total score: 9/10.", ((1.0,), 0.9)),  # int('4 '), int(' 4')
    ("score of component 1: 4/4/5, total score: 9/10.", ((1.0,), 0.9)),  # a third field is unread
    ("score of component 1: -1/4, total score: 0/10.", ((-0.25,), 0.0)),
    ("score of component 1: 5/4, total score: 12/10.", ((1.25,), 1.2)),  # not capped
    # the judge's own total counts, not the sum of the components
    ("score of component 1: 4/4, score of component 2: 0/6, total score: 10/10.",
     ((1.0, 0.0), 1.0)),
    # the last part is the total whatever it says; the others are components, in order
    ("total score: 9/10, score of component 1: 4/4.", ((0.9,), 1.0)),
    ("score of component 1: 4/4 total score: 9/10.", None),  # no comma: one part
    ("score of component 1:4/4, total score: 9/10.", None),  # '4/4'[1:] is '/4'
    ("score of component 1: 3.5/4, total score: 8/10.", None),  # cut at the decimal point
    ("**Score of component 1:** 4/4, **Total score:** 9/10.", None),  # '* 4'
    ("score of component 1: 4/0, total score: 9/10.", None),  # zero denominator
    ("score of component 1: 4/4, total score: 9/10, because it is good.", None),  # 3rd part
    ("score of component 1: 3/4, total score: 9/10\n\nExplanation: the response...", None),
    ("score of component 1: 10/10 points, total score: 10/10.", None),
    ("score of component 1 is 4/4, total score: 9/10.", None),  # no ':' in a part
    ("I cannot grade this.", None),
    ("", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "grade"), CASES, ids=[repr(t[:30]) for t, _ in CASES])
def test_parse_grade(text: str, grade: tuple[tuple[float, ...], float] | None) -> None:
    expected = None if grade is None else Grade(components=grade[0], total=grade[1])
    assert parse_grade(text) == expected


def test_types_take_the_last_component_of_each_type() -> None:
    grade = Grade(components=(1.0, 0.5, 0.0), total=0.6)
    assert by_type(grade, ("describe", "mention", "mention")) == {"describe": 1.0, "mention": 0.0}
    # fewer scores than components: the types named stay out
    assert by_type(Grade(components=(1.0,), total=0.4), ("describe", "mention")) == {
        "describe": 1.0
    }
    # more scores than components: the official component_type[i] raises, the item is dropped
    assert by_type(Grade(components=(1.0, 1.0), total=1.0), ("describe",)) is None


def official_process_rawscore(component_type: list[str], raw_score: Any) -> dict[str, float]:
    """process_rawscore of evaluation.ipynb @ 89171af, restated (it raises where it fails)."""
    first_sentence = raw_score.split(".")[0].split(",")
    score_dict = {}
    for i in range(len(first_sentence) - 1):
        score_ = first_sentence[i].split(":")[1][1:].split("/")
        score = int(score_[0]) / int(score_[1])
        score_dict[component_type[i]] = score
    total_score_ = first_sentence[i + 1].split(":")[1][1:].split("/")
    score_dict["total_score"] = int(total_score_[0]) / int(total_score_[1])
    return score_dict


def official_or_none(types: list[str], text: str) -> dict[str, float] | None:
    try:
        return official_process_rawscore(types, text.strip())
    except Exception:  # get_score_dict's bare `except: pass`
        return None


def ours(types: list[str], text: str) -> dict[str, float] | None:
    grade = parse_grade(text)
    scores = None if grade is None else by_type(grade, types)
    return None if scores is None or grade is None else {**scores, "total_score": grade.total}


@pytest.mark.parametrize("seed", range(4))
def test_agrees_with_the_notebook_on_random_replies(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ["score of component 1: ", "score of component 2:", "total score: ", "4/4",
              "3/5", " 2/0", "/", ":", ",", ", ", ".", " ", "x", "7", "1/2", "\n",
              "9/10"]  # fmt: skip
    types = ["describe", "mention", "mention"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert ours(types, text) == official_or_none(types, text), repr(text)
