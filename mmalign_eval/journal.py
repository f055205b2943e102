"""Crash-safe, content-keyed, append-only stores of records (one JSON line per record).

`Journal` holds model responses; the judge cache (judges/cache.py) holds judge replies.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Generic, Protocol, TypeVar

from pydantic import ValidationError

from mmalign_eval.contracts import Response


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def error(self) -> str | None: ...

    def model_dump_json(self) -> str: ...


R = TypeVar("R", bound=_Keyed)


def parse_lines(data: bytes, parse: Callable[[bytes], R]) -> Iterator[R]:
    """The records of complete JSON lines; a line from an older schema is skipped (and so
    simply recomputed)."""
    for line in data.splitlines():
        try:
            yield parse(line)
        except (ValidationError, json.JSONDecodeError):
            continue


def read_records(path: Path, parse: Callable[[bytes], R]) -> Iterator[R]:
    """The records of another process's journal, read only: a torn last line is ignored."""
    data = path.read_bytes()
    return parse_lines(data[: data.rfind(b"\n") + 1], parse)


class KeyedJournal(Generic[R]):
    """Records keyed by content; each batch is written through to the OS at once.

    A flushed write survives the process being killed (even SIGKILL): the kernel holds it.
    fsync, which only adds protection against an OS crash or power loss, costs tens of
    milliseconds on some disks, so it runs at most every `fsync_interval_s` and at close.
    A crash can leave at most one torn last line; it is cut off when the journal is
    reopened, so every complete line is a record that will never be recomputed.
    """

    def __init__(
        self, path: Path, parse: Callable[[bytes], R], fsync_interval_s: float = 1.0
    ) -> None:
        self.path = path
        self.fsync_interval_s = fsync_interval_s
        self._parse = parse
        self._last_sync = time.monotonic()
        self._responses: dict[str, R] = {}
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
        for response in parse_lines(complete, self._parse):
            self._responses[response.key] = response

    def __contains__(self, key: object) -> bool:
        return key in self._responses

    def __len__(self) -> int:
        return len(self._responses)

    def get(self, key: str) -> R | None:
        """The stored record for a key, if any."""
        return self._responses.get(key)

    def append(self, responses: Iterable[R]) -> None:
        """Persist successful records durably; errors are kept out so a rerun retries them."""
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

    def __enter__(self) -> KeyedJournal[R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Journal(KeyedJournal[Response]):
    """Model responses keyed by request key (see KeyedJournal for the durability rules).

    `also`: other journals of the same run folder (other ranks' of a data-parallel run),
    read for what they hold and never written.
    """

    def __init__(
        self, path: Path, fsync_interval_s: float = 1.0, also: Iterable[Path] = ()
    ) -> None:
        super().__init__(path, Response.model_validate_json, fsync_interval_s)
        for other in also:
            if other != path and other.is_file():
                self._read_only(other)

    def _read_only(self, path: Path) -> None:
        for response in read_records(path, Response.model_validate_json):
            self._responses.setdefault(response.key, response)

    def __enter__(self) -> Journal:
        return self
