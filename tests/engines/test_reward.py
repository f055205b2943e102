"""Scalar reward models: the tiny reward model, batched rewards, head declarations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mmalign_eval.contracts import (
    GenerationParams,
    ImagePart,
    MediaRef,
    Message,
    Request,
    TextPart,
)
from mmalign_eval.engines.base import EngineConfig
from mmalign_eval.engines.registry import engine_kind
from mmalign_eval.engines.reward import HEAD_CONFIG, HEAD_WEIGHTS, RewardEngine
from mmalign_eval.engines.tiny import ensure_tiny_model, ensure_untrained_reward_model
from mmalign_eval.errors import ModelLoadError
from mmalign_eval.media import media_from_file
from mmalign_eval_tasks.hallucination.pope.synthetic import ensure_synthetic_pope


@pytest.fixture(scope="module")
def rm_dir(cache_dir: Path) -> Path:
    return ensure_untrained_reward_model(cache_dir / "models")


@pytest.fixture(scope="module")
def image(cache_dir: Path) -> MediaRef:
    folder = ensure_synthetic_pope(cache_dir / "data", 4)
    return media_from_file(sorted((folder / "images").glob("*.png"))[0])


def _conversation(question: str, answer: str, image: MediaRef | None = None) -> Request:
    parts = ((ImagePart(media=image),) if image is not None else ()) + (TextPart(text=question),)
    return Request(
        messages=(
            Message(role="user", content=parts),
            Message(role="assistant", content=(TextPart(text=answer),)),
        ),
        generation=GenerationParams(),
    )


def test_batched_rewards_equal_one_by_one(rm_dir: Path, image: MediaRef) -> None:
    engine = RewardEngine(EngineConfig(model="tiny-rm", batch_size=4, device="cpu"), rm_dir)
    requests = [
        _conversation("Describe the image.", "A red circle on a plain background.", image),
        _conversation("What colour is the shape?", "blue"),
        _conversation("How many objects are there?", "one two three four five", image),
        _conversation("Is there a dog?", "No"),
        _conversation("Is there a cat?", "Yes", image),
    ]
    batched = engine.reward(requests)
    alone = [engine.reward([r])[0] for r in requests]
    assert batched == pytest.approx(alone, abs=1e-5)
    assert len(set(batched)) == len(batched)  # the response decides the reward
    # The same conversation gets the same reward: rewards are deterministic.
    assert engine.reward(requests[:1]) == pytest.approx(batched[:1], abs=1e-6)


def test_the_head_is_part_of_the_fingerprint(rm_dir: Path, cache_dir: Path) -> None:
    backbone = ensure_tiny_model(cache_dir / "models")
    plain = engine_kind("tiny").load(EngineConfig(model="tiny"), cache_dir)
    rm = RewardEngine(EngineConfig(model="tiny-rm"), rm_dir)
    assert rm.info.model_fingerprint != plain.info.model_fingerprint
    assert rm.response_namespace != plain.response_namespace
    assert (backbone / "config.json").read_bytes() == (rm_dir / "config.json").read_bytes()


def test_engine_kinds_follow_the_reward_head(rm_dir: Path, tmp_path: Path) -> None:
    assert engine_kind("tiny-rm").name == "hf-reward"
    assert engine_kind(str(rm_dir)).name == "hf-reward"
    assert "reward" in engine_kind(str(rm_dir)).calls
    plain = tmp_path / "plain"
    plain.mkdir()
    assert engine_kind(str(plain)).name == "hf"
    assert "reward" not in engine_kind("tiny").calls


@pytest.mark.parametrize(
    ("head", "weights", "match"),
    [
        ("not json", True, "is not a valid reward head declaration"),
        ('{"format": "other", "version": 1, "kind": "linear"}', True, "not a valid reward head"),
        ('{"format": "mmalign-reward-head", "version": 1, "kind": "linear"}', False,
         f"has no {HEAD_WEIGHTS}"),
        ('{"format": "mmalign-reward-head", "version": 1, "kind": "token_logit"}', True,
         "needs a 'token'"),
    ],
)  # fmt: skip
def test_bad_heads_are_clear_errors(
    rm_dir: Path, tmp_path: Path, head: str, weights: bool, match: str
) -> None:
    folder = tmp_path / "rm"
    shutil.copytree(rm_dir, folder)
    (folder / HEAD_CONFIG).write_text(head)
    if not weights:
        (folder / HEAD_WEIGHTS).unlink()
    with pytest.raises(ModelLoadError, match=match):
        RewardEngine(EngineConfig(model=str(folder)), folder)


def test_a_token_logit_head_reads_that_token(rm_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "rm"
    shutil.copytree(rm_dir, folder)
    spec = {"format": "mmalign-reward-head", "version": 1, "kind": "token_logit", "token": "Yes"}
    (folder / HEAD_CONFIG).write_text(json.dumps(spec))
    engine = RewardEngine(EngineConfig(model=str(folder), batch_size=2), folder)
    requests = [_conversation("Is there a cat?", "Yes"), _conversation("Is there a dog?", "No")]
    batched = engine.reward(requests)
    assert batched == pytest.approx([engine.reward([r])[0] for r in requests], abs=1e-5)
