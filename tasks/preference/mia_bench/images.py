"""MIA-Bench's images: a local copy (`--image-dir`), else the URLs, fetched into the cache.

An image is looked up in a local folder by its cache name (`<sha256 of the URL, 16 hex>
<suffix>`, so the cache folder itself is a valid --image-dir) or by the URL's file name
when no other item shares it. Without a local folder every URL not in the cache yet is
downloaded once; an unreachable URL, or a body that is not an image, makes a `missing`
reference: only its item fails, and the reasons are kept in `unreachable.json`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from mmalign_eval.contracts import MediaRef, missing_media, unread_media
from mmalign_eval.hashing import sha256_text
from mmalign_eval.toolkit.media import file_media

from .download import DownloadError, Fetch, fetch_all, http_get, with_scheme, write_atomic

_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp")
UNREACHABLE = "unreachable.json"


def file_name(image: str) -> str:
    """The last path component of a URL (its query left out; '' when it has none), or the
    name itself when it is a bare file name."""
    if "/" not in image:
        return image
    return urlsplit(with_scheme(image)).path.rsplit("/", 1)[-1]


def cache_name(url: str) -> str:
    """The file an image URL is kept under: its hash, with the URL's image suffix."""
    suffix = PurePosixPath(file_name(url)).suffix.lower()
    return sha256_text(url)[:16] + (suffix if suffix in _SUFFIXES else ".img")


@dataclass(frozen=True)
class Fetched:
    """The images of a load and how many of them could not be had."""

    refs: list[MediaRef]
    unreachable: int = 0


def local_refs(images: Sequence[str], folder: Path) -> Fetched:
    """References into a local copy; an image not in it is missing (nothing is fetched)."""
    counts = Counter(file_name(i) for i in images)
    refs = []
    for image in images:
        names = [cache_name(image)]
        if counts[file_name(image)] == 1 and file_name(image):
            names.append(file_name(image))
        found = next((folder / n for n in names if (folder / n).is_file()), None)
        refs.append(file_media(found, image) if found else missing_media(image, str(folder)))
    return Fetched(refs, sum(r.state == "missing" for r in refs))


def _checked(body: bytes | DownloadError) -> bytes | DownloadError:
    """A body that decodes as an image, or why it is not usable."""
    if isinstance(body, DownloadError):
        return body
    try:
        with Image.open(BytesIO(body)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return DownloadError(f"not an image ({type(exc).__name__})")
    return body


def fetched_refs(images: Sequence[str], cache: Path, fetch: Fetch = http_get) -> Fetched:
    """References into the download cache, fetching what it lacks; failures are recorded."""
    todo = sorted({i for i in images if not (cache / cache_name(i)).is_file()})
    failed: dict[str, str] = {}
    for url, body in zip(todo, fetch_all(todo, fetch), strict=True):
        body = _checked(body)
        if isinstance(body, DownloadError):
            failed[url] = str(body)
        else:
            write_atomic(cache / cache_name(url), body)
    if todo:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / UNREACHABLE).write_text(json.dumps(failed, indent=1), encoding="utf-8")
    refs = [
        missing_media(i) if i in failed else file_media(cache / cache_name(i), i) for i in images
    ]
    return Fetched(refs, sum(r.state == "missing" for r in refs))


def image_refs(
    images: Sequence[str], local: Path | None, cache: Path | None, fetch: Fetch = http_get
) -> Fetched:
    """A local copy when there is one, else the download cache; neither: not read."""
    if local is not None:
        return local_refs(images, local)
    if cache is not None:
        return fetched_refs(images, cache, fetch)
    return Fetched([unread_media(i) for i in images])
