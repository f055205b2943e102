"""MM-AlignBench: prompts (with and without a ground truth), VLMEvalKit's retry rule, the
'_rev' negation, and each protocol's reading of verdicts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mmalign_eval import ANSWER, JUDGE, Evidence, JudgeRequest, Response, Sample
from mmalign_eval.contracts import ImagePart, MediaRef, TextPart
from mmalign_eval.judges.records import JudgeReply, Verdict
from mmalign_eval.registry import build_registry
from mmalign_eval_tasks.preference.mm_alignbench.data import AlignInfo, ground_truth
from mmalign_eval_tasks.preference.mm_alignbench.judge import (
    JUDGE_SPEC,
    RETRY_TEMPERATURE,
    SWAPPED,
    TEMPLATE,
    ask_again,
)

TASK = build_registry().tasks["mm_alignbench"]
MEDIA = (MediaRef(sha256="0" * 64, path="/x.png"),)


def _sample(index: str = "7", gt: str | None = None, kind: str = "knowledge") -> Sample[AlignInfo]:
    info = AlignInfo(baseline="CLAUDE ANSWER", type=kind, gt=gt)
    return Sample(id=index, task="mm_alignbench", question="Why {so}?", media=MEDIA, info=info)


def _official_get_score(judgement: str) -> tuple[str | None, bool]:
    """mmalignbench.py's get_score: several different verdicts are retried too."""
    matches = [m for m in re.findall(r"\[\[([AB<>=]+)\]\]", judgement) if m != ""]
    if len(set(matches)) == 0:
        return None, True
    if len(set(matches)) == 1:
        return matches[0].strip("\n"), False
    return None, True


@pytest.mark.parametrize(
    "reply", ["[[B>A]]", "[[A=B]] [[A=B]]", "[[A>B]] vs [[B>A]]", "nothing", "[[A]]", "Unknown"]
)
def test_parse_and_retry_follow_get_score(reply: str) -> None:
    score, try_again = _official_get_score(reply)
    assert JUDGE_SPEC.parse(reply) == score
    verdict = JUDGE_SPEC.verdict(JudgeReply(key="k", text=reply))
    assert (verdict.status == "unparseable") == try_again
    request = JudgeRequest(JUDGE, "prompt", ())
    again = ask_again(request, verdict, 1)
    assert again is not None and again.text == "prompt" and again.follow_up == ()
    assert again.temperature == RETRY_TEMPERATURE  # its own cache entry, the same decoding
    assert ask_again(again, verdict, 2) is None  # retry = 2: two calls at most


def test_prompt_variants() -> None:
    responses = {ANSWER: Response(key="a", text="MODEL ANSWER", finish_reason="stop")}
    plain, swapped = JUDGE_SPEC.requests(_sample(), responses, False)
    assert (plain.role, swapped.role) == (JUDGE, SWAPPED)
    assert "<|Ground Truth|>" not in plain.text and "Ground Truth" not in plain.text
    assert plain.text.index("CLAUDE ANSWER") < plain.text.index("MODEL ANSWER")
    assert swapped.text.index("MODEL ANSWER") < swapped.text.index("CLAUDE ANSWER")
    assert "**INPUT**:\n\n<|User Prompt|>\nWhy {so}?\n\n<|The Start of Assistant A" in plain.text
    (with_gt, _) = JUDGE_SPEC.requests(_sample(gt="KEY FACT"), responses, False)
    assert "<|User Prompt|>\nWhy {so}?\n\n<|Ground Truth|>\nKEY FACT\n\n<|The Start" in with_gt.text
    assert "Use the Ground Truth given below" in with_gt.text
    assert TEMPLATE.text.count("[[A>>B]]") == 2  # one file, both variants, one hash


@pytest.mark.parametrize(
    ("value", "expected"),
    [("fact", "fact"), (None, None), (float("nan"), None), ("nan", None), ("", None), (3, "3")],
)
def test_ground_truth_rule(value: object, expected: str | None) -> None:
    assert ground_truth(value) == expected


def _score(protocol: str, sample: Sample[AlignInfo], **verdicts: str | None) -> Any:
    by_role = {
        (JUDGE if role == "official" else role): Verdict("ok", v) if v else Verdict("unparseable")
        for role, v in verdicts.items()
    }
    answer = Response(key="a", text="x", finish_reason="stop")
    return TASK.score(Evidence(sample, {ANSWER: answer}, by_role), TASK.protocol(protocol))


# (protocol, index, official verdict, swapped verdict, status, label)
CASES = [
    ("official", "7", "B>>A", None, "ok", "much_better"),
    ("official", "7", "A>B", None, "ok", "worse"),
    ("official", "7_rev", "A>B", None, "ok", "better"),  # evaluate() negates '_rev' items
    ("official", "7", None, None, "ok", None),  # 'Unknown': a tie
    ("official", "7", "A", None, "ok", None),
    ("strict", "7", None, None, "unparseable", None),
    ("both", "7", "B>A", "A>B", "ok", "better"),
    ("both", "7", "A>B", "A>B", "ok", "tie"),  # split orders: a tie
]


@pytest.mark.parametrize(("protocol", "index", "first", "second", "status", "label"), CASES)
def test_protocol_readings(
    protocol: str, index: str, first: str | None, second: str | None, status: str,
    label: str | None,
) -> None:  # fmt: skip
    verdicts = {"official": first} | ({SWAPPED: second} if protocol == "both" else {})
    item = _score(protocol, _sample(index), **verdicts)
    assert item.status == status
    if status == "ok":
        assert item.parsed["label"] == label
        assert item.values["unparsed"] == float(label is None)
        assert item.values["n@knowledge"] == 1.0


def test_per_type_columns_and_metrics() -> None:
    item = _score("official", _sample(kind="creative"), official="B>A")
    assert item.values["reward@creative"] == 50.0 and item.values["win@creative"] == 1.0
    assert TASK.primary_metric == "reward" and "score" not in {m.name for m in TASK.metrics}


def test_the_model_is_asked_text_first() -> None:
    (call,) = TASK.plan(_sample(), TASK.generation, TASK.protocol("official"))
    parts = call.request.messages[0].content
    assert isinstance(parts[0], TextPart) and isinstance(parts[1], ImagePart)
