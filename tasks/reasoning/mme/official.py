"""MME's eval_tool folder format: one `<subtask>.txt` per subtask, one line per question
(`image_name TAB question TAB gt`, plus `TAB prediction` in a results folder), an image's two
questions on consecutive lines. Read from a folder, from one subtask file, or from a zip."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mmalign_eval import DataError, Prediction

from .subtasks import PAIR_SIZE, SUBTASKS, check_answer, sample_id

_FORMAT = "lines are image, question, gt and (in results) the prediction, tab-separated"


@dataclass(frozen=True)
class OfficialLine:
    """One question line: its subtask, image, question, ground truth and prediction."""

    subtask: str
    image: str
    question: str
    answer: str  # lowercased, as calculation.py compares it
    prediction: str | None  # None: a template line (three columns)
    where: str  # file:line, for errors

    @property
    def id(self) -> str:
        """The harness id of the question."""
        return sample_id(self.subtask, self.image, self.answer)


def subtask_files(path: Path) -> dict[str, Path]:
    """The `<subtask>.txt` files of a folder, or the one subtask file given, by subtask."""
    if path.is_file():
        known = path.suffix == ".txt" and path.stem in SUBTASKS
        return {path.stem: path} if known else {}
    if not path.is_dir():
        return {}
    return {s: path / f"{s}.txt" for s in SUBTASKS if (path / f"{s}.txt").is_file()}


def parse_lines(subtask: str, raw: Iterable[str], name: str) -> list[OfficialLine]:
    """The lines of one subtask file (as `readlines()` gives them, newline kept)."""
    lines = []
    for number, text in enumerate(raw, start=1):
        where = f"{name}:{number}"
        fields = text.removesuffix("\n").split("\t")
        if len(fields) not in (3, 4):
            raise DataError(
                f"{where} has {len(fields)} tab-separated fields",
                f"{_FORMAT}; the official calculation.py cannot read this line either",
            )
        image, question, gt = fields[:3]
        prediction = fields[3] if len(fields) == 4 else None
        answer = check_answer(gt, where)  # calculation.py lowercases gt, strips nothing
        lines.append(OfficialLine(subtask, image, question, answer, prediction, where))
    check_pairs(lines, name)
    return lines


def check_pairs(lines: list[OfficialLine], name: str) -> None:
    """calculation.py scores acc+ over consecutive line pairs: each must be one image's."""
    if len(lines) % PAIR_SIZE:
        raise DataError(
            f"{name} has an odd number of lines ({len(lines)})",
            "each image has two questions on consecutive lines (calculation.py asserts it)",
        )
    for first, second in zip(lines[::2], lines[1::2], strict=True):
        if first.image != second.image:
            raise DataError(
                f"{second.where} pairs image {second.image} with {first.image} above it",
                "keep an image's two questions on consecutive lines, as in the official "
                "template: calculation.py scores acc+ over consecutive lines, not by image",
            )


def read_folder(path: Path) -> dict[str, list[OfficialLine]]:
    """The lines of every subtask file under `path` (a folder or one file), by subtask."""
    out = {}
    for subtask, file in subtask_files(path).items():
        # Text mode with universal newlines, as calculation.py's open(...).readlines(); a
        # byte-order mark would only rename the first image there (pairs go by position).
        with file.open(encoding="utf-8-sig") as handle:
            out[subtask] = parse_lines(subtask, handle.readlines(), str(file))
    return out


def read_zip(path: Path) -> dict[str, list[OfficialLine]]:
    """The lines of the subtask files of the one results folder inside a zip archive."""
    with zipfile.ZipFile(path) as archive:
        members = [
            PurePosixPath(m)
            for m in archive.namelist()
            if PurePosixPath(m).suffix == ".txt" and PurePosixPath(m).stem in SUBTASKS
        ]
        folders = sorted({str(m.parent) for m in members})
        if len(folders) != 1:
            raise DataError(
                f"{path} holds MME subtask files in {len(folders)} folders ({folders[:5]})",
                "zip exactly one results folder of <subtask>.txt files",
            )
        out = {}
        for member in members:
            with archive.open(str(member)) as binary:
                text = io.TextIOWrapper(binary, encoding="utf-8-sig")
                out[member.stem] = parse_lines(member.stem, text.readlines(), f"{path}!{member}")
    return out


def read_results(path: Path) -> Mapping[str, Prediction] | None:
    """Predictions of an eval_tool results folder (or one subtask file, or a zip of the
    folder) by harness id; None when the path is not in that format (JSON Lines then)."""
    if path.is_file() and zipfile.is_zipfile(path):
        by_subtask = read_zip(path)
    elif subtask_files(path):
        by_subtask = read_folder(path)
    elif path.is_dir():
        raise DataError(
            f"{path} holds no MME results files", f"expected <subtask>.txt files: {SUBTASKS}"
        )
    else:
        return None
    predictions: dict[str, Prediction] = {}
    for line in (line for lines in by_subtask.values() for line in lines):
        if line.prediction is None:
            raise DataError(
                f"{line.where} has no prediction (4th column)",
                "fill the template with the model's answers: image, question, gt, prediction",
            )
        if line.id in predictions:
            raise DataError(f"{line.where}: a second {line.answer} question of {line.image}",
                            "an MME image has one yes and one no question")  # fmt: skip
        predictions[line.id] = Prediction(
            id=line.id, text=line.prediction, questions=(line.question,)
        )
    return predictions
