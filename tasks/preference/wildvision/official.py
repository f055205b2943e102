"""WildVision-Bench's own judgement files for `score`: `model_judgements/<judge>/<model>.jsonl`,
one line per question (`question_id`, `model`, `judge`, `games`), each game with the judge
prompt (`user_prompt`), the reply (`judgment`, or `judgement` in some files) and `score`.

show_results.py reads `score`, not the reply: published files record some API failures
(`$ERROR$` replies) with a score of A=B, and files converted from lmms-eval hold the whole
reply (or null) as the score when it had no verdict. The judgement given to the harness is
therefore the reply when its one verdict is the score, else a line that carries the score
itself, so the official reading sees exactly what show_results.py saw. The model's answer
is recovered from the judge prompt (assistant B of the first game), and the prompt is
checked to ask this benchmark's instruction. Only the first game is read (the released
files have one; show_results.py --first-game-only).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, Prediction
from mmalign_eval.toolkit import arena
from mmalign_eval.toolkit.files import read_jsonl

_ANSWER_B = re.compile(
    r"<\|The Start of Assistant B's Answer\|>\n(.*)\n<\|The End of Assistant B's Answer\|>",
    re.DOTALL,
)


def is_judgement_file(path: Path) -> bool:
    """Whether the file's first line is a WildVision judgement record."""
    if not path.is_file() or path.suffix != ".jsonl":
        return False
    with path.open(encoding="utf-8") as handle:
        first = handle.readline()
    try:
        row = json.loads(first)
    except json.JSONDecodeError:
        return False
    return isinstance(row, dict) and "games" in row and "question_id" in row


def judgement_text(game: Mapping[str, Any]) -> str:
    """A judgement whose official reading is the game's recorded score."""
    reply = game.get("judgment", game.get("judgement"))
    score = game.get("score")
    if isinstance(reply, str) and isinstance(score, str) and arena.single_verdict(reply) == score:
        return reply
    if isinstance(score, str) and arena.VERDICT_PATTERN.fullmatch(f"[[{score}]]"):
        return f"recorded score: [[{score}]]"
    return f"recorded score holds no verdict: {str(score)[:80]!r}"


def _prompt_text(game: Mapping[str, Any]) -> str | None:
    prompt = game.get("user_prompt")
    if isinstance(prompt, list):
        texts = [p.get("text") for p in prompt if isinstance(p, dict) and p.get("type") == "text"]
        return next((t for t in texts if isinstance(t, str)), None)
    return prompt if isinstance(prompt, str) else None


def _prediction(row: Mapping[str, Any], path: Path, number: int) -> Prediction:
    games = row.get("games")
    if "question_id" not in row or not isinstance(games, list) or not games:
        raise DataError(f"{path} line {number} has no question_id or no games",
                        "each line needs question_id and games[0]")  # fmt: skip
    if not isinstance(games[0], dict):
        raise DataError(f"{path} line {number}: games[0] is not an object", "check the file")
    prompt = _prompt_text(games[0])
    found = _ANSWER_B.search(prompt) if prompt else None
    return Prediction(
        id=str(row["question_id"]),
        text=found.group(1) if found else "",  # lmms-eval files keep no prompt: no answer
        judgement=judgement_text(games[0]),
        questions=(prompt,) if prompt else (),
    )


def read_judgements(path: Path) -> dict[str, Prediction] | None:
    """Predictions with judgements from an official judgement file; None for other files."""
    if not is_judgement_file(path):
        return None
    out: dict[str, Prediction] = {}
    for number, row in enumerate(read_jsonl(path), start=1):
        prediction = _prediction(row, path, number)
        if prediction.id in out:
            raise DataError(
                f"{path}: question {prediction.id} is judged twice",
                "one model per file, as in model_judgements/<judge>/<model>.jsonl",
            )
        out[prediction.id] = prediction
    return out
