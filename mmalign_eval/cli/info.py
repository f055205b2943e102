"""`mmalign-eval tasks | validate | schema`: what the harness offers and what it writes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mmalign_eval.cli.console import out


def list_tasks(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Tasks, groups or suites to describe in full (default: list all)."),
    ] = None,
) -> None:
    """List tasks, groups and suites; with names, every metric and protocol of each."""
    from mmalign_eval.errors import UsageError
    from mmalign_eval.registry import build_registry
    from mmalign_eval.report import groups_table, task_details, tasks_table

    registry = build_registry()
    if not names:
        out.print(tasks_table(registry))
        out.print(groups_table(registry))
        out.print("[dim]`mmalign-eval tasks NAME` lists every metric and protocol of a task[/]")
        return
    for index, name in enumerate(names):
        if (
            name not in registry.tasks
            and name not in registry.groups
            and name not in registry.suites
        ):
            raise UsageError(f"unknown task '{name}'", "see `mmalign-eval tasks`")
        if index:
            out.print()
        for line in task_details(registry, name):
            out.print(line, highlight=False, markup=False, soft_wrap=False)


def validate(
    path: Annotated[Path, typer.Argument(help="A results.json file or a run folder.")],
) -> None:
    """Check a results file against the published JSON Schema and for sound values."""
    from mmalign_eval.validation import results_path, validate_results

    parsed = validate_results(path)
    out.print(
        f"{results_path(path)}: valid results schema {parsed.schema_version}, "
        f"{len(parsed.tasks)} tasks"
    )


def schema() -> None:
    """Print the JSON Schema of results.json (docs/results.schema.json is this output)."""
    import json

    from mmalign_eval.results import ResultsFile

    print(json.dumps(ResultsFile.model_json_schema(), indent=2))
