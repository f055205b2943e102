"""Benchmark files: JSON and JSON Lines, with errors that name the file and the line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mmalign_eval.errors import DataError


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Objects of a JSON Lines file; a malformed line is an error naming its line number."""
    if not path.is_file():
        raise DataError(f"file not found: {path}", "check the path")
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(
                    f"{path}:{number} is not valid JSON ({exc.msg})",
                    "each line must be one JSON object (JSON Lines)",
                ) from exc
            if not isinstance(row, dict):
                raise DataError(f"{path}:{number} is not a JSON object", "one object per line")
            rows.append(row)
    return rows


def read_json(path: Path, what: str, hint: str = "check --data") -> Any:
    """A JSON file's content; unreadable or malformed files are a DataError naming them."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"cannot read {what} {path}: {exc}", hint) from exc
