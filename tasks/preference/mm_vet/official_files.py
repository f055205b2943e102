"""MM-Vet's own files for `score`: the model's result file and the evaluator's grade file.

- result file (what the official inference scripts write, what mm-vet_evaluator.py
  reads): one JSON object {"v1_0": "<answer>", ...}; the judge grades it.
- grade file (`<model>_gpt-4-0613-grade-<N>runs.json`, what the evaluator writes):
  {"v1_0": {"model": [...], "content": [...], "score": [...]}, ...}, one list entry per run.
  `content` is the reply's first token where it gave the score, and the ignored sixth reply
  where the script graded 0.0 after its last try; such runs are recorded as fallbacks.

The harness passes one judgement text per item, so a grade-file item's runs travel as one
encoded judgement (GRADE_MARK + JSON) that the task's parser decodes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mmalign_eval import DataError, Prediction

from .grading import FALLBACK, Grades, RunGrade, parse_score

GRADE_MARK = "mm-vet grade file entry: "
_HARNESS_KEYS = {"id", "question_id", "answer", "response", "text", "judgement"}


def encode(grades: Grades) -> str:
    """An item's graded runs as one judgement text."""
    return GRADE_MARK + grades.model_dump_json()


def decode(text: str) -> Grades | None:
    """The graded runs of an encoded judgement; None for any other text."""
    if not text.startswith(GRADE_MARK):
        return None
    try:
        return Grades.model_validate_json(text[len(GRADE_MARK) :])
    except ValidationError:
        return None  # not what read_official wrote: an unreadable judgement


def _object(path: Path) -> dict[str, Any] | None:
    """The file's JSON object when the whole file is one (not a JSON Lines line)."""
    if not path.is_file() or path.suffix.lower() != ".json":
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None  # the harness's own reader reports what is wrong
    if not isinstance(data, dict) or _HARNESS_KEYS & set(data):
        return None
    return data


def run_grade(score: object, content: object, where: str) -> RunGrade:
    """One run of a grade file: a score its content gives, or the official fallback."""
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise DataError(f"{where}: score {score!r} is not in [0, 1]", "pass the evaluator's file")
    read = parse_score(content) if isinstance(content, str) else None
    if read is not None and read == score:
        return RunGrade(score=float(score))
    if score == FALLBACK:
        return RunGrade(score=FALLBACK, fallback=True)
    raise DataError(
        f"{where}: score {score} is not what its content {content!r} gives",
        "the evaluator stores the score its content gives, or 0.0 after its last try",
    )


def item_grades(qid: str, entry: object, path: Path) -> Grades:
    """The runs of one grade-file item."""
    where = f"{path} item {qid}"
    if not isinstance(entry, Mapping) or not isinstance(entry.get("score"), list):
        raise DataError(f"{where} has no 'score' list", "grade-file items hold score lists")
    scores, contents = entry["score"], entry.get("content")
    if not isinstance(contents, list) or len(contents) != len(scores) or not scores:
        raise DataError(f"{where}: 'content' and 'score' differ in length or are empty",
                        "one content and one score per run")  # fmt: skip
    pairs = enumerate(zip(scores, contents, strict=True))
    runs = [run_grade(s, c, f"{where} run {k}") for k, (s, c) in pairs]
    return Grades(runs=tuple(runs))


def _grades(path: Path, data: dict[str, Any]) -> dict[str, Prediction]:
    graded = {str(qid): item_grades(str(qid), entry, path) for qid, entry in data.items()}
    counts = sorted({len(g.runs) for g in graded.values()})
    if len(counts) > 1:
        raise DataError(
            f"{path}: items hold different numbers of runs ({counts})",
            "the evaluator grades every item the same number of runs (--num_run); finish it",
        )
    return {qid: Prediction(id=qid, text="", judgement=encode(g)) for qid, g in graded.items()}


def _answer(qid: str, value: object) -> Prediction:
    """A result-file answer; one that is not text fails its own item only."""
    if isinstance(value, str):
        return Prediction(id=qid, text=value)
    return Prediction(id=qid, text=None, invalid=f"the answer is {type(value).__name__}, not text")


def read_official(path: Path) -> Mapping[str, Prediction] | None:
    """Predictions from a result file or a grade file; None for any other file."""
    data = _object(path)
    if data is None:
        return None
    if data and all(isinstance(v, Mapping) and "score" in v for v in data.values()):
        return _grades(path, data)
    if not any(isinstance(v, Mapping) for v in data.values()):
        return {str(qid): _answer(str(qid), value) for qid, value in data.items()}
    raise DataError(
        f"{path} is a JSON object but neither an MM-Vet result file nor a grade file",
        'result files map ids to answers ({"v1_0": "..."}); grade files map ids to '
        '{"model", "content", "score"} lists; or pass JSON Lines {"id", "answer", "judgement"}',
    )
