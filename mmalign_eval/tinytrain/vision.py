"""Stage 1: the vision tower and projector learn which objects an image holds.

Real VLMs start from a pretrained vision encoder (CLIP); the tiny model has none, so this
stage stands in for it: a linear probe on the mean of the projected image tokens (what the
language model reads) predicts the image's object tags. Without it the 2-layer language
model does not learn to look at a small object in 1,000 steps.
"""

from __future__ import annotations

from typing import Any

import torch

from mmalign_eval.tinytrain.recipe import VisionRecipe
from mmalign_eval.tinytrain.runtime import draw, optimiser, step, steps


def projected_tokens(model: Any, pixel_values: torch.Tensor) -> torch.Tensor:
    """Each image's tokens as the language model reads them, [images, tokens, hidden]."""
    features = model.model.get_image_features(pixel_values=pixel_values).pooler_output
    return torch.stack(list(features))


def image_summary(model: Any, pixel_values: torch.Tensor) -> torch.Tensor:
    """Mean of each image's projected tokens, shape [images, text hidden size]."""
    return projected_tokens(model, pixel_values).mean(dim=1)


def pretrain_vision(
    model: Any,
    pixels: torch.Tensor,
    tags: torch.Tensor,
    recipe: VisionRecipe,
    generator: torch.Generator,
) -> float:
    """Train tower and projector on the tags; returns the last loss."""
    hidden = int(model.config.get_text_config().hidden_size)
    probe = torch.nn.Linear(hidden, tags.shape[1])
    parameters = [
        *model.model.vision_tower.parameters(),
        *model.model.multi_modal_projector.parameters(),
        *probe.parameters(),
    ]
    adam, schedule = optimiser(parameters, recipe.learning_rate, warmup_steps=0)
    model.train()
    loss = float("nan")
    for _ in steps("tiny-sft stage 1/2: vision tags", recipe.steps):
        index = draw(generator, len(pixels), recipe.batch_size)
        logits = probe(image_summary(model, pixels[index]))
        value = torch.nn.functional.binary_cross_entropy_with_logits(logits, tags[index])
        loss = step(value, adam, schedule, parameters)
    model.eval()
    return loss
