"""VL-RewardBench's protocols: `official` (cal.py's majority of K sampled judgements, items
without an agree or reject majority left out and counted), `strict` (an item whose replies
mostly hold no verdict is a counted failure) and `scalar` (a reward model's rewards)."""

from __future__ import annotations

import math
from typing import Any

from mmalign_eval import Evidence, Protocol, Reading, Record, Sample

from .data import VLRewardInfo
from .metrics import item_values
from .official import ItemClass, Order, Outcome, answer_number, classify, outcome
from .plan import CHOSEN, REJECTED, parse_role

OFFICIAL_SAMPLES = 10  # inference_hf.py --k 10, as the README runs it
EXCLUDED = "left out of both sides and counted, as cal.py does"


class Majority(Record):
    """The replies' verdicts (in sample order) and the class they give the item."""

    decided: ItemClass
    orders: tuple[str, ...]
    answers: tuple[int | None, ...]  # the answer number each reply names (None: no verdict)
    outcomes: tuple[Outcome, ...]


class RewardPair(Record):
    """A reward model's rewards of the human-preferred and the other response."""

    chosen: float
    rejected: float

    @property
    def correct(self) -> bool:
        """Whether the preferred response has the higher reward (a tie is wrong)."""
        return self.chosen > self.rejected


def sampled_replies(evidence: Evidence[VLRewardInfo]) -> list[tuple[int, Order, str]]:
    """(index, order, text) of every sampled reply, in sample order."""
    found = []
    for role, response in evidence.responses.items():
        parsed = parse_role(role)
        if parsed is not None:
            found.append((*parsed, response.text))
    return sorted(found)


def majority(evidence: Evidence[VLRewardInfo], positions_only: bool) -> Majority | None:
    """The item's verdicts and class; `positions_only`: a number other than 1 or 2 counts as
    no verdict (officially it agrees). None when there are no sampled replies."""
    replies = sampled_replies(evidence)
    if not replies:
        return None
    chosen = evidence.sample.info.chosen
    answers = [answer_number(text) for _, _, text in replies]
    if positions_only:
        answers = [a if a in (1, 2) else None for a in answers]
    outcomes = tuple(outcome(a, chosen, o) for a, (_, o, _) in zip(answers, replies, strict=True))
    return Majority(
        decided=classify(outcomes), orders=tuple(o for _, o, _ in replies),
        answers=tuple(answers), outcomes=outcomes,
    )  # fmt: skip


def read_official(evidence: Evidence[VLRewardInfo]) -> Reading[Majority]:
    """cal.py: the majority class; an unparsed or split majority is kept, to be excluded."""
    found = majority(evidence, positions_only=False)
    if found is None:
        return Reading(None, "no sampled judgement for this item")
    if found.decided in ("unparsed", "other"):
        what = "most replies hold no verdict" if found.decided == "unparsed" else "no majority"
        return Reading(found, f"{what}: {EXCLUDED}")
    return Reading(found)


def read_strict(evidence: Evidence[VLRewardInfo]) -> Reading[Majority]:
    """As official, but only Answer 1 or 2 is a verdict and an unparsed majority fails."""
    found = majority(evidence, positions_only=True)
    if found is None:
        return Reading(None, "no sampled judgement for this item")
    if found.decided == "unparsed":
        unread = found.outcomes.count("unparsed")
        return Reading(None, f"{unread} of {len(found.outcomes)} replies name neither answer")
    if found.decided == "other":
        return Reading(found, f"no majority: {EXCLUDED}")
    return Reading(found)


def majority_values(sample: Sample[VLRewardInfo], value: Majority) -> dict[str, float]:
    """The item's columns from its majority class."""
    unparsed = value.outcomes.count("unparsed")
    return item_values(sample.info.category, value.decided, len(value.outcomes), unparsed)


def read_rewards(evidence: Evidence[VLRewardInfo]) -> Reading[RewardPair]:
    """The two rewards; a missing or non-finite reward is no reading."""
    chosen, rejected = evidence.answer(CHOSEN).reward, evidence.answer(REJECTED).reward
    if chosen is None or rejected is None:
        return Reading(None, "a reward call returned no reward")
    if not (math.isfinite(chosen) and math.isfinite(rejected)):
        return Reading(None, f"a reward is not a finite number ({chosen}, {rejected})")
    return Reading(RewardPair(chosen=chosen, rejected=rejected))


def reward_values(sample: Sample[VLRewardInfo], value: RewardPair) -> dict[str, float]:
    """Correct when the preferred response's reward is strictly higher."""
    return item_values(sample.info.category, "agree" if value.correct else "reject")


PROTOCOLS: tuple[Protocol[VLRewardInfo, Any], ...] = (
    Protocol(
        "official",
        f"inference_hf.py and cal.py: {OFFICIAL_SAMPLES} sampled judgements per item, each "
        "with its own order of the two responses; 'Answer N is better' after 'Overall "
        "Judgment' or 'Therefore' agrees unless N is the rejected response's position; the "
        "majority (more than half) decides; items whose majority is unparsed or none are "
        "left out of both sides and counted (excluded_count)",
        read_official, reads="evidence", official=True, default=True,
        score=majority_values, samples=OFFICIAL_SAMPLES,
    ),
    Protocol(
        "strict",
        "as official, but only Answer 1 or 2 is a verdict, and an item whose replies mostly "
        "hold none is an unparseable failure, counted against the failure rate",
        read_strict, reads="evidence", score=majority_values, samples=OFFICIAL_SAMPLES,
    ),
    Protocol(
        "scalar",
        "a scalar reward model's reward of each response (the image and query, then the "
        "response); right when the human-preferred response scores strictly higher",
        read_rewards, reads="evidence", score=reward_values, asks="reward",
    ),
)  # fmt: skip
