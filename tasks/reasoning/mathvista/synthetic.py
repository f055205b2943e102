"""Offline stand-in for MathVista: problems on the synthetic shape scenes whose answers follow
from the drawn objects, written in the official testmini.json layout next to `images/`.

Six kinds cycle over the scenes, so every question and answer type (multiple choice, integer
with and without a unit, floats with one and two decimals, a list), every task and every
skill of testmini is present. Answers are stored as calculate_score.py prints them.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mmalign_eval.toolkit.build import build_once
from mmalign_eval.toolkit.shapes import IMAGE_SIZE, OBJECTS, ensure_scenes, read_manifest

SYNTHETIC_VERSION = "1"
LABEL_FILE = "testmini.json"
_CELL = IMAGE_SIZE // 3
Scene = dict[str, Any]  # a manifest entry: image, objects, boxes
Problem = dict[str, Any]


def _which_shape(scene: Scene, rng: random.Random) -> Problem:
    drawn = scene["objects"][0]
    choices = [drawn, *rng.sample([o for o in OBJECTS if o not in scene["objects"]], 3)]
    rng.shuffle(choices)
    return {"question": "Which of these shapes is in the image?", "choices": choices,
            "answer": drawn, "question_type": "multi_choice", "answer_type": "text",
            "task": "figure question answering", "skills": ["logical reasoning"]}  # fmt: skip


def _count(scene: Scene, rng: random.Random) -> Problem:
    return {"question": "How many shapes are in the image?", "answer": str(len(scene["objects"])),
            "answer_type": "integer", "task": "visual question answering",
            "skills": ["arithmetic reasoning", "numeric commonsense"]}  # fmt: skip


def _width(scene: Scene, rng: random.Random) -> Problem:
    x0, _, x1, _ = scene["boxes"][0]
    question = f"How wide is the bounding box of the {scene['objects'][0]}?"
    return {"question": question, "unit": "pixels", "answer": str(x1 - x0),
            "answer_type": "integer", "task": "geometry problem solving",
            "skills": ["geometry reasoning"]}  # fmt: skip


def _filled_cells(scene: Scene, rng: random.Random) -> Problem:
    question = "What fraction of the nine cells of the image's 3 x 3 grid hold a shape?"
    return {"question": question, "answer": str(round(len(scene["objects"]) / 9, 1)),
            "answer_type": "float", "precision": 1, "task": "math word problem",
            "skills": ["arithmetic reasoning", "statistical reasoning"]}  # fmt: skip


def _centre(scene: Scene, rng: random.Random) -> Problem:
    x0, _, x1, _ = scene["boxes"][0]
    question = (f"How far from the left edge is the centre of the {scene['objects'][0]}, as a "
                "fraction of the image width?")  # fmt: skip
    return {"question": question, "answer": str(round((x0 + x1) / 2 / IMAGE_SIZE, 2)),
            "answer_type": "float", "precision": 2, "task": "textbook question answering",
            "skills": ["algebraic reasoning", "scientific reasoning"]}  # fmt: skip


def _columns(scene: Scene, rng: random.Random) -> Problem:
    (a, b), (box_a, box_b) = scene["objects"][:2], scene["boxes"][:2]
    question = (f"In which columns of the 3 x 3 grid (1 to 3, from the left) are the {a} and "
                f"the {b}? Answer [column of the {a}, column of the {b}].")  # fmt: skip
    answer = f"[{box_a[0] // _CELL + 1}, {box_b[0] // _CELL + 1}]"
    return {"question": question, "answer": answer, "answer_type": "list",
            "task": "figure question answering", "skills": ["logical reasoning"]}  # fmt: skip


KINDS: tuple[Callable[[Scene, random.Random], Problem], ...] = (
    _which_shape, _count, _width, _filled_cells, _centre, _columns,
)  # fmt: skip


def synthetic_problems(scenes: list[Scene], size: int) -> dict[str, Problem]:
    """`size` problems in the testmini.json layout, pid "1".."size", one scene each."""
    rng = random.Random(0)
    problems: dict[str, Problem] = {}
    for index in range(size):
        scene = scenes[index % len(scenes)]
        made = KINDS[index % len(KINDS)](scene, rng)
        pid = str(index + 1)
        metadata = {
            "split": "synthetic", "language": "english", "source": "synthetic shapes",
            "category": "general-vqa" if "choices" in made else "math-targeted-vqa",
            "task": made.pop("task"), "context": "synthetic scene", "grade": "not applicable",
            "img_width": IMAGE_SIZE, "img_height": IMAGE_SIZE, "skills": made.pop("skills"),
        }  # fmt: skip
        problems[pid] = {
            "question_type": "free_form", "choices": None, "unit": None, "precision": None,
            **made, "image": f"images/{scene['image']}", "pid": pid, "metadata": metadata,
        }  # fmt: skip
    return problems


def ensure_synthetic_mathvista(cache_dir: Path, size: int = 12) -> Path:
    """Build (once, cached) a folder with testmini.json and images/; return it."""
    scenes = ensure_scenes(cache_dir, size)

    def build(out: Path) -> None:
        shutil.copytree(scenes / "images", out / "images")
        problems = synthetic_problems(read_manifest(scenes)["images"], size)
        (out / LABEL_FILE).write_text(json.dumps(problems, indent=1), encoding="utf-8")

    return build_once(cache_dir, f"synthetic-mathvista-v{SYNTHETIC_VERSION}-n{size}", build)
