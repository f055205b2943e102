"""Reward files for `score`: the official inference output and the harness's rewards lines.

- Official output (llava/eval/eval_mm_reward_bench.py of Kwai-YuanQi/MM-RLHF, and
  R1-Reward's r1_reward.py): each benchmark line with `rewards` [r_chosen, r_rejected] and
  `critic` added. Its `id` is the prompt's, shared by the prompt's pairs, so a line is
  matched to the pair at its position among that id's lines in file order (`<id>:<k>`, as
  the benchmark file orders them). ACC, ACC+ and the categories are sums over prompts, so
  they do not depend on that order. A `critic` that is text (R1-Reward's judge reply) is
  the answer the generative protocols read; MM-RLHF's list of critiques is not.
- Harness lines `{"id": "<id>:<k>", "rewards": [r_chosen, r_rejected]}` (or rewards by
  call role, {"chosen": .., "rejected": ..}), which carry no answer text.

Any other file is left to the harness's JSON Lines reader (answers for `generative`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, Prediction
from mmalign_eval.predictions import QUESTION_FIELDS, REWARDS_FIELD, TEXT_FIELDS
from mmalign_eval.toolkit.files import read_jsonl

OFFICIAL_KEYS = ("id", "chosen", "rejected", REWARDS_FIELD)
_HINT = 'write "rewards": [r_chosen, r_rejected] (two numbers, the chosen response first)'


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rewards(value: object, where: str) -> tuple[float, ...] | dict[str, float]:
    """The line's rewards: the first two of a list (the script reads [0] and [1]) or a map."""
    if isinstance(value, list) and len(value) >= 2 and all(_number(v) for v in value):
        return (float(value[0]), float(value[1]))
    if isinstance(value, dict) and value and all(_number(v) for v in value.values()):
        return {str(role): float(v) for role, v in value.items()}
    raise DataError(f"{where}: '{REWARDS_FIELD}' is not two numbers ({value!r:.60})", _HINT)


def _questions(row: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(row[f]) for f in QUESTION_FIELDS if isinstance(row.get(f), str))


def _official(rows: Sequence[dict[str, Any]], path: Path) -> dict[str, Prediction]:
    out: dict[str, Prediction] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        where = f"{path} line {number}"
        if not all(key in row for key in OFFICIAL_KEYS):
            raise DataError(f"{where} lacks one of {', '.join(OFFICIAL_KEYS)}",
                            "every line of the official output has them")  # fmt: skip
        group = str(row["id"])
        index = seen.get(group, 0)
        seen[group] = index + 1
        critic = row.get("critic")
        pid = f"{group}:{index}"
        out[pid] = Prediction(
            id=pid, text=critic if isinstance(critic, str) else None,
            invalid=None if isinstance(critic, str) else "the line's 'critic' is not a reply",
            rewards=_rewards(row[REWARDS_FIELD], where), questions=_questions(row),
        )  # fmt: skip
    return out


def _harness(rows: Sequence[dict[str, Any]], path: Path) -> dict[str, Prediction]:
    out: dict[str, Prediction] = {}
    for number, row in enumerate(rows, start=1):
        where = f"{path} line {number}"
        if "id" not in row or REWARDS_FIELD not in row:
            raise DataError(f"{where} lacks 'id' or '{REWARDS_FIELD}'", _HINT)
        pid = str(row["id"])
        if pid in out:
            raise DataError(
                f"{path}: id {pid} appears twice",
                "name each pair <id>:<k> (k: its position among the prompt's lines of "
                "mm_reward_bench.jsonl, from 0), or pass the official script's output as is",
            )
        rewards = _rewards(row[REWARDS_FIELD], where)
        out[pid] = Prediction(id=pid, text=None, invalid="a rewards line holds no answer text",
                              rewards=rewards, questions=_questions(row))  # fmt: skip
    return out


def read_reward_files(path: Path) -> dict[str, Prediction] | None:
    """Predictions of an official output or a harness rewards file; None for other files."""
    if not path.is_file() or path.suffix.lower() not in (".jsonl", ".json"):
        return None
    try:
        rows = read_jsonl(path)
    except DataError:
        return None  # not JSON Lines (e.g. a JSON array): the harness's reader says why
    if not rows or REWARDS_FIELD not in rows[0]:
        return None
    if all(key in rows[0] for key in OFFICIAL_KEYS):
        return _official(rows, path)
    if any(field in row for row in rows for field in TEXT_FIELDS):
        return None  # answers with rewards beside them: the harness's reader takes both
    return _harness(rows, path)
