"""VLMEvalKit's MM-AlignBench files for `score`: the judged table it stores after judging
(`<model>_MMAlignBench_<judge>.tsv`/`.csv`/`.xlsx`: `index`, `question`, `type`, `B` the
model's answer, `A` the baseline's, `score`, `judge`) or its predictions (`prediction`).

evaluate() reads `score`, not the reply, so the judgement given to the harness is the reply
when its one verdict is the score, else a line carrying the score itself. An item that had
no verdict after the retry was stored as the string 'Unknown' split into score 'U' and
judge 'n' (`ans[k] = {'score': v[0], 'resp': v[1]}`): it reads as unparsed, as it counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, Prediction
from mmalign_eval.toolkit import arena

SUFFIXES = (".tsv", ".csv", ".xlsx")
ANSWER_COLUMNS = ("B", "prediction")


def _table(path: Path) -> Any:
    import pandas as pd

    if path.suffix == ".xlsx":
        try:
            return pd.read_excel(path)
        except ImportError as exc:
            raise DataError(f"reading {path.name} needs openpyxl", "pip install openpyxl, "
                            "or save the sheet as .tsv") from exc  # fmt: skip
    return pd.read_csv(path, sep="\t" if path.suffix == ".tsv" else ",")


def judgement_text(score: object, reply: object) -> str | None:
    """A judgement whose official reading is the recorded score (None: no score column)."""
    if score is None:
        return None
    if isinstance(score, str) and isinstance(reply, str) and arena.single_verdict(reply) == score:
        return reply
    if isinstance(score, str) and arena.VERDICT_PATTERN.fullmatch(f"[[{score}]]"):
        return f"recorded score: [[{score}]]"
    return f"recorded score holds no verdict: {str(score)[:80]!r}"


def _prediction(row: Mapping[str, Any], answer: str, judged: bool) -> Prediction:
    text = row[answer]
    question = row.get("question")
    return Prediction(
        id=str(row["index"]),
        text=text if isinstance(text, str) else None,
        invalid=None if isinstance(text, str) else f"'{answer}' is empty",
        judgement=judgement_text(row.get("score"), row.get("judge")) if judged else None,
        questions=(question,) if isinstance(question, str) else (),
    )


def read_vlmevalkit(path: Path) -> dict[str, Prediction] | None:
    """Predictions (with judgements when judged) from a VLMEvalKit table; None otherwise."""
    if not path.is_file() or path.suffix not in SUFFIXES:
        return None
    table = _table(path)
    answer = next((c for c in ANSWER_COLUMNS if c in table.columns), None)
    if "index" not in table.columns or answer is None:
        return None
    judged = "score" in table.columns
    rows = table.astype(object).where(table.notna(), None).to_dict("records")
    out: dict[str, Prediction] = {}
    for row in rows:
        prediction = _prediction(row, answer, judged)
        if prediction.id in out:
            raise DataError(f"{path}: index {prediction.id} appears twice", "one row per item")
        out[prediction.id] = prediction
    return out
