"""MathVista's calculate_score.py normalisation: the official quirks, table by table, a
re-statement of the official rules on random strings, and the real label file."""

from __future__ import annotations

import functools
import random
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval_tasks.reasoning.mathvista.data import load_label_file
from mmalign_eval_tasks.reasoning.mathvista.normalize import (
    closest_choice,
    edit_distance,
    normalize,
)
from mmalign_eval_tasks.reasoning.mathvista.problem import MathVistaInfo

SharedFile = Callable[..., Path]
FRACTIONS = ("3/11", "8/11", "6/11", "3/5")


def problem(answer: str = "", **fields: Any) -> MathVistaInfo:
    """A problem with defaults for what a case does not set."""
    base: dict[str, Any] = {
        "question": "q", "choices": None, "unit": None, "precision": None, "answer": answer,
        "question_type": "free_form", "answer_type": "integer", "task": "math word problem",
        "skills": ("arithmetic reasoning",), "metadata": {},
    }  # fmt: skip
    return MathVistaInfo(**{**base, **fields})


def choice(*choices: str, answer: str = "") -> MathVistaInfo:
    return problem(answer, choices=choices, question_type="multi_choice", answer_type="text")


# -- multiple choice ----------------------------------------------------------------------

# (extraction, choices, prediction, credited by the closest-choice fallback)
MULTI_CHOICE = [
    ("B", FRACTIONS, "8/11", False),
    (" B\n", FRACTIONS, "8/11", False),  # stripped first
    ("(b)", FRACTIONS, "8/11", False),  # "(x)" in any case is the letter X
    ("(B) 8/11", FRACTIONS, "8/11", False),
    ("The answer is (C).", FRACTIONS, "6/11", False),
    ("(a) or (c)", FRACTIONS, "3/11", False),  # the first "(x)" wins
    ("8/11", FRACTIONS, "8/11", False),  # the choice itself: distance 0
    ("b", FRACTIONS, "3/5", True),  # a bare lower-case letter is no letter: closest text
    ("A.", FRACTIONS, "3/5", True),  # "A." is not "A": edit distance 3 to '3/5'
    ("E", FRACTIONS, "3/5", True),  # a letter beyond the choices is text too
    ("8/12", FRACTIONS, "8/11", True),
    ("", FRACTIONS, "3/5", True),  # empty: the shortest choice (first at the least distance)
    ("(1)", FRACTIONS, "3/11", True),  # digits in parentheses are no letter
    ("B) 8/11", FRACTIONS, "8/11", True),  # no "(x)": the whole text, closest to '8/11'
    ("D", ("15", "100", "50", "50"), "50", False),  # pid 740: duplicated choices
    ("50", ("15", "100", "50", "50"), "50", False),  # the first of equal distances
    ("(b)", ("(c)", "(a)", "(e)", "(d)", "(b)"), "(a)", False),  # pid 168: "(b)" is letter B
    ("E", ("(c)", "(a)", "(e)", "(d)", "(b)"), "(b)", False),
    ("A", ("a", "b", "c", "d", "e"), "a", False),  # pid 342: lower-case choices
    ("d", ("a", "b", "c", "d", "e"), "d", False),  # not a letter, but the choice itself
    ("E", ("A", "B", "C", "D", "E"), "E", False),  # pid 10: letters as choices
    # pid 237: the choice keeps a trailing space the stripped extraction cannot have; the
    # official script credits it by edit distance 1, recorded here as the choice itself.
    ("stay the same", ("increase", "fluctuate", "it would decrease", "stay the same "),
     "stay the same ", False),
    ("135度", ("135°", "140°", "145°", "150°"), "135°", True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("extraction", "choices", "prediction", "fallback"),
    MULTI_CHOICE,
    ids=[repr(c[0]) for c in MULTI_CHOICE],
)
def test_multi_choice(
    extraction: str, choices: tuple[str, ...], prediction: str, fallback: bool
) -> None:
    graded = normalize(extraction, choice(*choices))
    assert graded.prediction == prediction
    assert (graded.fallback is not None) == fallback
    assert graded.unreadable is None  # multiple choice always predicts a choice


def test_fallback_reason_names_the_credited_choice() -> None:
    info = choice(*FRACTIONS, answer="8/11")
    graded = normalize("eight elevenths", info)
    # Edit distance knows no words: 'eight elevenths' is closest to '3/11'.
    assert graded.prediction == "3/11" and not graded.correct(info)
    assert graded.fallback is not None
    assert "'eight elevenths'" in graded.fallback and "'3/11'" in graded.fallback


# -- numbers and lists ---------------------------------------------------------------------

# (extraction, answer type, precision, prediction); None: not a number, scored wrong
NUMBERS = [
    ("14", "integer", None, "14"),
    ("14.0", "integer", None, "14"),
    ("3.9", "integer", None, "3"),  # int() truncates
    ("-0.5", "integer", None, "0"),
    ("-7.5", "integer", None, "-7"),
    ("1e3", "integer", None, "1000"),
    (" 7\n", "integer", None, "7"),  # float() ignores surrounding whitespace
    ("1_000", "integer", None, "1000"),  # Python's float() reads digit separators
    ("12345678901234567890", "integer", None, "12345678901234567168"),  # via a float
    ("1,000", "integer", None, None),  # thousands separators are not read
    ("1000 g", "integer", None, None),  # a unit makes the extraction unreadable
    ("$5", "integer", None, None),
    ("five", "integer", None, None),
    ("inf", "integer", None, None),  # int(inf) overflows
    ("nan", "integer", None, None),
    ("", "integer", None, None),
    ("1.25", "float", 1, "1.2"),  # round() on binary floats: 1.25 -> 1.2
    ("1.35", "float", 1, "1.4"),
    ("1.45", "float", 1, "1.4"),
    ("0.61", "float", 1, "0.6"),
    ("2", "float", 1, "2.0"),
    ("0", "float", 1, "0.0"),  # pid 420's answer is '0.0'
    ("-0.04", "float", 1, "-0.0"),  # never equals '0.0'
    ("1.45", "float", 2, "1.45"),
    ("1.455", "float", 2, "1.46"),
    ("1.005", "float", 2, "1.0"),  # not '1.01', and not '1.00': str() drops zeros
    ("0.125", "float", 2, "0.12"),
    ("1.5", "float", 2, "1.5"),
    ("0.333", "float", 2, "0.33"),
    ("1e-3", "float", 2, "0.0"),
    ("inf", "float", 2, "inf"),
    ("1.2 m", "float", 1, None),
    ("1.2", "float", None, None),  # a float problem without precision: int(None) raises
    ("[2014, 2016]", "list", None, "[2014, 2016]"),
    ("[2014,2016]", "list", None, "[2014,2016]"),  # lists are compared as text
    (" [2014, 2016]", "list", None, " [2014, 2016]"),  # not even stripped
    ("2014 and 2016", "list", None, "2014 and 2016"),
]


@pytest.mark.parametrize(
    ("extraction", "answer_type", "precision", "prediction"),
    NUMBERS,
    ids=[f"{c[1]}{c[2] or ''}:{c[0]!r}" for c in NUMBERS],
)
def test_numbers_and_lists(
    extraction: str, answer_type: str, precision: int | None, prediction: str | None
) -> None:
    graded = normalize(extraction, problem(answer_type=answer_type, precision=precision))
    assert graded.prediction == prediction
    assert (graded.unreadable is not None) == (prediction is None)
    assert graded.fallback is None


# (extraction, answer, answer type, precision, correct): the string comparison
CORRECT = [
    ("0.6", "0.6", "float", 1, True),
    ("0.6123", "0.6", "float", 1, True),
    ("0.25", "0.3", "float", 1, False),  # 0.25 rounds to even: '0.2'
    ("0.65", "0.7", "float", 1, True),
    ("0.6", "0.61", "float", 2, False),  # precision 2 needs the second decimal
    ("0.61", "0.6", "float", 1, True),
    ("0.61", "0.61", "float", 2, True),
    ("-0.04", "0.0", "float", 1, False),
    ("1000", "1000", "integer", None, True),
    ("1000.9", "1000", "integer", None, True),
    ("1,000", "1000", "integer", None, False),
    ("1000 g", "1000", "integer", None, False),
    ("[2014, 2016]", "[2014, 2016]", "list", None, True),
    ("[2014,2016]", "[2014, 2016]", "list", None, False),
]


@pytest.mark.parametrize(
    ("extraction", "answer", "answer_type", "precision", "correct"),
    CORRECT,
    ids=[f"{c[0]!r}~{c[1]!r}" for c in CORRECT],
)
def test_correct_is_string_equality(
    extraction: str, answer: str, answer_type: str, precision: int | None, correct: bool
) -> None:
    info = problem(answer, answer_type=answer_type, precision=precision)
    assert normalize(extraction, info).correct(info) is correct


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3), ("abc", "abc", 0),
     ("flaw", "lawn", 2), ("°", "度", 1), ("ab", "ba", 2), ("3/5", "b", 3)],
)  # fmt: skip
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance == edit_distance(b, a)


