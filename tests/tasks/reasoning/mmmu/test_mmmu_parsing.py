"""MMMU's official answer rules, case by case (mmmu/utils/eval_utils.py @ bb0b95a):
parse_multi_choice_response, parse_open_response, normalize_str, extract_numbers,
eval_open and eval_multi_choice, quirks included."""

from __future__ import annotations

import pytest

from mmalign_eval_tasks.reasoning.mmmu.parsing import (
    choice_correct,
    extract_numbers,
    key_responses,
    normalize,
    open_correct,
    parse_open,
    read_choice,
)

CITIES = {"A": "Paris", "B": "London", "C": "Berlin", "D": "Rome"}
NUMBERS = {"A": "10", "B": "100", "C": "1000"}

# (reply, options, letter read; None = the official random.choice fallback)
CHOICES = [
    ("(B)", CITIES, "B"),
    ("B.", CITIES, "B"),  # ',.!?;:\'' stripped from both ends
    ("B", CITIES, "B"),
    (" B", CITIES, "B"),
    ("Answer: B", CITIES, "B"),
    ("The answer is B because A is wrong", CITIES, "A"),  # the latest ' X ' wins
    ("The answer is (B) because A is wrong", CITIES, "B"),  # any '(X)' beats every ' X '
    ("(B) not (A)", CITIES, "A"),  # the latest '(X)' wins
    ("(A) or (B)? I pick (B)", CITIES, "B"),
    ("A B", CITIES, "B"),
    ("B, C", CITIES, "C"),  # 'B,' is not ' B '
    ("B,C", CITIES, None),
    ("B)", CITIES, None),  # ')' is not stripped, and 'B)' is neither form
    ("B. ", CITIES, None),  # not whitespace-stripped first: the '.' stays, ' B.' is no form
    ("B.\n", CITIES, None),
    ("b", CITIES, None),  # letters are case-sensitive
    ("(b)", CITIES, None),
    ("(E)", CITIES, None),  # not an option of this question
    ("Option D: Rome", CITIES, None),  # ' D:' is no form, and 3 words are too few for text
    ("Paris", CITIES, None),  # option text counts only in replies of more than 5 words
    ("It must be Paris surely", CITIES, None),  # 5 words
    ("It must be Paris, most surely", CITIES, "A"),  # 6 words: the text counts
    ("The capital of France is Paris, of course.", CITIES, "A"),
    ("It is clearly Paris, not London at all", CITIES, "B"),  # the latest text wins
    ("I think the right one is LONDON here", CITIES, "B"),  # case-insensitive text
    ("I do not know the answer here", CITIES, None),
    ("", CITIES, None),
    ("The final value we computed is 100 units", NUMBERS, "A"),  # '10' starts where '100'
    # does: a tie, and numpy's argmax takes the first candidate
    ("The final value we computed is 1000 units", NUMBERS, "A"),
    ("I really think it must be cat", {"A": "", "B": "cat"}, "A"),  # '' is in every reply,
    # found at its very end: an empty option wins every long reply
]


@pytest.mark.parametrize(("reply", "options", "letter"), CHOICES, ids=[repr(c[0]) for c in CHOICES])
def test_multiple_choice_reading(reply: str, options: dict[str, str], letter: str | None) -> None:
    assert read_choice(reply, options) == letter


# (reply, gold, eval_open verdict)
OPEN = [
    ("3", "3", True),
    ("The answer is 3.14159", "3.14", True),  # numbers are rounded to 2 decimals
    ("3.149", "3.14", False),  # 3.15
    ("2.67", "2.675", True),  # round(2.675, 2) is 2.67 in binary floating point
    ("1000", "1,000", True),  # commas are dropped before float()
    ("It costs 1,000 dollars", "1000", True),
    ("1_000", "1000", True),  # Python's float() accepts digit underscores
    ("It is 1e3", "1000", True),  # scientific notation is a number
    ("The result is -2", "-2", True),
    ("1/2", "0.5", False),  # fractions are not evaluated: 1 and 2
    ("5", "5%", False),  # '5%' is no number, and the number 5 is no text
    ("It is Paris.", "Paris", True),
    ("Parisian cuisine", "Paris", True),  # a text gold is found inside the reply's text
    ("a", "a", True),  # one character: ' a' / 'a ' avoid trivial matches
    ("banana", "a", False),
    ("The total is 7, this time", "7", False),  # 'is ' inside 'this ': the tail is 'time'
    ("It is 5. Some say 6", "6", True),  # the '. [A-Z]' split runs on lowercased text: no split
    ("It is 5. Some say 6", "5", True),
    ("x = 12", "12", True),  # '=' marks the answer in the last part of a reply
    ("x = 12\nthat is all", "12", False),  # but not in an earlier part
    ("twelve apples 12", "12", True),  # no marker: the whole reply, and its numbers
    ("", "12", False),  # an empty reply is wrong, never a failure
    ("3.429", ("24/7", "3.429"), True),  # any gold of a list
    ("24/7", ("24/7", "3.429"), True),
    ("MgS", ("$MgS$", "MgS"), True),
    ("Tampa, Florida", ("Tampa", "Florida"), True),
]


@pytest.mark.parametrize(("reply", "gold", "correct"), OPEN, ids=[repr(o[0]) for o in OPEN])
def test_open_answer_verdict(reply: str, gold: str | tuple[str, ...], correct: bool) -> None:
    assert open_correct(gold, parse_open(reply)) is correct


KEYS = [
    ("The answer is 42.", ["42"]),  # trailing '.' stripped, lowercased
    ("So the value is 3\nTherefore 4", ["3", "4"]),  # the shortest tail of each line
    ("this is it", ["it"]),
    ("The answer is .", ["is"]),  # the empty tail after 'is ' gives way to a longer one
    ("Nothing here", ["nothing here"]),
    ("Answer is :", ["answer is :"]),  # a trivial tail (':') is no key part
]


@pytest.mark.parametrize(("reply", "keys"), KEYS, ids=[repr(k[0]) for k in KEYS])
def test_key_responses(reply: str, keys: list[str]) -> None:
    assert key_responses(reply) == keys


def test_parsed_open_reply_holds_key_parts_and_their_numbers() -> None:
    # '000' after the comma is a plain number too: 0.0 joins the candidates.
    assert set(parse_open("The area is 12.345 m, so 12,000 cm")) == {"12,000 cm", 12000.0, 0.0}
    assert parse_open("The answer is 3.14159") == (3.14,)
    assert parse_open("B") == (" b", "b ")


NORMALIZED = [
    (" 12 ", [12.0]),
    ("1,234.567", [1234.57]),
    ("Paris", ["paris"]),
    ("X", [" x", "x "]),
    ("inf", [float("inf")]),  # float() syntax, quirks and all
    ("", [""]),
]


@pytest.mark.parametrize(("text", "normal"), NORMALIZED, ids=[repr(n[0]) for n in NORMALIZED])
def test_normalize(text: str, normal: list[object]) -> None:
    assert normalize(text) == normal


def test_numbers_come_with_commas_then_scientific_then_plain() -> None:
    # The plain pattern also finds the digits after a thousands comma and an exponent.
    found = extract_numbers("1,000 and 2e5 and -3.5 and .5")
    assert found == ["1,000", "2e5", "000", "5", "-3.5", ".5"]
    assert extract_numbers("12,34") == ["34"]
    assert extract_numbers("no digits") == []


def test_multiple_choice_verdict_is_exact() -> None:
    assert choice_correct("B", "B")
    assert not choice_correct("B", "b")
    assert choice_correct(("A", "B"), "B")
