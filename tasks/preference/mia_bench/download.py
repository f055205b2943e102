"""HTTP downloads of MIA-Bench's files: the instruction file and the images it links to.

MIA-Bench ships no images: each item names a public URL (COCO, Flickr, stock sites), and
some of them have gone away. Every fetch goes through `http_get`; a failure is an
exception with its reason, which the caller records per item instead of stopping the run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

USER_AGENT = "mmalign-eval (benchmark data download)"
TIMEOUT_S = 30.0
MAX_BYTES = 50 * 1024 * 1024  # no benchmark image is near this; a larger body is not one
WORKERS = 8

Fetch = Callable[[str], bytes]


class DownloadError(Exception):
    """A URL could not be fetched: the reason is the message."""


def with_scheme(url: str) -> str:
    """The URL to request: one written without a scheme ('host/path') is fetched by https."""
    return url if url.startswith(("http://", "https://")) else f"https://{url}"


def http_get(url: str) -> bytes:
    """The body of a GET (redirects followed); any failure is a DownloadError."""
    try:
        response = httpx.get(
            with_scheme(url), headers={"User-Agent": USER_AGENT}, timeout=TIMEOUT_S,
            follow_redirects=True,
        )  # fmt: skip
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        raise DownloadError(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 400:
        raise DownloadError(f"HTTP {response.status_code}")
    if len(response.content) > MAX_BYTES:
        raise DownloadError(f"the body is larger than {MAX_BYTES} bytes")
    return response.content


def fetch_all(urls: Sequence[str], fetch: Fetch = http_get) -> list[bytes | DownloadError]:
    """Each URL's body or its DownloadError, in order, fetched a few at a time."""

    def one(url: str) -> bytes | DownloadError:
        try:
            return fetch(url)
        except DownloadError as exc:
            return exc

    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(urls))) as pool:
        return list(pool.map(one, urls))


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file by renaming a finished temporary one, so no half file is ever read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
