"""MM-Vet's official grading rules (mm-vet_evaluator.py @ c7ff270): reading a reply, the
retry schedule, what the last try gives, and the evaluator's rounding."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mmalign_eval import JudgeRequest
from mmalign_eval.judges.records import JudgeReply, Verdict
from mmalign_eval_tasks.preference.mm_vet.grading import (
    RETRY_SUFFIX,
    TEMPERATURES,
    RunGrade,
    official_retry,
    official_run,
    parse_score,
    strict_run,
)
from mmalign_eval_tasks.preference.mm_vet.judge import CHOICES, parse
from mmalign_eval_tasks.preference.mm_vet.metrics import official_round


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        ("0.5", 0.5),
        ("1.0", 1.0),
        ("0", 0.0),
        ("1", 1.0),
        ("1.0 (totally right)", 1.0),  # only the first space-separated token counts
        ("0.4 ", 0.4),
        ("\n0.5", 0.5),  # the token is stripped after splitting on spaces
        ("0.5\n\nThe prediction", None),  # no space before the newline: one token
        ("0.5\tok", None),  # tabs do not split either
        (" 0.5", None),  # a leading space makes the first token empty
        ("0.5.", None),
        ("Score: 0.5", None),
        ("Correctness: 1.0", None),
        ("1.5", None),  # outside [0, 1]
        ("-0.1", None),
        ("-0.0", -0.0),  # float() reads it and -0.0 < 0.0 is false
        ("+.5", 0.5),
        ("5e-1", 0.5),
        ("0.1_0", 0.1),  # float() accepts digit separators
        ("1_0", None),  # ... which make 10
        ("inf", None),
        ("nan", None),  # the official range check passes NaN; refused here (see the README)
        ("", None),
        ("\uff10.\uff15", 0.5),  # float() reads Unicode (fullwidth) digits
    ],
)  # fmt: skip
def test_a_reply_is_scored_by_its_first_token(reply: str, score: float | None) -> None:
    assert parse_score(reply) == score
    assert parse(reply) == score  # the judge's parser: the same on any reply text


def test_every_choice_of_a_local_judge_is_a_score() -> None:
    assert [parse_score(c) for c in CHOICES] == [i / 10 for i in range(11)]


def test_the_retry_schedule_of_one_grading() -> None:
    first = JudgeRequest("judge#2", "PROMPT | ", run=2)
    calls = [first]
    unreadable = Verdict("unparseable", reason="no score")
    for attempt in range(1, 10):
        following = official_retry(calls[-1], unreadable, attempt)
        if following is None:
            break
        calls.append(following)
    # Six calls: the first as the judge decodes (temperature 0.0), then the suffixed prompt
    # at the temperature before each +0.5, so the first retry is still at 0.0.
    assert len(calls) == len(TEMPERATURES) == 6
    assert [c.temperature for c in calls] == [None, 0.0, 0.5, 1.0, 1.5, 2.0]
    assert [c.text for c in calls] == ["PROMPT | "] + ["PROMPT | " + RETRY_SUFFIX] * 5
    assert all(c.role == "judge#2" and c.run == 2 for c in calls)


def _verdict(status: str, value: float | None, calls: int) -> Verdict:
    earlier = tuple(JudgeReply(key=f"k{i}", text="I") for i in range(calls - 1))
    return Verdict(status, value, earlier=earlier)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "value", "calls", "official", "strict"),
    [
        ("ok", 0.6, 1, RunGrade(score=0.6, retries=0), RunGrade(score=0.6, retries=0)),
        ("ok", 0.6, 5, RunGrade(score=0.6, retries=4), RunGrade(score=0.6, retries=4)),
        # The sixth call is sent and recorded but never read: 0.0 whatever it says.
        ("unparseable", None, 6, RunGrade(score=0.0, fallback=True, retries=5), None),
        ("ok", 0.9, 6, RunGrade(score=0.0, fallback=True, retries=5), None),
        # A chain cut short (budget stop, or one given reply): the official outcome is not
        # known, so it is a failure under both protocols, never a 0.
        ("unparseable", None, 1, None, None),
        ("unparseable", None, 3, None, None),
    ],
)  # fmt: skip
def test_what_a_grading_becomes(
    status: str, value: float | None, calls: int, official: RunGrade | None,
    strict: RunGrade | None,
) -> None:  # fmt: skip
    verdict = _verdict(status, value, calls)
    got, reason = official_run(verdict).value, official_run(verdict).reason
    assert got == official
    assert strict_run(verdict).value == strict
    if official is None or official.fallback:
        assert reason is not None  # every 0.0 and every failure says why
    if strict is None:
        assert strict_run(verdict).reason


@pytest.mark.parametrize(
    ("value", "evaluator", "python"),
    [
        (0.35, 0.4, 0.3),  # 0.35 is just below in binary, but 0.35 x 10 is exactly 3.5
        (0.15, 0.2, 0.1),
        (0.65, 0.6, 0.7),  # x 10 is exactly 6.5: half to even
        (2.15, 2.2, 2.1),  # the mean of tests' rounding-tie file (test_official_numbers)
        (0.25, 0.2, 0.2),  # exact halves go to even in both
        (49.06, 49.1, 49.1),
    ],
)  # fmt: skip
def test_the_evaluator_rounds_as_numpy_does(value: float, evaluator: float, python: float) -> None:
    # The evaluator calls round() on numpy floats (a mean over runs, a std), which is
    # numpy's round, not Python's.
    assert round(np.float64(value), 1) == evaluator
    assert float(official_round(np.asarray(value))) == evaluator
    assert round(value, 1) == python
    assert math.isclose(float(official_round(np.asarray([value, value]))[1]), evaluator)
