"""The model stage: every planned call answered once, through the journal, by kind."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from rich.console import Console

from mmalign_eval.contracts import (
    ChoiceScore,
    GenerationParams,
    MediaRef,
    Request,
    Response,
    TextPart,
    missing_media,
)
from mmalign_eval.engines.base import EngineInfo
from mmalign_eval.generation import RewardEngine, answer_all
from mmalign_eval.journal import Journal
from mmalign_eval.media import MediaError
from mmalign_eval.plans import ModelCall, generate, rank_options, reward, sampled, user_request

NS = "fake-model"
IMAGE = MediaRef(sha256="ab" * 32, source="a.png")
# The fake model's log-likelihood of each option (unknown options are very unlikely).
LOGPROBS = {"yes": -0.5, "no": -1.5, "maybe": -3.0, "A": -2.0, "B": -0.1}


def _text(request: Request) -> str:
    return "".join(
        part.text for m in request.messages for part in m.content if isinstance(part, TextPart)
    )


def _unreadable(request: Request) -> bool:
    return any(media.state == "missing" for media in request.media())


class FakeEngine:
    """A minimal in-memory Engine: answers echo the prompt, options score from LOGPROBS."""

    def __init__(self, batch_size: int = 2) -> None:
        self._info = EngineInfo(
            engine="fake",
            model="fake",
            model_dir="/nowhere",
            model_fingerprint=NS,
            dtype="float32",
            device="cpu",
            batch_size=batch_size,
            trust_remote_code=False,
            versions={},
            response_namespace=NS,
        )
        self.generated: list[Request] = []
        self.generate_batches: list[int] = []
        self.ranked: list[list[tuple[str, ...]]] = []

    @property
    def info(self) -> EngineInfo:
        return self._info

    @property
    def response_namespace(self) -> str:
        return NS

    def generate(self, requests: Sequence[Request]) -> Iterator[list[Response]]:
        size = self._info.batch_size
        for start in range(0, len(requests), size):
            batch = list(requests[start : start + size])
            self.generated.extend(batch)
            self.generate_batches.append(len(batch))
            yield [self._answer(r) for r in batch]

    def _answer(self, request: Request) -> Response:
        key = request.key(NS)
        if _unreadable(request):
            return Response(key=key, text="", finish_reason="error", error="unreadable image")
        return Response(
            key=key, text=f"echo: {_text(request)}", finish_reason="stop", completion_tokens=3
        )

    def loglikelihood(
        self, requests: Sequence[Request], options: Sequence[Sequence[str]]
    ) -> list[list[ChoiceScore]]:
        self.ranked.append([tuple(o) for o in options])
        for request in requests:
            if _unreadable(request):
                raise MediaError("image file not found or unreadable: gone.png")
        return [
            [ChoiceScore(option=o, logprob=LOGPROBS.get(o, -99.0), num_tokens=len(o)) for o in opts]
            for opts in options
        ]


class FakeRewardEngine(FakeEngine):
    """The fake engine with a reward head: the reward is the prompt's length."""

    def __init__(self, batch_size: int = 2) -> None:
        super().__init__(batch_size)
        self.rewarded: list[int] = []

    def reward(self, requests: Sequence[Request]) -> list[float]:
        self.rewarded.append(len(requests))
        for request in requests:
            if _unreadable(request):
                raise MediaError("image file not found or unreadable: gone.png")
        return [float(len(_text(r))) for r in requests]


def _request(text: str, media: tuple[MediaRef, ...] = (IMAGE,)) -> Request:
    return user_request(media, text, GenerationParams(max_new_tokens=8))


def _console() -> Console:
    return Console(file=io.StringIO(), width=80)


def _answer(
    engine: FakeEngine, path: Path, calls: Sequence[ModelCall]
) -> tuple[dict[str, Response], int]:
    with Journal(path) as journal:
        return answer_all(engine, journal, calls, _console())


def _stored(path: Path) -> dict[str, Response]:
    """What the journal file holds on disk, by key."""
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return {r.key: r for r in (Response.model_validate_json(line) for line in lines)}


# -- deduplication and resumption ----------------------------------------------------------


