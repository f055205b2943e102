"""MMStar's official output format for `score`: VLMEvalKit's prediction table (.xlsx, .tsv or
.csv) with columns `index` and `prediction`, as the MMStar submission files are."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mmalign_eval import DataError, Prediction
from mmalign_eval.toolkit.tables import TABLE_SUFFIXES, Cell, cell_text, read_table


def table_index(value: Cell, path: Path) -> int:
    """An `index` cell as an integer (tables may store it as a float, e.g. 12.0)."""
    try:
        number = float(str(value))
    except ValueError:
        number = float("nan")
    if number != number or number != int(number):
        raise DataError(f"{path}: index {value!r} is not an integer", "index is the item id")
    return int(number)


def read_submission(path: Path) -> Mapping[str, Prediction] | None:
    """Predictions by index from a submission table; None for other files (JSON Lines)."""
    if path.suffix not in TABLE_SUFFIXES or not path.is_file():
        return None
    rows = read_table(path)
    if rows and not {"index", "prediction"} <= set(rows[0]):
        raise DataError(
            f"{path} has columns {sorted(rows[0])}",
            "an MMStar prediction table needs the columns index and prediction",
        )
    out: dict[str, Prediction] = {}
    for row in rows:
        pid = str(table_index(row["index"], path))
        if pid in out:
            raise DataError(f"{path}: index {pid} appears twice", "keep one row per question")
        question = row.get("question")
        out[pid] = Prediction(
            id=pid,
            # The official str(prediction): an empty cell is the reply 'nan'.
            text=cell_text(row["prediction"]),
            questions=(question,) if isinstance(question, str) else (),
        )
    return out
