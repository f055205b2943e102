"""Predictions files for `score multimodal_rewardbench`:

- the official answers file (`outputs/<model>.jsonl` from 1_run_model_as_judge_gpt4o.py,
  the format the leaderboard asks for): one line per item with `ID` and `output`, the
  judge's reply that 2_get_accuracy.py reads (its `Label` and `Meta` are the labels; pass
  the same file as `--data` to score by them);
- the harness's reward lines, `{"id": ..., "rewards": [r_chosen, r_rejected]}` (or an
  object by call role), scored with `--protocol scalar`.

Any other file (the harness's `{"id", "answer"}` lines) is left to the generic reader.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, Prediction, PredictionIds
from mmalign_eval.toolkit.files import read_jsonl

ANSWER_FIELDS = ("text", "answer", "response")
REWARDS = "rewards"
IDS = PredictionIds(fields=("question_id", "id", "ID"))
SCALAR_HINT = "the line gives rewards, not a verdict: score it with --protocol scalar"


def _rows(path: Path) -> list[dict[str, Any]] | None:
    """The lines of a JSON Lines file of objects; None for any other file (the generic
    reader then reads it, and reports what is wrong with it)."""
    if not path.is_file():
        return None
    try:
        return read_jsonl(path)
    except DataError:
        return None


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def official_answers(path: Path, rows: list[dict[str, Any]]) -> dict[str, Prediction]:
    """The judge's replies of an official answers file, by ID."""
    out: dict[str, Prediction] = {}
    for number, row in enumerate(rows, start=1):
        if "output" not in row:
            raise DataError(
                f"{path} line {number} has no 'output'",
                "2_get_accuracy.py reads one reply per line from 'output' (a file written "
                "with -n > 1 holds 'outputs' lists, which it cannot read)",
            )
        pid, output = str(row["ID"]), row["output"]
        if pid in out:
            raise DataError(f"{path}: ID {pid} appears twice", "keep one line per item")
        text = output if isinstance(output, str) else None
        invalid = None if text is not None else f"'output' is {_kind(output)}, not text"
        out[pid] = Prediction(id=pid, text=text, invalid=invalid)
    return out


def _rewards(value: object, where: str) -> Mapping[str, float] | tuple[float, ...]:
    def number(v: object) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool)

    if isinstance(value, list) and value and all(number(v) for v in value):
        return tuple(float(v) for v in value)
    if isinstance(value, dict) and value and all(number(v) for v in value.values()):
        return {str(role): float(v) for role, v in value.items()}
    raise DataError(
        f"{where}: '{REWARDS}' is {json.dumps(value)[:60]}, not numbers",
        'write "rewards": [r_chosen, r_rejected] or {"chosen": ..., "rejected": ...}',
    )


def reward_lines(path: Path, rows: list[dict[str, Any]]) -> dict[str, Prediction]:
    """Reward lines (an answer field is optional beside the rewards), by id."""
    out: dict[str, Prediction] = {}
    for number, row in enumerate(rows, start=1):
        where = f"{path} line {number}"
        pid = IDS.read(row)
        if pid is None or REWARDS not in row:
            raise DataError(f"{where} lacks an id or '{REWARDS}'", "one id and rewards per line")
        if pid in out:
            raise DataError(f"{path}: id {pid} appears twice", "keep one line per item")
        answer = next((row[f] for f in ANSWER_FIELDS if f in row), None)
        text = answer if isinstance(answer, str) else None
        invalid = None if text is not None else SCALAR_HINT
        out[pid] = Prediction(id=pid, text=text, invalid=invalid,
                              rewards=_rewards(row[REWARDS], where))  # fmt: skip
    return out


def read_files(path: Path) -> dict[str, Prediction] | None:
    """Predictions from an official answers file or reward lines; None for other files."""
    rows = _rows(path)
    if not rows:
        return None
    if all("ID" in row for row in rows) and any("output" in r or "outputs" in r for r in rows):
        return official_answers(path, rows)
    if any(REWARDS in row and not any(f in row for f in ANSWER_FIELDS) for row in rows):
        return reward_lines(path, rows)
    return None
