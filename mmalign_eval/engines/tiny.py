"""The tiny offline model: a deterministic random LLaVA built once into the cache.

Building needs torch and transformers (see tiny_build.py); finding an already built copy
does not, so a run on the cached model pays no extra import time.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from filelock import FileLock

TINY_MODEL_NAME = "tiny"
TINY_MODEL_VERSION = "1"


def ensure_tiny_model(cache_dir: Path) -> Path:
    """Build the tiny model under cache_dir unless already there, and return its folder."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"tiny-llava-v{TINY_MODEL_VERSION}"
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
            from mmalign_eval.engines.tiny_build import build

            build(staging)
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target


def _is_built(folder: Path) -> bool:
    return (folder / "config.json").is_file()
