"""Evidence and TaskSpec.score: failures are statuses with reasons, never values."""

from __future__ import annotations

from typing import Any

import pytest

from mmalign_eval.columns import Columns
from mmalign_eval.contracts import ItemScore, Response, Sample
from mmalign_eval.evidence import ANSWER, JUDGE, Evidence, failed_item, scored_item
from mmalign_eval.judges.records import JudgeReply, JudgeTaskSpec, Verdict
from mmalign_eval.judges.templates import JudgeTemplate
from mmalign_eval.metrics.base import MetricSpec, ratio
from mmalign_eval.protocols import Fallback, Protocol, Reading
from mmalign_eval.task import TaskSpec

SAMPLE = Sample(id="7", task="t", question="q", cluster="img-1")
COLUMNS = Columns.of("n", "score", "hit")


def ok(text: str = "yes", key: str = "k") -> Response:
    return Response(key=key, text=text, finish_reason="stop")


def failed(reason: str = "image file not found: a.png") -> Response:
    return Response(key="k", text="", finish_reason="error", error=reason)


def read_yes_no(text: str) -> Reading[str]:
    word = text.strip().lower()
    if word in ("yes", "no"):
        return Reading(word)
    if word == "yes-ish":
        return Reading("yes", "read 'yes-ish' as yes")
    return Reading(None, f"no yes/no in {text!r}")


def read_rating(rating: int | None) -> Reading[int]:
    return Reading(None, "the judge gave no rating") if rating is None else Reading(rating)


def parse_rating(text: str) -> int | None:
    return int(text[len("Rating: ") :]) if text.startswith("Rating: ") else None


ANSWER_P = Protocol("strict", "yes/no", read_yes_no, default=True)
ANSWER_FALLBACK = Protocol("lenient", "yes/no, unreadable as no", read_yes_no,
                           fallback=Fallback("no", "read as no"))  # fmt: skip
JUDGED = Protocol("judged", "judge rating", read_rating, reads="judge")
JUDGED_ZERO = Protocol(
    "official", "judge rating, 0 when unreadable", read_rating, reads="judge",
    fallback=Fallback(0, "scored 0 as the official script does"),
)  # fmt: skip
JUDGE_SPEC = JudgeTaskSpec(
    template=JudgeTemplate("judge", "1", "Rate {response}"),
    official_model="gpt-4-0314",
    official_backend="openai",
    render=lambda sample, response: f"Rate {response}",
    parse=parse_rating,
    unparseable_reason="the judge's text holds no rating",
)


def item_values(sample: Sample[Any], value: Any) -> dict[str, float]:
    if isinstance(value, str):
        return {"n": 1.0, "hit": float(value == "yes")}
    return {"n": 1.0, "score": float(value)}


TASK: TaskSpec[Any] = TaskSpec(
    name="t",
    family="test",
    version="1",
    description="",
    prompt_template="{question}",
    loader=lambda request: None,  # type: ignore[arg-type,return-value]
    protocols=(ANSWER_P, ANSWER_FALLBACK, JUDGED, JUDGED_ZERO),
    metrics=(MetricSpec("acc", lambda t: ratio(t["hit"], t["n"]), "higher", primary=True),),
    columns=COLUMNS,
    score_values=item_values,
    judge=JUDGE_SPEC,
)


def _expect(
    status: str, reason: str | None, parsed: Any = None, values: dict[str, float] | None = None
) -> ItemScore:
    return ItemScore(
        sample_id="7",
        status=status,
        reason=reason,
        parsed=parsed,
        values=values or {},
        cluster="img-1",
    )


# -- TaskSpec.score ----------------------------------------------------------------------

V_OK = Verdict("ok", 4)
V_UNPARSEABLE = Verdict("unparseable", reason="the judge's text holds no rating")
V_ERROR = Verdict("error", reason="judge error: HTTP 500")
V_NOT_JUDGED = Verdict("not_judged", reason="not judged")
V_NOT_JUDGED_NO_REASON = Verdict("not_judged")

