"""The tiny offline model: a deterministic random LLaVA built once into the cache.

Building needs torch and transformers (see tiny_build.py); finding an already built copy
does not, so a run on the cached model pays no extra import time.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

TINY_MODEL_NAME = "tiny"
TINY_MODEL_VERSION = "1"


TINY_RM_NAME = "tiny-rm"
TINY_RM_VERSION = "1"


def ensure_tiny_model(cache_dir: Path) -> Path:
    """Build the tiny model under cache_dir unless already there, and return its folder."""

    def build(staging: Path) -> None:
        from mmalign_eval.engines.tiny_build import build as build_tiny

        build_tiny(staging)

    return _ensure(cache_dir, f"tiny-llava-v{TINY_MODEL_VERSION}", build)


def ensure_tiny_reward_model(cache_dir: Path) -> Path:
    """The tiny model with a seeded random linear reward head (`--model tiny-rm`)."""
    backbone = ensure_tiny_model(cache_dir)

    def build(staging: Path) -> None:
        from mmalign_eval.engines.tiny_build import add_reward_head

        shutil.copytree(backbone, staging, dirs_exist_ok=True)
        add_reward_head(staging)

    return _ensure(cache_dir, f"tiny-rm-v{TINY_RM_VERSION}", build)


def _ensure(cache_dir: Path, name: str, build: Callable[[Path], None]) -> Path:
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
