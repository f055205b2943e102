"""VL-RewardBench's answers for `score`, in either format (JSON Lines, or a JSON array):

- the harness's: one line per item, `{"id", "judgements": [{"order": "AB"|"BA", "text"}]}`
  (the evaluated model's sampled replies; AB shows the dataset's response order) and/or
  `"rewards": [r_chosen, r_rejected]` (or `{"chosen": r, "rejected": r}`);
- `inference_hf.py`'s output: one line per sampled reply (K per item, possibly wrapped as
  `{"0": item}`), the reply in `meta.filter_choice` and its order in `meta.random_number`
  (0: the dataset's order). `cal.py` reads every reply of an item when K covers them, so
  the order of lines does not matter here.

Each item's replies become the roles `sample-<i>-<order>` (plan.py), so the order each was
shown in travels with it; lines carrying the query have it checked against the benchmark.
`score` currently answers the plan's roles only, so a reply is found only where its order
is the one plan.order_of draws for its index (a file written from a harness run); scoring
files with other orders needs `score` to take a line's own roles.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, Prediction
from mmalign_eval.toolkit.files import read_json, read_jsonl

from .official import Order
from .plan import CHOSEN, REJECTED, sample_role

SUFFIXES = (".jsonl", ".json")
HINT = (
    'each line: {"id": ..., "judgements": [{"order": "AB", "text": ...}, ...]} or '
    '{"id": ..., "rewards": [r_chosen, r_rejected]}, or inference_hf.py\'s output lines'
)
Replies = dict[str, list[tuple[Order, str | None]]]


def _is_official(row: Mapping[str, Any]) -> bool:
    meta = row.get("meta")
    return isinstance(meta, dict) and "filter_choice" in meta


def _order(value: object, where: str) -> Order:
    if value == "AB" or value == 0:
        return "AB"
    if value == "BA" or value == 1:
        return "BA"
    raise DataError(f"{where}: order {value!r}", "orders are AB or BA (random_number 0 or 1)")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rewards(value: object, where: str) -> tuple[float, ...] | dict[str, float]:
    if isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value):
        return (float(value[0]), float(value[1]))
    roles = {CHOSEN, REJECTED}
    if isinstance(value, dict) and set(value) == roles and all(map(_number, value.values())):
        return {str(role): float(v) for role, v in value.items()}
    raise DataError(f"{where}: rewards {value!r}", "give [r_chosen, r_rejected]")


def _judgements(value: object, where: str) -> list[tuple[Order, str | None]]:
    if not isinstance(value, list) or not all(isinstance(j, dict) for j in value):
        raise DataError(f"{where}: 'judgements' is not a list of {{order, text}}", HINT)
    out: list[tuple[Order, str | None]] = []
    for judgement in value:
        if "order" not in judgement or "text" not in judgement:
            raise DataError(f"{where}: a judgement lacks its order or text", HINT)
        text = judgement["text"]
        out.append((_order(judgement["order"], where), text if isinstance(text, str) else None))
    return out


def _harness_line(row: object, where: str) -> Prediction:
    if not isinstance(row, dict) or "id" not in row or not ({"judgements", "rewards"} & set(row)):
        raise DataError(f"{where} has neither judgements nor rewards for an id", HINT)
    replies = _judgements(row["judgements"], where) if "judgements" in row else []
    rewards = _rewards(row["rewards"], where) if "rewards" in row else ()
    return _prediction(str(row["id"]), replies, rewards, _query(row))


def _query(row: Mapping[str, Any]) -> tuple[str, ...]:
    query = row.get("query")
    return (query,) if isinstance(query, str) else ()


def _prediction(
    item_id: str,
    replies: list[tuple[Order, str | None]],
    rewards: tuple[float, ...] | dict[str, float] = (),
    questions: tuple[str, ...] = (),
) -> Prediction:
    roles = {sample_role(i, order): text for i, (order, text) in enumerate(replies)}
    # The file's replies, in the orders they were shown, stand for the plan's K calls; a line
    # of rewards alone has no answer text (so `score` picks the scalar protocol for it).
    return Prediction(
        id=item_id, text="" if roles else None,
        invalid=None if roles else "the line gives rewards, no answer text",
        other_roles=roles, rewards=rewards, questions=questions, replaces_plan=bool(roles),
    )  # fmt: skip


def _official(rows: list[Any], path: Path) -> dict[str, Prediction]:
    """inference_hf.py's lines grouped by id, in file order (cal.py skips null items)."""
    replies: Replies = {}
    queries: dict[str, set[str]] = {}
    for number, row in enumerate(rows, start=1):
        if row is None:
            continue
        where = f"{path} line {number}"
        if not isinstance(row, dict) or not _is_official(row) or "id" not in row:
            raise DataError(f"{where} is not an inference_hf.py output line", HINT)
        meta = row["meta"]
        order = _order(meta.get("random_number"), where)
        text = meta["filter_choice"]
        item_id = str(row["id"])
        replies.setdefault(item_id, []).append((order, text if isinstance(text, str) else None))
        queries.setdefault(item_id, set()).update(_query(row))
    return {i: _prediction(i, r, (), tuple(sorted(queries[i]))) for i, r in replies.items()}


def _rows(path: Path) -> list[Any]:
    """JSON Lines, or one JSON array of the same objects."""
    with path.open("rb") as handle:
        array = handle.read(64).lstrip().startswith(b"[")
    if not array:
        return list(read_jsonl(path))
    rows = read_json(path, "the predictions file", "pass JSON Lines or a JSON array")
    if not isinstance(rows, list):
        raise DataError(f"{path} is not a JSON array of lines", HINT)
    return rows


def read_vl_rewardbench(path: Path) -> dict[str, Prediction] | None:
    """Predictions by id from either format; None for files of another kind."""
    if not path.is_file() or path.suffix not in SUFFIXES:
        return None
    rows = _rows(path)
    if rows and isinstance(rows[0], dict) and "0" in rows[0]:
        # cal.py unwraps every line when the first one is wrapped
        rows = [row.get("0") if isinstance(row, dict) else row for row in rows]
    if any(isinstance(row, dict) and _is_official(row) for row in rows):
        return _official(rows, path)
    out: dict[str, Prediction] = {}
    for number, row in enumerate(rows, start=1):
        prediction = _harness_line(row, f"{path} line {number}")
        if prediction.id in out:
            raise DataError(f"{path}: id {prediction.id} appears twice",
                            "one line per item, every sampled reply in its judgements")  # fmt: skip
        out[prediction.id] = prediction
    return out
