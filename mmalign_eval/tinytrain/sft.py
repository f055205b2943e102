"""Stage 2: supervised fine-tuning of the language model on the training conversations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from mmalign_eval.tinytrain.encode import Batch, Tokenised, collate
from mmalign_eval.tinytrain.recipe import SFTRecipe
from mmalign_eval.tinytrain.runtime import draw, freeze_vision, optimiser, step, steps, trainable
from mmalign_eval.tinytrain.vision import projected_tokens


def image_features(model: Any, pixels: torch.Tensor, chunk: int = 256) -> torch.Tensor:
    """Every image's projected tokens, computed once: the vision side is frozen from here on,
    so recomputing them at every step would only cost time."""
    with torch.no_grad():
        parts = [
            projected_tokens(model, pixels[start : start + chunk])
            for start in range(0, len(pixels), chunk)
        ]
    return torch.cat(parts)


def embed(model: Any, batch: Batch, features: torch.Tensor) -> torch.Tensor:
    """Token embeddings with the image placeholders replaced by each row's image features
    (`features` holds every image's), as LLaVA's forward does from pixel values."""
    embeds = model.get_input_embeddings()(batch.input_ids)
    slots = batch.input_ids == model.config.image_token_id
    rows = features[batch.images].to(embeds.dtype).reshape(-1, embeds.shape[-1])
    merged: torch.Tensor = embeds.masked_scatter(slots.unsqueeze(-1), rows)
    return merged


def conversation_loss(model: Any, hidden: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean over conversations of the mean next-token loss of each answer: a 25-token caption
    weighs as much as a one-word answer, so captions do not drown the yes/no questions. Only
    the positions that predict an answer token go through the output layer (most of a
    conversation is prompt, and the output layer is a third of the model)."""
    targets = labels[:, 1:]
    counted = targets != -100
    logits = model.lm_head(hidden[:, :-1][counted])
    token_loss = torch.nn.functional.cross_entropy(logits, targets[counted], reduction="none")
    rows = counted.nonzero()[:, 0]
    per_row = torch.zeros(len(labels)).index_add_(0, rows, token_loss)
    return (per_row / counted.sum(dim=1).clamp(min=1)).mean()


def supervised(
    model: Any,
    rows: Sequence[Tokenised],
    pixels: torch.Tensor,
    pad_id: int,
    recipe: SFTRecipe,
    generator: torch.Generator,
) -> float:
    """Next-token loss on the answers only, vision frozen; returns the last loss."""
    freeze_vision(model)
    features = image_features(model, pixels)
    parameters = trainable(model)
    adam, schedule = optimiser(parameters, recipe.learning_rate, recipe.warmup_steps)
    model.train()
    loss = float("nan")
    for _ in steps("tiny-sft stage 2/2: supervised", recipe.steps):
        picked = [rows[i] for i in draw(generator, len(rows), recipe.batch_size)]
        batch = collate(picked, pad_id)
        hidden = model.model.language_model(
            inputs_embeds=embed(model, batch, features),
            attention_mask=batch.attention_mask,
        ).last_hidden_state
        loss = step(conversation_loss(model, hidden, batch.labels), adam, schedule, parameters)
    model.eval()
    return loss
