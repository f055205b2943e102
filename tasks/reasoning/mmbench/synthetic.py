"""Offline stand-in for MMBench en dev: questions about the synthetic shape scenes as rows in
the Hub layout, circular copies included (index + k x 1e6, options shifted left by k), so
they load through the same grouping as the real dataset.

Questions have 2, 3 or 4 options (so 2-4 rotations), every other one a hint, and they cycle
through the 20 ability categories with their L2 categories, so every metric has items once
there are 20.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from mmalign_eval.toolkit.shapes import OBJECTS, ensure_scenes, read_manifest

from .items import OFFSET, Rotation, shifted
from .metrics import CATEGORIES

SYNTHETIC_SIZE = 20
SHAPES = sorted({name.split(" ", 1)[1] for name in OBJECTS})
HINT = "The image shows coloured shapes on a light background."


def synthetic_rows(cache_dir: Path, size: int) -> tuple[list[dict[str, Any]], Path]:
    """Rows (originals and copies; image: the file name) and the scenes' image folder."""
    folder = ensure_scenes(cache_dir, size)
    rng = random.Random(0)
    rows: list[dict[str, Any]] = []
    for index, entry in enumerate(read_manifest(folder)["images"]):
        drawn = {str(o).split(" ", 1)[1] for o in entry["objects"]}
        right = str(entry["objects"][0]).split(" ", 1)[1]
        texts = [right, *rng.sample([s for s in SHAPES if s not in drawn], 1 + index % 3)]
        rng.shuffle(texts)
        letters = "ABCD"[: len(texts)]
        original = Rotation(
            index=index,
            options=dict(zip(letters, texts, strict=True)),
            answer=letters[texts.index(right)],
        )
        category, l2 = CATEGORIES[index % len(CATEGORIES)]
        for k in range(len(texts)):
            copy = shifted(original, k)
            rows.append({
                "index": index + k * OFFSET, "question": "Which of these shapes is in the image?",
                "hint": HINT if index % 2 else "nan", **_columns(copy.options),
                "answer": copy.answer, "category": category, "L2-category": l2,
                "source": "synthetic", "split": "dev", "comment": "nan",
                "image": str(entry["image"]),
            })  # fmt: skip
    return rows, folder / "images"


def _columns(options: dict[str, str]) -> dict[str, str]:
    """Option columns A-D as the Hub stores them ('nan' for an absent option)."""
    return {letter: options.get(letter, "nan") for letter in "ABCD"}
