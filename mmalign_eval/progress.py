"""Progress bars for long stages, with throughput."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per second so far."""

    def render(self, task: Task) -> Text:
        """Render the speed of a task."""
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} samples/s" if speed else "- samples/s", style="cyan")


@contextmanager
def generation_progress(console: Console, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar for generation; yields a function that advances it."""
    if total == 0:
        yield lambda _n: None
        return
    columns = (
        TextColumn("[bold]generating"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task_id = progress.add_task("generate", total=total)
        yield lambda n: progress.advance(task_id, n)


def counted_steps(console: Console, label: str, total: int) -> Iterator[int]:
    """range(total) behind a progress bar (model training in the tiny builders)."""
    columns = (
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task_id = progress.add_task(label, total=total)
        for index in range(total):
            yield index
            progress.advance(task_id)
