"""Offline stand-in for MIA-Bench: layered instructions about the synthetic shape scenes, in
the official file format (instruction_benchmark_all.json) next to an `images` folder.

Each item is one instruction built from a template of weighted, typed components (the
official types and weights summing to 10), naming shapes the scene really has.
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
OFFICIAL_FILE = "instruction_benchmark_all.json"
Scene = dict[str, Any]  # a manifest entry: image, objects, boxes
Part = tuple[str, int, str]  # component text, weight, type


def _shape(scene: Scene, index: int = 0) -> str:
    return str(scene["objects"][index]).split(" ", 1)[1]


def _two_sentences(scene: Scene) -> tuple[str, list[Part]]:
    return "basic", [("Describe the image", 4, "describe"),
                     ("in exactly two sentences", 3, "length_limit"),
                     ("mentioning the colour of every shape", 3, "mention")]  # fmt: skip


def _haiku(scene: Scene) -> tuple[str, list[Part]]:
    return "creative", [(f"Write about the {_shape(scene)}", 5, "describe"),
                        ("as a haiku", 5, "linguistics")]  # fmt: skip


def _list(scene: Scene) -> tuple[str, list[Part]]:
    return "intermediate", [("List the shapes in the image", 4, "describe"),
                            ("as a numbered list", 3, "textual"),
                            ("starting each item with a capital letter", 3, "grammar")]  # fmt: skip


def _count(scene: Scene) -> tuple[str, list[Part]]:
    return "advanced", [("Count the shapes in the image", 6, "math"),
                        ("and write the number as a word", 4, "textual")]  # fmt: skip


def _perspective(scene: Scene) -> tuple[str, list[Part]]:
    first, second = _shape(scene, 0), _shape(scene, 1)
    return "complex", [(f"Describe the {first}", 4, "describe"),
                       (f"from the point of view of the {second}", 3, "perspective"),
                       ("in fewer than 20 words", 3, "length_limit")]  # fmt: skip


TEMPLATES: tuple[Callable[[Scene], tuple[str, list[Part]]], ...] = (
    _two_sentences, _haiku, _list, _count, _perspective,
)  # fmt: skip


def synthetic_items(scenes: list[Scene]) -> list[dict[str, Any]]:
    """One official-format item per scene, the templates in turn."""
    items = []
    for index, scene in enumerate(scenes):
        level, parts = TEMPLATES[index % len(TEMPLATES)](scene)
        texts = [text for text, _, _ in parts]
        items.append({
            "image": scene["image"], "instruction": ", ".join(texts) + ".", "type": level,
            "num_of_component": len(parts), "components": texts,
            "component_weight": [w for _, w, _ in parts],
            "component_type": [t for _, _, t in parts],
        })  # fmt: skip
    return items


def ensure_synthetic_mia(cache_dir: Path, size: int = 10) -> Path:
    """Build (once) a folder with the instruction file and `size` scene images; return it."""
    scenes = ensure_scenes(cache_dir, size)

    def build(out: Path) -> None:
        shutil.copytree(scenes / "images", out / "images")
        items = synthetic_items(read_manifest(scenes)["images"])
        (out / OFFICIAL_FILE).write_text(json.dumps(items, indent=1), encoding="utf-8")

    return build_once(cache_dir, f"synthetic-mia-bench-v{SYNTHETIC_VERSION}-n{size}", build)
