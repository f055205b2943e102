"""Training conversations are rendered and tokenised exactly as the harness sends them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from transformers import AutoProcessor

from mmalign_eval.contracts import GenerationParams, MediaRef
from mmalign_eval.engines.hf import chat_messages
from mmalign_eval.engines.tiny import ensure_tiny_model
from mmalign_eval.plans import user_request
from mmalign_eval.tinytrain.encode import (
    collate,
    image_token_count,
    last_positions,
    messages,
    tokenise,
)

QUESTION = (
    "Is there a cyan hexagon in the image?\nAnswer the question using a single word or phrase."
)


@pytest.fixture(scope="module")
def processor(cache_dir: Path) -> Any:
    return AutoProcessor.from_pretrained(ensure_tiny_model(cache_dir / "models"))  # type: ignore[no-untyped-call]


def test_the_user_turn_is_the_one_the_harness_sends() -> None:
    request = user_request([MediaRef(sha256="0" * 64, path="x.png")], QUESTION, GenerationParams())
    assert messages(QUESTION) == chat_messages(request)


@pytest.mark.parametrize("answer", ["No", "Yes", "The image shows a red circle and a gray bar."])
def test_tokenised_conversation_equals_the_processors(processor: Any, answer: str) -> None:
    row = tokenise(processor, image_token_count(processor), 0, QUESTION, answer)
    text = processor.apply_chat_template(messages(QUESTION, answer), tokenize=False)
    expected = processor(text=[text], images=[Image.new("RGB", (96, 96))])["input_ids"][0]
    assert row.ids.tolist() == list(expected)
    tail = processor.tokenizer.decode(row.ids[-row.answer_tokens :])
    assert tail == answer + processor.tokenizer.eos_token


def test_collate_masks_all_but_the_answers(processor: Any) -> None:
    count = image_token_count(processor)
    rows = [
        tokenise(processor, count, 1, QUESTION, "No"),
        tokenise(processor, count, 0, "Describe this image.", "The image shows a red circle."),
    ]
    batch = collate(rows, pad_id=processor.tokenizer.pad_token_id)
    for i, row in enumerate(rows):
        kept = batch.labels[i][batch.labels[i] != -100]
        assert kept.tolist() == row.ids[-row.answer_tokens :].tolist()
    assert last_positions(batch.attention_mask).tolist() == [len(r.ids) - 1 for r in rows]
    assert batch.images.tolist() == [1, 0]  # each row's own image
