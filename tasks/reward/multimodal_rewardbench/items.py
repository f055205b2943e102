"""Multimodal RewardBench items: the typed record of one (prompt, image, two responses)
triplet, built from a line of the official data file or of an official answers file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mmalign_eval import DataError, MediaRef, Record, Sample

from .official import BETTER_VALUES, Letter, checked_category, gold_label

TASK = "multimodal_rewardbench"
FIELDS = ("ID", "Text", "Image", "Output1", "Output2", "Better", "Category")


class PairInfo(Record):
    """What scoring needs of an item: both responses, the human label and the category."""

    output1: str  # assistant A in the official judge prompt
    output2: str  # assistant B
    label: Letter  # the response humans preferred: A (Output1) or B (Output2)
    category: str  # the release's Category
    group: str  # the category compute_acc counts the item in (safety, reasoning split)
    image: str  # the Image path, relative to the data folder (`images/<source>/...`)

    @property
    def chosen(self) -> str:
        """The human-preferred response."""
        return self.output1 if self.label == "A" else self.output2

    @property
    def rejected(self) -> str:
        """The other response."""
        return self.output2 if self.label == "A" else self.output1


def _text(row: Mapping[str, Any], name: str, where: str) -> str:
    value = row.get(name)
    if not isinstance(value, str):
        raise DataError(
            f"{where}: '{name}' is {type(value).__name__}, not text",
            f"each item needs {', '.join(FIELDS)} as in the official all_data.json",
        )
    return value


def label_of(better: object, where: str) -> Letter:
    """The official label of `Better`; a value other than Output1/Output2 is refused (the
    official rule would silently read it as A)."""
    if not isinstance(better, str) or better not in BETTER_VALUES:
        raise DataError(f"{where}: Better is {better!r}", "Better is Output1 or Output2")
    return gold_label(better)


def pair_sample(
    row: Mapping[str, Any], label: Letter, media: MediaRef, where: str
) -> Sample[PairInfo]:
    """One item from a row with the official field names and its label."""
    item_id = _text(row, "ID", where)
    info = PairInfo(
        output1=_text(row, "Output1", where), output2=_text(row, "Output2", where),
        label=label, category=_text(row, "Category", where),
        group=checked_category(row.get("Category"), item_id), image=_text(row, "Image", where),
    )  # fmt: skip
    return Sample(
        id=item_id, task=TASK, question=_text(row, "Text", where), target=label,
        media=(media,), cluster=info.image, category=info.group, info=info,
    )  # fmt: skip
