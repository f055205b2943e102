"""The protocols: `scalar` (the official script on a reward model's two rewards) and the
pairwise judge of R1-Reward's evaluation of this benchmark (`generative`, and
`generative_strict` where an unread verdict is a failure instead of a wrong pair)."""

from __future__ import annotations

import math
from pathlib import Path

from mmalign_eval import Component, Evidence, Fallback, Protocol, Reading, load_template
from mmalign_eval.hashing import sha256_text

from .metrics import PairOutcome
from .rows import PairInfo
from .verdict import read_verdict

CHOSEN, REJECTED = "chosen", "rejected"  # the reward calls' roles, in plan order
SCALAR, GENERATIVE = "scalar", "generative"
TEMPLATE = load_template(Path(__file__).with_name("pairwise_v1.txt"), "pairwise", "1")
PROMPT_COMPONENT = Component(
    kind="pairwise prompt", name="mm_rlhf_rewardbench/pairwise_v1.txt", version="1",
    sha256=TEMPLATE.sha256,
)  # fmt: skip
PARSER_RULE = (
    "first <answer>(.*?)</answer> (DOTALL), stripped; else the last [12] of the first line "
    "holding one; Response 1 iff float(verdict) == 1, Response 2 iff == 2"
)
PARSER_COMPONENT = Component(
    kind="verdict parser", name="r1_reward answer tag", version="1",
    sha256=sha256_text(PARSER_RULE),
)  # fmt: skip
UNREAD = Fallback(
    PairOutcome(correct=False, unread=True),
    "scored wrong, as R1-Reward's script scores a reply it cannot read (unparsed_rate)",
)


def read_rewards(evidence: Evidence[PairInfo]) -> Reading[PairOutcome]:
    """The official rule: right when the chosen reward is strictly greater."""
    chosen, rejected = evidence.answer(CHOSEN).reward, evidence.answer(REJECTED).reward
    if chosen is None or rejected is None:
        return Reading(None, "a reward call returned no reward")
    outcome = PairOutcome(
        correct=chosen > rejected, tie=chosen == rejected, rewards=(chosen, rejected)
    )
    if math.isnan(chosen) or math.isnan(rejected):
        return Reading(outcome, "a NaN reward: the official `>` is false, so the pair is wrong")
    if outcome.tie:
        return Reading(outcome, "equal rewards: the official strict `>` scores a tie wrong")
    return Reading(outcome)


def read_judgement(reply: str) -> Reading[PairOutcome]:
    """R1-Reward's reading of the judge's reply; Response 1 is always the chosen one."""
    verdict = read_verdict(reply)
    if verdict.choice is None:
        found = "no verdict" if verdict.text is None else f"verdict {verdict.text[:40]!r}"
        return Reading(None, f"{found}: neither 1 nor 2")
    return Reading(PairOutcome(correct=verdict.choice == 1, verdict=verdict.text))


PROTOCOLS: tuple[Protocol[PairInfo, PairOutcome], ...] = (
    Protocol(
        SCALAR,
        "cal_performance_mmreweard_bench.py: a scalar reward model scores the conversation "
        "(image, prompt; response) for the chosen and the rejected response; a pair is right "
        "when rewards[0] > rewards[1] (ties and NaN wrong); ACC over pairs, ACC+ over "
        "prompts (lines sharing an id), both per path keyword",
        read_rewards, reads="evidence", asks="reward", official=True, default=True,
    ),
    Protocol(
        GENERATIVE,
        "R1-Reward's pairwise evaluation of this benchmark (yfzhang114/r1_reward): the model "
        "sees the image, the prompt, the chosen response as Response 1 and the rejected as "
        "Response 2 (one order only) and names the better one in <answer></answer>; a reply "
        "naming neither is scored wrong, as that script does, and counted in unparsed_rate",
        read_judgement, fallback=UNREAD, components=(PROMPT_COMPONENT, PARSER_COMPONENT),
    ),
    Protocol(
        f"{GENERATIVE}_strict",
        "as generative, but a reply naming neither response is an unparseable failure, left "
        "out of every metric",
        read_judgement, components=(PROMPT_COMPONENT, PARSER_COMPONENT),
    ),
)  # fmt: skip
