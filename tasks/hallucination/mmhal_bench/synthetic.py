"""Offline stand-in for MMHal-Bench: questions about the synthetic shape images.

Items cycle through the 8 official question types, as the real template does, and are
written in the template's JSON format next to an `images` folder.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mmalign_eval.toolkit.build import build_once
from mmalign_eval.toolkit.shapes import OBJECTS, ensure_scenes, read_manifest

SYNTHETIC_MMHAL_VERSION = "1"
TEMPLATE_FILE = "mmhal-bench_answer_template.json"
_TYPES = (
    "attribute", "adversarial", "comparison", "counting",
    "relation", "environment", "holistic", "other",
)  # fmt: skip

Image = dict[str, Any]  # an entry of the scenes manifest: image, objects, boxes


def _area(box: list[int]) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _attribute(img: Image) -> tuple[str, str]:
    colour, shape = img["objects"][0].split(" ", 1)
    return f"What color is the {shape} in the image?", f"The {shape} is {colour}."


def _adversarial(img: Image) -> tuple[str, str]:
    absent = next(o for o in OBJECTS if o not in img["objects"])
    return f"What is the {absent} next to?", f"There is no {absent} in the image."


def _comparison(img: Image) -> tuple[str, str]:
    (a, b), (box_a, box_b) = img["objects"][:2], img["boxes"][:2]
    bigger = a if _area(box_a) >= _area(box_b) else b
    return f"Which is larger, the {a} or the {b}?", f"The {bigger} is larger."


def _counting(img: Image) -> tuple[str, str]:
    count = len(img["objects"])
    return "How many shapes are in the image?", f"There are {count} shapes in the image."


def _relation(img: Image) -> tuple[str, str]:
    (a, b), (box_a, box_b) = img["objects"][:2], img["boxes"][:2]
    side = "left" if box_a[0] < box_b[0] else "right"
    return f"Where is the {a} relative to the {b}?", f"The {a} is to the {side} of the {b}."


def _environment(img: Image) -> tuple[str, str]:
    return "What does the background look like?", "The background is plain and light grey."


def _holistic(img: Image) -> tuple[str, str]:
    names = ", ".join(f"a {o}" for o in img["objects"])
    return "Describe this image in detail.", f"The image shows {names} on a plain background."


def _other(img: Image) -> tuple[str, str]:
    return "What kind of picture is this?", "It is a simple drawing of coloured shapes."


_QUESTIONS: dict[str, Callable[[Image], tuple[str, str]]] = {
    "attribute": _attribute, "adversarial": _adversarial, "comparison": _comparison,
    "counting": _counting, "relation": _relation, "environment": _environment,
    "holistic": _holistic, "other": _other,
}  # fmt: skip


def synthetic_entries(images: list[Image], size: int) -> list[dict[str, Any]]:
    """`size` template entries over the images; question types cycle in the official order."""
    entries = []
    for index in range(size):
        img = images[index % len(images)]
        qtype = _TYPES[index % len(_TYPES)]
        question, answer = _QUESTIONS[qtype](img)
        entries.append(
            {
                "question_type": qtype,
                "question_topic": "synthetic",
                "image_id": Path(img["image"]).stem,
                "image_src": img["image"],
                "image_content": [o.split(" ", 1)[1].capitalize() for o in img["objects"]],
                "question": question,
                "gt_answer": answer,
                "model_answer": "",
            }
        )
    return entries


def ensure_synthetic_mmhal(cache_dir: Path, size: int = 16) -> Path:
    """Build (once) a folder with the template JSON and the synthetic images; return it."""
    scenes = ensure_scenes(cache_dir, max(1, (size + 7) // 8 * 2))

    def build(out: Path) -> None:
        shutil.copytree(scenes / "images", out / "images")
        entries = synthetic_entries(read_manifest(scenes)["images"], size)
        (out / TEMPLATE_FILE).write_text(json.dumps(entries, indent=1), encoding="utf-8")

    return build_once(cache_dir, f"synthetic-mmhal-v{SYNTHETIC_MMHAL_VERSION}-n{size}", build)
