"""`validate`: a results file checked against the published JSON Schema, then for what a
schema cannot say (NaN, an interval upside down, an unknown schema version)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmalign_eval.errors import DataError, HarnessError, UsageError
from mmalign_eval.results import ResultsFile

# Every results schema version this harness has written (results.py keeps their history).
KNOWN_VERSIONS = frozenset({"1.0", "1.1", "1.2", "1.3", "1.4"})
SHOWN = 8  # problems listed before "... and N more"


def results_path(path: Path) -> Path:
    """The results file: the path itself, or results.json inside a run folder."""
    if path.is_dir():
        inside = path / "results.json"
        if not inside.is_file():
            raise UsageError(f"{path} is a folder without results.json", "pass a run folder")
        return inside
    if not path.is_file():
        raise UsageError(f"file not found: {path}", "pass a results.json or a run folder")
    return path


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path} is not JSON: {exc}", "pass a results.json file") from exc


def schema_problems(document: Any) -> list[str]:
    """Where a document breaks the published JSON Schema (docs/results.schema.json)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(ResultsFile.model_json_schema())
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]


def _numbers(value: Any, where: str) -> Iterator[tuple[str, float]]:
    if isinstance(value, float):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, f"{where}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _numbers(item, f"{where}/{index}")


def semantic_problems(document: dict[str, Any]) -> list[str]:
    """What the schema cannot express: finite numbers, ordered intervals, a known version."""
    problems = [f"{where}: {v} is not a finite number" for where, v in _numbers(document, "")
                if not math.isfinite(v)]  # fmt: skip
    version = document.get("schema_version")
    if version not in KNOWN_VERSIONS:
        problems.append(f"schema_version: {version!r} is not one of {sorted(KNOWN_VERSIONS)}")
    for t, task in enumerate(document.get("tasks", [])):
        for m, metric in enumerate(task.get("metrics", [])):
            ci = metric.get("ci") or {}
            low, high = ci.get("low"), ci.get("high")
            if isinstance(low, float | int) and isinstance(high, float | int) and low > high:
                problems.append(f"tasks/{t}/metrics/{m}/ci: low {low} is above high {high}")
    return problems


def validate_results(path: Path) -> ResultsFile:
    """The parsed results file, or a HarnessError listing what is wrong with it."""
    path = results_path(path)
    document = _load(path)
    problems = schema_problems(document)
    if not problems and isinstance(document, dict):
        problems = semantic_problems(document)
    if problems:
        listed = "\n".join(f"  {p}" for p in problems[:SHOWN])
        more = f"\n  ... and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
        raise HarnessError(
            f"{path} does not follow the results schema:\n{listed}{more}",
            "results.json files are written by `mmalign-eval run` and `score`; see "
            "docs/results.schema.json",
        )
    return ResultsFile.model_validate(document)
