"""Tests for the deterministic tiny LLaVA model builder."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import torch
from PIL import Image
from transformers import AutoModelForImageTextToText, AutoProcessor

from mmalign_eval.engines.tiny import TINY_MODEL_VERSION, ensure_tiny_model

MAX_NEW_TOKENS = 16


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_tiny_model(tmp_path_factory.mktemp("tiny-cache"))


@pytest.fixture(scope="module")
def processor(tiny_dir: Path) -> Any:
    return AutoProcessor.from_pretrained(tiny_dir)  # type: ignore[no-untyped-call]


@pytest.fixture(scope="module")
def model(tiny_dir: Path) -> Any:
    return AutoModelForImageTextToText.from_pretrained(tiny_dir)


def _prompt(processor: Any, question: str) -> str:
    messages = [
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]},
    ]
    text: str = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return text


def _generate(model: Any, processor: Any, texts: list[str], images: list[Image.Image]) -> Any:
    inputs = processor(
        text=texts, images=images, padding=True, padding_side="left", return_tensors="pt"
    )
    with torch.no_grad():
        output = model.generate(**inputs, max_new_tokens=MAX_NEW_TOKENS, do_sample=False)
    return output[:, inputs["input_ids"].shape[1] :]


def test_builds_loads_and_generates(tiny_dir: Path, processor: Any, model: Any) -> None:
    assert tiny_dir.name == f"tiny-llava-v{TINY_MODEL_VERSION}"
    assert type(model).__name__ == "LlavaForConditionalGeneration"
    assert model.dtype == torch.float32
    assert not model.training
    text = _prompt(processor, "Is there a red circle in the image?")
    assert text == "<|user|><image>Is there a red circle in the image?<|end|><|assistant|>"

    new_tokens = _generate(model, processor, [text], [Image.new("RGB", (40, 30), "red")])

    assert 0 < new_tokens.shape[1] <= MAX_NEW_TOKENS
    decoded = processor.batch_decode(new_tokens, skip_special_tokens=True)
    assert isinstance(decoded[0], str)


def test_second_call_reuses_the_built_folder(tmp_path: Path) -> None:
    first = ensure_tiny_model(tmp_path)
    weights = first / "model.safetensors"
    mtime = weights.stat().st_mtime_ns

    second = ensure_tiny_model(tmp_path)

    assert second == first
    assert weights.stat().st_mtime_ns == mtime
    # No staging folders are left beside the model.
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [first.name]


def test_concurrent_calls_build_once(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        paths = list(pool.map(ensure_tiny_model, [tmp_path] * 3))

    assert len(set(paths)) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [paths[0].name]


def test_build_is_deterministic(tiny_dir: Path, tmp_path: Path) -> None:
    other = ensure_tiny_model(tmp_path)

    assert other != tiny_dir
    for name in ("model.safetensors", "tokenizer.json"):
        assert (other / name).read_bytes() == (tiny_dir / name).read_bytes(), name


def test_build_ignores_caller_rng(tiny_dir: Path, tmp_path: Path) -> None:
    torch.manual_seed(1234)
    expected_next = torch.rand(3)
    torch.manual_seed(1234)

    other = ensure_tiny_model(tmp_path)

    assert torch.equal(torch.rand(3), expected_next)
    assert (other / "model.safetensors").read_bytes() == (
        tiny_dir / "model.safetensors"
    ).read_bytes()


def test_left_padded_batch_matches_one_by_one(processor: Any, model: Any) -> None:
    texts = [
        _prompt(processor, "Is there a red circle in the image? Answer yes or no."),
        _prompt(processor, "No"),
    ]
    images = [Image.new("RGB", (64, 48), "red"), Image.new("RGB", (50, 50), "blue")]

    batched = _generate(model, processor, texts, images)
    assert batched.shape[0] == 2
    lengths = processor(text=texts, images=images, padding=True, return_tensors="pt")[
        "attention_mask"
    ].sum(dim=1)
    assert lengths[0] != lengths[1]  # so the shorter prompt really is left-padded

    pad_id = processor.tokenizer.pad_token_id
    for row, (text, image) in enumerate(zip(texts, images, strict=True)):
        single = _generate(model, processor, [text], [image])[0].tolist()
        # Generation pads a finished row up to the batch's longest continuation.
        expected = batched[row].tolist()
        assert expected[: len(single)] == single
        assert all(token == pad_id for token in expected[len(single) :])
