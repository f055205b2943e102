"""Models the project builds itself, offline, into the cache:

- `tiny`: a deterministic random LLaVA (tests of the machinery; its answers are noise);
- `tiny-sft`: `tiny` trained on synthetic shape scenes, with a co-occurrence hallucination
  bias (tinytrain/);
- `tiny-dpo`: `tiny-sft` aligned with DPO on faithful-vs-hallucinated pairs;
- `tiny-rm`: a linear reward head trained on the same pairs, on tiny-sft's backbone;
- `tiny-degraded`: `tiny-sft` with its vision projection corrupted (a broken checkpoint for
  the CI gate demo).

Building needs torch and transformers (and TRL for tiny-dpo); finding an already built copy
does not, so a run on a cached model pays no extra import time. Trained models are keyed by
the recipe's hash, so a changed recipe builds anew.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

TINY_MODEL_NAME = "tiny"
TINY_MODEL_VERSION = "1"
# Bump when the code of a trained build changes in a way the recipe does not show.
TRAINED_VERSION = "1"


def ensure_tiny_model(cache_dir: Path) -> Path:
    """Build the tiny model under cache_dir unless already there, and return its folder."""

    def build(staging: Path) -> None:
        from mmalign_eval.engines.tiny_build import build as build_tiny

        build_tiny(staging)

    return _ensure(cache_dir, f"tiny-llava-v{TINY_MODEL_VERSION}", build)


def ensure_untrained_reward_model(cache_dir: Path) -> Path:
    """The random tiny model with a seeded random linear reward head (machinery tests)."""
    backbone = ensure_tiny_model(cache_dir)

    def build(staging: Path) -> None:
        from mmalign_eval.engines.tiny_build import add_reward_head

        shutil.copytree(backbone, staging, dirs_exist_ok=True)
        add_reward_head(staging)

    return _ensure(cache_dir, "tiny-rm-random-v1", build)


def _trained_name(stage: str) -> str:
    from mmalign_eval.tinytrain.recipe import DEFAULT_RECIPE

    return f"{stage}-v{TRAINED_VERSION}-{DEFAULT_RECIPE.key()}"


def ensure_tiny_sft(cache_dir: Path) -> Path:
    """tiny-sft: the tiny model trained on synthetic scenes (`--model tiny-sft`)."""
    backbone = ensure_tiny_model(cache_dir)

    def build(staging: Path) -> None:
        from mmalign_eval.tinytrain.build import build_sft
        from mmalign_eval.tinytrain.recipe import DEFAULT_RECIPE

        build_sft(backbone, staging, DEFAULT_RECIPE)

    return _ensure(cache_dir, _trained_name("tiny-sft"), build, "tiny-sft")


def _build_from_sft(stage: str, sft: Path, staging: Path) -> None:
    from mmalign_eval.tinytrain import build as builds
    from mmalign_eval.tinytrain.recipe import DEFAULT_RECIPE

    builders = {
        "tiny-dpo": builds.build_dpo,
        "tiny-rm": builds.build_reward,
        "tiny-degraded": builds.build_degraded,
    }
    builders[stage](sft, staging, DEFAULT_RECIPE)


def _from_sft(stage: str) -> Callable[[Path], Path]:
    def ensure(cache_dir: Path) -> Path:
        sft = ensure_tiny_sft(cache_dir)
        return _ensure(
            cache_dir,
            _trained_name(stage),
            lambda staging: _build_from_sft(stage, sft, staging),
            stage,
        )

    ensure.__doc__ = f"{stage}, built from tiny-sft (tinytrain.build), once, into the cache."
    return ensure


ensure_tiny_dpo = _from_sft("tiny-dpo")
ensure_tiny_reward_model = _from_sft("tiny-rm")
ensure_tiny_degraded = _from_sft("tiny-degraded")

_BUILDERS: dict[str, Callable[[Path], Path]] = {
    TINY_MODEL_NAME: ensure_tiny_model,
    "tiny-sft": ensure_tiny_sft,
    "tiny-dpo": ensure_tiny_dpo,
    "tiny-rm": ensure_tiny_reward_model,
    "tiny-degraded": ensure_tiny_degraded,
}


def ensure_built_model(name: str, cache_dir: Path) -> Path:
    """The folder of one of the models above, built first if needed."""
    return _BUILDERS[name](cache_dir)


def _ensure(
    cache_dir: Path, name: str, build: Callable[[Path], None], announce: str | None = None
) -> Path:
    """A model folder built once into the cache, atomically, under a lock."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / name
    if _is_built(target):
        return target
    with FileLock(str(cache_dir / f"{target.name}.lock")):
        if _is_built(target):  # another process built it while we waited for the lock
            return target
        if target.exists():  # left by a copy interrupted outside this function
            shutil.rmtree(target)
        if announce:  # training takes a while: say so, once, before it starts
            print(f"building {announce} into {target} (once; cached afterwards)", file=sys.stderr)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=cache_dir))
        staging.chmod(0o755)  # mkdtemp makes the folder private, but the cache may be shared
        try:
            build(staging)
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target


def _is_built(folder: Path) -> bool:
    return (folder / "config.json").is_file()
