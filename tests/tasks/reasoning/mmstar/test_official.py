"""MMStar's official answer rule (MMStar_eval, eval/vlmeval/evaluate/mmstar.py @ 79e6d1c) on
tricky replies, against an independent restatement, and the option letters of questions."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from mmalign_eval_tasks.reasoning.mmstar.official import (
    credited,
    option_letters,
    read_official,
    read_strict,
)

# (reply, answer letter, the official rule credits it)
OFFICIAL: list[tuple[str, str, bool]] = [
    ("C", "C", True),
    ("c", "C", True),
    ("(c", "C", True),  # the example: '(' then the letter, no closing needed
    ("(C) 0.21", "C", True),
    ("Option C", "C", True),  # 'option ' prefix, case-insensitive
    ("option c: the red one", "C", True),
    ("the answer is c", "C", True),
    ("The answer is C.", "C", True),
    ("C. a cat", "C", True),
    ("C: neither; the cat", "C", True),
    ("  \n C", "C", True),  # stripped first
    ("\tb", "B", True),
    ("A cat sits on the mat", "A", True),  # the first character is all that counts
    ("Answer: B", "B", False),  # read as 'a' ...
    ("Answer: B", "A", True),  # ... which credits A
    ("The answer is (C)", "C", False),  # the character after the prefix is '('
    ("The answer is: C", "C", False),  # 'the answer is:' is no prefix; 't' is read
    ("option  c", "C", False),  # two spaces: the character after 'option ' is a space
    ("option\nc", "C", True),  # the newline becomes a space after stripping
    ("(\nb", "B", False),  # '( b': a space after the parenthesis
    ("( B)", "B", False),
    ("Option (C)", "C", False),
    ("(", "A", False),  # the script's IndexError is caught: wrong, not a failure
    ("", "A", False),
    ("nan", "A", False),  # an empty submission cell is the reply 'nan'
    ("I think it is B", "B", False),
    ("B\n\nBecause the image shows a cat", "B", True),
    ("\u0131", "I", False),  # dotless i: lowercase already, not 'i'
    ("ANSWER IS B", "A", True),  # no prefix: 'a' is read
    ("the answer is ", "A", False),  # stripped to 'the answer is', read as 't'
]


@pytest.mark.parametrize(
    ("reply", "answer", "right"), OFFICIAL, ids=[repr(r) for r, *_ in OFFICIAL]
)
def test_official_rule(reply: str, answer: str, right: bool) -> None:
    reading = read_official(reply, "ABCDI")
    assert (reading.value == answer.lower()) is right
    assert reading.value is not None  # the official rule never fails


@pytest.mark.parametrize(
    ("reply", "answer", "right"), OFFICIAL, ids=[repr(r) for r, *_ in OFFICIAL]
)
def test_reference_agrees_with_table(reply: str, answer: str, right: bool) -> None:
    assert _reference(reply, answer) is right


def _reference(prediction: str, answer: str) -> bool:
    """MMStar_eval's comparison restated: four tests in order, an IndexError means wrong."""
    gold = answer.lower().strip().replace("\n", " ")
    text = prediction.lower().strip().replace("\n", " ")
    tests: tuple[Callable[[], bool], ...] = (
        lambda: gold == text[0],
        lambda: text[0] == "(" and gold == text[1],
        lambda: text[:7] == "option " and gold == text[7],
        lambda: text[:14] == "the answer is " and gold == text[14],
    )
    try:
        return any(test() for test in tests)
    except IndexError:
        return False


PIECES = ["(", ")", "a", "b", "c", "d", "A", "B", "C", "D", "option", "Option", "the",
          "answer", "is", "The answer is", "answer:", " ", "  ", "\n", "\t", ".", ":", "cat", "e",
          "z"]  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rule_matches_reference_on_random_replies(seed: int) -> None:
    rng = random.Random(seed)
    replies = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6))) for _ in range(600)]
    for reply in replies:
        for answer in "ABCD":
            got = read_official(reply, "ABCD").value == answer.lower()
            assert got is _reference(reply, answer), (reply, answer)
    hits = sum(_reference(r, "A") for r in replies)
    assert 0.02 < hits / len(replies) < 0.5  # both outcomes are exercised


def test_credited_character() -> None:
    assert credited("(b) yes") == "b"
    assert credited("Option D") == "d"
    assert credited("the answer is a") == "a"
    assert credited("") == ""
    assert credited("(") == ""


def test_reasons_and_strict() -> None:
    assert read_official("B", "ABCD").reason is None
    unread = read_official("I think B", "ABCD")
    assert unread.value == "i" and "scored wrong" in str(unread.reason)
    assert read_official("E", "ABCD").reason  # a letter that is no option of the item
    assert read_official("", "ABCD").value == ""
    assert read_strict("B", "ABCD").value == "b"
    failed = read_strict("Answer: none", "BCD")
    assert failed.value is None and failed.reason


LAYOUTS = [
    ("Which is it?\nOptions: A: a cat, B: a dog, C: a, b, D: none", ("A", "B", "C", "D")),
    ("Which?\nOptions: A: yes, B: no", ("A", "B")),
    ("Hint: ...\nQuestion: Sum?\nChoices:\n(A) 40.7\n(B) 74\n(C) 70.4", ("A", "B", "C")),
    ("Question: Sum?\n(A) 1\n(B) 2\n(C) 3\n(D) 4", ("A", "B", "C", "D")),
    ("What is shown?", ()),
    ("Options: B: x, C: y", ()),  # must start at A
    ("Q\n(B) 1\n(C) 2", ()),
]


@pytest.mark.parametrize(("question", "letters"), LAYOUTS)
def test_option_letters(question: str, letters: tuple[str, ...]) -> None:
    assert option_letters(question) == letters
