"""VL-RewardBench's official reading and counting: the verdict pattern on replies with
asterisks and newlines, the rejected position per order, majorities with K even and odd,
the id -> category rule, and the whole pipeline against a restatement of cal.py."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from typing import Any

import pytest

from mmalign_eval import Evidence, Response, Sample
from mmalign_eval.contracts import ItemScore
from mmalign_eval.metrics.base import evaluate
from mmalign_eval.registry import build_registry
from mmalign_eval_tasks.reward.vl_rewardbench.data import VLRewardInfo
from mmalign_eval_tasks.reward.vl_rewardbench.official import (
    answer_number,
    category,
    classify,
    outcome,
    rejected_position,
    source_dataset,
)
from mmalign_eval_tasks.reward.vl_rewardbench.plan import sample_role

TASK = build_registry().tasks["vl_rewardbench"]
# cal.py's and inference_hf.py's pattern (vl-rewardbench/VL_RewardBench @ 9b10abd), the oracle.
OFFICIAL = (
    r"(?:Overall Judgment|Therefore)\s*.*\s*-*\s*Answer\s*(\d+)\s*is\s*(?:the\s*)?"
    r"(?:slightly\s*)?better"
)


def official_number(reply: str) -> int | None:
    match = re.search(OFFICIAL, reply.replace("\n", "").replace("*", ""), re.IGNORECASE)
    return int(match.group(1)) if match else None


VERDICTS = [
    ("Overall Judgment: Answer 1 is better.", 1),
    ("**Overall Judgment**: **Answer 2** is better", 2),
    ("Overall Judgment:\nAnswer 2 is better", 2),
    ("Overall Judgment: Answer\n1 is\nbetter", 1),  # newlines deleted: "Answer1isbetter"
    ("Overall Judgment:\n\nAnswer 2\n\nis better", 2),
    ("Overall Judgment:\r\nAnswer 2 is better", 2),  # only \n is deleted; \r is a space
    ("Overall Judgment: Answer 1** is **better", 1),
    ("Therefore, Answer 1 is slightly better.", 1),
    ("Overall Judgment: Answer 2 is the better one", 2),
    ("Overall Judgment: Answer 1 is the slightly better answer", 1),
    ("Overall Judgment: Answer 1 is slightly the better", None),
    ("OVERALL JUDGMENT: ANSWER 1 IS BETTER", 1),
    ("it is late; therefore answer 2 is better", 2),
    ("Overall Judgement: Answer 1 is better.", None),  # British spelling: no cue
    ("Answer 1 is better.", None),  # no cue at all
    ("Overall Judgment: - Answer 2 is better", 2),
    ("Overall Judgment: Answer 1 is better than Answer 2.", 1),
    # Both named: the last verdict after the first cue wins.
    ("Overall Judgment: Answer 1 is better. On reflection, Answer 2 is better.", 2),
    ("Therefore Answer 1 is better. Overall Judgment: Answer 2 is better", 2),
    ("Answer 2 is better. Therefore, Answer 1 is better.", 1),  # only after the cue
    ("Overall Judgment: Answer 1 is not better", None),
    ("Overall Judgment: Answer 1 is much better", None),
    ("Overall Judgment: Both answers are equally good.", None),
    ("Overall Judgment: Answer 3 is better", 3),
    ("Overall Judgment: Answer 12 is better", 12),
    ("Overall Judgment: Answer 01 is better", 1),
    ("", None),
]


@pytest.mark.parametrize(("reply", "expected"), VERDICTS)
def test_verdict_pattern(reply: str, expected: int | None) -> None:
    assert answer_number(reply) == expected
    assert official_number(reply) == expected


def test_verdict_pattern_matches_the_official_one_on_noise() -> None:
    rng = random.Random(7)
    pieces = ["Overall Judgment", "Therefore", "Answer", " 1", " 2", "3", " is", " the",
              " slightly", " better", "*", "\n", " ", "-", ":", "x", "Judgement"]  # fmt: skip
    for _ in range(3000):
        reply = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert answer_number(reply) == official_number(reply), reply


def cal_rejected_choice(ranking: list[int], random_number: int) -> int:
    """cal.py: ranking.index(1 if random_number == 0 else 0) + 1."""
    return ranking.index(1 if random_number == 0 else 0) + 1


@pytest.mark.parametrize("ranking", [[0, 1], [1, 0]])
@pytest.mark.parametrize("random_number", [0, 1])
def test_rejected_position_is_cal_py_s(ranking: list[int], random_number: int) -> None:
    order = "AB" if random_number == 0 else "BA"
    chosen = ranking.index(0)
    assert rejected_position(chosen, order) == cal_rejected_choice(ranking, random_number)


@pytest.mark.parametrize(
    ("number", "chosen", "order", "expected"),
    [
        (1, 0, "AB", "agree"), (2, 0, "AB", "reject"),
        (1, 0, "BA", "reject"), (2, 0, "BA", "agree"),
        (1, 1, "AB", "reject"), (2, 1, "AB", "agree"),
        (1, 1, "BA", "agree"), (2, 1, "BA", "reject"),
        (3, 0, "AB", "agree"), (12, 1, "BA", "agree"),  # not a position, still agrees
        (None, 0, "AB", "unparsed"),
    ],
)  # fmt: skip
def test_outcome(number: int | None, chosen: int, order: Any, expected: str) -> None:
    assert outcome(number, chosen, order) == expected


A, R, U = "agree", "reject", "unparsed"


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([A] * 6 + [R] * 4, A),
        ([A] * 5 + [R] * 5, "other"),  # K even: a tie has no majority
        ([A] * 5 + [R] * 4, A),  # K odd
        ([R] * 5 + [A] * 4, R),
        ([A, R], "other"),
        ([A, U], "other"),
        ([A], A),
        ([U], U),
        ([U] * 6 + [A] * 4, U),
        ([U] * 5 + [A] * 5, "other"),
        ([A] * 4 + [R] * 3 + [U] * 3, "other"),  # a plurality is not a majority
        ([A] * 6 + [U] * 4, A),  # unparsed replies do not block a majority
        ([A] * 2 + [R], A),  # fewer replies than K: classified on what there is
    ],
)
def test_majority(outcomes: list[Any], expected: str) -> None:
    assert classify(outcomes) == expected


@pytest.mark.parametrize(
    ("item_id", "dataset", "group"),
    [
        ("RLAIF-V-14", "rlaif-v", "hallucination"),
        ("RLHF-V-31", "rlhf-v", "hallucination"),
        ("hallucination_pair-1003", "povid", "hallucination"),  # the 2025-05 povid fix
        ("mathverse_1294", "reasoning_tasks", "reasoning"),
        ("mmmu_pro_test_Electronics_6", "reasoning_tasks", "reasoning"),
        ("wildvision-battle-13", "wildvision-battle", "general"),
        ("LRVInstruction-000000007746", "vlfeedback", "general"),
        ("jailbreak-typo-HateSpeech-70", "vlfeedback", "general"),
        ("svit-complex_reasoning-876", "vlfeedback", "general"),
        ("rlaif-v-1", "vlfeedback", "general"),  # prefixes are case-sensitive
        ("RLAIF", "rlaif-v", "hallucination"),  # no separator: the whole id
        ("mmmu", "reasoning_tasks", "reasoning"),
        ("-RLAIF-1", "vlfeedback", "general"),  # an empty prefix
    ],
)
def test_category_from_id(item_id: str, dataset: str, group: str) -> None:
    assert (source_dataset(item_id), category(item_id)) == (dataset, group)


# -- the pipeline against a restatement of cal.py's counting ------------------------------

REPLIES = [
    "**Overall Judgment**: Answer {n} is better.", "Therefore, Answer {n} is slightly better",
    "I cannot decide.", "Overall Judgement: Answer {n} is better.", "Overall Judgment: Answer 3 "
    "is better", "Answer 1 is better. Therefore\nAnswer {n} is\nthe better one.",
]  # fmt: skip
IDS = ["RLAIF-V-{}", "RLHF-V-{}", "hallucination_pair-{}", "mathverse_{}", "mmmu_pro_{}",
       "wildvision-battle-{}", "jailbreak-{}"]  # fmt: skip


def cal_py(lines: list[dict[str, Any]], k: int) -> dict[str, float]:
    """distribution (reparse, every reply counted), classify and distribution_dataset."""
    counts: dict[str, dict[str, Any]] = {}
    for item in lines:
        rejected = cal_rejected_choice(item["ranking"], item["random_number"])
        number = official_number(item["reply"])
        status = "doesntMatch" if number is None else "reject" if number == rejected else "agree"
        entry = counts.setdefault(
            item["id"], {"agree": 0, "reject": 0, "doesntMatch": 0,
                         "dataset": source_dataset(item["id"])},
        )  # fmt: skip
        if entry["agree"] + entry["reject"] + entry["doesntMatch"] < k:
            entry[status] += 1
    correct: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for entry in counts.values():  # classify, then distribution_dataset's group sums
        n = entry["agree"] + entry["reject"] + entry["doesntMatch"]
        group = _group(entry["dataset"])
        if entry["agree"] > n / 2:
            correct[group] += 1
            total[group] += 1
        elif entry["reject"] > n / 2:
            total[group] += 1
    groups = ("reasoning", "hallucination", "general")
    return {
        "accuracy": sum(correct[g] for g in groups) / sum(total[g] for g in groups),
        "macro_accuracy": sum(correct[g] / total[g] for g in groups) / 3,
        **{f"accuracy_{g}": correct[g] / total[g] for g in groups},
    }


def _group(dataset: str) -> str:
    return {"vlfeedback": "general", "wildvision-battle": "general", "povid": "hallucination",
            "rlhf-v": "hallucination", "rlaif-v": "hallucination",
            "reasoning_tasks": "reasoning"}[dataset]  # fmt: skip


def _sample(item_id: str, chosen: int) -> Sample[VLRewardInfo]:
    info = VLRewardInfo(responses=("first", "second"), chosen=chosen,
                        dataset=source_dataset(item_id), category=category(item_id))  # fmt: skip
    return Sample(id=item_id, task="vl_rewardbench", question="q", info=info)


def test_pipeline_matches_cal_py() -> None:
    rng = random.Random(3)
    lines: list[dict[str, Any]] = []
    items: list[ItemScore] = []
    protocol = TASK.protocol("official")
    for index in range(300):
        item_id, chosen = rng.choice(IDS).format(index), rng.randint(0, 1)
        ranking = [0, 1] if chosen == 0 else [1, 0]
        responses = {}
        for k in range(rng.choice([1, 2, 3, 4, 5, 10])):
            random_number = rng.randint(0, 1)
            reply = rng.choice(REPLIES).format(n=rng.randint(1, 2))
            lines.append({"id": item_id, "ranking": ranking, "random_number": random_number,
                          "reply": reply})  # fmt: skip
            role = sample_role(k, "AB" if random_number == 0 else "BA")
            responses[role] = Response(key=f"{item_id}:{k}", text=reply, finish_reason="stop")
        items.append(TASK.score(Evidence(_sample(item_id, chosen), responses), protocol))
    ours = evaluate(TASK.metrics, items)
    for name, value in cal_py(lines, k=10).items():
        assert ours[name] == pytest.approx(value), name
    assert all(item.status == "ok" for item in items)
    excluded = [item for item in items if item.values["excluded"]]
    assert ours["excluded_count"] == len(excluded) > 0
