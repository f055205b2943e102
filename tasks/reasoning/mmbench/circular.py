"""CircularEval as VLMEvalKit's mcq_circular_eval scores one question
(vlmeval/dataset/utils/multiple_choice.py @ e8e78f0: prefetch_circular_group, then
eval_circular_group and extract_answer_from_item).

1. Prefetch: the rule (`can_infer`) reads every rotation's reply. A rotation it reads as a
   wrong option (or 'Z') makes the question wrong at once; every rotation read right makes
   it right; otherwise
2. the unread rotations are matched in order: the judge's reply read by the same rule, else
   the official random pick among the options and 'Z' (fallback.py); the first rotation
   matched wrong ends the question (later rotations are never picked for).
Without a judge (VLMEvalKit's `exact_matching`), a question step 1 leaves open is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mmalign_eval import Reading, Record

from .items import Rotation
from .matching import NONE_OF_THEM, can_infer

Picker = Callable[[Sequence[str]], str]
RULE, JUDGE, RANDOM, UNREAD = "rule", "judge", "random", "unread"


class CircularReading(Record):
    """How a question was scored: per rotation the option read and how ('' where the
    question was decided before that rotation), whether the judge or the random pick
    was needed."""

    hit: bool
    letters: tuple[str, ...]
    how: tuple[str, ...]
    judged: bool = False
    fallback: bool = False


def prefetched(rotations: Sequence[Rotation], replies: Sequence[str]) -> list[str | None]:
    """The rule's reading of each rotation's reply."""
    return [can_infer(reply, r.options) for r, reply in zip(rotations, replies, strict=True)]


def prefetch_decision(rotations: Sequence[Rotation], found: Sequence[str | None]) -> bool | None:
    """Step 1: False at the first rotation read wrong, True when all are read right, else
    None (the judge is needed)."""
    for rotation, letter in zip(rotations, found, strict=True):
        if letter and letter != rotation.answer:
            return False
    return True if all(found) else None


def _decided(
    rotations: Sequence[Rotation], found: Sequence[str | None], hit: bool
) -> Reading[CircularReading]:
    """A question the rule settled: every rotation read right, or read up to the first one
    read wrong (the official prefetch stops there)."""
    shown = list(found)
    if not hit:
        first = next(i for i, f in enumerate(found) if f and f != rotations[i].answer)
        shown = [*found[: first + 1], *[None] * (len(found) - first - 1)]
    letters = tuple(f or "" for f in shown)
    how = tuple(RULE if f else "" for f in letters)
    return Reading(CircularReading(hit=hit, letters=letters, how=how))


def read_exact(rotations: Sequence[Rotation], replies: Sequence[str]) -> Reading[CircularReading]:
    """VLMEvalKit's exact_matching: the rule only; an open question is wrong."""
    found = prefetched(rotations, replies)
    decision = prefetch_decision(rotations, found)
    if decision is not None:
        return _decided(rotations, found, decision)
    letters = tuple(f or "" for f in found)
    how = tuple(RULE if f else UNREAD for f in found)
    reason = "the rule read no option in some rotations: scored wrong (exact matching)"
    return Reading(CircularReading(hit=False, letters=letters, how=how), reason)


def read_judged(
    rotations: Sequence[Rotation],
    replies: Sequence[str],
    judgements: Sequence[str | None],
    pick: Picker | None,
) -> Reading[CircularReading]:
    """Steps 1 and 2; `pick` is the official random pick (None: strict, such a rotation
    makes the question a failure)."""
    found = prefetched(rotations, replies)
    decision = prefetch_decision(rotations, found)
    if decision is not None:
        return _decided(rotations, found, decision)
    letters, how = [f or "" for f in found], [RULE if f else "" for f in found]
    reasons = []
    for k, rotation in enumerate(rotations):
        if found[k]:
            continue
        judged = judgements[k]
        letter = can_infer(judged, rotation.options) if judged is not None else None
        how[k] = JUDGE
        if letter is None:
            if pick is None:
                reason = f"rotation {k}: neither the rule nor the judge matched an option"
                return Reading(None, f"{reason} (the official script picks at random)")
            letter = pick([*rotation.options, NONE_OF_THEM])
            how[k] = RANDOM
            reasons.append(f"rotation {k}: no option matched, the official random pick is {letter}")
        letters[k] = letter
        if letter != rotation.answer:
            return _judged_reading(False, letters[: k + 1], how[: k + 1], len(rotations), reasons)
    return _judged_reading(True, letters, how, len(rotations), reasons)


def _judged_reading(
    hit: bool, letters: list[str], how: list[str], size: int, reasons: list[str]
) -> Reading[CircularReading]:
    pad = ("",) * (size - len(letters))
    reading = CircularReading(
        hit=hit, letters=(*letters, *pad), how=(*how, *pad), judged=True, fallback=bool(reasons)
    )
    return Reading(reading, "; ".join(reasons) or None)


def read_ranked(
    rotations: Sequence[Rotation], best: Sequence[str | None]
) -> Reading[CircularReading]:
    """Circular log-likelihood: each rotation's most likely option must be its answer."""
    if any(b is None for b in best):
        return Reading(None, "no option log-likelihoods")
    letters = tuple(str(b) for b in best)
    hit = all(b == r.answer for b, r in zip(letters, rotations, strict=True))
    return Reading(CircularReading(hit=hit, letters=letters, how=("likelihood",) * len(letters)))
