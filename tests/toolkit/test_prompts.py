"""Multiple-choice prompt layouts, as the official scripts write them."""

from __future__ import annotations

from typing import Literal

import pytest

from mmalign_eval.toolkit.prompts import LETTERS, Choices, as_options, headed_question, lettered

OPTIONS = {"A": "a dog", "B": "a cat", "C": "no animal"}


@pytest.mark.parametrize(
    ("options", "style", "expected"),
    [
        (OPTIONS, "dot", "A. a dog\nB. a cat\nC. no animal"),
        (OPTIONS, "paren", "(A) a dog\n(B) a cat\n(C) no animal"),
        ({"A": "only"}, "dot", "A. only"),
        ({}, "dot", ""),
        ({"B": "second", "A": "first"}, "dot", "B. second\nA. first"),  # the given order
    ],
    ids=["dot", "paren", "one", "none", "order"],
)
def test_lettered(options: dict[str, str], style: Literal["dot", "paren"], expected: str) -> None:
    assert lettered(options, style) == expected


def test_lettered_defaults_to_dots() -> None:
    assert lettered(OPTIONS) == lettered(OPTIONS, "dot")


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        (None, "Question: What is shown?\nOptions:\nA. a dog\nB. a cat\nC. no animal"),
        ("", "Question: What is shown?\nOptions:\nA. a dog\nB. a cat\nC. no animal"),
        (
            "The photo was taken outdoors.",
            "Hint: The photo was taken outdoors.\nQuestion: What is shown?\n"
            "Options:\nA. a dog\nB. a cat\nC. no animal",
        ),
    ],
    ids=["no-hint", "empty-hint", "hint"],
)
def test_headed_question(hint: str | None, expected: str) -> None:
    choices = Choices(options=OPTIONS, answer="A", hint=hint)
    assert headed_question("What is shown?", choices) == expected


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        ([], {}),
        (["yes"], {"A": "yes"}),
        (["a dog", "a cat", "no animal"], OPTIONS),
        ([str(i) for i in range(10)], {letter: str(i) for i, letter in enumerate(LETTERS)}),
    ],
    ids=["none", "one", "three", "ten"],
)
def test_as_options(texts: list[str], expected: dict[str, str]) -> None:
    options = as_options(texts)
    assert options == expected
    assert list(options) == list(LETTERS[: len(texts)])


def test_as_options_then_lettered() -> None:
    assert lettered(as_options(["x", "y"]), "paren") == "(A) x\n(B) y"


def test_choices_is_a_record() -> None:
    with pytest.raises(ValueError):
        Choices(options=OPTIONS, answer="A", extra=1)  # type: ignore[call-arg]
