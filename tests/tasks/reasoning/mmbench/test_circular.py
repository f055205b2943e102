"""CircularEval as VLMEvalKit's mcq_circular_eval (multiple_choice.py @ e8e78f0) scores
questions: prefetch, judge in order, the seeded random pick, strict, exact, single."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from mmalign_eval import DataRequest, Evidence, Response, Sample
from mmalign_eval.judges.records import Verdict
from mmalign_eval_tasks.reasoning.mmbench.circular import read_exact, read_judged
from mmalign_eval_tasks.reasoning.mmbench.fallback import OFFICIAL_SEED, OfficialDraws
from mmalign_eval_tasks.reasoning.mmbench.items import MMBenchInfo, Rotation, shifted
from mmalign_eval_tasks.reasoning.mmbench.matching import can_infer
from mmalign_eval_tasks.reasoning.mmbench.task import mmbench_en_dev

ORIGINAL = Rotation(index=7, options={"A": "cat", "B": "dog", "C": "bird"}, answer="B")
ROTATIONS = [shifted(ORIGINAL, k) for k in range(3)]  # answers B, A, C


def test_rotations_shift_left() -> None:
    assert [r.answer for r in ROTATIONS] == ["B", "A", "C"]
    assert ROTATIONS[1].options == {"A": "dog", "B": "bird", "C": "cat"}
    assert [r.index for r in ROTATIONS] == [7, 1_000_007, 2_000_007]
    assert all(r.options[r.answer] == "dog" for r in ROTATIONS)


def _never(letters: Sequence[str]) -> str:
    raise AssertionError("no random pick expected")


CASES = [
    # (replies, judge replies, hit, letters, how)
    (["B", "A", "C"], [None] * 3, True, ("B", "A", "C"), ("rule",) * 3),
    (["B", "dog", "The answer is C"], [None] * 3, True, ("B", "A", "C"), ("rule",) * 3),
    # A rotation read wrong decides at once, even when an earlier one is unread.
    (["hmm", "B", "C"], ["B", None, None], False, ("", "B", ""), ("", "rule", "")),
    # The judge reads the unread rotations, in order; the first wrong one ends it.
    (["hmm", "A", "hmm"], ["The answer is B", None, "C"], True, ("B", "A", "C"),
     ("judge", "rule", "judge")),
    (["hmm", "A", "hmm"], ["Z", None, "C"], False, ("Z", "", ""), ("judge", "", "")),
    (["hmm", "A", "hmm"], ["dog", None, "A"], False, ("B", "A", "A"), ("judge", "rule", "judge")),
]  # fmt: skip


@pytest.mark.parametrize(("replies", "judged", "hit", "letters", "how"), CASES)
def test_judged_reading(
    replies: list[str],
    judged: list[str | None],
    hit: bool,
    letters: tuple[str, ...],
    how: tuple[str, ...],
) -> None:
    reading = read_judged(ROTATIONS, replies, judged, _never)
    assert reading.value is not None
    assert (reading.value.hit, reading.value.letters, reading.value.how) == (hit, letters, how)
    assert not reading.value.fallback


def test_random_pick_only_where_reached() -> None:
    picks: list[list[str]] = []

    def pick(letters: Sequence[str]) -> str:
        picks.append(list(letters))
        return "A"

    replies, judged = ["hmm", "hmm", "hmm"], ["no idea", "no idea", "no idea"]
    reading = read_judged(ROTATIONS, replies, judged, pick)
    # Rotation 0 (answer B) gets the pick 'A' and is wrong: rotations 1 and 2 are never picked for.
    assert picks == [["A", "B", "C", "Z"]]
    assert reading.value is not None and not reading.value.hit and reading.value.fallback
    assert reading.value.how == ("random", "", "") and "random pick is A" in str(reading.reason)
    strict = read_judged(ROTATIONS, replies, judged, None)
    assert strict.value is None and "at random" in str(strict.reason)


def test_exact_matching() -> None:
    decided = read_exact(ROTATIONS, ["B", "A", "C"]).value
    assert decided is not None and decided.hit
    open_question = read_exact(ROTATIONS, ["B", "hmm", "C"])
    assert open_question.value is not None and not open_question.value.hit
    assert open_question.value.how == ("rule", "unread", "rule") and open_question.reason
    assert read_exact(ROTATIONS, ["hmm", "C", "C"]).reason is None  # decided by the rule


def test_draws_restart_per_pass() -> None:
    draws = OfficialDraws()
    reference = random.Random(OFFICIAL_SEED)
    draws.visit(1)
    first = [draws.choice("ABCZ") for _ in range(3)]
    assert first == [reference.choice("ABCZ") for _ in range(3)]
    draws.visit(5)
    draws.visit(1)  # read again: a new pass
    assert [draws.choice("ABCZ") for _ in range(3)] == first
    draws.visit(9)
    draws.visit(4)  # an earlier question: a new pass too
    assert draws.choice("ABCZ") == first[0]


# -- the official order of random picks over a whole dataset -------------------------------

TASK = mmbench_en_dev()
SIZE = 40


def _official(groups: list[tuple[list[Rotation], list[str], list[str | None]]]) -> list[int]:
    """mcq_circular_eval restated with nproc=1: random.seed(2680), prefetch every question,
    then the open ones in index order, rotation by rotation, the judge's reply read by the
    rule else random.choice(options + ['Z']), stopping at the first wrong rotation."""
    random.seed(OFFICIAL_SEED)
    hits = []
    for rotations, replies, judged in groups:
        found = [can_infer(r, rot.options) for r, rot in zip(replies, rotations, strict=True)]
        wrong = any(f and f != rot.answer for f, rot in zip(found, rotations, strict=True))
        if wrong or all(found):
            hits.append(int(not wrong))
            continue
        hit = 1
        for k, rotation in enumerate(rotations):
            if found[k]:
                continue
            opt = can_infer(judged[k], rotation.options) if judged[k] is not None else None
            opt = opt or random.choice([*rotation.options, "Z"])
            if opt != rotation.answer:
                hit = 0
                break
        hits.append(hit)
    return hits


def _evidence(
    sample: Sample[MMBenchInfo], replies: list[str], judged: list[str | None]
) -> Evidence[MMBenchInfo]:
    responses = {
        f"circular-{k}": Response(key=f"{sample.id}-{k}", text=r, finish_reason="stop")
        for k, r in enumerate(replies)
    }
    verdicts = {f"circular-{k}": Verdict("ok", value=j or "") for k, j in enumerate(judged)}
    return Evidence(sample, responses, verdicts)


Data = list[tuple[Sample[MMBenchInfo], list[Rotation], list[str], list[str | None]]]


def _dataset(tmp_path: Path, seed: int) -> Data:
    samples = TASK.loader(DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(tmp_path))).samples
    rng = random.Random(seed)
    choices = ["hmm", "no idea", "A", "B", "C", "D", "Z"]
    out = []
    for sample in samples:
        rotations = list(sample.info.rotations)
        right = [r.answer for r in rotations]
        replies = [rng.choice([*choices, a, a, a, a]) for a in right]
        judged = [rng.choice(["unclear", "", a, a, "Z"]) for a in right]
        out.append((sample, rotations, replies, judged))
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_official_protocol_replays_the_official_random_order(tmp_path: Path, seed: int) -> None:
    data = _dataset(tmp_path, seed)
    expected = _official([(rot, rep, jud) for _, rot, rep, jud in data])
    protocol = TASK.protocol("official")
    for _ in range(2):  # a second scoring pass starts the stream afresh
        items = [TASK.score(_evidence(s, rep, jud), protocol) for s, _, rep, jud in data]
        assert [int(i.values["correct"]) for i in items] == expected
    fallbacks = sum(i.values["fallback"] for i in items)
    assert fallbacks > 0 and 0 < sum(expected) < SIZE  # the picks and both outcomes happen
    strict = [
        TASK.score(_evidence(s, rep, jud), TASK.protocol("strict")) for s, _, rep, jud in data
    ]
    assert sum(i.status == "unparseable" for i in strict) == fallbacks


def test_likelihood_protocol_is_circular(tmp_path: Path) -> None:
    from mmalign_eval.contracts import ChoiceScore

    sample = TASK.loader(DataRequest(source="synthetic:3", cache_dir=str(tmp_path))).samples[2]
    protocol = TASK.protocol("likelihood")
    calls = TASK.plan(sample, TASK.generation, protocol)
    rotations = sample.info.rotations
    assert [c.kind for c in calls] == ["loglikelihood"] * len(rotations) == ["loglikelihood"] * 4
    assert [c.options for c in calls] == [tuple(r.options) for r in rotations]

    def scored(best: list[str]) -> float:
        responses = {
            f"circular-{k}": Response(
                key=str(k), text="", finish_reason="stop",
                choices=tuple(ChoiceScore(option=o, logprob=0.0 if o == b else -1.0, num_tokens=1)
                              for o in rotations[k].options),
            )
            for k, b in enumerate(best)
        }  # fmt: skip
        return float(TASK.score(Evidence(sample, responses), protocol).values["correct"])

    right = [r.answer for r in rotations]
    assert scored(right) == 1.0
    assert scored(["A"] * 4) == 0.0  # the same letter each time is right only once
