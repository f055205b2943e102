"""Benchmark files: JSON and JSON Lines, with errors that name the file and the line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mmalign_eval.errors import DataError

UTF8_HINT = "save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)"


def text_lines(path: Path) -> list[str]:
    """A text file's lines; a file that is not UTF-8 is a DataError naming it and the line."""
    data = path.read_bytes()
    try:
        # Split at newlines only: JSON text may hold other Unicode line separators.
        return data.decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(f"{path}:{line} is not UTF-8 text ({exc.reason})", UTF8_HINT) from exc


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Objects of a JSON Lines file; a malformed line is an error naming its line number."""
    if not path.is_file():
        raise DataError(f"file not found: {path}", "check the path")
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(text_lines(path), start=1):
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
    except UnicodeDecodeError as exc:
        raise DataError(f"{what} {path} is not UTF-8 text ({exc.reason})", UTF8_HINT) from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"cannot read {what} {path}: {exc}", hint) from exc
