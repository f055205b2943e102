"""User-facing errors: a one-line cause, a hint, and the exit code the CLI should use."""

from __future__ import annotations

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
