"""Build the demo models into a folder: tiny-sft from the random tiny model, tiny-dpo and
tiny-rm from tiny-sft, tiny-degraded from tiny-sft with its vision projection corrupted."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mmalign_eval.tinytrain.recipe import Recipe

RECIPE_FILE = "tiny_recipe.json"


@dataclass(frozen=True)
class Loaded:
    """A model and processor loaded for training."""

    model: Any
    processor: Any


def load(folder: Path) -> Loaded:
    """The model in float32 on the CPU, and its processor."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    model = AutoModelForImageTextToText.from_pretrained(folder, dtype=torch.float32)
    return Loaded(model, AutoProcessor.from_pretrained(folder))  # type: ignore[no-untyped-call]


def save(loaded: Loaded, out: Path, stage: str, recipe: Recipe, record: dict[str, Any]) -> None:
    """save_pretrained both, plus the recipe and what training reported (no timings, so
    that a rebuild writes the same bytes into every file)."""
    from mmalign_eval.engines.tiny_build import save_quietly

    save_quietly(loaded.model, loaded.processor, out)
    manifest = {"model": stage, "recipe": asdict(recipe), "recipe_key": recipe.key(), **record}
    (out / RECIPE_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def build_sft(backbone: Path, out: Path, recipe: Recipe) -> None:
    """tiny-sft: stage 1 (vision tags) then stage 2 (SFT with the recipe's bias)."""
    from mmalign_eval.tinytrain import data, encode
    from mmalign_eval.tinytrain.runtime import repeatable
    from mmalign_eval.tinytrain.sft import supervised
    from mmalign_eval.tinytrain.vision import pretrain_vision

    with repeatable(recipe.seed) as generator:
        loaded = load(backbone)
        scenes = data.training_scenes(recipe.data)
        pixels = encode.pixel_values(loaded.processor, encode.images(scenes))
        vision_loss = pretrain_vision(
            loaded.model, pixels, encode.presence(scenes), recipe.vision, generator
        )
        count = encode.image_token_count(loaded.processor)
        rows = [
            encode.tokenise(loaded.processor, count, e.image, e.question, e.answer)
            for e in data.sft_examples(scenes, recipe.data, recipe.seed)
        ]
        pad = int(loaded.processor.tokenizer.pad_token_id)
        sft_loss = supervised(loaded.model, rows, pixels, pad, recipe.sft, generator)
    record = {
        "images": len(scenes),
        "conversations": len(rows),
        "vision_loss": vision_loss,
        "sft_loss": sft_loss,
    }
    save(loaded, out, "tiny-sft", recipe, record)


def build_dpo(sft: Path, out: Path, recipe: Recipe) -> None:
    """tiny-dpo: tiny-sft trained with DPO on faithful-vs-hallucinated pairs."""
    from mmalign_eval.tinytrain import data, encode
    from mmalign_eval.tinytrain.dpo import optimise_preferences, preference_rows
    from mmalign_eval.tinytrain.runtime import repeatable

    with repeatable(recipe.seed):
        policy, reference = load(sft), load(sft)
        scenes = data.training_scenes(recipe.data)
        limit = recipe.dpo.steps * recipe.dpo.batch_size
        pairs = data.preference_pairs(scenes, limit, recipe.seed)
        rows = preference_rows(pairs, encode.images(scenes[: pairs[-1].image + 1]))
        logged = optimise_preferences(
            policy.model, reference.model, policy.processor, rows, recipe.dpo, recipe.seed
        )
    record = {
        "pairs": len(pairs),
        "trainer": logged,
    }
    save(policy, out, "tiny-dpo", recipe, record)


def build_reward(sft: Path, out: Path, recipe: Recipe) -> None:
    """tiny-rm: tiny-sft's backbone plus a linear reward head, trained on the pairs."""
    from mmalign_eval.engines.reward import write_linear_head
    from mmalign_eval.tinytrain import data, encode
    from mmalign_eval.tinytrain.reward import tokenise_pairs, train_reward
    from mmalign_eval.tinytrain.runtime import repeatable

    with repeatable(recipe.seed) as generator:
        loaded = load(sft)
        scenes = data.training_scenes(recipe.data)
        pairs = data.preference_pairs(
            scenes, recipe.reward.steps * recipe.reward.batch_size, recipe.seed
        )
        used = scenes[: pairs[-1].image + 1]
        pixels = encode.pixel_values(loaded.processor, encode.images(used))
        count = encode.image_token_count(loaded.processor)
        pad = int(loaded.processor.tokenizer.pad_token_id)
        rows = tokenise_pairs(loaded.processor, count, pairs)
        head, loss = train_reward(loaded.model, rows, pixels, pad, recipe.reward, generator)
    record = {"pairs": len(pairs), "loss": loss}
    save(loaded, out, "tiny-rm", recipe, record)
    write_linear_head(out, head.weight, head.bias)


def build_degraded(sft: Path, out: Path, recipe: Recipe) -> None:
    """tiny-degraded: tiny-sft whose vision projection was overwritten with seeded noise of
    the same scale (a corrupted checkpoint: the model no longer sees the image)."""
    import torch

    from mmalign_eval.tinytrain.runtime import repeatable

    with repeatable(recipe.seed) as generator:
        loaded = load(sft)
        layer = loaded.model.model.multi_modal_projector.linear_2
        with torch.no_grad():
            noise = torch.randn(layer.weight.shape, generator=generator) * layer.weight.std()
            layer.weight.copy_(noise)
    save(
        loaded, out, "tiny-degraded", recipe, {"corrupted": "multi_modal_projector.linear_2.weight"}
    )
