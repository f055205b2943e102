"""Offline stand-in for LLaVA-Bench: questions about the synthetic shape scenes, written in
the official folder layout (questions.jsonl, context.jsonl, answers_gpt4.jsonl, images/).

Each scene gets three questions, one per official category (conversation, detailed
description, complex reasoning), with a caption and a reference answer that are exact
because the scene's objects are known.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mmalign_eval.toolkit.build import build_once
from mmalign_eval.toolkit.shapes import ensure_scenes, read_manifest

SYNTHETIC_VERSION = "1"
OFFICIAL_FILES = ("questions.jsonl", "context.jsonl", "answers_gpt4.jsonl")
Scene = dict[str, Any]  # a manifest entry: image, objects, boxes


def _names(scene: Scene) -> str:
    objects = [f"a {o}" for o in scene["objects"]]
    return ", ".join(objects[:-1]) + f" and {objects[-1]}"


def caption(scene: Scene) -> str:
    """The scene described as the official context describes a photo."""
    return f"A drawing on a plain light background. It shows {_names(scene)}."


def _conv(scene: Scene) -> tuple[str, str]:
    colour, shape = scene["objects"][0].split(" ", 1)
    return f"What colour is the {shape}?", f"The {shape} in the image is {colour}."


def _detail(scene: Scene) -> tuple[str, str]:
    answer = f"The image is a simple drawing of {_names(scene)} on a plain light background."
    return "Describe the image in detail.", answer


def _complex(scene: Scene) -> tuple[str, str]:
    lefts = [box[0] for box in scene["boxes"]]
    leftmost = scene["objects"][lefts.index(min(lefts))]
    question = "Which shape would you reach first moving from the left edge to the right?"
    return question, f"Moving from the left, the first shape is the {leftmost}."


QUESTIONS: tuple[tuple[str, Callable[[Scene], tuple[str, str]]], ...] = (
    ("conv", _conv), ("detail", _detail), ("complex", _complex),
)  # fmt: skip


def synthetic_rows(scenes: list[Scene], size: int) -> tuple[list[dict[str, Any]], ...]:
    """(questions, contexts, answers) rows for `size` questions, categories in turn."""
    questions, answers = [], []
    for qid in range(size):
        scene = scenes[qid // len(QUESTIONS)]
        category, ask = QUESTIONS[qid % len(QUESTIONS)]
        question, answer = ask(scene)
        questions.append(
            {"question_id": qid, "image": scene["image"], "text": question, "category": category}
        )
        answers.append(
            {"question_id": qid, "prompt": question, "text": answer, "answer_id": f"ref-{qid}",
             "model_id": "synthetic-reference", "metadata": {}}
        )  # fmt: skip
    used = scenes[: (size + len(QUESTIONS) - 1) // len(QUESTIONS)]
    contexts = [{"id": s["image"].split(".")[0], "image": s["image"], "caption": caption(s)}
                for s in used]  # fmt: skip
    return questions, contexts, answers


def ensure_synthetic_llava(cache_dir: Path, size: int = 6) -> Path:
    """Build (once) an official-layout folder with `size` questions; return it."""
    scenes = ensure_scenes(cache_dir, (size + len(QUESTIONS) - 1) // len(QUESTIONS))

    def build(out: Path) -> None:
        shutil.copytree(scenes / "images", out / "images")
        tables = synthetic_rows(read_manifest(scenes)["images"], size)
        for name, rows in zip(OFFICIAL_FILES, tables, strict=True):
            text = "".join(json.dumps(row) + "\n" for row in rows)
            (out / name).write_text(text, encoding="utf-8")

    return build_once(cache_dir, f"synthetic-llava-bench-v{SYNTHETIC_VERSION}-n{size}", build)
