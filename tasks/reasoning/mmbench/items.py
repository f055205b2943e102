"""MMBench questions as samples: one sample per question, its circular copies as rotations.

The dataset (VLMEvalKit's MMBench_DEV_EN.tsv, and lmms-lab/MMBench, a copy of it) holds
every question once per rotation of its options: the copy k of question g has index
g + k x 1,000,000, its options shifted left by k (copy 1 of A,B,C,D lists the old B,C,D,A)
and its answer letter moved with them. Rows are grouped back into one question here; when a
source has no copies at all, they are made by the same shift (VLMEvalKit's tools.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mmalign_eval import DataError, Record, Sample
from mmalign_eval.contracts import MediaRef
from mmalign_eval.toolkit.prompts import Choices, headed_question

TASK = "mmbench_en_dev"
OFFSET = 1_000_000  # index of copy k: g + k * OFFSET
LETTERS = "ABCDEFGHIJ"
Row = Mapping[str, Any]


class Rotation(Record):
    """One circular copy: its row index, options by letter and answer letter."""

    index: int
    options: dict[str, str]
    answer: str


class MMBenchInfo(Record):
    """A question with its hint, labels and every rotation (rotation 0: the original)."""

    index: int
    question: str
    hint: str | None = None
    category: str
    l2_category: str
    rotations: tuple[Rotation, ...]


def missing(value: Any) -> bool:
    """An absent cell: None, NaN, or the string 'nan' the Hub copy stores for NaN."""
    return value is None or (isinstance(value, float) and value != value) or value == "nan"


def row_options(row: Row) -> dict[str, str]:
    """The options of a row, as VLMEvalKit's build_choices reads them (letters A-J)."""
    return {c: str(row[c]) for c in LETTERS if c in row and not missing(row[c])}


def rotation_of(row: Row) -> Rotation:
    """A row's rotation; its answer must be one of its options."""
    index = int(row["index"])
    options = row_options(row)
    answer = str(row["answer"]).strip()
    if answer not in options:
        raise DataError(
            f"MMBench row {index} has answer {row['answer']!r}, options {sorted(options)}",
            "each row's answer must be the letter of one of its options",
        )
    return Rotation(index=index, options=options, answer=answer)


def shifted(rotation: Rotation, k: int) -> Rotation:
    """Copy k of an original rotation: options shifted left by k (VLMEvalKit's tools.py)."""
    letters = list(rotation.options)
    texts = [rotation.options[c] for c in letters]
    moved = texts[k:] + texts[:k]
    answer = letters[(letters.index(rotation.answer) - k) % len(letters)]
    return Rotation(
        index=rotation.index + k * OFFSET,
        options=dict(zip(letters, moved, strict=True)),
        answer=answer,
    )


def l2_of(row: Row) -> str:
    """The row's L2 category (the Hub spells the column 'L2-category', VLMEvalKit lowercases)."""
    for name in ("L2-category", "l2-category", "l2_category"):
        if name in row:
            return str(row[name])
    raise DataError("MMBench rows have no L2-category column", "use the en config of MMBench")


def group_rows(rows: Iterable[Row]) -> dict[int, dict[int, Row]]:
    """Rows by question (index mod 1e6) and copy (index div 1e6)."""
    groups: dict[int, dict[int, Row]] = {}
    for row in rows:
        index = int(row["index"])
        copies = groups.setdefault(index % OFFSET, {})
        if index // OFFSET in copies:
            raise DataError(f"MMBench index {index} appears twice", "each row needs its own index")
        copies[index // OFFSET] = row
    return groups


def question_sample(
    copies: Mapping[int, Row], media: Callable[[Row], MediaRef], make_copies: bool
) -> Sample:
    """One question from its rows (copy 0 first); copies made by shifting when asked."""
    if 0 not in copies:
        first = min(copies)
        raise DataError(
            f"MMBench question {first % OFFSET} has circular copies but no original row",
            "keep every row of the dataset (index < 1,000,000 is the original)",
        )
    main = copies[0]
    rotations = [rotation_of(copies[k]) for k in sorted(copies)]
    if make_copies:
        rotations = [shifted(rotations[0], k) for k in range(len(rotations[0].options))]
    hint = None if missing(main.get("hint")) else str(main["hint"])
    info = MMBenchInfo(
        index=int(main["index"]), question=str(main["question"]), hint=hint,
        category=str(main["category"]), l2_category=l2_of(main), rotations=tuple(rotations),
    )  # fmt: skip
    return Sample(
        id=str(info.index), task=TASK, question=rotation_question(info, rotations[0]),
        target=rotations[0].answer, media=(media(main),), category=info.category, info=info,
    )  # fmt: skip


def rotation_question(info: MMBenchInfo, rotation: Rotation) -> str:
    """The official layout of one rotation: Hint (if any), Question, Options (`A. text`)."""
    choices = Choices(options=rotation.options, answer=rotation.answer, hint=info.hint)
    return headed_question(info.question, choices)


def question_samples(rows: Iterable[Row], media: Callable[[Row], MediaRef]) -> list[Sample]:
    """Every question of the rows, in index order; copies are made only when no row is one."""
    groups = group_rows(rows)
    make_copies = all(set(copies) == {0} for copies in groups.values())
    return [question_sample(groups[g], media, make_copies) for g in sorted(groups)]
