"""MM-RLHF-RewardBench's plans (two reward calls, chosen first; or one judge prompt) and the
scalar protocol's reading of rewards."""

from __future__ import annotations

import math

import pytest

from mmalign_eval import Evidence, GenerationParams, Response, Sample
from mmalign_eval.contracts import ImagePart, ItemScore, MediaRef, TextPart
from mmalign_eval.registry import build_registry
from mmalign_eval_tasks.reward.mm_rlhf_rewardbench.protocols import TEMPLATE
from mmalign_eval_tasks.reward.mm_rlhf_rewardbench.rows import PairInfo

TASK = build_registry().tasks["mm_rlhf_rewardbench"]
MEDIA = (MediaRef(sha256="0" * 64, path="/x.png"),)


def _sample() -> Sample[PairInfo]:
    info = PairInfo(group="g", index=1, group_size=2, chosen="GOOD", rejected="BAD",
                    image="mcq/x.png", category="mcq", scored_category="mcq",
                    group_category="mcq", group_keywords=("mcq",))  # fmt: skip
    return Sample(id="g:1", task=TASK.name, question="Which {shape}?", media=MEDIA, cluster="g",
                  info=info)  # fmt: skip


def test_protocols_and_default() -> None:
    assert TASK.protocol_names == ("scalar", "generative", "generative_strict")
    assert TASK.default_protocol == "scalar" and TASK.official_protocol == "scalar"
    assert TASK.protocol("scalar").asks == "reward"
    assert TASK.protocol(None, "synthetic:4").name == "scalar"  # also on synthetic data


def test_scalar_plan_is_two_reward_calls_chosen_first() -> None:
    calls = TASK.plan(_sample(), GenerationParams(), TASK.protocol("scalar"))
    assert [(c.role, c.kind) for c in calls] == [("chosen", "reward"), ("rejected", "reward")]
    for call, response in zip(calls, ("GOOD", "BAD"), strict=True):
        user, assistant = call.request.messages
        assert user.role == "user" and assistant.role == "assistant"
        assert user.content == (ImagePart(media=MEDIA[0]), TextPart(text="Which {shape}?"))
        assert assistant.content == (TextPart(text=response),)


def test_generative_plan_is_one_judge_prompt() -> None:
    (call,) = TASK.plan(_sample(), GenerationParams(), TASK.protocol("generative"))
    assert call.kind == "generate" and call.role == "answer"
    image, text = call.request.messages[0].content
    assert isinstance(image, ImagePart) and isinstance(text, TextPart)
    # R1-Reward's order: the chosen response is Response 1; braces in texts stay as they are.
    assert text.text.index("GOOD") < text.text.index("BAD") and "Which {shape}?" in text.text
    assert "{first_response}" in TEMPLATE.text and "{second_response}" in TEMPLATE.text
    assert TASK.protocol("generative").components[0].sha256 == TEMPLATE.sha256


def _reward(chosen: float | None, rejected: float | None, error: str | None = None) -> ItemScore:
    responses = {
        role: Response(key=role, text="", finish_reason="error" if error else "stop",
                       reward=value, error=error)
        for role, value in (("chosen", chosen), ("rejected", rejected))
    }  # fmt: skip
    return TASK.score(Evidence(_sample(), responses), TASK.protocol("scalar"))


@pytest.mark.parametrize(
    ("chosen", "rejected", "correct", "tie"),
    [(0.3, 0.2, 1.0, 0.0), (0.2, 0.3, 0.0, 0.0), (0.5, 0.5, 0.0, 1.0), (-1e-9, -2e-9, 1.0, 0.0),
     (math.nan, 0.0, 0.0, 0.0), (0.0, math.nan, 0.0, 0.0), (math.inf, 1.0, 1.0, 0.0)],
)  # fmt: skip
def test_scalar_is_strictly_greater(
    chosen: float, rejected: float, correct: float, tie: float
) -> None:
    item = _reward(chosen, rejected)
    assert item.status == "ok"
    assert item.values["correct"] == correct and item.values["tie"] == tie
    if tie or math.isnan(chosen) or math.isnan(rejected):
        assert "wrong" in (item.reason or "")


def test_scalar_failures_are_counted() -> None:
    assert _reward(None, None, "this engine computes no rewards").status == "error"
    assert _reward(1.0, None).status == "unparseable"


def test_group_columns() -> None:
    values = _reward(1.0, 0.0).values
    assert values["prompts_w:g"] == 0.5 and values["prompts_wrong:g"] == 0.0
    assert values["prompts@mcq_w:g"] == 0.5 and values["n_cat:mcq"] == 1.0
