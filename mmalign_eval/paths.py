"""Where the harness keeps caches and results by default."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "MMALIGN_EVAL_CACHE"


def default_cache_dir() -> Path:
    """Cache root for built models, synthetic data and media ($MMALIGN_EVAL_CACHE overrides)."""
    root = os.environ.get(CACHE_ENV)
    return Path(root) if root else Path.home() / ".cache" / "mmalign-eval"


def default_results_dir() -> Path:
    """Default parent folder of run directories."""
    return Path("results")
