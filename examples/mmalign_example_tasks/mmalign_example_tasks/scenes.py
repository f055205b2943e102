"""Synthetic data of both examples: the harness's shape scenes, whose objects are known."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mmalign_eval import DataProvenance, DataRequest, file_provenance
from mmalign_eval.toolkit.media import ImageFolder
from mmalign_eval.toolkit.shapes import ensure_scenes, read_manifest


def scenes(
    request: DataRequest, size: int, name: str
) -> tuple[list[dict[str, Any]], ImageFolder, DataProvenance]:
    """The scenes' manifest entries, their images (unread when scoring saved answers) and
    the provenance (the manifest's hash)."""
    folder = ensure_scenes(Path(request.cache_dir) / "data", size)
    images = ImageFolder(folder / "images" if request.need_media else None)
    entries = read_manifest(folder)["images"]
    note = f"synthetic {name} ({folder.name})"
    return entries, images, file_provenance(folder / "manifest.json", len(entries), "local", note)


def shape(obj: str) -> str:
    """The shape noun of an object name ('red circle' -> 'circle')."""
    return obj.split(" ", 1)[1]