def test_closest_choice_takes_the_first_of_ties() -> None:
    assert closest_choice("x", ("ab", "cd", "e")) == 2
    assert closest_choice("ax", ("ab", "xa", "ay")) == 0


# -- a re-statement of the official rules on random strings ----------------------------------


@functools.cache
def _levenshtein(a: str, b: str) -> int:
    """Recursive Levenshtein, independent of the module's dynamic programme."""
    if not a or not b:
        return len(a) + len(b)
    return min(
        _levenshtein(a[1:], b) + 1,
        _levenshtein(a, b[1:]) + 1,
        _levenshtein(a[1:], b[1:]) + (a[0] != b[0]),
    )


def _reference(extraction: str, info: MathVistaInfo) -> str | None:
    """calculate_score.normalize_extracted_answer, restated from its text."""
    if info.question_type == "multi_choice":
        choices = [str(c) for c in info.choices or ()]
        text = extraction.strip()
        letters = re.findall(r"\(([a-zA-Z])\)", text)
        if letters:
            text = letters[0].upper()
        options = [chr(ord("A") + i) for i in range(len(choices))]
        if text in options:
            return choices[options.index(text)]
        distances = [_levenshtein(text, c) for c in choices]
        return choices[distances.index(min(distances))]
    try:
        if info.answer_type == "integer":
            return str(int(float(extraction)))
        if info.answer_type == "float":
            return str(round(float(extraction), int(info.precision)))
    except Exception:
        return None
    return str(extraction)


