"""What a `--data` value names: synthetic stand-in data, a local path, or a Hub dataset id."""

from __future__ import annotations

from pathlib import Path

from mmalign_eval.errors import UsageError

SYNTHETIC = "synthetic"


def is_synthetic(source: str | None) -> bool:
    """Whether the source is `synthetic` or `synthetic:N`."""
    return source is not None and (source == SYNTHETIC or source.startswith(f"{SYNTHETIC}:"))


def synthetic_size(source: str, default: int, minimum: int = 1) -> int:
    """N of `synthetic:N`, or the task's default for a bare `synthetic`."""
    _, _, size = source.partition(":")
    if not size:
        return default
    if not size.isdigit() or int(size) < minimum:
        raise UsageError(
            f"bad synthetic size in --data {source}",
            f"use {SYNTHETIC} or {SYNTHETIC}:N with N >= {minimum}",
        )
    return int(size)


def is_local_path(source: str) -> bool:
    """Whether the source is an existing file or folder, or is spelled as a path."""
    return Path(source).expanduser().exists() or source.startswith(("/", ".", "~"))
