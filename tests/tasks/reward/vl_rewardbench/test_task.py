"""VL-RewardBench's plan (K seeded samples, each with its own recorded order; the scalar
pair, chosen first) and each protocol's reading of the evidence."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from mmalign_eval import Evidence, Response, Sample
from mmalign_eval.contracts import ImagePart, MediaRef, TextPart
from mmalign_eval.registry import build_registry
from mmalign_eval_tasks.reward.vl_rewardbench.data import VLRewardInfo
from mmalign_eval_tasks.reward.vl_rewardbench.official import rejected_position
from mmalign_eval_tasks.reward.vl_rewardbench.plan import (
    CHOSEN,
    REJECTED,
    order_of,
    parse_role,
    render,
    sample_role,
)

TASK = build_registry().tasks["vl_rewardbench"]
MEDIA = (MediaRef(sha256="0" * 64, path="/x.png"),)


def _sample(
    item_id: str = "RLAIF-V-7", chosen: int = 0, query: str = "What is {shown}?"
) -> Sample[VLRewardInfo]:
    info = VLRewardInfo(responses=("FIRST <image>\nreply", "SECOND reply"), chosen=chosen,
                        dataset="rlaif-v", category="hallucination")  # fmt: skip
    return Sample(id=item_id, task="vl_rewardbench", question=query, media=MEDIA, info=info)


def test_protocols_and_generation() -> None:
    assert TASK.protocol_names == ("official", "strict", "scalar")
    official, strict, scalar = (TASK.protocol(n) for n in TASK.protocol_names)
    assert official.official and official.default and official.samples == 10
    assert strict.samples == 10 and not strict.official
    assert (scalar.asks, scalar.samples, official.asks) == ("reward", None, "generate")
    g = TASK.generation
    assert (g.temperature, g.top_p, g.do_sample, g.max_new_tokens) == (0.2, 0.2, True, 2048)
    assert TASK.family == "reward" and TASK.primary_metric == "accuracy"


def test_k_samples_each_seeded_with_its_own_recorded_order() -> None:
    sample = _sample()
    calls = TASK.plan(sample, TASK.generation, TASK.protocol("official"))
    assert len(calls) == 10
    parsed = [parse_role(call.role) for call in calls]
    assert [p[0] for p in parsed if p] == list(range(10))
    assert [p[1] for p in parsed if p] == [order_of(sample.id, i) for i in range(10)]
    assert {p[1] for p in parsed if p} == {"AB", "BA"}  # both orders among ten draws here
    assert [c.request.sample_index for c in calls] == list(range(10))
    assert [c.request.generation.seed for c in calls] == list(range(10))
    assert len({c.key("m") for c in calls}) == 10
    for call, (_, order) in zip(calls, [p for p in parsed if p], strict=True):
        text_part, image_part = call.request.messages[0].content
        assert isinstance(text_part, TextPart) and isinstance(image_part, ImagePart)
        assert text_part.text == render(sample, order)
    # --samples K replaces K; the first orders (and their cached replies) stay the same.
    three = TASK.plan(sample, TASK.generation, replace(TASK.protocol("official"), samples=3))
    assert [c.key("m") for c in three] == [c.key("m") for c in calls[:3]]


def test_orders_are_stable_and_mixed() -> None:
    orders = [order_of(f"item-{n}", 0) for n in range(400)]
    assert orders == [order_of(f"item-{n}", 0) for n in range(400)]
    assert 150 < orders.count("AB") < 250


def test_prompt_shows_the_responses_in_the_order_of_the_role() -> None:
    sample = _sample()
    ab, ba = render(sample, "AB"), render(sample, "BA")
    assert "Question: What is {shown}?" in ab
    assert "Answer 1: FIRST reply\n\nAnswer 2: SECOND reply" in ab  # '<image>\n' deleted
    assert "Answer 1: SECOND reply\n\nAnswer 2: FIRST <image>" not in ba
    assert "Answer 1: SECOND reply\n\nAnswer 2: FIRST reply" in ba
    assert "Overall Judgment: Answer X is better." in ab
    recorded = TASK.render_prompt(sample)
    assert "What is {shown}?" in recorded and "Answer 1: {answer_1}" in recorded


def test_scalar_plan_scores_chosen_first() -> None:
    sample = _sample(chosen=1, query="<image>\nHow many?")
    chosen, rejected = TASK.plan(sample, TASK.generation, TASK.protocol("scalar"))
    assert (chosen.role, rejected.role, chosen.kind) == (CHOSEN, REJECTED, "reward")
    user, assistant = chosen.request.messages
    assert isinstance(user.content[0], ImagePart) and user.content[1] == TextPart(text="How many?")
    assert assistant.role == "assistant" and assistant.content == (TextPart(text="SECOND reply"),)
    assert rejected.request.messages[1].content == (TextPart(text="FIRST <image>\nreply"),)


def _replies(sample: Sample[VLRewardInfo], verdicts: list[tuple[str, Any]]) -> Evidence[Any]:
    """Replies by role; a verdict 'chosen'/'rejected' names that response's position."""
    responses = {}
    for index, (order, verdict) in enumerate(verdicts):
        if verdict in ("chosen", "rejected"):
            position = rejected_position(sample.info.chosen, order)
            number = position if verdict == "rejected" else 3 - position
            verdict = f"**Overall Judgment**: Answer {number} is better."
        responses[sample_role(index, order)] = Response(key=str(index), text=verdict,
                                                        finish_reason="stop")  # fmt: skip
    return Evidence(sample, responses)


