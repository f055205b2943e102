"""The official output format for `score`: experiments/main.py's `results.json` (or a
`re_evaluate <time>.json`), `{"responses": {pid: {pid, question, response, rejected,
reject_reasoning, evaluator_desc, ...}}, "reject Rate": {...}}`.

The file keeps the score main.py took from the judge but not the judge's raw reply, so the
judgement is rebuilt in the official layout (`Description/Score/Reason`) from the saved
fields: scoring it reproduces the file's scores (a score the official digit fallback had
found reads as a regular one, which the strict protocol cannot tell apart).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import Prediction


def _judgement(record: Mapping[str, Any]) -> str | None:
    score = record.get("rejected")
    if isinstance(score, bool) or not isinstance(score, int):
        return None  # not evaluated yet (main.py writes None before its judge runs)
    description = record.get("evaluator_desc") or ""
    reason = record.get("reject_reasoning") or ""
    return f"Description: {description}\nScore: {score}\nReason: {reason}"


def _prediction(pid: str, record: Mapping[str, Any]) -> Prediction:
    response = record.get("response")
    question = record.get("question")
    return Prediction(
        id=str(record.get("pid", pid)),
        text=response if isinstance(response, str) else None,
        invalid=None if isinstance(response, str) else "'response' is not text",
        judgement=_judgement(record),
        questions=(question,) if isinstance(question, str) else (),
    )


def read_official_results(path: Path) -> dict[str, Prediction] | None:
    """Predictions from main.py's results file; None when the file is not one."""
    if not path.is_file() or path.suffix != ".json":
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    responses = content.get("responses") if isinstance(content, dict) else None
    if not isinstance(responses, dict):
        return None
    return {
        str(pid): _prediction(str(pid), record)
        for pid, record in responses.items()
        if isinstance(record, dict)
    }
