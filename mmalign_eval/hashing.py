"""Stable content hashes used for keys, fingerprints and provenance."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

_CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of a byte string."""
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a UTF-8 string."""
    return sha256_bytes(text.encode("utf-8"))


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_path(path: Path) -> str:
    """Hex SHA-256 of a file, or of a folder's sorted (relative path, file hash) pairs."""
    if not path.is_dir():
        return sha256_file(path)
    files = sorted(p for p in path.rglob("*") if p.is_file())
    return stable_hash([[p.relative_to(path).as_posix(), sha256_file(p)] for p in files])


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no whitespace, so equal objects hash equally."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def stable_hash(obj: Any) -> str:
    """Hex SHA-256 of the canonical JSON form of a JSON-compatible object."""
    return sha256_text(canonical_json(obj))
