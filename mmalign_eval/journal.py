"""Crash-safe, content-keyed, append-only store of responses (one JSON line per response)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from mmalign_eval.contracts import Response


class Journal:
    """Responses keyed by request key; each batch is written through to the OS at once.

    A flushed write survives the process being killed (even SIGKILL): the kernel holds it.
    fsync, which only adds protection against an OS crash or power loss, costs tens of
    milliseconds on some disks, so it runs at most every `fsync_interval_s` and at close.
    A crash can leave at most one torn last line; it is cut off when the journal is
    reopened, so every complete line is a response that will never be recomputed.
    """

    def __init__(self, path: Path, fsync_interval_s: float = 1.0) -> None:
        self.path = path
        self.fsync_interval_s = fsync_interval_s
        self._last_sync = time.monotonic()
        self._responses: dict[str, Response] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        self._repair_and_load()
        self._handle: BinaryIO = path.open("ab")

    def _repair_and_load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) != len(data):
            with self.path.open("r+b") as handle:
                handle.truncate(len(complete))
        for line in complete.splitlines():
            try:
                response = Response.model_validate_json(line)
            except (ValidationError, json.JSONDecodeError):
                continue  # a line from an older schema is simply recomputed
            self._responses[response.key] = response

    def __contains__(self, key: object) -> bool:
        return key in self._responses

    def __len__(self) -> int:
        return len(self._responses)

    def get(self, key: str) -> Response | None:
        """The stored response for a key, if any."""
        return self._responses.get(key)

    def append(self, responses: Iterable[Response]) -> None:
        """Persist successful responses durably; errors are kept out so a rerun retries them."""
        lines = []
        for response in responses:
            if response.error is None:
                self._responses[response.key] = response
                lines.append(response.model_dump_json().encode("utf-8") + b"\n")
        if lines:
            self._handle.write(b"".join(lines))
            self._handle.flush()
            if time.monotonic() - self._last_sync >= self.fsync_interval_s:
                self._sync()

    def _sync(self) -> None:
        os.fsync(self._handle.fileno())
        self._last_sync = time.monotonic()

    def close(self) -> None:
        """Make everything durable and close the underlying file."""
        if not self._handle.closed:
            self._sync()
            self._handle.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
