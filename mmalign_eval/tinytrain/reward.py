"""tiny-rm: a linear reward head on tiny-sft's backbone, trained Bradley-Terry style on the
preference pairs. The reward is read exactly as engines/reward.py reads it at evaluation:
the last layer's hidden state at the conversation's last token."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from mmalign_eval.tinytrain.data import Pair
from mmalign_eval.tinytrain.encode import Tokenised, collate, last_positions, tokenise
from mmalign_eval.tinytrain.recipe import RewardRecipe
from mmalign_eval.tinytrain.runtime import draw, freeze_vision, optimiser, step, steps, trainable
from mmalign_eval.tinytrain.sft import embed, image_features


def tokenise_pairs(
    processor: Any, image_tokens: int, pairs: Sequence[Pair]
) -> list[tuple[Tokenised, Tokenised]]:
    """Both conversations of every pair."""
    return [
        (
            tokenise(processor, image_tokens, p.image, p.question, p.chosen),
            tokenise(processor, image_tokens, p.image, p.question, p.rejected),
        )
        for p in pairs
    ]


def rewards(
    model: Any,
    head: torch.nn.Linear,
    rows: Sequence[Tokenised],
    features: torch.Tensor,
    pad_id: int,
) -> torch.Tensor:
    """The head's reward of each conversation: the language model's last hidden state (what
    LLaVA's forward returns as hidden_states[-1]) at the last token, from image features
    computed once (vision is frozen; the output layer is not needed)."""
    batch = collate(rows, pad_id)
    out = model.model.language_model(
        inputs_embeds=embed(model, batch, features),
        attention_mask=batch.attention_mask,
        output_hidden_states=True,
    )
    last = out.hidden_states[-1][torch.arange(len(rows)), last_positions(batch.attention_mask)]
    scores: torch.Tensor = head(last)[:, 0]
    return scores


def train_reward(
    model: Any,
    pairs: Sequence[tuple[Tokenised, Tokenised]],
    pixels: torch.Tensor,
    pad_id: int,
    recipe: RewardRecipe,
    generator: torch.Generator,
) -> tuple[torch.nn.Linear, float]:
    """Backbone (vision frozen) and head trained so chosen outscores rejected."""
    freeze_vision(model)
    features = image_features(model, pixels)
    head = torch.nn.Linear(int(model.config.get_text_config().hidden_size), 1)
    torch.nn.init.zeros_(head.weight)  # start from "no preference"
    torch.nn.init.zeros_(head.bias)
    parameters = [*trainable(model), *head.parameters()]
    adam, schedule = optimiser(parameters, recipe.learning_rate, warmup_steps=10)
    model.train()
    loss = float("nan")
    for _ in steps("tiny-rm: reward head", recipe.steps):
        picked = [pairs[i] for i in draw(generator, len(pairs), recipe.batch_size)]
        scores = rewards(
            model, head, [c for c, _ in picked] + [r for _, r in picked], features, pad_id
        )
        chosen, rejected = scores[: len(picked)], scores[len(picked) :]
        value = -torch.nn.functional.logsigmoid(chosen - rejected).mean()
        loss = step(value, adam, schedule, parameters)
    model.eval()
    return head, loss
