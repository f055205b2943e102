"""VL-RewardBench's official reading and counting (vl-rewardbench/VL_RewardBench @ 9b10abd:
`inference_hf.py` writes one reply per sampled order, `cal.py` counts them), restated.

- A reply is read with every newline and asterisk deleted, case-insensitively: after the
  first "Overall Judgment" or "Therefore", the last "Answer <digits> is [the] [slightly]
  better" names the preferred answer. "Overall Judgement" (with an e) is no cue.
- The reply *rejects* when the number is the rejected response's position in the order
  shown, and *agrees* otherwise: "Answer 3 is better" agrees (only 1 or 2 are positions).
- An item's class is the strict majority (more than half of its replies) of agree, reject
  or unparsed, else "other"; with 10 replies, 5 against 5 is "other". Replies without a
  verdict do not block a majority (`filter_out_doesntMatch`'s result is never used).
- Categories come from the id's prefix (`get_dataset_from_id`, with the 2025-05 "povid"
  fix: before it the 448 `hallucination_` items counted as general).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

Order = Literal["AB", "BA"]  # AB: the dataset's response order (Answer 1 = response[0])
Outcome = Literal["agree", "reject", "unparsed"]
ItemClass = Literal["agree", "reject", "unparsed", "other"]
Category = Literal["general", "hallucination", "reasoning"]
CATEGORIES: tuple[Category, ...] = ("general", "hallucination", "reasoning")
_MAJORITIES: tuple[Outcome, ...] = ("agree", "reject", "unparsed")

# A cue, then (greedy, so the rightmost one) "Answer N is [the] [slightly] better". The
# official pattern's `\s*.*\s*-*\s*` between them matches exactly what `.*` does.
_VERDICT = re.compile(
    r"(?:overall judgment|therefore).*answer\s*(\d+)\s*is\s*(?:the\s*)?(?:slightly\s*)?better",
    re.IGNORECASE,
)

# cal.py's id prefix -> its source dataset; any other prefix is vlfeedback.
_PREFIX_DATASETS = {
    "RLAIF": "rlaif-v",
    "RLHF": "rlhf-v",
    "mathverse": "reasoning_tasks",
    "mmmu": "reasoning_tasks",
    "wildvision": "wildvision-battle",
    "hallucination": "povid",
}
DEFAULT_DATASET = "vlfeedback"
# distribution_dataset's group_mapping.
DATASET_CATEGORIES: dict[str, Category] = {
    "vlfeedback": "general",
    "wildvision-battle": "general",
    "povid": "hallucination",
    "rlhf-v": "hallucination",
    "rlaif-v": "hallucination",
    "reasoning_tasks": "reasoning",
}


def answer_number(reply: str) -> int | None:
    """The answer number the official pattern reads from a reply, or None."""
    match = _VERDICT.search(reply.replace("\n", "").replace("*", ""))
    return int(match.group(1)) if match else None


def shown(order: Order) -> tuple[int, int]:
    """The dataset indices of Answer 1 and Answer 2 in an order."""
    return (0, 1) if order == "AB" else (1, 0)


def rejected_position(chosen: int, order: Order) -> int:
    """The 1-based position (Answer 1 or 2) of the rejected response in the order shown."""
    return shown(order).index(1 - chosen) + 1


def outcome(number: int | None, chosen: int, order: Order) -> Outcome:
    """One reply's status as cal.py sets flag_status: any number but the rejected
    response's position agrees."""
    if number is None:
        return "unparsed"
    return "reject" if number == rejected_position(chosen, order) else "agree"


def classify(outcomes: Sequence[Outcome]) -> ItemClass:
    """cal.py's classify: the class held by more than half of the replies, else "other"."""
    total = len(outcomes)
    for name in _MAJORITIES:
        if outcomes.count(name) > total / 2:
            return name
    return "other"


def id_prefix(item_id: str) -> str:
    """The id up to its first '_' or '-' (the whole id when it has neither)."""
    cuts = [i for i in (item_id.find("_"), item_id.find("-")) if i != -1]
    return item_id[: min(cuts)] if cuts else item_id


def source_dataset(item_id: str) -> str:
    """The source dataset cal.py assigns an id to (case-sensitive prefixes)."""
    return _PREFIX_DATASETS.get(id_prefix(item_id), DEFAULT_DATASET)


def category(item_id: str) -> Category:
    """General, hallucination or reasoning, as cal.py groups an id's source dataset."""
    return DATASET_CATEGORIES[source_dataset(item_id)]
