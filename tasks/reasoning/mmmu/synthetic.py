"""Offline stand-in for MMMU: questions about the synthetic shape scenes, with known answers,
as rows in the Hugging Face layout, so they take the real loader's path.

Item i asks, by i mod 4: which of four shapes is in <image 1> (multiple choice); how many
shapes <image 1> holds (open, a number); which shape is in <image 2> of two images (multiple
choice over two images); what colour a drawn shape is (open, a word). Subjects cycle through
the 30, so every subject and discipline metric has items once N >= 30.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from mmalign_eval import DataRequest, LoadedData, MediaRef, file_provenance
from mmalign_eval.toolkit.media import ImageFolder
from mmalign_eval.toolkit.shapes import OBJECTS, ensure_scenes, read_manifest

from .items import MMMUInfo, official_order, row_sample
from .subjects import SUBJECTS

SHAPES = sorted({name.split(" ", 1)[1] for name in OBJECTS})
Row = dict[str, Any]


def _shapes(entry: dict[str, Any]) -> list[str]:
    return [str(name).split(" ", 1)[1] for name in entry["objects"]]


def _choice_row(entry: dict[str, Any], rng: random.Random, image: str) -> Row:
    drawn = _shapes(entry)
    texts = [drawn[0], *rng.sample([s for s in SHAPES if s not in drawn], 3)]
    rng.shuffle(texts)
    letter = "ABCD"[texts.index(drawn[0])]
    return {
        "question": f"Which of these shapes is drawn in {image}?",
        "options": repr(texts), "answer": letter, "question_type": "multiple-choice",
    }  # fmt: skip


def _row(index: int, entries: list[dict[str, Any]], rng: random.Random) -> Row:
    entry, kind = entries[index], index % 4
    images: dict[str, str | None] = {"image_1": str(entry["image"])}
    if kind == 0:
        row = _choice_row(entry, rng, "<image 1>")
    elif kind == 1:
        row = {"question": "How many shapes are drawn in <image 1>?", "options": "[]",
               "answer": str(len(entry["objects"])), "question_type": "open"}  # fmt: skip
    elif kind == 2:
        other = entries[index + 1]
        images["image_2"] = str(other["image"])
        row = _choice_row(other, rng, "<image 2>")
        row["question"] = f"<image 1> and <image 2> are two drawings. {row['question']}"
    else:
        colour, shape = str(entry["objects"][0]).split(" ", 1)
        row = {"question": f"What colour is the {shape} in <image 1>?", "options": "[]",
               "answer": colour, "question_type": "open"}  # fmt: skip
    return {**row, **images, "subfield": "synthetic shapes", "topic_difficulty": "Easy"}


def synthetic_rows(entries: list[dict[str, Any]], size: int) -> list[Row]:
    """`size` rows over the scenes (which must number size + 1), ids numbered per subject."""
    rng = random.Random(0)
    counts: dict[str, int] = {}
    rows = []
    for index in range(size):
        subject = SUBJECTS[index % len(SUBJECTS)]
        counts[subject] = counts.get(subject, 0) + 1
        rows.append({"id": f"validation_{subject}_{counts[subject]}", **_row(index, entries, rng)})
    return rows


def load_synthetic(request: DataRequest, size: int) -> LoadedData[MMMUInfo]:
    """Synthetic MMMU items (the same on every machine); images unread when scoring."""
    folder = ensure_scenes(Path(request.cache_dir) / "data", size + 1)
    images = ImageFolder(folder / "images" if request.need_media else None)
    entries = read_manifest(folder)["images"]

    def resolve(item_id: str, column: str, cell: Any) -> MediaRef:
        return images.ref(str(cell))

    samples = [row_sample(row, resolve) for row in synthetic_rows(entries, size)]
    note = f"synthetic MMMU ({folder.name})"
    provenance = file_provenance(folder / "manifest.json", len(samples), "local", note)
    return LoadedData(official_order(samples), provenance)
