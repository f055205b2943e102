"""Builds are repeatable: the same recipe gives bit-identical weights, whatever the caller's
RNG state or thread count; a changed recipe changes the cache key."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from mmalign_eval.engines.reward import HEAD_WEIGHTS, read_head_spec
from mmalign_eval.engines.tiny import ensure_tiny_model
from mmalign_eval.hashing import sha256_file
from mmalign_eval.tinytrain import build
from mmalign_eval.tinytrain.recipe import (
    DEFAULT_RECIPE,
    DataRecipe,
    DPORecipe,
    Recipe,
    RewardRecipe,
    SFTRecipe,
    VisionRecipe,
)

# The default recipe with every stage cut to a few steps: what is checked here is that two
# builds agree bit for bit, not what the models learn (test_models.py checks that).
SHORT = Recipe(
    data=DataRecipe(num_images=48),
    vision=VisionRecipe(steps=3, batch_size=8),
    sft=SFTRecipe(steps=3, batch_size=8),
    dpo=DPORecipe(steps=2, batch_size=4),
    reward=RewardRecipe(steps=3, batch_size=4),
)


def _hash(folder: Path, name: str = "model.safetensors") -> str:
    return sha256_file(folder / name)


def _every_file(folder: Path) -> dict[str, str]:
    return {p.name: _hash(folder, p.name) for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def sft_twice(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    backbone = ensure_tiny_model(cache_dir / "models")
    first, second = tmp_path_factory.mktemp("sft-a"), tmp_path_factory.mktemp("sft-b")
    build.build_sft(backbone, first, SHORT)
    torch.manual_seed(1234)  # the caller's RNG state must not matter
    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, threads - 1) if threads > 1 else 2)
    try:
        build.build_sft(backbone, second, SHORT)
    finally:
        torch.set_num_threads(threads)
    return first, second


def test_sft_builds_are_bit_identical(sft_twice: tuple[Path, Path], cache_dir: Path) -> None:
    first, second = sft_twice
    assert _every_file(first) == _every_file(second)  # weights, processor and recipe record
    assert _hash(first) != _hash(ensure_tiny_model(cache_dir / "models"))  # it trained
    manifest = json.loads((first / build.RECIPE_FILE).read_text())
    assert manifest["model"] == "tiny-sft" and manifest["recipe_key"] == SHORT.key()


@pytest.mark.parametrize(
    ("builder", "files"),
    [
        (build.build_dpo, ["model.safetensors"]),
        (build.build_reward, ["model.safetensors", HEAD_WEIGHTS]),
        (build.build_degraded, ["model.safetensors"]),
    ],
    ids=["dpo", "reward", "degraded"],
)
def test_builds_from_sft_are_bit_identical(
    sft_twice: tuple[Path, Path],
    tmp_path: Path,
    builder: Callable[[Path, Path, Recipe], None],
    files: list[str],
) -> None:
    sft = sft_twice[0]
    builder(sft, tmp_path / "a", SHORT)
    builder(sft, tmp_path / "b", SHORT)
    assert _every_file(tmp_path / "a") == _every_file(tmp_path / "b")
    for name in files:
        if name == "model.safetensors":
            assert _hash(tmp_path / "a", name) != _hash(sft, name)
    if builder is build.build_reward:
        assert read_head_spec(tmp_path / "a").kind == "linear"


def test_the_cache_key_follows_every_hyperparameter() -> None:
    keys = {
        DEFAULT_RECIPE.key(),
        replace(DEFAULT_RECIPE, seed=1).key(),
        replace(DEFAULT_RECIPE, data=DataRecipe(hallucinated_yes=0.5)).key(),
        replace(DEFAULT_RECIPE, dpo=DPORecipe(beta=0.2)).key(),
        SHORT.key(),
    }
    assert len(keys) == 5
    assert DEFAULT_RECIPE.key() == Recipe().key()
