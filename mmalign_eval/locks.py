"""Exclusive use of a file for a command's life: a run folder, a leaderboard.

The lock is an OS file lock (released when the process dies, even by SIGKILL); beside it a
small holder file names who holds it, so the one who waits or fails can be told.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from mmalign_eval.errors import UsageError


def _holder(lock: Path) -> Path:
    return lock.with_name(lock.name + ".holder")


def _who(lock: Path) -> str:
    try:
        held = json.loads(_holder(lock).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another process"
    return f"pid {held.get('pid')} on {held.get('host')} ({held.get('command')})"


@contextmanager
def exclusive(lock: Path, what: str, wait_s: float = 0.0) -> Iterator[None]:
    """Hold `lock` while the block runs; after waiting up to wait_s, a usage error naming
    the holder."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    guard = FileLock(str(lock))
    try:
        guard.acquire(timeout=0)
    except Timeout:
        if wait_s <= 0:
            raise UsageError(
                f"{what} is in use by {_who(lock)}",
                "wait for it to finish (or stop it); a killed run leaves no lock behind",
            ) from None
        print(f"waiting for {what} (held by {_who(lock)})", file=sys.stderr)
        try:
            guard.acquire(timeout=wait_s)
        except Timeout:
            raise UsageError(
                f"{what} stayed in use by {_who(lock)} for {wait_s:.0f} s", "try again later"
            ) from None
    try:
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time(),
                  "command": " ".join(["mmalign-eval", *sys.argv[1:]])[:200]}  # fmt: skip
        _holder(lock).write_text(json.dumps(holder), encoding="utf-8")
        yield
    finally:
        _holder(lock).unlink(missing_ok=True)
        guard.release()
