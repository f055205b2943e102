"""Judge records: the calls a judged sample needs, and each reply parsed once into a Verdict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from mmalign_eval.contracts import Response, Sample
from mmalign_eval.judges.records import (
    JudgeCounts,
    JudgeIdentity,
    JudgeReply,
    JudgeRequest,
    JudgeTaskSpec,
    Verdict,
    failed_judgements,
)
from mmalign_eval.judges.templates import JudgeTemplate

SAMPLE = Sample(id="1", task="t", question="What is shown?", target="a dog")
CHOICES = tuple(f"Rating: {s}" for s in range(7))


def parse_rating(text: str) -> int | None:
    return int(text[-1]) if text.startswith("Rating: ") and text[-1].isdigit() else None


def _spec(**overrides: Any) -> JudgeTaskSpec:
    fields: dict[str, Any] = {
        "template": JudgeTemplate("rubric", "1", "Q: {question}\nA: {response}"),
        "official_model": "gpt-4-0314",
        "official_backend": "openai",
        "render": lambda sample, response: f"Q: {sample.question}\nA: {response}",
        "parse": parse_rating,
        "unparseable_reason": "no 'Rating: s' in the judge's text",
        "choices": CHOICES,
    }
    fields.update(overrides)
    return JudgeTaskSpec(**fields)


def _responses(text: str = "A dog.") -> dict[str, Response]:
    return {"answer": Response(key="k", text=text, finish_reason="stop")}


# -- requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("choice", [False, True], ids=["generate", "choice"])
def test_default_is_one_judge_call_of_the_rendered_answer(choice: bool) -> None:
    (request,) = _spec().requests(SAMPLE, _responses(), choice)
    assert request == JudgeRequest("judge", "Q: What is shown?\nA: A dog.", CHOICES, None)


def test_per_item_candidates_only_in_choice_mode() -> None:
    spec = _spec(choices=(), candidates=lambda sample, response: (f"[{response!r}]", "[]"))
    (generating,) = spec.requests(SAMPLE, _responses("dog"), choice=False)
    (choosing,) = spec.requests(SAMPLE, _responses("dog"), choice=True)
    assert generating.choices == ()  # a generating judge's key never depends on them
    assert choosing.choices == ("['dog']", "[]")
    assert generating.text == choosing.text
    assert spec.options(SAMPLE, "cat") == ("['cat']", "[]")
    assert _spec().options(SAMPLE, "cat") == CHOICES


@pytest.mark.parametrize(
    ("answer", "fixed"),
    [("There is a brown dog.", None), ("A brown dog.", "[]"), ("Dog", "[]"), ("", "[]")],
)
def test_fixed_reply_is_the_official_scripts_own_answer(answer: str, fixed: str | None) -> None:
    spec = _spec(fixed_reply=lambda response: "[]" if len(response.split()) <= 3 else None)
    (request,) = spec.requests(SAMPLE, _responses(answer), choice=False)
    assert request.fixed == fixed
    assert spec.fixed(answer) == fixed


def test_without_fixed_reply_nothing_is_fixed() -> None:
    assert _spec().fixed("") is None


def test_custom_calls_replace_the_default() -> None:
    seen: list[tuple[Mapping[str, Response], bool]] = []

    def calls(
        sample: Sample[Any], responses: Mapping[str, Response], choice: bool
    ) -> tuple[JudgeRequest, ...]:
        seen.append((responses, choice))
        return tuple(JudgeRequest(role, responses[role].text) for role in ("AB", "BA"))

    responses = {
        "AB": Response(key="1", text="first", finish_reason="stop"),
        "BA": Response(key="2", text="second", finish_reason="stop"),
    }
    requests = _spec(calls=calls).requests(SAMPLE, responses, choice=True)
    assert requests == (JudgeRequest("AB", "first"), JudgeRequest("BA", "second"))
    assert seen == [(responses, True)]


# -- verdict -----------------------------------------------------------------------------

OK = JudgeReply(key="j", text="Rating: 5")
UNREADABLE = JudgeReply(key="j", text="I would rate it five.")
ERROR = JudgeReply(key="j", error="HTTP 429 after 6 retries")
ZERO = JudgeReply(key="j", text="Rating: 0")

VERDICTS: list[tuple[JudgeReply | None, Verdict]] = [
    (None, Verdict("not_judged", reason="not judged")),
    (ERROR, Verdict("error", reason="judge error: HTTP 429 after 6 retries", reply=ERROR)),
    (UNREADABLE, Verdict("unparseable", reason="no 'Rating: s' in the judge's text",
                         reply=UNREADABLE)),
    (OK, Verdict("ok", 5, reply=OK)),
    (ZERO, Verdict("ok", 0, reply=ZERO)),  # a falsy verdict is a verdict
]  # fmt: skip


@pytest.mark.parametrize(("reply", "expected"), VERDICTS, ids=["none", "error", "bad", "ok", "0"])
def test_verdict(reply: JudgeReply | None, expected: Verdict) -> None:
    assert _spec().verdict(reply) == expected


def test_an_error_reply_is_never_parsed() -> None:
    def parse(text: str) -> Any:
        raise AssertionError("parsed an error reply")

    reply = JudgeReply(key="j", text="Rating: 5", error="timeout")
    assert _spec(parse=parse).verdict(reply).status == "error"


def test_default_unparseable_reason() -> None:
    spec = JudgeTaskSpec(
        template=JudgeTemplate("r", "1", ""),
        official_model="m",
        official_backend="openai",
        render=lambda sample, response: response,
        parse=lambda text: None,
    )
    assert spec.verdict(UNREADABLE).reason == "the judge's text holds no verdict"


@pytest.mark.parametrize(
    ("identity", "official"),
    [
        (JudgeIdentity(backend="openai", model="gpt-4-0314"), True),
        (JudgeIdentity(backend="openai", model="gpt-4o-mini"), False),
        (JudgeIdentity(backend="hf", model="gpt-4-0314"), False),
        (JudgeIdentity(backend="tiny", model="tiny"), False),
    ],
)
def test_is_official(identity: JudgeIdentity, official: bool) -> None:
    assert _spec().is_official(identity) is official


# -- failed_judgements -------------------------------------------------------------------

COUNTS = JudgeCounts(ok=10, unparseable=3, error=2, not_judged=1)


@pytest.mark.parametrize(
    ("counts", "policy", "failed"),
    [
        (COUNTS, "failure", 6),
        (COUNTS, "zero", 3),  # unparseable judgements are scored 0, not failures
        (JudgeCounts(ok=4), "failure", 0),
        (JudgeCounts(unparseable=5), "zero", 0),
        (JudgeCounts(unparseable=5), "failure", 5),
        (JudgeCounts(not_judged=2), "zero", 2),
    ],
)
def test_failed_judgements(counts: JudgeCounts, policy: Any, failed: int) -> None:
    assert failed_judgements(counts, policy) == failed


def test_counts() -> None:
    assert COUNTS.total == 16
    assert COUNTS.failed == 6
