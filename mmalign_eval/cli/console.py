"""The consoles every command prints to, and how a harness error is shown.

Results (tables, reports) go to stdout; progress, warnings and errors to stderr, so a
command's output can be piped while its progress stays on the terminal.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from mmalign_eval.errors import HarnessError

out = Console()
err = Console(stderr=True)


def report_error(exc: HarnessError) -> None:
    """Print a harness error as one `error:` line and, if it has one, one `hint:` line."""
    # soft_wrap: one line each however narrow the terminal (80 columns in a pipe or CI log).
    # escape: messages hold literal brackets, e.g. the extra in pip install 'mmalign-eval[amber]'.
    err.print(f"[red]error:[/] {escape(exc.message)}", highlight=False, soft_wrap=True)
    if exc.hint:
        err.print(f"[dim]hint:[/] {escape(exc.hint)}", highlight=False, soft_wrap=True)
