"""Shared answer readers: yes/no, ratings, JSON string lists, option letters."""

from __future__ import annotations

import pytest

from mmalign_eval.toolkit.readers import (
    json_string_list,
    option_letter,
    single_rating,
    words,
    yes_or_no,
)

# -- words / yes_or_no -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes, it is.", ["yes", "it", "is"]),
        ("NO!", ["no"]),
        ("isn't", ["isn", "t"]),
        ("", []),
        ("  a\tb\nc ", ["a", "b", "c"]),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


YES_NO: list[tuple[str, str | None, str | None]] = [
    ("Yes", "yes", None),
    ("yes.", "yes", None),
    ("YES, there is a dog.", "yes", None),
    ("No", "no", None),
    ("no, there is not.", "no", None),
    ("Answer: NO!", "no", None),
    ("(no)", "no", None),
    ("Yes-", "yes", None),
    ("yesterday", None, "neither 'yes' nor 'no'"),  # a word, not a prefix
    ("nothing here", None, "neither 'yes' nor 'no'"),
    ("Nope", None, "neither 'yes' nor 'no'"),
    ("", None, "neither 'yes' nor 'no'"),
    ("Yes and no.", None, "both 'yes' and 'no'"),
    ("No. Yes.", None, "both 'yes' and 'no'"),
]


@pytest.mark.parametrize(("text", "value", "reason"), YES_NO, ids=repr)
def test_yes_or_no(text: str, value: str | None, reason: str | None) -> None:
    reading = yes_or_no(text)
    assert reading.value == value
    if reason is None:
        assert reading.reason is None
    else:
        assert reading.reason is not None and reading.reason.startswith(reason)
        assert repr(text.strip()[:60]) in reading.reason


def test_yes_or_no_reason_quotes_at_most_60_characters() -> None:
    reading = yes_or_no("x" * 100)
    assert reading.reason == f"neither 'yes' nor 'no' in {'x' * 60!r}"


# -- single_rating -----------------------------------------------------------------------

RATINGS: list[tuple[str, int | None]] = [
    ("Rating: 4", 4),
    ("The response is accurate.\nrating: 0", 0),
    ("RATING: 6", 6),
    ("rating:4", None),  # the prefix includes the space
    ("Rating: 7", None),  # outside the scores
    ("Rating: 3 ... on reflection, Rating: 5", None),  # several
    ("Rating: 3. Rating: 3.", 3),  # one score, said twice
    ("no rating given", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), RATINGS, ids=repr)
def test_single_rating(text: str, expected: int | None) -> None:
    reading = single_rating(text, range(7))
    assert reading.value == expected
    if expected is None:
        assert reading.reason == "no single 'rating: s' (s in 0..6) in the text"
    else:
        assert reading.reason is None


def test_single_rating_prefix_and_scores() -> None:
    assert single_rating("Score= 2", (1, 2, 3), prefix="score= ").value == 2
    reading = single_rating("Score= 9", (1, 2, 3), prefix="score= ")
    assert reading.value is None
    assert reading.reason == "no single 'score= s' (s in 1..3) in the text"


# -- json_string_list --------------------------------------------------------------------

JSON_LISTS: list[tuple[str, list[str] | None]] = [
    ('["dog", "cat"]', ["dog", "cat"]),
    ('  ["dog"]  \n', ["dog"]),
    ("[]", []),
    ('```json\n["dog", "frisbee"]\n```', ["dog", "frisbee"]),
    ('Here you go:\n```\n["tree"]\n```\nDone.', ["tree"]),
    ('```json\r\n["a"]\r\n```', ["a"]),
    ('The objects mentioned are:\n["car", "road"]', ["car", "road"]),  # the last line
    ('["dog", 3]', None),  # not all strings
    ('[["dog"]]', None),
    ('{"objects": ["dog"]}', None),  # not a list
    ('"dog"', None),
    ("dog, cat", None),
    ("", None),
    ('["dog",', None),
    ('```json\n[1, 2]\n```\n["fallback"]', ["fallback"]),  # a bad block, a good last line
]


@pytest.mark.parametrize(("text", "expected"), JSON_LISTS, ids=repr)
def test_json_string_list(text: str, expected: list[str] | None) -> None:
    assert json_string_list(text) == expected


def test_json_string_list_prefers_the_fenced_block() -> None:
    text = '```json\n["fenced"]\n```\n["last line"]'
    assert json_string_list(text) == ["fenced"]


# -- option_letter -----------------------------------------------------------------------

LETTERS = "ABCD"
OPTION_LETTERS: list[tuple[str, str | None]] = [
    # the variants of the docstring
    ("(B)", "B"),
    ("B.", "B"),
    ("B", "B"),
    ("B) a dog", "B"),
    ("Option B", "B"),
    ("The answer is B", "B"),
    # more spellings of them
    ("(b)", "B"),
    ("option C", "C"),
    ("The answer is (C).", "C"),
    ("Answer: D", "D"),
    ("  C  ", "C"),
    ("C, because the dog is brown.", "C"),
    ("I think it is B.", "B"),
    # a lowercase article is not an option
    ("a cat", None),
    ("It is a cat.", None),
    ("b.", None),  # a bare letter must be upper case
    ("The answer is a dog.", None),
    ("The answer is a red circle", None),
    # the last one wins
    ("A. No wait, B.", "B"),
    ("A, B", "B"),
    ("(A) or (C)", "C"),
    ("Option A... no, Option D", "D"),
    # letters outside the set are not options
    ("E", None),
    ("(E)", None),
    ("Option E", None),
    ("E. A", "A"),
    # no letter at all
    ("", None),
    ("I cannot tell.", None),
    ("ABC", None),  # a word, not a letter
]


@pytest.mark.parametrize(("text", "expected"), OPTION_LETTERS, ids=repr)
def test_option_letter(text: str, expected: str | None) -> None:
    reading = option_letter(text, LETTERS)
    assert reading.value == expected
    if expected is None:
        assert reading.reason == f"no option letter (A, B, C, D) in {text.strip()[:60]!r}"
    else:
        assert reading.reason is None


@pytest.mark.parametrize(
    ("text", "letters", "expected"),
    [("D", "ABC", None), ("(D)", "ABC", None), ("B", ["A", "B"], "B"), ("I", "ABCDEFGHIJ", "I")],
)
def test_option_letter_respects_the_letters(text: str, letters: str, expected: str | None) -> None:
    assert option_letter(text, letters).value == expected


def test_option_letter_without_options() -> None:
    assert option_letter("A", "").value is None
    assert option_letter("A", []).reason == "no options"
