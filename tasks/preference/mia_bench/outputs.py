"""MIA-Bench's own files for `score`: the answers evaluation.ipynb reads, with the judge's
replies it adds.

The notebook reads JSON Lines answers, one per item: the item's image URL (`question_id`,
as in example_inference_result.jsonl, or `url`) and the response (`text`, 'error' where the
model gave none, which the notebook never judges). It stores GPT-4o's reply per item in the
column `score_raw` (its row number while unjudged). A file with `score_raw` (JSON Lines, or
the frame saved as a JSON list of records) is read here: a text reply is the judgement, an
item without one is judged (or counted as not judged without --judge).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, Prediction
from mmalign_eval.toolkit.files import read_jsonl

JUDGE_COLUMN = "score_raw"
ID_FIELDS = ("question_id", "url", "image")
NO_ANSWER = "error"  # the official marker of an item the model did not answer


def _rows(path: Path) -> list[dict[str, Any]] | None:
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        try:
            return read_jsonl(path)
        except DataError:
            return None
    if isinstance(document, dict):
        return [document]
    is_records = isinstance(document, list) and all(isinstance(r, dict) for r in document)
    return document if is_records else None


def _prediction(row: dict[str, Any], pid: str) -> Prediction:
    text, reply = row.get("text"), row.get(JUDGE_COLUMN)
    judgement = reply if isinstance(reply, str) else None  # an int: never judged
    if text == NO_ANSWER:
        return Prediction(id=pid, text=None, invalid="the answer is 'error', MIA-Bench's "
                          "marker of no answer (the notebook judges none)")  # fmt: skip
    if not isinstance(text, str):
        return Prediction(id=pid, text=None, invalid="no 'text' answer", judgement=judgement)
    prompt = row.get("prompt")
    questions = (prompt,) if isinstance(prompt, str) else ()
    return Prediction(id=pid, text=text, judgement=judgement, questions=questions)


def read_scored(path: Path) -> Mapping[str, Prediction] | None:
    """Predictions by image URL from a file with the notebook's judge column; None for
    other files (the harness's JSON Lines reader reads them)."""
    rows = _rows(path)
    if not rows or not any(JUDGE_COLUMN in row for row in rows):
        return None
    out: dict[str, Prediction] = {}
    for number, row in enumerate(rows, start=1):
        key = next((f for f in ID_FIELDS if isinstance(row.get(f), str)), None)
        if key is None:
            raise DataError(f"{path} record {number} names no image URL",
                            f"MIA-Bench answers carry one of {', '.join(ID_FIELDS)}")  # fmt: skip
        pid = str(row[key])
        if pid in out:
            raise DataError(f"{path}: image {pid} appears twice", "one answer per item")
        out[pid] = _prediction(row, pid)
    return out
