"""`mmalign-eval tasks | validate | schema`: what the harness offers and what it writes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mmalign_eval.cli.console import out
from mmalign_eval.errors import HarnessError, UsageError


def list_tasks() -> None:
    """List tasks, groups, suites, their metrics and answer protocols."""
    from mmalign_eval.registry import build_registry
    from mmalign_eval.report import tasks_table

    out.print(tasks_table(build_registry()))


def validate(path: Annotated[Path, typer.Argument(help="A results.json file.")]) -> None:
    """Check that a results.json file follows the documented schema."""
    from pydantic import ValidationError

    from mmalign_eval.results import SCHEMA_VERSION, ResultsFile

    try:
        parsed = ResultsFile.model_validate_json(path.read_bytes())
    except FileNotFoundError as exc:
        raise UsageError(f"file not found: {path}") from exc
    except ValidationError as exc:
        raise HarnessError(
            f"{path} does not follow the results schema {SCHEMA_VERSION}:\n{exc}"
        ) from exc
    out.print(f"{path}: valid results schema {parsed.schema_version}, {len(parsed.tasks)} tasks")


def schema() -> None:
    """Print the JSON Schema of results.json (docs/results.schema.json is this output)."""
    import json

    from mmalign_eval.results import ResultsFile

    print(json.dumps(ResultsFile.model_json_schema(), indent=2))