def test_identical_calls_across_tasks_are_answered_once(tmp_path: Path) -> None:
    # POPE asks the same question in all three splits; CHAIR and AMBER ask for one caption.
    question = _request("Is there a dog in the image?")
    caption = _request("Describe the image.")
    calls = [generate(question), generate(question), generate(caption), generate(question)]
    engine = FakeEngine(batch_size=8)
    responses, computed = _answer(engine, tmp_path / "j.jsonl", calls)
    assert computed == 2
    assert engine.generated == [question, caption]
    assert set(responses) == {question.key(NS), caption.key(NS)}
    assert responses[question.key(NS)].text == "echo: Is there a dog in the image?"


def test_roles_do_not_split_equal_calls(tmp_path: Path) -> None:
    request = _request("q")
    engine = FakeEngine()
    responses, computed = _answer(
        engine, tmp_path / "j.jsonl", [generate(request, "answer"), generate(request, "caption")]
    )
    assert computed == 1 and len(responses) == 1


def test_a_rerun_answers_nothing_new(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    calls = [
        generate(_request("one")),
        generate(_request("two")),
        rank_options(_request("three"), ["yes", "no"]),
        *sampled(_request("four"), 2),
    ]
    first, computed = _answer(FakeEngine(), path, calls)
    assert computed == 5
    again = FakeEngine()
    second, recomputed = _answer(again, path, calls)
    assert recomputed == 0
    assert again.generated == [] and again.ranked == []
    assert second == first  # the same records, read back from the journal


def test_a_rerun_answers_only_new_calls(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    _answer(FakeEngine(), path, [generate(_request("one"))])
    engine = FakeEngine()
    responses, computed = _answer(
        engine, path, [generate(_request("one")), generate(_request("two"))]
    )
    assert computed == 1
    assert engine.generated == [_request("two")]
    assert len(responses) == 2


def test_generations_are_sent_in_the_engine_batches_and_journaled(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    calls = [generate(_request(str(i))) for i in range(5)]
    engine = FakeEngine(batch_size=2)
    responses, _ = _answer(engine, path, calls)
    assert engine.generate_batches == [2, 2, 1]
    assert _stored(path) == responses


# -- log-likelihood calls ------------------------------------------------------------------


def test_loglikelihood_text_is_the_most_likely_option(tmp_path: Path) -> None:
    calls = [
        rank_options(_request("Is there a dog?"), ["yes", "no"]),
        rank_options(_request("Is there a cat?"), ["no", "maybe", "yes"]),
        rank_options(_request("Which?"), ["A", "B"]),
    ]
    engine = FakeEngine(batch_size=8)
    responses, computed = _answer(engine, tmp_path / "j.jsonl", calls)
    assert computed == 3
    assert engine.generated == []  # nothing is generated for ranked calls
    assert engine.ranked == [[("yes", "no"), ("no", "maybe", "yes"), ("A", "B")]]
    texts = [responses[c.key(NS)].text for c in calls]
    assert texts == ["yes", "yes", "B"]
    second = responses[calls[1].key(NS)]
    assert second.choices == (
        ChoiceScore(option="no", logprob=-1.5, num_tokens=2),
        ChoiceScore(option="maybe", logprob=-3.0, num_tokens=5),
        ChoiceScore(option="yes", logprob=-0.5, num_tokens=3),
    )
    assert (second.finish_reason, second.error, second.completion_tokens) == ("stop", None, 3)
    # The choices survive the journal.
    assert _stored(tmp_path / "j.jsonl")[calls[1].key(NS)].choices == second.choices


def test_loglikelihood_and_generation_of_one_request_are_two_calls(tmp_path: Path) -> None:
    request = _request("Is there a dog?")
    calls = [generate(request), rank_options(request, ["yes", "no"])]
    responses, computed = _answer(FakeEngine(), tmp_path / "j.jsonl", calls)
    assert computed == 2
    assert responses[calls[0].key(NS)].text == "echo: Is there a dog?"
    assert responses[calls[1].key(NS)].text == "yes"


def test_loglikelihood_calls_are_chunked_by_batch_size(tmp_path: Path) -> None:
    calls = [rank_options(_request(str(i)), ["yes", "no"]) for i in range(5)]
    engine = FakeEngine(batch_size=2)
    _answer(engine, tmp_path / "j.jsonl", calls)
    assert [len(chunk) for chunk in engine.ranked] == [2, 2, 1]


def test_media_error_in_a_loglikelihood_chunk_fails_only_its_call(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    gone = (missing_media("gone.png", "/images/gone.png"),)
    calls = [
        rank_options(_request("first"), ["yes", "no"]),
        rank_options(_request("broken", gone), ["yes", "no"]),
        rank_options(_request("third"), ["no", "yes"]),
    ]
    engine = FakeEngine(batch_size=4)
    responses, computed = _answer(engine, path, calls)
    assert computed == 3
    # One try of the whole chunk, then one call at a time.
    assert [len(chunk) for chunk in engine.ranked] == [3, 1, 1, 1]
    first, broken, third = (responses[c.key(NS)] for c in calls)
    assert first.text == "yes" and first.error is None
    assert third.text == "yes" and third.error is None
    assert broken.finish_reason == "error"
    assert broken.error == "image file not found or unreadable: gone.png"
    assert broken.choices == ()
    # The failure is not journaled: a rerun retries exactly that call.
    assert set(_stored(path)) == {calls[0].key(NS), calls[2].key(NS)}
    retry = FakeEngine(batch_size=4)
    again, recomputed = _answer(retry, path, calls)
    assert recomputed == 1
    assert retry.ranked == [[("yes", "no")]]
    assert again[calls[1].key(NS)].error is not None


# -- reward calls --------------------------------------------------------------------------


def test_fake_engines_match_the_reward_protocol() -> None:
    assert not isinstance(FakeEngine(), RewardEngine)
    assert isinstance(FakeRewardEngine(), RewardEngine)


def test_reward_on_an_engine_without_rewards_is_an_error_never_a_score(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    calls = [reward(_request("a")), reward(_request("b")), reward(_request("c"))]
    responses, computed = _answer(FakeEngine(batch_size=2), path, calls)
    assert computed == 3
    for call in calls:
        response = responses[call.key(NS)]
        assert response.finish_reason == "error"
        assert response.error == "this engine computes no rewards"
        assert response.reward is None
    assert _stored(path) == {}


def test_reward_calls_are_answered_in_chunks(tmp_path: Path) -> None:
    calls = [reward(_request("x" * n)) for n in (1, 2, 3)]
    engine = FakeRewardEngine(batch_size=2)
    responses, computed = _answer(engine, tmp_path / "j.jsonl", calls)
    assert computed == 3
    assert engine.rewarded == [2, 1]
    assert [responses[c.key(NS)].reward for c in calls] == [1.0, 2.0, 3.0]
    assert all(responses[c.key(NS)].error is None for c in calls)


def test_media_error_in_a_reward_chunk_fails_only_its_call(tmp_path: Path) -> None:
    gone = (missing_media("gone.png"),)
    calls = [reward(_request("ok")), reward(_request("broken", gone))]
    engine = FakeRewardEngine(batch_size=2)
    responses, _ = _answer(engine, tmp_path / "j.jsonl", calls)
    assert engine.rewarded == [2, 1, 1]
    assert responses[calls[0].key(NS)].reward == 2.0
    assert responses[calls[1].key(NS)].error == "image file not found or unreadable: gone.png"


# -- errors --------------------------------------------------------------------------------


def test_generation_errors_are_returned_but_not_journaled(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    good, bad = _request("fine"), _request("bad", (missing_media("gone.png"),))
    responses, computed = _answer(FakeEngine(), path, [generate(good), generate(bad)])
    assert computed == 2
    assert responses[bad.key(NS)].error == "unreadable image"
    assert responses[good.key(NS)].error is None
    assert set(_stored(path)) == {good.key(NS)}
    engine = FakeEngine()
    _, recomputed = _answer(engine, path, [generate(good), generate(bad)])
    assert recomputed == 1 and engine.generated == [bad]


@pytest.mark.parametrize("batch_size", [1, 3])
def test_mixed_kinds_all_get_answers(tmp_path: Path, batch_size: int) -> None:
    calls = [
        generate(_request("g")),
        rank_options(_request("r"), ["no", "yes"]),
        reward(_request("w")),
        *sampled(_request("s"), 3),
    ]
    responses, computed = _answer(FakeRewardEngine(batch_size), tmp_path / "j.jsonl", calls)
    assert computed == len(calls) == len(responses)
    assert {c.key(NS) for c in calls} == set(responses)
    assert all(r.key == k for k, r in responses.items())
