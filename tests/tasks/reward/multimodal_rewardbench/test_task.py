"""Multimodal RewardBench: the judge plan and the scalar reward plan, each protocol's reading,
the per-category metrics, and the predictions files `score` reads."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import ANSWER, DataError, Evidence, MediaRef, Response, Sample
from mmalign_eval.contracts import ImagePart, TextPart
from mmalign_eval_tasks.reward.multimodal_rewardbench.items import PairInfo
from mmalign_eval_tasks.reward.multimodal_rewardbench.predictions import SCALAR_HINT, read_files
from mmalign_eval_tasks.reward.multimodal_rewardbench.task import (
    CHOSEN,
    REJECTED,
    judge_prompt,
    multimodal_rewardbench,
)

MEDIA = (MediaRef(sha256="0" * 64, path="/x.png"),)


def _sample(label: str = "B", group: str = "vqa", item_id: str = "vqa_1") -> Sample[PairInfo]:
    info = PairInfo(output1="ONE", output2="TWO", label=label, category=group.split("/")[0],
                    group=group, image="images/x.jpg")  # fmt: skip
    return Sample(id=item_id, task="multimodal_rewardbench", question="What is it?",
                  media=MEDIA, info=info)  # fmt: skip


def _reply(text: str) -> dict[str, Response]:
    return {ANSWER: Response(key="k", text=text, finish_reason="stop")}


def _rewards(chosen: float | None, rejected: float | None) -> dict[str, Response]:
    return {
        CHOSEN: Response(key="c", text="", finish_reason="stop", reward=chosen),
        REJECTED: Response(key="r", text="", finish_reason="stop", reward=rejected),
    }


def test_the_judge_plan_sends_the_prompt_then_the_image() -> None:
    task = multimodal_rewardbench()
    sample = _sample()
    (call,) = task.plan(sample, task.generation, task.protocol("official"))
    assert call.kind == "generate" and call.request.generation.max_new_tokens == 1024
    (message,) = call.request.messages
    text, image = message.content
    assert isinstance(text, TextPart) and isinstance(image, ImagePart)
    assert text.text == judge_prompt(sample)
    assert "[User Question]\nWhat is it?\n" in text.text
    assert text.text.index("ONE") < text.text.index("TWO")  # Output1 is assistant A


@pytest.mark.parametrize(
    ("label", "chosen", "rejected"), [("A", "ONE", "TWO"), ("B", "TWO", "ONE")]
)
def test_the_scalar_plan_rewards_chosen_then_rejected(
    label: str, chosen: str, rejected: str
) -> None:
    task = multimodal_rewardbench()
    calls = task.plan(_sample(label), task.generation, task.protocol("scalar"))
    assert [(c.role, c.kind) for c in calls] == [(CHOSEN, "reward"), (REJECTED, "reward")]
    for call, response in zip(calls, (chosen, rejected), strict=True):
        user, reply = call.request.messages
        assert (user.role, reply.role) == ("user", "assistant")
        assert isinstance(user.content[0], ImagePart)  # the image, then the prompt
        assert user.content[1] == TextPart(text="What is it?")
        assert reply.content == (TextPart(text=response),)


# (protocol, label, reply, status, correct, how): the official reading, then strict's.
JUDGED = [
    ("official", "B", "... [[B]]", "ok", 1.0, "verdict"),
    ("official", "B", "[[B]] no, [[A]]", "ok", 0.0, "both"),
    ("official", "A", "[[A]] [[B]]", "ok", 1.0, "both"),
    ("official", "A", "[[b]]", "ok", 1.0, "random"),  # the first seed-123 pick is A
    ("strict", "A", "[[b]]", "unparseable", None, None),
    ("strict", "A", "[[B]] and [[A]]", "ok", 1.0, "both"),
]


@pytest.mark.parametrize(("name", "label", "reply", "status", "correct", "how"), JUDGED)
def test_judge_readings(
    name: str, label: str, reply: str, status: str, correct: float | None, how: str | None
) -> None:
    task = multimodal_rewardbench()
    item = task.score(Evidence(_sample(label), _reply(reply)), task.protocol(name))
    assert item.status == status
    if status == "ok":
        assert item.values["correct"] == correct and item.values["correct:vqa"] == correct
        assert isinstance(item.parsed, dict) and item.parsed["how"] == how
        assert item.values["fallback"] == float(how == "random")


def test_random_picks_are_drawn_in_scoring_order_for_unread_replies_only() -> None:
    task = multimodal_rewardbench()
    protocol = task.protocol("official")
    replies = ["nothing", "[[A]]", "nothing", "nothing", "nothing", "[[B]]", "nothing"]
    picks = []
    for k, reply in enumerate(replies):
        item = task.score(Evidence(_sample("A", item_id=f"vqa_{k}"), _reply(reply)), protocol)
        assert isinstance(item.parsed, dict)
        if item.parsed["how"] == "random":
            picks.append(item.parsed["letter"])
            assert "seed 123" in (item.reason or "")
    assert "".join(picks) == "AAAAB"  # the seed-123 stream, one value per unread reply


# (chosen reward, rejected reward, status, correct, tie)
SCALAR = [
    (1.5, -0.3, "ok", 1.0, 0.0),
    (-2.0, 0.1, "ok", 0.0, 0.0),
    (0.25, 0.25, "ok", 0.0, 1.0),  # a tie is wrong, and counted
    (math.nan, 0.0, "unparseable", None, None),
    (math.inf, 0.0, "unparseable", None, None),
    (None, 0.0, "unparseable", None, None),
]


@pytest.mark.parametrize(("chosen", "rejected", "status", "correct", "tie"), SCALAR)
def test_scalar_readings(
    chosen: float | None, rejected: float, status: str, correct: float | None, tie: float | None
) -> None:
    task = multimodal_rewardbench()
    sample = _sample("A", "safety/bias", "pairs_1")
    item = task.score(Evidence(sample, _rewards(chosen, rejected)), task.protocol("scalar"))
    assert item.status == status
    if status == "ok":
        assert item.values["correct"] == correct and item.values["tie"] == tie
        assert item.values["correct:safety/bias"] == correct


def test_protocols_and_metrics() -> None:
    task = multimodal_rewardbench()
    assert task.protocol_names == ("official", "strict", "scalar")
    assert task.default_protocol == "official" == task.official_protocol
    assert task.protocol("scalar").asks == "reward"
    assert task.protocol("official").components[0].name == "judge_v1.txt"
    names = [m.name for m in task.metrics]
    assert names[0] == task.primary_metric == "accuracy"
    assert "accuracy_safety_bias" in names and "accuracy_reasoning_coding" in names
    assert {"fallback_rate", "both_verdicts_rate", "tie_rate"} <= set(names)


def _lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_reading_the_official_answers_file(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [
        {"ID": "a_1", "Label": "A", "output": "[[A]]", "Meta": {}},
        {"ID": "a_2", "Label": "B", "output": None, "Meta": {}},
    ]
    found = read_files(_lines(tmp_path / "gpt4o.jsonl", rows))
    assert found is not None and found["a_1"].text == "[[A]]"
    assert found["a_2"].text is None and "null" in (found["a_2"].invalid or "")
    several = [{"ID": "a_1", "Label": "A", "outputs": ["[[A]]", "[[B]]"]}]
    with pytest.raises(DataError, match="'output'"):
        read_files(_lines(tmp_path / "n2.jsonl", several))


def test_reading_reward_lines(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [
        {"id": "a_1", "rewards": [1.0, 2]},
        {"id": "a_2", "rewards": {"chosen": 0.5}},
    ]
    found = read_files(_lines(tmp_path / "r.jsonl", rows))
    assert found is not None and found["a_1"].rewards == (1.0, 2.0)
    assert found["a_2"].rewards == {"chosen": 0.5} and found["a_2"].invalid == SCALAR_HINT
    with pytest.raises(DataError, match="not numbers"):
        read_files(_lines(tmp_path / "bad.jsonl", [{"id": "a_1", "rewards": ["1"]}]))


def test_other_files_go_to_the_generic_reader(tmp_path: Path) -> None:
    assert read_files(_lines(tmp_path / "h.jsonl", [{"id": "a_1", "answer": "[[A]]"}])) is None
    (tmp_path / "broken.jsonl").write_text("{not json\n")
    assert read_files(tmp_path / "broken.jsonl") is None
    assert read_files(tmp_path / "absent.jsonl") is None
