"""extract_answer.py's own shortcuts (replies settled without the judge), its --quick_extract
rule, the `rule` protocol's extraction, and the options a local judge picks from."""

from __future__ import annotations

from typing import Any

import pytest

from mmalign_eval_tasks.reasoning.mathvista.extract import (
    NO_NUMBER,
    judge_options,
    numbers,
    quick_extract,
    rule_extraction,
    shortcut,
)
from mmalign_eval_tasks.reasoning.mathvista.problem import MathVistaInfo

FRACTIONS = ("3/11", "8/11", "6/11", "3/5")


def problem(answer_type: str, **fields: Any) -> MathVistaInfo:
    base: dict[str, Any] = {
        "question": "q", "choices": None, "unit": None, "precision": None, "answer": "",
        "question_type": "free_form", "answer_type": answer_type, "task": "math word problem",
        "skills": (), "metadata": {},
    }  # fmt: skip
    return MathVistaInfo(**{**base, **fields})


MC = problem("text", question_type="multi_choice", choices=FRACTIONS)
INTEGER = problem("integer")
FLOAT = problem("float", precision=2)
LIST = problem("list")

# (reply, problem, the official script's own extraction; None: it asks the judge)
SHORTCUTS = [
    ("", MC, ""),
    ("", INTEGER, ""),
    ("", LIST, ""),
    ("8/11", MC, "8/11"),  # a reply that is exactly a choice
    (" 8/11", MC, None),  # exactly: not stripped
    ("B", MC, None),  # a letter is extracted by the judge
    ("(B) 8/11", MC, None),
    ("7", INTEGER, "7"),
    (" 7 ", INTEGER, "7"),  # int() ignores surrounding whitespace
    ("+7", INTEGER, "7"),
    ("1_000", INTEGER, "1000"),
    ("7.0", INTEGER, None),  # int("7.0") fails: the judge is asked
    ("7 apples", INTEGER, None),
    ("1.5", FLOAT, "1.5"),
    ("1", FLOAT, "1.0"),  # str(float(...))
    ("1e-3", FLOAT, "0.001"),
    ("nan", FLOAT, "nan"),
    ("1.5", INTEGER, None),
    ("7", MC, None),  # the number rules apply to number problems only
    ("[1, 2]", LIST, None),  # lists always go to the judge
]


@pytest.mark.parametrize(
    ("reply", "info", "extraction"), SHORTCUTS, ids=[repr(c[0]) for c in SHORTCUTS]
)
def test_official_shortcuts(reply: str, info: MathVistaInfo, extraction: str | None) -> None:
    assert shortcut(reply, info) == extraction


QUICK = [
    ('The answer is "B".', "B"),
    ('So... The answer is "8/11". Done.', "8/11"),
    ('The answer is "B". The answer is "C".', 'B". The answer is "C'),  # greedy within a line
    ('The answer is "B".\nThe answer is "C".', "B"),  # '.' stops at the line end
    ('the answer is "B".', None),  # case-sensitive
    ('The answer is "B"', None),  # the period is required
    ("The answer is B.", None),
    ('The answer is "".', ""),
]


@pytest.mark.parametrize(("reply", "extraction"), QUICK, ids=[repr(c[0]) for c in QUICK])
def test_quick_extract(reply: str, extraction: str | None) -> None:
    assert quick_extract(reply) == extraction


# (reply, problem, the rule protocol's extraction; None: unreadable)
RULE = [
    ("8/11", MC, "8/11"),
    ("The correct answer is (B) 8/11.", MC, "B"),
    ("Answer: C", MC, "C"),
    ("I think it is B.", MC, "B"),
    ("It is 6/11 of the shape.", MC, "6/11"),
    ("Eight elevenths.", MC, None),
    ('The answer is "D".', MC, "D"),
    ("", MC, None),
    ("   ", INTEGER, None),
    ("There are 1,000 grams.", INTEGER, "1000"),
    ("14", INTEGER, "14"),
    ("From 3 to 5 the count is 12.", INTEGER, "12"),  # the last number
    ("The total is 1000 g", INTEGER, "1000"),  # a unit is left out
    ("It is -4.5 degrees.", FLOAT, "-4.5"),
    ("about .5", FLOAT, ".5"),
    ("no idea", FLOAT, None),
    ("Between [2007,2008] and [2014,2016].", LIST, "[2014, 2016]"),  # the last list
    ("[ 1 , 2 ]", LIST, "[1, 2]"),
    ("2007 and 2008", LIST, None),
]


@pytest.mark.parametrize(("reply", "info", "extraction"), RULE, ids=[repr(c[0]) for c in RULE])
def test_rule_extraction(reply: str, info: MathVistaInfo, extraction: str | None) -> None:
    reading = rule_extraction(reply, info)
    assert reading.value == extraction
    assert (reading.reason is not None) == (extraction is None)


def test_rule_prefers_the_last_and_longest_choice_text() -> None:
    info = problem("text", question_type="multi_choice", choices=("5", "15", "50"))
    assert rule_extraction("not 5 but 15", info).value == "15"
    assert rule_extraction("it is 150", info).value is None  # whole choices only


def test_numbers_drop_thousands_separators_only() -> None:
    assert numbers("1,000 and 2, 3 then 4.5.") == ["1000", "2", "3", "4.5"]


JUDGE_OPTIONS = [
    ("whatever", MC, ("A", "B", "C", "D")),
    ("It is 3, or 4, or 4.5", FLOAT, ("3", "4", "4.5")),
    ("1 2 3 4 5 6 7 8 9 10", INTEGER, ("3", "4", "5", "6", "7", "8", "9", "10")),  # the last 8
    ("2 then 3 then 2", INTEGER, ("3", "2")),  # each once, by its last place
    ("no number", INTEGER, (NO_NUMBER,)),
    ("[1,2] or [3, 4]", LIST, ("[3, 4]",)),
    ("none", LIST, (NO_NUMBER,)),
]


@pytest.mark.parametrize(
    ("reply", "info", "options"), JUDGE_OPTIONS, ids=[repr(c[0]) for c in JUDGE_OPTIONS]
)
def test_choice_mode_options(reply: str, info: MathVistaInfo, options: tuple[str, ...]) -> None:
    assert judge_options(reply, info) == options
