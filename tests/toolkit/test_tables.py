"""Tables of VLMEvalKit-style files: .xlsx without openpyxl, pandas' missing values kept."""

from __future__ import annotations

from pathlib import Path

from mmalign_eval.toolkit.tables import read_table, write_xlsx


def test_tables_keep_pandas_missing_values(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "t.xlsx", ["index", "prediction", "x"],
               [[1, "None", 2.5], [2, "A & <b>", None], [3, "NA", 7]])  # fmt: skip
    rows = read_table(tmp_path / "t.xlsx")
    assert rows == [
        {"index": 1, "prediction": None, "x": 2.5},
        {"index": 2, "prediction": "A & <b>", "x": None},
        {"index": 3, "prediction": None, "x": 7},
    ]


def test_xlsx_round_trip_of_awkward_text(tmp_path: Path) -> None:
    values = ["a\x17b\r\nc", "_x0041_ literal", "tab\there", "\x00", "  spaced  ", "é ü 中"]
    write_xlsx(tmp_path / "t.xlsx", ["v"], [[v] for v in values])
    assert [r["v"] for r in read_table(tmp_path / "t.xlsx")] == values
