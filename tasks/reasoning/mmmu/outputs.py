"""The official repository's output formats, read for `score`:

- `<model>/<Subject>/output.json`: a list of records with `id` and `response` (what
  main_parse_and_eval.py parses; their `answer`, `all_choices` and `index2ans` are the
  item's own, which the harness takes from the data instead), one subject's file or the
  subjects' lists merged into one (`score` takes one file, so a folder is refused with the
  command that merges it);
- `total_val_output.json` (main_eval_only.py's input, run_llava.py's output): one object
  mapping id -> the parsed letter of a multiple-choice question or the reply to an open one.

Anything else (the harness's JSON Lines) is left to the generic reader.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, Prediction, UsageError

from .subjects import SUBJECTS

OUTPUT_FILE = "output.json"


def _prediction(item_id: str, value: Any, field: str) -> Prediction:
    if isinstance(value, str):
        return Prediction(id=item_id, text=value)
    kind = "missing" if value is None else type(value).__name__
    return Prediction(id=item_id, text=None, invalid=f"'{field}' is {kind}, not text")


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _collect(pairs: Iterable[Prediction], where: Path) -> dict[str, Prediction]:
    out: dict[str, Prediction] = {}
    for prediction in pairs:
        if prediction.id in out:
            raise DataError(f"{where}: id {prediction.id} appears twice", "keep one per id")
        out[prediction.id] = prediction
    return out


def _records(path: Path, data: list[Any]) -> list[Prediction]:
    """An output.json list: each record's id and response."""
    out = []
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict) or "id" not in record:
            raise DataError(
                f"{path}: record {number} has no 'id'",
                "output.json holds records with id, question_type, answer and response",
            )
        out.append(_prediction(str(record["id"]), record.get("response"), "response"))
    return out


def _is_records(data: Any) -> bool:
    """output.json-like records; their `answer` is the gold, so they must never reach the
    generic reader (which would take it for the reply): one without a response fails."""
    if not isinstance(data, list) or not data:
        return False
    if not all(isinstance(r, dict) and "id" in r for r in data):
        return False
    return any("response" in r for r in data) or all("question_type" in r for r in data)


def _is_answer_map(data: Mapping[str, Any]) -> bool:
    return all(isinstance(v, dict) and "ground_truth" in v for v in data.values())


def _folder_error(path: Path) -> UsageError:
    """A model's output folder: `score` reads one file (it records the file's hash)."""
    found = sum((path / s / OUTPUT_FILE).is_file() for s in SUBJECTS)
    return UsageError(
        f"{path} is a folder (with {found} <Subject>/{OUTPUT_FILE}); --predictions takes a file",
        f"merge the subjects' records into one list, e.g. `jq -s add {path}/*/{OUTPUT_FILE} "
        "> outputs.json`, and pass that file (or one subject's output.json)",
    )


def read_outputs(path: Path) -> dict[str, Prediction] | None:
    """Predictions in an official format, or None when the file is in none of them."""
    if path.is_dir():
        raise _folder_error(path)
    if path.suffix != ".json" or not path.is_file():
        return None  # the generic reader reads it, or says what is wrong with the path
    data = _load(path)
    if _is_records(data):
        return _collect(_records(path, data), path)
    if isinstance(data, dict) and data:
        if _is_answer_map(data):
            raise DataError(
                f"{path} is the answer file (ground truths), not predictions",
                "pass it as --data, and the model's answers as --predictions",
            )
        return _collect((_prediction(str(k), v, "value") for k, v in data.items()), path)
    return None