SCORE = [
    # (id, protocol, responses, verdicts, expected)
    ("answer-ok", ANSWER_P, {ANSWER: ok("Yes")}, {},
     _expect("ok", None, "yes", {"n": 1.0, "hit": 1.0})),
    ("answer-no", ANSWER_P, {ANSWER: ok("no")}, {},
     _expect("ok", None, "no", {"n": 1.0, "hit": 0.0})),
    ("failed-call", ANSWER_P, {ANSWER: failed()}, {},
     _expect("error", "image file not found: a.png")),
    ("one-of-several-calls-failed", ANSWER_P, {ANSWER: ok(), "sample-1": failed("OOM")}, {},
     _expect("error", "OOM")),
    ("unreadable", ANSWER_P, {ANSWER: ok("purple")}, {},
     _expect("unparseable", "no yes/no in 'purple'")),
    ("value-with-reason", ANSWER_P, {ANSWER: ok("yes-ish")}, {},
     _expect("ok", "read 'yes-ish' as yes", "yes", {"n": 1.0, "hit": 1.0})),
    ("fallback", ANSWER_FALLBACK, {ANSWER: ok("purple")}, {},
     _expect("ok", "no yes/no in 'purple'; read as no", "no", {"n": 1.0, "hit": 0.0})),
    ("fallback-not-for-failed-calls", ANSWER_FALLBACK, {ANSWER: failed("OOM")}, {},
     _expect("error", "OOM")),
    ("unjudged-protocol-ignores-verdicts", ANSWER_P, {ANSWER: ok("yes")}, {JUDGE: V_ERROR},
     _expect("ok", None, "yes", {"n": 1.0, "hit": 1.0})),
    ("judged-ok", JUDGED, {ANSWER: ok()}, {JUDGE: V_OK},
     _expect("ok", None, 4, {"n": 1.0, "score": 4.0})),
    ("judged-zero-is-a-value", JUDGED, {ANSWER: ok()}, {JUDGE: Verdict("ok", 0)},
     _expect("ok", None, 0, {"n": 1.0, "score": 0.0})),
    ("judged-missing-verdict", JUDGED, {ANSWER: ok()}, {},
     _expect("error", "not judged")),
    ("judged-not-judged", JUDGED, {ANSWER: ok()}, {JUDGE: V_NOT_JUDGED},
     _expect("error", "not judged")),
    ("judged-not-judged-without-reason", JUDGED, {ANSWER: ok()}, {JUDGE: V_NOT_JUDGED_NO_REASON},
     _expect("error", "not judged")),
    ("judge-error", JUDGED, {ANSWER: ok()}, {JUDGE: V_ERROR},
     _expect("error", "judge error: HTTP 500")),
    ("judge-error-under-fallback", JUDGED_ZERO, {ANSWER: ok()}, {JUDGE: V_ERROR},
     _expect("error", "judge error: HTTP 500")),
    ("missing-verdict-under-fallback", JUDGED_ZERO, {ANSWER: ok()}, {},
     _expect("error", "not judged")),
    ("failed-call-before-judge", JUDGED, {ANSWER: failed("OOM")}, {JUDGE: V_OK},
     _expect("error", "OOM")),
    ("judge-unparseable", JUDGED, {ANSWER: ok()}, {JUDGE: V_UNPARSEABLE},
     _expect("unparseable", "the judge gave no rating")),
    ("judge-unparseable-scored-zero", JUDGED_ZERO, {ANSWER: ok()}, {JUDGE: V_UNPARSEABLE},
     _expect("ok", "the judge gave no rating; scored 0 as the official script does", 0,
             {"n": 1.0, "score": 0.0})),
    ("one-of-two-verdicts-failed", JUDGED, {ANSWER: ok()},
     {JUDGE: V_OK, "judge-BA": V_ERROR}, _expect("error", "judge error: HTTP 500")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("protocol", "responses", "verdicts", "expected"),
    [case[1:] for case in SCORE],
    ids=[case[0] for case in SCORE],
)
def test_score(
    protocol: Protocol[Any, Any],
    responses: dict[str, Response],
    verdicts: dict[str, Verdict],
    expected: ItemScore,
) -> None:
    assert TASK.score(Evidence(SAMPLE, responses, verdicts), protocol) == expected


def test_a_protocol_scorer_replaces_the_task_values() -> None:
    exact = Protocol("exact", "", read_yes_no, default=True,
                     score=lambda sample, value: {"n": 1.0, "hit": 0.5})  # fmt: skip
    item = TASK.score(Evidence(SAMPLE, {ANSWER: ok("yes")}), exact)
    assert item.values == {"n": 1.0, "hit": 0.5}


def test_protocol_scorer_is_checked_against_the_columns() -> None:
    wrong = Protocol("wrong", "", read_yes_no, score=lambda sample, value: {"typo": 1.0})
    with pytest.raises(ValueError, match=r"\['typo'\] are not declared"):
        TASK.score(Evidence(SAMPLE, {ANSWER: ok("yes")}), wrong)


def test_failed_items_never_call_the_scorer() -> None:
    def boom(sample: Sample[Any], value: Any) -> dict[str, float]:
        raise AssertionError("a failure was scored")

    strict = Protocol("s", "", read_yes_no, score=boom)
    for responses in ({ANSWER: failed()}, {ANSWER: ok("purple")}):
        assert TASK.score(Evidence(SAMPLE, responses), strict).status != "ok"


# -- TaskSpec.score_answer ---------------------------------------------------------------

SCORE_ANSWER = [
    # (id, protocol, response, reply, expected)
    ("unjudged", ANSWER_P, ok("no"), None, _expect("ok", None, "no", {"n": 1.0, "hit": 0.0})),
    ("unjudged-ignores-reply", ANSWER_P, ok("no"), JudgeReply(key="j", error="x"),
     _expect("ok", None, "no", {"n": 1.0, "hit": 0.0})),
    ("judged-no-reply", JUDGED, ok(), None, _expect("error", "not judged")),
    ("judged-reply-error", JUDGED, ok(), JudgeReply(key="j", error="timeout"),
     _expect("error", "judge error: timeout")),
    ("judged-unparseable", JUDGED, ok(), JudgeReply(key="j", text="Four"),
     _expect("unparseable", "the judge gave no rating")),
    ("judged-unparseable-zero", JUDGED_ZERO, ok(), JudgeReply(key="j", text="Four"),
     _expect("ok", "the judge gave no rating; scored 0 as the official script does", 0,
             {"n": 1.0, "score": 0.0})),
    ("judged-ok", JUDGED, ok(), JudgeReply(key="j", text="Rating: 5"),
     _expect("ok", None, 5, {"n": 1.0, "score": 5.0})),
    ("judged-failed-answer", JUDGED, failed("OOM"), JudgeReply(key="j", text="Rating: 5"),
     _expect("error", "OOM")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("protocol", "response", "reply", "expected"),
    [case[1:] for case in SCORE_ANSWER],
    ids=[case[0] for case in SCORE_ANSWER],
)
def test_score_answer(
    protocol: Protocol[Any, Any],
    response: Response,
    reply: JudgeReply | None,
    expected: ItemScore,
) -> None:
    assert TASK.score_answer(SAMPLE, response, protocol, reply) == expected


# -- Evidence ----------------------------------------------------------------------------


def test_evidence_lookups_by_role() -> None:
    evidence = Evidence(
        SAMPLE,
        {ANSWER: ok("a"), "sample-1": ok("b")},
        {JUDGE: Verdict("ok", 3), "judge-BA": Verdict("ok", "B")},
    )
    assert evidence.answer().text == "a"
    assert evidence.answer("sample-1").text == "b"
    assert evidence.verdict() == 3
    assert evidence.verdict("judge-BA") == "B"
    with pytest.raises(KeyError):
        evidence.answer("sample-2")


@pytest.mark.parametrize(
    ("responses", "verdicts", "judged", "expected"),
    [
        ({ANSWER: ok()}, {}, False, None),
        ({ANSWER: ok()}, {}, True, ("error", "not judged")),
        ({ANSWER: ok()}, {JUDGE: V_OK}, True, None),
        ({ANSWER: ok()}, {JUDGE: V_UNPARSEABLE}, True, None),  # the protocol reads it
        ({ANSWER: ok(), "b": failed("x")}, {JUDGE: V_OK}, True, ("error", "x")),
        ({ANSWER: ok()}, {JUDGE: V_NOT_JUDGED_NO_REASON}, True, ("error", "not judged")),
    ],
    ids=["plain", "judged-none", "judged-ok", "judged-unparseable", "call-failed", "no-reason"],
)
def test_failure(
    responses: dict[str, Response],
    verdicts: dict[str, Verdict],
    judged: bool,
    expected: tuple[str, str] | None,
) -> None:
    assert Evidence(SAMPLE, responses, verdicts).failure(judged) == expected


def test_failed_and_scored_items() -> None:
    assert failed_item(SAMPLE, "unparseable", "why") == _expect("unparseable", "why")
    item = scored_item(SAMPLE, "yes", {"n": 1.0}, COLUMNS, reason="note")
    assert item == _expect("ok", "note", "yes", {"n": 1.0})
    with pytest.raises(ValueError, match="not declared"):
        scored_item(SAMPLE, "yes", {"m": 1.0}, COLUMNS)
