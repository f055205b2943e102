"""LLaVA-Bench's own review file for `score`: the JSON Lines eval_gpt_review_bench.py writes,
one review per question ({"id", "question_id", "answer1_id", "answer2_id", "category",
"content", "tuple"}), GPT-4's answer as Assistant 1 and the model's as Assistant 2.

The review (`content`) is the judgement of the official order. The file holds no answer
texts, so the items carry an empty answer. summarize_gpt_review.py averages the stored
`tuple`s: a line whose tuple is not what the official parse of its review gives was not
written by the official script, and is refused rather than scored two ways.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, Prediction
from mmalign_eval.toolkit.files import read_jsonl

from .scores import official_tuple

REVIEW_FIELDS = ("content", "tuple")


def _is_review_file(path: Path) -> list[dict[str, Any]] | None:
    if not path.is_file() or path.suffix not in (".jsonl", ".json"):
        return None
    try:
        rows = read_jsonl(path)
    except DataError:
        return None  # not JSON Lines: the harness's reader reports what is wrong
    return rows if rows and all(f in rows[0] for f in REVIEW_FIELDS) else None


def _stored_tuple(value: Any, where: str) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2):
        raise DataError(f"{where}: 'tuple' is {value!r}", "the official tuple is two numbers")
    try:
        return float(value[0]), float(value[1])
    except (TypeError, ValueError) as exc:
        raise DataError(f"{where}: 'tuple' is {value!r}", "two numbers") from exc


def _same(stored: tuple[float, float], parsed: tuple[float, float]) -> bool:
    return all(math.isclose(a, b) for a, b in zip(stored, parsed, strict=True))


def read_reviews(path: Path) -> Mapping[str, Prediction] | None:
    """Judgements by question id from an official review file; None for other files."""
    rows = _is_review_file(path)
    if rows is None:
        return None
    out: dict[str, Prediction] = {}
    for number, row in enumerate(rows, start=1):
        where = f"{path} line {number}"
        if "question_id" not in row or not isinstance(row.get("content"), str):
            raise DataError(f"{where} lacks question_id or a text 'content'",
                            "official review lines carry both")  # fmt: skip
        qid = str(row["question_id"])
        if qid in out:
            raise DataError(f"{path}: question {qid} is reviewed twice", "keep one review each")
        stored = _stored_tuple(row.get("tuple"), where)
        if not _same(stored, official_tuple(row["content"])):
            raise DataError(
                f"{where}: 'tuple' {list(stored)} is not what the official parse of its review "
                f"gives ({list(official_tuple(row['content']))})",
                "score the reviews as judgements ({'id', 'answer', 'judgement'} lines) instead",
            )
        out[qid] = Prediction(id=qid, text="", judgement=row["content"])
    return out
