"""MME answer readings: calculation.py's parse_pred_ans quirks, the lenient reading and the
log-likelihood ranking."""

from __future__ import annotations

import random

import pytest

from mmalign_eval.contracts import ChoiceScore, Response, Sample
from mmalign_eval.errors import UsageError
from mmalign_eval.evidence import Evidence
from mmalign_eval_tasks.reasoning.mme.answers import (
    OTHER,
    parse_lenient,
    parse_official,
    read_likelihood,
)
from mmalign_eval_tasks.reasoning.mme.samples import MmeInfo
from mmalign_eval_tasks.reasoning.mme.task import mme

# (reply, calculation.py's label); 'other' is scored wrong, never a failure.
OFFICIAL = [
    ("Yes", "yes"),
    ("No", "no"),
    ("YES", "yes"),  # the reply is lowercased first
    ("nO", "no"),
    ("Yes, there is", "yes"),  # 'yes,' holds 'yes'
    ("Yes, there is a dog.", "yes"),
    ("No.", "no"),
    ("No, there is not.", "no"),
    ("Not sure", "no"),  # 'not ' holds 'no'
    ("NOT", "no"),
    ("None of them", "no"),
    ("Nope", "no"),
    ("Known to be", "no"),  # 'know' holds 'no'
    ("Snow", "no"),
    ("Innocent", "no"),  # 'inno'
    ("eyes", "yes"),  # 'eyes' holds 'yes'
    ("noyes", "no"),  # 'noye' holds no 'yes', so 'no'
    ("yesno", "yes"),  # 'yes' is looked for first
    ("No, yes", "no"),
    ("Yes, no", "yes"),
    (" yes", "yes"),  # ' yes' is still within 4 characters
    ("  yes", OTHER),  # '  ye'
    (" no.", "no"),
    ("   no", OTHER),  # '   n'
    ("I think yes", OTHER),  # the answer comes too late
    ("The answer is no", OTHER),
    ("Answer: Yes", OTHER),
    ("**Yes**", OTHER),  # markup pushes 'yes' out of the first 4 characters
    ('"No"', "no"),
    ("(yes)", "yes"),
    ("Unknown", OTHER),  # 'unkn'
    ("I don't know", OTHER),  # 'i do'
    ("Cannot tell", OTHER),
    ("Yeah", OTHER),
    ("y", OTHER),
    ("n", OTHER),
    ("", OTHER),
    ("yes\n", "yes"),
    ("\n\n\nYes", "yes"),  # line breaks are deleted first (eval_tool readme)
    ("Ye\ns", "yes"),
    ("\r\nNo", "no"),
    ("\tyes", "yes"),  # a tab is a character like any other
    ("\u00a0no", "no"),
    ("\u0130yes", OTHER),  # 'İ' lowercases to two characters, pushing 'yes' out
]


@pytest.mark.parametrize(("reply", "label"), OFFICIAL, ids=[repr(r) for r, _ in OFFICIAL])
def test_official_reading(reply: str, label: str) -> None:
    reading = parse_official(reply)
    assert reading.value == label
    # 'other' is a scored value whose reason says why it counts as wrong.
    assert (reading.reason is not None) == (label == OTHER)


def _reference(reply: str) -> str:
    """calculation.py's parse_pred_ans written out character by character (after the
    readme's line-break deletion), independent of parse_official."""
    text = "".join(ch for ch in reply if ch not in "\r\n").lower()
    if text in ("yes", "no"):
        return text
    head = text[:4]
    if any(head[i : i + 3] == "yes" for i in range(len(head))):
        return "yes"
    if any(head[i : i + 2] == "no" for i in range(len(head))):
        return "no"
    return "other"


@pytest.mark.parametrize(("reply", "label"), OFFICIAL, ids=[repr(r) for r, _ in OFFICIAL])
def test_reference_agrees_with_table(reply: str, label: str) -> None:
    assert _reference(reply) == label


PIECES = [
    "yes", "no", "Yes", "No", "YES", "not", "n", "y", "o", "e", "s", "kn", "sn", "ey", "",
    " ", "  ", ".", ",", "*", '"', "\n", "\r", "\t", "İ", "Answer:", "I", "think",
]  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_official_reading_matches_reference_on_random_replies(seed: int) -> None:
    rng = random.Random(seed)
    replies = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6))) for _ in range(500)]
    labels = [parse_official(r).value for r in replies]
    assert [(r, v) for r, v in zip(replies, labels, strict=True) if v != _reference(r)] == []
    assert {"yes", "no", OTHER} <= set(labels)  # the generator exercises every outcome


# (reply, lenient label; None: an unparseable failure)
LENIENT: list[tuple[str, str | None]] = [
    ("Yes", "yes"),
    ("No.", "no"),
    ("Yes, there is", "yes"),
    ("NO", "no"),
    ("  yes", "yes"),
    ("**Yes**", "yes"),
    ('"No"', "no"),
    ("- no", "no"),
    ("1. Yes", "yes"),
    ("Answer: Yes", "yes"),
    ("The answer is no.", "no"),
    ("**Final answer:** No", "no"),
    ("\n\nYes", "yes"),
    ("Not sure", None),  # 'not' is not 'no'
    ("Nope", None),
    ("Known", None),
    ("eyes", None),
    ("I think yes", None),
    ("Answers vary", None),
    ("Unknown", None),
    ("", None),
    ("...", None),
]


@pytest.mark.parametrize(("reply", "label"), LENIENT, ids=[repr(r) for r, _ in LENIENT])
def test_lenient_reading(reply: str, label: str | None) -> None:
    reading = parse_lenient(reply)
    assert reading.value == label
    assert (reading.reason is None) == (label is not None)


def _sample() -> Sample[MmeInfo]:
    return Sample(
        id="existence/a.jpg:yes", task="mme", question="Is there a dog? Please answer yes or no.",
        target="yes", cluster="existence/a.jpg", info=MmeInfo(subtask="existence", image="a.jpg"),
    )  # fmt: skip


@pytest.mark.parametrize(("yes", "no", "label"), [(-0.2, -1.5, "yes"), (-3.0, -0.1, "no")])
def test_likelihood_picks_the_likelier_answer(yes: float, no: float, label: str) -> None:
    scores = (
        ChoiceScore(option="Yes", logprob=yes, num_tokens=1),
        ChoiceScore(option="No", logprob=no, num_tokens=1),
    )
    response = Response(key="k", text="", finish_reason="stop", choices=scores)
    assert read_likelihood(Evidence(_sample(), {"answer": response})).value == label
    empty = Response(key="k", text="", finish_reason="stop")
    assert read_likelihood(Evidence(_sample(), {"answer": empty})).value is None


def test_protocols_and_plans() -> None:
    task = mme()
    assert task.default_protocol == "official" == task.official_protocol
    assert task.protocol_names == ("official", "lenient", "likelihood")
    (call,) = task.plan(_sample(), task.generation, task.protocol("likelihood"))
    assert call.kind == "loglikelihood" and call.options == ("Yes", "No")
    (call,) = task.plan(_sample(), task.generation, task.protocol(None))
    assert call.kind == "generate"
    # The prompt is the question itself, "Please answer yes or no." included.
    assert call.request.messages[0].content[-1].text == _sample().question
    with pytest.raises(UsageError, match="strict"):
        task.protocol("strict")
