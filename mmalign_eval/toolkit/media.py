"""Media of benchmark items: image files by name, with their state when they cannot be read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mmalign_eval.contracts import MediaRef, missing_media, unread_media
from mmalign_eval.errors import DataError
from mmalign_eval.media import MediaError, MediaStore, media_from_file

if TYPE_CHECKING:
    from mmalign_eval.task import DataRequest


def media_store(request: DataRequest) -> MediaStore | None:
    """The cache's store for images a dataset carries as bytes; None when the run needs no
    media (scoring saved answers), so nothing is decoded or written."""
    return MediaStore(Path(request.cache_dir) / "media") if request.need_media else None


def file_media(path: Path | None, source: str) -> MediaRef:
    """An image file's reference: ready (hashed), unread when there is no folder (scoring
    saved answers), or missing when the file cannot be read, which fails only the requests
    that carry it."""
    if path is None:
        return unread_media(source)
    try:
        return media_from_file(path, source)
    except MediaError:
        return missing_media(source, str(path))


IMAGE_DIR_HINT = "pass --image-dir with the benchmark's images (or --data synthetic for a demo)"


class ImageFolder:
    """The images of a benchmark by name, each read and hashed once however many questions
    share it (None: labels only, nothing is read)."""

    def __init__(self, root: Path | None, hint: str = IMAGE_DIR_HINT) -> None:
        # Checked here, before any model loads: a wrong folder would otherwise fail every
        # sample one by one and score nothing.
        if root is not None and not root.is_dir():
            raise DataError(f"image folder not found: {root}", hint)
        self.root = root
        self._refs: dict[str, MediaRef] = {}

    def ref(self, name: str) -> MediaRef:
        """The reference of the image at `root/name`."""
        if name not in self._refs:
            path = None if self.root is None else self.root / name
            self._refs[name] = file_media(path, name)
        return self._refs[name]
