"""Conversations of the training data, rendered through the model's own chat template and
tokenised once; batches are padded on the fly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from PIL import Image

from mmalign_eval.toolkit.shapes import OBJECTS, Scene, render


@dataclass(frozen=True)
class Tokenised:
    """One conversation: its token ids, how many trailing ones are the answer, its image."""

    ids: torch.Tensor
    answer_tokens: int
    image: int


@dataclass(frozen=True)
class Batch:
    """Right-padded token ids, each row's image index; labels are -100 except on answers."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    images: torch.Tensor
    labels: torch.Tensor


def messages(question: str, answer: str | None = None) -> list[dict[str, Any]]:
    """The chat the harness sends for a one-image question (image first, as plans.user_request),
    with the answer as the assistant turn when given."""
    chat: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}
    ]
    if answer is not None:
        chat.append({"role": "assistant", "content": [{"type": "text", "text": answer}]})
    return chat


def images(scenes: Sequence[Scene]) -> list[Image.Image]:
    """The scenes drawn as the synthetic benchmarks draw them."""
    return [render(s) for s in scenes]


def pixel_values(processor: Any, pictures: Sequence[Image.Image]) -> torch.Tensor:
    """Every image preprocessed once, as the processor does at evaluation."""
    out: torch.Tensor = processor.image_processor(list(pictures), return_tensors="pt")[
        "pixel_values"
    ]
    return out


def presence(scenes: Sequence[Scene]) -> torch.Tensor:
    """Multi-hot object tags per scene."""
    tags = torch.zeros(len(scenes), len(OBJECTS))
    for row, scene in enumerate(scenes):
        tags[row, list(scene.objects)] = 1.0
    return tags


def image_token_count(processor: Any) -> int:
    """How many placeholder tokens the processor puts in for one image."""
    probe = processor(
        text=[processor.image_token], images=[Image.new("RGB", (8, 8))], return_tensors="pt"
    )
    return int((probe["input_ids"][0] == processor.image_token_id).sum())


def tokenise(
    processor: Any, image_tokens: int, image: int, question: str, answer: str
) -> Tokenised:
    """Token ids of the whole conversation; the answer is its trailing tokens (special tokens
    split the text, so the answer tokenises the same alone as in the conversation)."""
    text = processor.apply_chat_template(messages(question, answer), tokenize=False)
    token = processor.image_token
    expanded = text.replace(token, token * image_tokens)
    ids = processor.tokenizer(expanded, add_special_tokens=False)["input_ids"]
    end = processor.tokenizer.eos_token
    answer_ids = processor.tokenizer(answer + end, add_special_tokens=False)["input_ids"]
    if ids[-len(answer_ids) :] != answer_ids:
        raise ValueError(f"the answer {answer!r} does not tokenise alone as in the conversation")
    return Tokenised(torch.tensor(ids), len(answer_ids), image)


def collate(rows: Sequence[Tokenised], pad_id: int) -> Batch:
    """Pad on the right and mask everything but the answers."""
    width = max(len(r.ids) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    for i, row in enumerate(rows):
        n = len(row.ids)
        ids[i, :n], mask[i, :n] = row.ids, 1
        labels[i, n - row.answer_tokens : n] = row.ids[n - row.answer_tokens :]
    return Batch(ids, mask, torch.tensor([r.image for r in rows]), labels)


def last_positions(mask: torch.Tensor) -> torch.Tensor:
    """Index of each row's last real token (right padding)."""
    return mask.sum(dim=1) - 1
