"""Media references: content-addressed storage of image bytes and safe decoding."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from mmalign_eval.contracts import MediaRef
from mmalign_eval.hashing import sha256_bytes, sha256_file


class MediaError(Exception):
    """An image could not be read or decoded; recorded as a per-sample failure."""


def media_from_file(path: Path, source: str | None = None) -> MediaRef:
    """Reference an existing image file by its content hash."""
    try:
        digest = sha256_file(path)
    except OSError as exc:
        raise MediaError(f"cannot read image {path}: {exc.strerror or exc}") from exc
    return MediaRef(sha256=digest, path=str(path), source=source or path.name)


class MediaStore:
    """Content-addressed folder for image bytes that arrive without a file (e.g. HF datasets)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes, source: str | None = None, suffix: str = ".img") -> MediaRef:
        """Store bytes once under their hash and return a reference to the file."""
        digest = sha256_bytes(data)
        target = self.root / digest[:2] / f"{digest}{suffix}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Write to a temp file and rename so a crash never leaves a half-written image.
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        return MediaRef(sha256=digest, path=str(target), source=source)


def load_image(ref: MediaRef) -> Image.Image:
    """Decode a referenced image to RGB, raising MediaError with the cause if it cannot be."""
    if ref.state == "missing":
        raise MediaError(f"image file not found or unreadable: {ref.path or ref.source}")
    if ref.path is None:
        raise MediaError(f"image {ref.source or ref.sha256} has no local file")
    try:
        with Image.open(ref.path) as image:
            return image.convert("RGB")
    except FileNotFoundError as exc:
        raise MediaError(f"image file not found: {ref.path}") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MediaError(f"corrupt or unreadable image {ref.path}: {exc}") from exc
