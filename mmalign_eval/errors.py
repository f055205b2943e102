"""User-facing errors: a one-line cause, a hint, and the exit code the CLI should use."""

from __future__ import annotations

import errno

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class HarnessError(Exception):
    """An error the CLI reports as one line plus a hint, without a traceback."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(HarnessError):
    """The user asked for something that cannot work as stated (exit code 2)."""

    exit_code = EXIT_USAGE


class DataError(HarnessError):
    """A dataset, label file or image could not be read (exit code 1)."""


class ModelLoadError(HarnessError):
    """A checkpoint could not be downloaded or loaded (exit code 1)."""


class OutputError(HarnessError):
    """Results could not be written: disk full, read-only, not a folder (exit code 1)."""


_WRITE_HINTS = {
    errno.ENOSPC: "the disk is full: free space (the run resumes from its journal)",
    errno.EDQUOT: "the disk quota is exceeded: free space (the run resumes from its journal)",
    errno.EROFS: "the file system is read-only: choose another --output-dir",
    errno.EACCES: "permission denied: choose a folder you can write (--output-dir)",
    errno.EPERM: "permission denied: choose a folder you can write (--output-dir)",
    errno.ENOTDIR: "a file stands where a folder is needed: choose another --output-dir",
    errno.EEXIST: "a file stands where a folder is needed: choose another --output-dir",
    errno.EISDIR: "a folder stands where a file is needed: choose another --output-dir",
}


def write_error(exc: OSError) -> OutputError | None:
    """A one-line error for an OSError of writing output, or None for other faults."""
    hint = _WRITE_HINTS.get(exc.errno or 0)
    if hint is None:
        return None
    where = f" {exc.filename}" if exc.filename else ""
    return OutputError(f"cannot write{where}: {exc.strerror or exc}", hint)
