"""Predictions for `score`: the official output_*.json and JSON Lines with an extraction.

The official file is one JSON object, pid -> the problem with the model's `response` and
the judge's `extraction` (as extract_answer.py writes it). The extraction is the judge's
reply: it is scored as given, and a problem without one is sent to the judge. Harness
JSON Lines ({"id"|"pid", "answer"}) may carry `extraction` too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, Prediction, PredictionIds
from mmalign_eval.predictions import read_predictions
from mmalign_eval.toolkit.files import read_jsonl

IDS = PredictionIds(fields=("pid", "question_id", "id"))
EXTRACTION = "extraction"


def as_extraction(value: Any) -> str:
    """An extraction as calculate_score.py reads it: a string, or str() of anything else
    (str([1, 2]) is "[1, 2]", str(None) is "None")."""
    return value if isinstance(value, str) else str(value)


def _document(path: Path) -> Any:
    """The file as one JSON value, or None when it is JSON Lines (or not JSON at all)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _is_record(value: Any) -> bool:
    return isinstance(value, dict)


def _official(path: Path, problems: Mapping[str, Mapping[str, Any]]) -> dict[str, Prediction]:
    out = {}
    for pid, record in problems.items():
        if "pid" in record and str(record["pid"]) != pid:
            raise DataError(f"{path}: the record under {pid!r} has pid {record['pid']!r}",
                            "official output files are keyed by each problem's pid")  # fmt: skip
        response = record.get("response")
        extraction = as_extraction(record[EXTRACTION]) if EXTRACTION in record else None
        if isinstance(response, str) or extraction is not None:
            # A record with an extraction is scored by it even when its response is missing.
            text = response if isinstance(response, str) else ""
            out[pid] = Prediction(id=pid, text=text, judgement=extraction)
        else:
            out[pid] = Prediction(id=pid, text=None, invalid="no 'response' text")
    return out


def read_mathvista_predictions(path: Path) -> dict[str, Prediction] | None:
    """Predictions from an official output file or from lines with `extraction`; None for
    plain JSON Lines, which the harness's own reader reads."""
    document = _document(path)
    if isinstance(document, dict) and document and all(map(_is_record, document.values())):
        return _official(path, document)
    if document is None:
        rows = read_jsonl(path)
    else:  # a JSON array of lines, or a single line
        rows = document if isinstance(document, list) else [document]
    if not any(isinstance(r, dict) and EXTRACTION in r for r in rows):
        return None
    predictions = read_predictions(path, IDS)
    for row in rows:
        if EXTRACTION not in row:
            continue
        if row.get("judgement") is not None:
            raise DataError(f"{path}: a line has both 'extraction' and 'judgement'",
                            "give the judge's extraction once, as 'extraction'")  # fmt: skip
        pid = IDS.read(row)
        if pid in predictions:
            predictions[pid] = replace(predictions[pid], judgement=as_extraction(row[EXTRACTION]))
    return predictions
