"""The generative protocols' verdict rule against R1-Reward's (yfzhang114/r1_reward @ 3693413,
inference/MM-RLHF-Reward/r1_reward.py, restated), and how each protocol scores it."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import ANSWER, Evidence, Response, Sample
from mmalign_eval.registry import build_registry
from mmalign_eval_tasks.reward.mm_rlhf_rewardbench.rows import PairInfo
from mmalign_eval_tasks.reward.mm_rlhf_rewardbench.verdict import read_verdict

TASK = build_registry().tasks["mm_rlhf_rewardbench"]


def r1_reward_rewards(critic: str) -> list[int]:
    """The script's rewards for a reply: [1, 0] (chosen wins) or [0, 1]."""
    try:
        tagged = re.search(r"<answer>(.*?)</answer>", critic, re.DOTALL)
        if tagged:
            answer: str | None = tagged.group(1).strip()
        else:
            last = re.search(r"[12](?!.*[12])", critic)
            answer = last.group(0) if last else None
        return [1, 0] if answer is not None and float(answer) == 1 else [0, 1]
    except ValueError:
        return [0, 1]


# (reply, choice, verdict text): one row per rule of the script.
REPLIES = [
    ("<think>close call</think><answer>1</answer>", 1, "1"),
    ("<answer> 2 </answer>", 2, "2"),
    ("<answer>\n1\n</answer>", 1, "1"),  # the tag spans lines (DOTALL)
    ("<answer>1.0</answer>", 1, "1.0"),  # float() reads it
    ("<answer>+1</answer>", 1, "+1"),
    ("<answer>1</answer> then <answer>2</answer>", 1, "1"),  # the first tag wins
    ("<think>2 is long</think><answer>1</answer>", 1, "1"),  # digits outside the tag ignored
    ("<answer>Response 1</answer>", None, "Response 1"),  # float() fails: wrong, no fallback
    ("<answer>3</answer>", None, "3"),  # a number, but not 1: wrong
    ("<answer>1/2</answer>", None, "1/2"),
    ("<ANSWER>2</ANSWER>", 2, "2"),  # tags are case-sensitive: the digit fallback reads it
    ("Response 2 is better than response 1", 1, "1"),  # the last 1 or 2 on the line
    ("12", 2, "2"),
    ("I pick 2\nbecause 1 is vague", 2, "2"),  # no DOTALL: the first line that has one
    ("<answer>1", 1, "1"),  # an unclosed tag is no tag
    ("no digits at all", None, None),
    ("", None, None),
]


@pytest.mark.parametrize(("reply", "choice", "text"), REPLIES)
def test_rule_matches_r1_reward(reply: str, choice: int | None, text: str | None) -> None:
    verdict = read_verdict(reply)
    assert (verdict.choice, verdict.text) == (choice, text)
    assert r1_reward_rewards(reply) == ([1, 0] if choice == 1 else [0, 1])


Scored = tuple[str, float | None, float | None]


def _score(reply: str, protocol: str) -> Scored:
    info = PairInfo(group="g", index=0, group_size=1, chosen="c", rejected="r", image="mcq/x")
    sample = Sample(id="g:0", task=TASK.name, question="q", cluster="g", info=info)
    response = Response(key="k", text=reply, finish_reason="stop")
    item = TASK.score(Evidence(sample, {ANSWER: response}), TASK.protocol(protocol))
    return item.status, item.values.get("correct"), item.values.get("unread")


@pytest.mark.parametrize(
    ("reply", "generative", "strict"),
    [
        ("<answer>1</answer>", ("ok", 1.0, 0.0), ("ok", 1.0, 0.0)),
        ("<answer>2</answer>", ("ok", 0.0, 0.0), ("ok", 0.0, 0.0)),
        # Naming neither: R1-Reward scores it wrong (counted); strict makes it a failure.
        ("<answer>3</answer>", ("ok", 0.0, 1.0), ("unparseable", None, None)),
        ("nothing", ("ok", 0.0, 1.0), ("unparseable", None, None)),
    ],
)
def test_protocols_score_verdicts(reply: str, generative: Scored, strict: Scored) -> None:
    assert _score(reply, "generative") == generative
    assert _score(reply, "generative_strict") == strict


def test_r1_reward_output_scores_alike_under_both_protocols(kit: Any, tmp_path: Path) -> None:
    bench, lines = kit.synthetic(12, seed=0)
    rng = random.Random(5)
    for line in lines:  # R1-Reward writes its reply as `critic` and [1, 0] / [0, 1] rewards
        line["critic"] = rng.choice(REPLIES)[0]
        line["rewards"] = r1_reward_rewards(line["critic"])
    path = kit.write(tmp_path / "r1_reward.jsonl", lines)
    expected = kit.official_report(lines)
    scalar = kit.metrics(kit.score(bench, path))
    judged = kit.metrics(kit.score(bench, path, "generative"))
    for name in ("accuracy", "acc_plus"):
        assert scalar[name] == pytest.approx(expected[name])
        assert judged[name] == pytest.approx(expected[name])
    unread = sum(read_verdict(line["critic"]).choice is None for line in lines)
    assert judged["unparsed_rate"] == pytest.approx(unread / len(lines)) and unread > 0
    assert judged["tie_rate"] == 0.0
