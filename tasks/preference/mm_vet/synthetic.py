"""Offline stand-in for MM-Vet: questions about the synthetic shape scenes, written in the
official layout (mm-vet.json and images/), with exact ground truths in MM-Vet's notation
(<AND>: every element must be named, <OR>: any one is enough).

The capability labels are MM-Vet v1 integrations, so every metric has items; they are a
demo's labels, not a claim about what the questions test.
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
OFFICIAL_FILE = "mm-vet.json"
Scene = dict[str, Any]  # a manifest entry: image, objects, boxes


def _count(scene: Scene) -> tuple[str, str]:
    return "How many shapes are in the image?", str(len(scene["objects"]))


def _leftmost(scene: Scene) -> tuple[str, str]:
    lefts = [box[0] for box in scene["boxes"]]
    return "Which shape is closest to the left edge?", scene["objects"][lefts.index(min(lefts))]


def _any(scene: Scene) -> tuple[str, str]:
    return "Name one shape in the image.", "<OR>".join(scene["objects"])


def _every(scene: Scene) -> tuple[str, str]:
    return "List every shape in the image.", "<AND>".join(scene["objects"])


QUESTIONS: tuple[tuple[tuple[str, ...], Callable[[Scene], tuple[str, str]]], ...] = (
    (("rec",), _count),
    (("rec", "spat"), _leftmost),
    (("know", "rec"), _any),  # listed out of order, as mm-vet.json may: the set counts
    (("rec", "know", "gen"), _every),
)  # fmt: skip


def synthetic_entries(scenes: list[Scene], size: int) -> dict[str, dict[str, Any]]:
    """`size` mm-vet.json items "v1_<i>", the question kinds in turn, one scene per round."""
    entries = {}
    for index in range(size):
        scene = scenes[index // len(QUESTIONS)]
        capabilities, ask = QUESTIONS[index % len(QUESTIONS)]
        question, answer = ask(scene)
        entries[f"v1_{index}"] = {
            "imagename": scene["image"], "capability": list(capabilities),
            "question": question, "answer": answer,
        }  # fmt: skip
    return entries


def ensure_synthetic_mmvet(cache_dir: Path, size: int = 8) -> Path:
    """Build (once) an official-layout folder with `size` questions; return it."""
    scenes = ensure_scenes(cache_dir, (size + len(QUESTIONS) - 1) // len(QUESTIONS))

    def build(out: Path) -> None:
        shutil.copytree(scenes / "images", out / "images")
        entries = synthetic_entries(read_manifest(scenes)["images"], size)
        (out / OFFICIAL_FILE).write_text(json.dumps(entries, indent=4), encoding="utf-8")

    return build_once(cache_dir, f"synthetic-mm-vet-v{SYNTHETIC_VERSION}-n{size}", build)