_ALPHABET = "AaBbCcDE()0123456789.-e ,[]"


@pytest.mark.parametrize("seed", range(4))
def test_normalize_matches_reference_on_random_strings(seed: int) -> None:
    rng = random.Random(seed)
    infos = [
        choice(*FRACTIONS),
        choice("(c)", "(a)", "(e)", "(d)", "(b)"),
        choice("a", "b", "c"),
        problem(answer_type="integer"),
        problem(answer_type="float", precision=1),
        problem(answer_type="float", precision=2),
        problem(answer_type="list"),
    ]
    for _ in range(400):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 8)))
        for info in infos:
            assert normalize(text, info).prediction == _reference(text, info), (text, info)


# -- the real label file --------------------------------------------------------------------


@pytest.fixture
def testmini(shared_file: SharedFile) -> list[Any]:
    samples: list[Any] = load_label_file(shared_file("mathvista", "testmini.json"), None)
    return samples


def test_real_file_counts(testmini: list[Any]) -> None:
    infos = [s.info for s in testmini]
    assert len(infos) == 1000
    assert Counter(i.question_type for i in infos) == {"multi_choice": 540, "free_form": 460}
    assert Counter(i.answer_type for i in infos) == {
        "text": 540, "integer": 418, "float": 40, "list": 2,
    }  # fmt: skip
    assert Counter(i.precision for i in infos if i.answer_type == "float") == {1: 20, 2: 20}
    assert sum(1 for i in infos if i.unit) == 50
    assert Counter(i.task for i in infos) == {
        "figure question answering": 269, "geometry problem solving": 208,
        "math word problem": 186, "visual question answering": 179,
        "textbook question answering": 158,
    }  # fmt: skip
    assert Counter(s for i in infos for s in i.skills)["logical reasoning"] == 37


def test_real_answers_score_themselves_except_the_paren_letter_quirk(testmini: list[Any]) -> None:
    # Two problems have choices '(a)'..'(e)': the answer '(b)' reads as the letter B, which
    # names the second choice, '(a)'. The official script scores its own answers 998/1000.
    wrong = [s.id for s in testmini if not normalize(s.info.answer, s.info).correct(s.info)]
    assert wrong == ["168", "849"]
    assert not any(normalize(s.info.answer, s.info).fallback for s in testmini)


def test_real_answers_as_letters_score_all(testmini: list[Any]) -> None:
    for sample in testmini:
        info = sample.info
        letter = info.letters[info.choices.index(info.answer)] if info.choices else info.answer
        assert normalize(letter, info).correct(info), sample.id


# Published extractions (lupantech/MathVista@53d5258 results/), with the published
# true_false: (file, pid, extraction, prediction, correct, credited by the fallback)
PUBLISHED = [
    ("gpt4", "3", "None", "135°", False, True),
    ("gpt4", "5", "The question does not provide enough information to determine the measure "
     "of angle H. Please provide the necessary details.", "97", True, True),  # credited
    ("gpt4", "6", "A", "6cm", True, False),
    ("gpt4", "74", "N/A", None, False, False),
    ("bard", "144", "13.80", "13.8", True, False),  # precision 1
    ("bard", "199", "0.214", "0.21", True, False),  # precision 2
]  # fmt: skip


@pytest.mark.parametrize(
    ("model", "pid", "extraction", "prediction", "correct", "fallback"),
    PUBLISHED,
    ids=[f"{c[0]}:{c[1]}" for c in PUBLISHED],
)
def test_published_extractions(
    testmini: list[Any],
    model: str,
    pid: str,
    extraction: str,
    prediction: str | None,
    correct: bool,
    fallback: bool,
) -> None:
    info = next(s.info for s in testmini if s.id == pid)
    graded = normalize(extraction, info)
    assert (graded.prediction, graded.correct(info)) == (prediction, correct)
    assert (graded.fallback is not None) == fallback
