"""MMMU protocols: the official seeded fallback (same seed, same call order, recorded),
strict failures, the likelihood protocol and its open questions, and the request plans."""

from __future__ import annotations

import random

import pytest

from mmalign_eval import (
    ChoiceScore,
    Evidence,
    GenerationParams,
    Response,
    Sample,
    TaskSpec,
    UsageError,
)
from mmalign_eval.contracts import ItemScore, unread_media
from mmalign_eval.toolkit.choice import Picked
from mmalign_eval_tasks.reasoning.mmmu.fallback import SeededDraws
from mmalign_eval_tasks.reasoning.mmmu.items import MMMUInfo
from mmalign_eval_tasks.reasoning.mmmu.prompt import official_prompt
from mmalign_eval_tasks.reasoning.mmmu.subjects import subject_of
from mmalign_eval_tasks.reasoning.mmmu.task import mmmu_val


def _sample(item_id: str, letters: str = "ABCD", answer: str = "A") -> Sample[MMMUInfo]:
    options = {letter: f"option {letter.lower()}" for letter in letters} if letters else None
    info = MMMUInfo(
        subject=subject_of(item_id),
        question_type="multiple-choice" if letters else "open",
        options=options,
        answer=answer,
    )
    question = official_prompt(f"question {item_id}", options)
    return Sample(id=item_id, task="mmmu_val", question=question, target=answer, info=info)


def _score(
    task: TaskSpec[MMMUInfo], sample: Sample[MMMUInfo], text: str, protocol: str = "official"
) -> ItemScore:
    response = Response(key=sample.id, text=text, finish_reason="stop")
    return task.score(Evidence(sample, {"answer": response}), task.protocol(protocol))


def test_the_official_stream_is_random_seed_42() -> None:
    # Pinned: the first draws of `random.seed(42); random.choice(all_choices)`.
    draws = SeededDraws()
    assert [draws.choice("ABCD") for _ in range(6)] == ["A", "A", "C", "B", "B", "B"]
    draws = SeededDraws()
    # The number of options changes how much of the stream a draw uses.
    assert [draws.choice("ABCDE"[:n]) for n in (2, 3, 4, 5, 2, 5)] == list("AACBAB")


def test_fallbacks_replay_the_official_order_and_are_recorded() -> None:
    task = mmmu_val()
    samples = [
        _sample("validation_Accounting_1", "AB"),
        _sample("validation_Accounting_2", "ABCDE"),
        _sample("validation_Art_1", "ABC"),
        _sample("validation_Art_2", ""),  # open: never draws
        _sample("validation_Math_1", "ABCD"),
    ]
    replies = ["no idea", "(C)", "???", "nothing", "no idea either"]
    items = [_score(task, s, r) for s, r in zip(samples, replies, strict=True)]
    reference = random.Random(42)
    # Only the replies naming no option draw, in order, each over its own letters.
    expected = {0: reference.choice(["A", "B"]), 2: reference.choice(["A", "B", "C"])}
    expected[4] = reference.choice(["A", "B", "C", "D"])
    for index, item in enumerate(items):
        assert item.status == "ok"
        if index in expected:
            assert item.values["fallback"] == 1.0
            assert item.parsed == {"letter": expected[index], "fallback": "random.choice"}
            assert item.reason is not None and "random.choice (seed 42)" in item.reason
        else:
            assert item.values["fallback"] == 0.0
    assert items[1].parsed == {"letter": "C", "fallback": None}


def test_scoring_again_starts_a_fresh_stream() -> None:
    task = mmmu_val()
    samples = [_sample(f"validation_Math_{i}") for i in range(1, 9)]
    first = [_score(task, s, "unsure").parsed for s in samples]
    again = [_score(task, s, "unsure").parsed for s in samples]
    assert first == again
    reference = random.Random(42)
    assert [p["letter"] for p in first] == [reference.choice("ABCD") for _ in samples]  # type: ignore[index,call-overload]


def test_strict_makes_unread_replies_failures() -> None:
    task = mmmu_val()
    sample = _sample("validation_Math_1")
    item = _score(task, sample, "I cannot tell", "strict")
    assert item.status == "unparseable"
    assert item.reason is not None and "no '(X)'" in item.reason
    assert _score(task, sample, "(A)", "strict").values["correct"] == 1.0
    # Open questions have no fallback: a reply is always read (and maybe wrong).
    assert _score(task, _sample("validation_Math_2", "", "12"), "", "strict").status == "ok"


def test_answer_file_items_are_compared_as_given() -> None:
    # main_eval_only.py: no options, no parsing, the value must equal the gold letter.
    task = mmmu_val()
    info = MMMUInfo(subject="Math", question_type="multiple-choice", options=None, answer="B")
    sample = Sample(id="validation_Math_1", task="mmmu_val", question="", target="B", info=info)
    assert _score(task, sample, "B").values["correct"] == 1.0
    assert _score(task, sample, "(B)").values["correct"] == 0.0
    assert _score(task, sample, "").values["fallback"] == 0.0
    with pytest.raises(UsageError, match="options"):
        task.plan(sample, GenerationParams(), task.protocol("likelihood"))


def test_likelihood_ranks_choices_and_generates_open_questions() -> None:
    task = mmmu_val()
    likelihood = task.protocol("likelihood")
    choice, open_question = (
        _sample("validation_Math_1", "ABC", "B"),
        _sample("validation_Math_2", "", "12"),
    )
    (ranked,) = task.plan(choice, task.generation, likelihood)
    assert ranked.kind == "loglikelihood" and ranked.options == ("A", "B", "C")
    (generated,) = task.plan(open_question, task.generation, likelihood)
    assert generated.kind == "generate"
    logprobs = {"A": -3.0, "B": -1.0, "C": -2.0}
    scores = tuple(ChoiceScore(option=o, logprob=lp, num_tokens=1) for o, lp in logprobs.items())
    response = Response(key="k", text="B", finish_reason="stop", choices=scores)
    item = task.score(Evidence(choice, {"answer": response}), likelihood)
    assert item.values["correct"] == 1.0 and item.values["fallback"] == 0.0
    assert _score(task, open_question, "The answer is 12", "likelihood").values["correct"] == 1.0
    # A saved reply has no option scores: a counted failure, never a guess.
    assert _score(task, choice, "B", "likelihood").status == "unparseable"


def test_plans_send_the_official_prompt_with_the_images() -> None:
    task = mmmu_val()
    images = (unread_media("x/image_1"), unread_media("x/image_2"))
    sample = _sample("validation_Math_1", "AB").model_copy(update={"media": images})
    (call,) = task.plan(sample, task.generation, task.protocol(None))
    (message,) = call.request.messages
    assert call.kind == "generate"
    parts = [getattr(p, "media", None) or getattr(p, "text", None) for p in message.content]
    assert parts == [*images, sample.question]  # the images first, in order, then the text
    assert task.render_prompt(sample) == sample.question


def test_values_count_the_subject() -> None:
    task = mmmu_val()
    item = _score(task, _sample("validation_Art_Theory_3", "AB", "B"), "(B)")
    assert item.values == {
        "n": 1.0, "correct": 1.0, "fallback": 0.0, "n:Art_Theory": 1.0, "correct:Art_Theory": 1.0,
    }  # fmt: skip
    assert isinstance(task.score_values(_sample("validation_Art_1"), Picked(letter="A")), dict)
