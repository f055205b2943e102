"""Offline stand-in for MMStar: multiple-choice questions about the synthetic shape scenes,
as rows in the Hub layout (index, question with its options, answer, category, l2_category,
meta_info, image) so they load through the same code as the real dataset.

Questions cycle through three kinds (which shape is drawn, how many shapes, which colour a
shape has) and through the 18 (capability, axis) pairs, so every metric has items once
there are 18; both option layouts of the real questions appear ('Options: A: x, B: y' and
MathVista's '(A) x' lines).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from mmalign_eval.toolkit.shapes import OBJECTS, ensure_scenes, read_manifest

from .metrics import AXES

SYNTHETIC_SIZE = 18
SHAPES = sorted({name.split(" ", 1)[1] for name in OBJECTS})
COLOURS = sorted({name.split(" ", 1)[0] for name in OBJECTS})
LETTERS = "ABCD"
_MATHVISTA_HINT = (
    "Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, "
    "D, at the end.\nQuestion: "
)


def synthetic_rows(cache_dir: Path, size: int) -> tuple[list[dict[str, Any]], Path]:
    """Rows in the Hub layout (image: the file name) and the scenes' image folder."""
    folder = ensure_scenes(cache_dir, size)
    rng = random.Random(0)
    rows = []
    for index, entry in enumerate(read_manifest(folder)["images"]):
        objects = [str(o) for o in entry["objects"]]
        stem, texts, right = _question(index % 3, objects, rng)
        rng.shuffle(texts)
        answer = LETTERS[texts.index(right)]
        capability, axis = AXES[index % len(AXES)]
        rows.append({
            "index": index,
            "question": _layout(index, stem, texts),
            "answer": answer,
            "category": capability,
            "l2_category": axis,
            "meta_info": {"source": "synthetic", "split": "val", "image_path": entry["image"]},
            "image": str(entry["image"]),
        })  # fmt: skip
    return rows, folder / "images"


def _question(kind: int, objects: list[str], rng: random.Random) -> tuple[str, list[str], str]:
    """A question stem, its four option texts and the right one."""
    if kind == 0:
        drawn = {o.split(" ", 1)[1] for o in objects}
        right = objects[0].split(" ", 1)[1]
        wrong = rng.sample([s for s in SHAPES if s not in drawn], 3)
        return "Which shape is in the image?", [right, *wrong], right
    if kind == 1:
        right = str(len(objects))
        wrong = rng.sample([str(n) for n in range(1, 8) if n != len(objects)], 3)
        return "How many shapes are in the image?", [right, *wrong], right
    colour, shape = objects[0].split(" ", 1)
    wrong = rng.sample([c for c in COLOURS if c != colour], 3)
    return f"What colour is the {shape} in the image?", [colour, *wrong], colour


def _layout(index: int, stem: str, texts: list[str]) -> str:
    """The question with its options in one of the real questions' two layouts."""
    if index % 2 == 0:
        listed = ", ".join(f"{letter}: {text}" for letter, text in zip(LETTERS, texts, strict=True))
        return f"{stem}\nOptions: {listed}"
    lines = "\n".join(f"({letter}) {text}" for letter, text in zip(LETTERS, texts, strict=True))
    return f"{_MATHVISTA_HINT}{stem}\nChoices:\n{lines}"
