"""`mmalign-eval tasks | validate | schema`: what the harness offers and what it writes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mmalign_eval.cli.console import out


def list_tasks() -> None:
    """List tasks, groups, suites, their metrics and answer protocols."""
    from mmalign_eval.registry import build_registry
    from mmalign_eval.report import tasks_table

    out.print(tasks_table(build_registry()))


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
