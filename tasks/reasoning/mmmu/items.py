"""MMMU items: the typed record of a question and its construction from a row in the
Hugging Face layout (id, question, options, answer, question_type, image_1..image_7, ...)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mmalign_eval import DataError, MediaRef, Record, Sample
from mmalign_eval.toolkit.prompts import as_options

from .parsing import Gold
from .prompt import IMAGE_COLUMNS, official_prompt, referenced_images
from .subjects import RANK, subject_of

TASK = "mmmu_val"
MULTIPLE_CHOICE = "multiple-choice"  # every other question_type is scored as open
REQUIRED_COLUMNS = ("id", "question", "options", "answer", "question_type")


class MMMUInfo(Record):
    """What scoring needs of an item: subject, type, options and gold answer(s)."""

    subject: str
    question_type: str  # as the data says: multiple-choice, open (short-answer in answer dicts)
    options: dict[str, str] | None  # letter -> text; None: open, or unknown (answer dict)
    answer: Gold  # the letter, the open answer, or the open answers of a list
    subfield: str | None = None
    difficulty: str | None = None
    images: tuple[str, ...] = ()  # the image columns given to the model, in order

    @property
    def multiple_choice(self) -> bool:
        """Scored as multiple choice (the official `question_type == 'multiple-choice'`)."""
        return self.question_type == MULTIPLE_CHOICE


ImageResolver = Callable[[str, str, Any], MediaRef]  # (item id, column, cell) -> media


def parse_options(item_id: str, value: Any) -> list[str]:
    """The options cell: the string form of a Python list (the Hub's) or a list."""
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError) as exc:
            raise DataError(
                f"MMMU item {item_id}: options {value[:60]!r} are not a list literal",
                "options hold the string form of a Python list, as MMMU/MMMU has them",
            ) from exc
    if not isinstance(value, list | tuple):
        raise DataError(f"MMMU item {item_id}: options are {type(value).__name__}, not a list")
    return [str(option) for option in value]


def parse_gold(value: Any) -> Gold:
    """The answer cell; the string form of a list of strings (MMMU's three open questions
    with several accepted answers) becomes that list, as the official answer file has it."""
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    text = str(value)
    if text.startswith("["):
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        if isinstance(parsed, list) and parsed and all(isinstance(v, str) for v in parsed):
            return tuple(parsed)
    return text


def checked_subject(item_id: str) -> str:
    """The item's subject, which must be one of the 30 (the id names it)."""
    subject = subject_of(item_id)
    if subject not in RANK:
        raise DataError(
            f"MMMU id {item_id!r} names no MMMU subject ({subject!r})",
            "ids look like validation_<Subject>_<n>, e.g. validation_Art_Theory_3",
        )
    return subject


def _choices(item_id: str, row: Mapping[str, Any], gold: Gold) -> dict[str, str]:
    options = as_options(parse_options(item_id, row["options"]))
    if not options or not isinstance(gold, str) or gold not in options:
        raise DataError(
            f"MMMU item {item_id}: answer {gold!r} is not one of its options {list(options)}",
            "a multiple-choice answer is the letter of one of the item's options",
        )
    return options


def row_sample(row: Mapping[str, Any], resolve: ImageResolver) -> Sample[MMMUInfo]:
    """One item from a Hugging Face-layout row; its images through `resolve`."""
    item_id = str(row["id"])
    gold = parse_gold(row["answer"])
    question_type = str(row["question_type"])
    options = _choices(item_id, row, gold) if question_type == MULTIPLE_CHOICE else None
    question = str(row["question"])
    present = [c for c in IMAGE_COLUMNS if row.get(c) is not None]
    images = referenced_images([question, *(options or {}).values()], present)
    info = MMMUInfo(
        subject=checked_subject(item_id), question_type=question_type, options=options,
        answer=gold, subfield=_text(row.get("subfield")),
        difficulty=_text(row.get("topic_difficulty")), images=images,
    )  # fmt: skip
    return Sample(
        id=item_id, task=TASK, question=official_prompt(question, options),
        target=gold if isinstance(gold, str) else " | ".join(gold),
        media=tuple(resolve(item_id, c, row.get(c)) for c in images),
        category=info.subject, info=info,
    )  # fmt: skip


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def official_order(samples: Sequence[Sample[MMMUInfo]]) -> list[Sample[MMMUInfo]]:
    """Subjects in the official order, each subject's items in the order given (the order
    the official scripts parse them in, which the seeded fallback depends on); ids unique."""
    seen: set[str] = set()
    for sample in samples:
        if sample.id in seen:
            raise DataError(f"MMMU id {sample.id} appears twice", "each id names one question")
        seen.add(sample.id)
    ranked = sorted(enumerate(samples), key=lambda pair: (RANK[pair[1].info.subject], pair[0]))
    return [sample for _, sample in ranked]