C, R, NONE = "chosen", "rejected", "no idea"
# (protocol, (order, reply) per sample, status, decided, n, excluded)
CASES = [
    ("official", [("AB", C), ("BA", C), ("AB", R)], "ok", "agree", 1.0, 0.0),
    ("official", [("BA", R), ("BA", R), ("AB", C)], "ok", "reject", 1.0, 0.0),
    ("official", [("AB", C), ("BA", R)], "ok", "other", 0.0, 1.0),
    ("official", [("AB", NONE), ("BA", NONE), ("AB", C)], "ok", "unparsed", 0.0, 1.0),
    ("official", [("AB", "Therefore, Answer 3 is better")], "ok", "agree", 1.0, 0.0),
    ("strict", [("AB", "Therefore, Answer 3 is better")], "unparseable", None, 0.0, 0.0),
    ("strict", [("AB", NONE), ("BA", NONE), ("AB", C)], "unparseable", None, 0.0, 0.0),
    ("strict", [("AB", C), ("BA", R)], "ok", "other", 0.0, 1.0),
    ("strict", [("AB", C), ("BA", NONE), ("BA", C)], "ok", "agree", 1.0, 0.0),
]


@pytest.mark.parametrize("chosen", [0, 1])
@pytest.mark.parametrize(("protocol", "replies", "status", "decided", "n", "excluded"), CASES)
def test_protocol_readings(
    chosen: int, protocol: str, replies: list[tuple[str, str]], status: str,
    decided: str | None, n: float, excluded: float,
) -> None:  # fmt: skip
    item = TASK.score(_replies(_sample(chosen=chosen), replies), TASK.protocol(protocol))
    assert item.status == status
    if status == "ok":
        parsed: Any = item.parsed
        assert parsed["decided"] == decided
        assert (item.values["n"], item.values["excluded"]) == (n, excluded)
        assert item.values.get("n_hallucination", 0.0) == n
        assert item.values["correct"] == float(decided == "agree")
        assert item.values["replies"] == len(replies)
        assert (item.reason is not None) == bool(excluded)


def _rewards(chosen: float | None, rejected: float | None) -> Evidence[Any]:
    def response(value: float | None) -> Response:
        return Response(key="k", text="", finish_reason="stop", reward=value)

    return Evidence(_sample(), {CHOSEN: response(chosen), REJECTED: response(rejected)})


@pytest.mark.parametrize(
    ("chosen", "rejected", "status", "correct"),
    [(1.0, 0.5, "ok", 1.0), (0.5, 1.0, "ok", 0.0), (0.7, 0.7, "ok", 0.0),  # a tie is wrong
     (float("nan"), 0.0, "unparseable", None), (None, 1.0, "unparseable", None)],
)  # fmt: skip
def test_scalar_reading(
    chosen: float | None, rejected: float | None, status: str, correct: float | None
) -> None:
    item = TASK.score(_rewards(chosen, rejected), TASK.protocol("scalar"))
    assert item.status == status
    if correct is not None:
        assert item.values["correct"] == correct and item.values["n"] == 1.0
        assert item.values["correct_hallucination"] == correct


def test_no_replies_is_a_failure() -> None:
    item = TASK.score(Evidence(_sample(), {}), TASK.protocol("official"))
    assert item.status == "unparseable"
