"""WildVision-Bench: judge prompts, get_judgement.py's follow-up rule, and each protocol's
reading of verdicts (official fallback, strict failure, both orders)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mmalign_eval import ANSWER, JUDGE, Evidence, JudgeRequest, Response, Sample
from mmalign_eval.contracts import ImagePart, MediaRef, TextPart
from mmalign_eval.judges.records import JudgeReply, Verdict
from mmalign_eval.registry import build_registry
from mmalign_eval.toolkit import arena
from mmalign_eval_tasks.preference.wildvision.data import WildVisionInfo
from mmalign_eval_tasks.preference.wildvision.judge import (
    FOLLOW_UP,
    JUDGE_SPEC,
    SWAPPED,
    follow_up,
)

TASK = build_registry().tasks["wildvision_bench"]
SAMPLE: Sample[WildVisionInfo] = Sample(
    id="q1", task="wildvision_bench", question="What is {this}?",
    media=(MediaRef(sha256="0" * 64, path="/x.png"),),
    info=WildVisionInfo(baseline="BASELINE ANSWER"),
)  # fmt: skip


def _official_get_score(judgement: str) -> tuple[str | None, bool]:
    """get_judgement.py's get_score (pairwise): (score, try_again)."""
    matches = [m for m in re.findall(r"\[\[([AB<>=]+)\]\]", judgement) if m != ""]
    if len(set(matches)) == 0:
        return None, True
    if len(set(matches)) == 1:
        return matches[0].strip("\n"), False
    return None, False


REPLIES = [
    "My final verdict is: [[B>A]]",
    "[[A>>B]] and later [[A>>B]]",
    "[[A>B]] or maybe [[B>A]]",
    "no label at all",
    "[[A]]",
    "$ERROR$",
]


@pytest.mark.parametrize("reply", REPLIES)
def test_parse_is_get_score(reply: str) -> None:
    score, _ = _official_get_score(reply)
    assert JUDGE_SPEC.parse(reply) == score


def _verdict(text: str) -> Verdict:
    verdict: Verdict = JUDGE_SPEC.verdict(JudgeReply(key="k", text=text))
    return verdict


@pytest.mark.parametrize("reply", REPLIES)
def test_follow_up_exactly_when_get_judgement_tries_again(reply: str) -> None:
    request = JudgeRequest(JUDGE, "prompt", ())
    verdict = _verdict(reply)
    _, try_again = _official_get_score(reply)
    retried = follow_up(request, verdict, 1) if verdict.status == "unparseable" else None
    assert (retried is not None) == try_again
    if retried is not None:
        assert retried.follow_up == ((reply, FOLLOW_UP),) and retried.text == "prompt"
        assert follow_up(retried, _verdict("still none"), 2) is None  # two calls at most


def test_second_reply_parses_as_the_concatenation() -> None:
    # get_judgement.py scores "\n" + first + "\n" + second; the first held no verdict.
    first, second = "I think B is better but", "final: [[B>>A]]"
    assert _official_get_score("\n" + first + "\n" + second)[0] == JUDGE_SPEC.parse(second)


def test_both_orders_render_the_answers_as_a_and_b() -> None:
    responses = {ANSWER: Response(key="a", text="MODEL ANSWER", finish_reason="stop")}
    official, swapped = JUDGE_SPEC.requests(SAMPLE, responses, False)
    assert (official.role, swapped.role) == (JUDGE, SWAPPED)
    for request, (a, b) in ((official, ("BASELINE", "MODEL")), (swapped, ("MODEL", "BASELINE"))):
        assert f"Assistant A's Answer|>\n{a} ANSWER\n" in request.text
        assert f"Assistant B's Answer|>\n{b} ANSWER\n" in request.text
        assert "<|User Prompt|>\nWhat is {this}?\n" in request.text
        assert request.choices == tuple(f"[[{v}]]" for v in arena.VERDICTS)


def test_the_model_is_asked_text_first() -> None:
    (call,) = TASK.plan(SAMPLE, TASK.generation, TASK.protocol("official"))
    parts = call.request.messages[0].content
    assert isinstance(parts[0], TextPart) and parts[0].text == SAMPLE.question
    assert isinstance(parts[1], ImagePart)
    assert TASK.generation.max_new_tokens == 4096


def _evidence(**verdicts: str | None) -> Evidence[WildVisionInfo]:
    by_role = {
        role.replace("official", JUDGE): Verdict("ok", text) if text else Verdict("unparseable")
        for role, text in verdicts.items()
    }
    answer = Response(key="a", text="x", finish_reason="stop")
    return Evidence(SAMPLE, {ANSWER: answer}, by_role)


def _score(protocol: str, **verdicts: str | None) -> tuple[str, Any, dict[str, float]]:
    item = TASK.score(_evidence(**verdicts), TASK.protocol(protocol))
    return item.status, item.parsed, item.values


# (protocol, official verdict, swapped verdict, status, label, reward)
CASES = [
    ("official", "B>>A", None, "ok", "much_better", 100.0),
    ("official", "A>B", None, "ok", "worse", -50.0),
    ("official", None, None, "ok", None, 0.0),  # no verdict: a tie, recorded
    ("official", "A", None, "ok", None, 0.0),  # an odd verdict: the same
    ("strict", None, None, "unparseable", None, None),
    ("strict", "A", None, "unparseable", None, None),
    ("strict", "B>A", None, "ok", "better", 50.0),
    ("both", "B>A", "A>>B", "ok", "better", 50.0),  # both orders prefer the model
    ("both", "B>A", "B>A", "ok", "tie", 0.0),  # the judge prefers B in both: split, a tie
    ("both", "A=B", "A=B", "ok", "tie", 0.0),
    ("both", "B>A", None, "ok", None, 0.0),  # an unparsed order: as official
]


@pytest.mark.parametrize(("protocol", "first", "second", "status", "label", "reward"), CASES)
def test_protocol_readings(
    protocol: str, first: str | None, second: str | None, status: str, label: str | None,
    reward: float | None,
) -> None:  # fmt: skip
    verdicts = {"official": first} | ({SWAPPED: second} if protocol == "both" else {})
    got_status, parsed, values = _score(protocol, **verdicts)
    assert got_status == status
    if status == "ok":
        assert parsed["label"] == label and values["reward"] == reward
        assert values["unparsed"] == float(label is None)
        if label is None:
            assert values["bt_battles"] == 0.0  # no battle in the Bradley-Terry fit


def test_official_records_why_a_tie_was_given() -> None:
    item = TASK.score(_evidence(official=None), TASK.protocol("official"))
    assert item.reason is not None and "show_results.py" in item.reason
    assert TASK.protocol("official").unparseable_policy == "zero"
    assert TASK.protocol("strict").unparseable_policy == "failure"


def test_protocol_roles_and_defaults() -> None:
    assert TASK.default_protocol == "official" and TASK.official_protocol == "official"
    assert TASK.protocol("official").judge_roles == (JUDGE,)
    assert TASK.protocol("both").judge_roles == (JUDGE, SWAPPED)
    assert TASK.primary_metric == "score"
