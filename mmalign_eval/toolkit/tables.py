"""Tables of VLMEvalKit-style pipelines (MMStar's and MMBench's prediction and data files):
.xlsx read with the standard library (no openpyxl needed) and .tsv/.csv read with pandas.

Cells come back as pandas' default readers give them to the official scripts: empty cells
and pandas' default missing-value strings ('NA', 'None', 'nan', ...) are missing (None), so
`str(cell)` reproduces the official `str(line['prediction'])`, 'nan' included.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from mmalign_eval.errors import DataError

Cell = str | int | float | None
Row = dict[str, Cell]

# pandas' default `na_values` of read_csv and read_excel (pandas._libs.parsers.STR_NA_VALUES).
PANDAS_NA = frozenset(
    {
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
        "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    }
)  # fmt: skip
TABLE_SUFFIXES = (".xlsx", ".tsv", ".csv")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_COLUMN = re.compile(r"[A-Z]+")
# OOXML writes characters XML cannot hold as _xHHHH_; openpyxl (pandas' reader) unescapes them.
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # \r too: XML turns it into \n
_LITERAL = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def cell_text(value: Cell) -> str:
    """The official `str(x)` of a cell pandas read: a missing cell is 'nan'."""
    return "nan" if value is None else str(value)


def read_table(path: Path) -> list[Row]:
    """The rows of an .xlsx, .tsv or .csv file, by header name."""
    if path.suffix == ".xlsx":
        return read_xlsx(path)
    import pandas as pd

    try:
        frame = pd.read_csv(path, sep="\t" if path.suffix == ".tsv" else ",")
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read {path}: {exc}", "pass a tab-separated table") from exc
    rows = frame.to_dict("records")
    return [{str(k): _plain(v) for k, v in row.items()} for row in rows]


def _plain(value: object) -> Cell:
    """A pandas cell as a plain Python value (NaN as None)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str | int | float):
        return value
    item = getattr(value, "item", None)  # numpy scalars
    return _plain(item()) if callable(item) else str(value)


def read_xlsx(path: Path) -> list[Row]:
    """The first worksheet of an .xlsx workbook, row 1 as the header."""
    try:
        with zipfile.ZipFile(path) as book:
            strings = _shared_strings(book)
            sheet = ElementTree.fromstring(book.read(_first_sheet(book)))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError) as exc:
        raise DataError(
            f"cannot read {path} as an .xlsx workbook: {exc}", "check the file"
        ) from exc
    grid = [_row_cells(row, strings) for row in sheet.iter(f"{_MAIN}row")]
    if not grid:
        return []
    header = {col: str(name) for col, name in grid[0].items() if name is not None}
    return [{name: cells.get(col) for col, name in header.items()} for cells in grid[1:]]


def _first_sheet(book: zipfile.ZipFile) -> str:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    sheet = next(workbook.iter(f"{_MAIN}sheet"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    wanted = sheet.get(f"{_REL}id")
    target = next(r.get("Target", "") for r in rels if r.get("Id") == wanted)
    return target.lstrip("/") if target.startswith("/xl/") else f"xl/{target}"


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    return [_text_of(item) for item in root.iter(f"{_MAIN}si")]


def _text_of(item: ElementTree.Element) -> str:
    """A string item's text: its <t>, or its rich-text runs' <t> (phonetic runs left out)."""
    parts = [t.text or "" for t in item.findall(f"{_MAIN}t")]
    parts += [t.text or "" for run in item.findall(f"{_MAIN}r") for t in run.findall(f"{_MAIN}t")]
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), "".join(parts))


def _row_cells(row: ElementTree.Element, strings: Sequence[str]) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for cell in row.findall(f"{_MAIN}c"):
        match = _COLUMN.match(cell.get("r", ""))
        if match is not None:
            cells[match.group(0)] = _cell_value(cell, strings)
    return cells


def _cell_value(cell: ElementTree.Element, strings: Sequence[str]) -> Cell:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{_MAIN}is")
        return _na(_text_of(inline) if inline is not None else "")
    raw = cell.findtext(f"{_MAIN}v")
    if raw is None:
        return None
    if kind == "s":
        return _na(strings[int(raw)])
    if kind in ("str", "e"):
        return _na(raw)
    if kind == "b":
        return raw == "1"
    # openpyxl's number cast: an integer unless the text has a decimal point or exponent.
    return float(raw) if any(c in raw for c in ".eE") else int(raw)


def _na(text: str) -> str | None:
    return None if text in PANDAS_NA else text


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    """A minimal one-sheet workbook (inline strings), e.g. a submission file for tests."""
    lines = [_xml_row(1, header)] + [_xml_row(i + 2, r) for i, r in enumerate(rows)]
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN[1:-1]}"><sheetData>'
        f"{''.join(lines)}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _RELS)
        book.writestr("xl/worksheets/sheet1.xml", sheet)


def _xml_row(number: int, values: Sequence[Cell]) -> str:
    cells = []
    for index, value in enumerate(values):
        ref = f"{_column_name(index)}{number}"
        if value is None:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            text = escape(_xml_safe(str(value)))
            cells.append(
                f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
            )
    return f'<row r="{number}">{"".join(cells)}</row>'


def _xml_safe(text: str) -> str:
    """Text with literal '_xHHHH_' and characters XML cannot hold escaped as OOXML does."""
    text = _LITERAL.sub("_x005F_", text)
    return _NOT_XML.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN[1:-1]}" '
    f'xmlns:r="{_REL[1:-1]}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
    'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
