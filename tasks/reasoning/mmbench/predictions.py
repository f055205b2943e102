"""MMBench answers for `score`: one reply per rotation, from either format.

- The harness's JSON Lines: one line per rotation, `{"id": <question index>, "rotation": k,
  "answer": <reply>}` (also `text`, `response` or `prediction` for the reply, `question_id`
  for the id); a line without `rotation` answers rotation 0, unless its id is a circular
  copy's own index (id = question + k x 1e6), as in VLMEvalKit.
- VLMEvalKit's prediction table (.xlsx, .tsv or .csv) with columns `index` and
  `prediction`, the circular copies at index + k x 1e6.
Each question becomes one prediction whose other_roles hold its rotations' replies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, Prediction
from mmalign_eval.toolkit.files import read_json, read_jsonl
from mmalign_eval.toolkit.tables import TABLE_SUFFIXES, cell_text, read_table

from ..mmstar.predictions import table_index
from .items import OFFSET
from .judge import role

ID_FIELDS = ("id", "question_id", "index")
TEXT_FIELDS = ("answer", "prediction", "response", "text")
Replies = dict[int, dict[int, str | None]]  # question index -> rotation -> reply


def read_rotations(path: Path) -> Mapping[str, Prediction] | None:
    """Predictions by question from a table or a JSON Lines/JSON file; None otherwise."""
    if not path.is_file():
        return None
    if path.suffix in TABLE_SUFFIXES:
        replies = _table_replies(path)
    elif path.suffix in (".jsonl", ".json"):
        replies = _json_replies(path)
    else:
        return None
    return {str(g): _prediction(g, by_k) for g, by_k in replies.items()}


def _prediction(question: int, by_k: Mapping[int, str | None]) -> Prediction:
    first = by_k.get(0)
    return Prediction(
        id=str(question),
        text=first,
        invalid=None if first is not None else "no reply for rotation 0",
        other_roles={role(k): by_k[k] for k in sorted(by_k)},
    )


def _add(replies: Replies, index: int, rotation: int | None, reply: str | None, where: str) -> None:
    question, k = (index, rotation) if rotation is not None else (index % OFFSET, index // OFFSET)
    if rotation is not None and index >= OFFSET:
        raise DataError(f"{where}: id {index} with a rotation", "give the question's own index")
    by_k = replies.setdefault(question, {})
    if k in by_k:
        raise DataError(
            f"{where}: question {question} rotation {k} appears twice", "one reply each"
        )
    by_k[k] = reply


def _table_replies(path: Path) -> Replies:
    rows = read_table(path)
    if rows and not {"index", "prediction"} <= set(rows[0]):
        raise DataError(
            f"{path} has columns {sorted(rows[0])}",
            "a VLMEvalKit prediction table needs the columns index and prediction",
        )
    replies: Replies = {}
    for row in rows:
        # The official evaluator reads str(prediction): an empty cell is the reply 'nan'.
        _add(
            replies, table_index(row["index"], path), None, cell_text(row["prediction"]), str(path)
        )
    return replies


def _json_rows(path: Path) -> Iterable[Mapping[str, Any]]:
    if path.suffix == ".json":
        rows = read_json(path, "the predictions file", "pass JSON Lines or a JSON array")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise DataError(f"{path} is not a JSON array of objects", "one object per rotation")
        return rows
    return read_jsonl(path)


def _json_replies(path: Path) -> Replies:
    replies: Replies = {}
    for number, row in enumerate(_json_rows(path), start=1):
        where = f"{path} line {number}"
        key = next((f for f in ID_FIELDS if f in row), None)
        text = next((f for f in TEXT_FIELDS if f in row), None)
        if key is None or text is None:
            raise DataError(
                f"{where} lacks an id ({'/'.join(ID_FIELDS)}) or a reply ({'/'.join(TEXT_FIELDS)})",
                'each line: {"id": <question index>, "rotation": k, "answer": <reply>}',
            )
        if "judgement" in row:
            raise DataError(f"{where} carries a judgement", "MMBench's judge matches rotations "
                            "itself (pass --judge); drop the judgement fields")  # fmt: skip
        rotation = row.get("rotation")
        bad = isinstance(rotation, bool) or not isinstance(rotation, int) or rotation < 0
        if rotation is not None and bad:
            raise DataError(f"{where}: rotation {rotation!r}", "rotation is an integer k >= 0")
        reply = row[text] if isinstance(row[text], str) else None
        _add(replies, table_index(row[key], path), rotation, reply, where)
    return replies
