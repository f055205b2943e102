"""Offline stand-in for MME: two yes/no questions per synthetic shape scene (one answered yes,
one no), written as the official eval_tool folder (`<subtask>.txt`, `images/<subtask>/`).

Scene i belongs to subtask i mod 14. Existence, count, position, colour and numerical
calculation ask what those subtasks ask, about the drawn shapes; the other subtasks ask
whether a shape is drawn, in their own words.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mmalign_eval.toolkit.build import build_once
from mmalign_eval.toolkit.shapes import OBJECTS, ensure_scenes, read_manifest

from .subtasks import SUBTASKS

VERSION = "1"
SYNTHETIC_IMAGES = "images"
SUFFIX = " Please answer yes or no."
_CELL = 32  # the scenes' grid cell in pixels: shapes in different columns never overlap in x
Entry = Mapping[str, Any]
Pair = tuple[str, str]  # (the question answered yes, the one answered no)

# Subtasks whose content shapes cannot show ask about a drawn shape, in their own words.
_PHRASES = {
    "posters": "Is a {} shown in this poster?",
    "celebrity": "Does the picture feature a {}?",
    "scene": "Does this scene contain a {}?",
    "landmark": "Is a {} shown in this picture?",
    "artwork": "Does this artwork include a {}?",
    "OCR": "Does the image show a {}?",
    "commonsense_reasoning": "Could you find a {} in this image?",
    "text_translation": "Is there a {} drawn in this image?",
    "code_reasoning": "Is a {} drawn in the picture?",
}


def _absent(entry: Entry) -> list[str]:
    return [o for o in OBJECTS if o not in entry["objects"]]


def _existence(entry: Entry) -> Pair:
    ask = "Is there a {} in this image?"
    return ask.format(entry["objects"][0]), ask.format(_absent(entry)[0])


def _count(entry: Entry) -> Pair:
    ask = "Are there {} shapes in this image?"
    return ask.format(len(entry["objects"])), ask.format(len(entry["objects"]) + 1)


def _position(entry: Entry) -> Pair:
    """Two shapes in different grid columns (or rows): left of / above, and the reverse."""
    placed = sorted(zip(entry["boxes"], entry["objects"], strict=True))
    for axis, relation in ((0, "on the left of"), (1, "above")):
        for i, (box_a, a) in enumerate(placed):
            for box_b, b in placed[i + 1 :]:
                if box_a[axis] // _CELL < box_b[axis] // _CELL:
                    return f"Is the {a} {relation} the {b}?", f"Is the {b} {relation} the {a}?"
                if box_b[axis] // _CELL < box_a[axis] // _CELL:
                    return f"Is the {b} {relation} the {a}?", f"Is the {a} {relation} the {b}?"
    raise ValueError("a scene with shapes in one grid cell")  # scenes use distinct cells


def _color(entry: Entry) -> Pair:
    ask = "Is there a {} shape in this image?"
    colour = str(entry["objects"][0]).split(" ", 1)[0]
    return ask.format(colour), ask.format(_absent(entry)[0].split(" ", 1)[0])


def _numerical(entry: Entry) -> Pair:
    ask = "Is the number of shapes in this image plus 2 equal to {}?"
    return ask.format(len(entry["objects"]) + 2), ask.format(len(entry["objects"]) + 3)


def _phrased(subtask: str) -> Callable[[Entry], Pair]:
    def pair(entry: Entry) -> Pair:
        ask = _PHRASES[subtask]
        return ask.format(entry["objects"][-1]), ask.format(_absent(entry)[-1])

    return pair


QUESTIONS: dict[str, Callable[[Entry], Pair]] = {
    "existence": _existence,
    "count": _count,
    "position": _position,
    "color": _color,
    "numerical_calculation": _numerical,
    **{s: _phrased(s) for s in _PHRASES},
}


def ensure_synthetic_mme(cache_dir: Path, num_images: int) -> Path:
    """Build (once, cached) the synthetic eval_tool folder over `num_images` scenes."""
    scenes = ensure_scenes(cache_dir, num_images)

    def build(out: Path) -> None:
        lines: dict[str, list[str]] = {s: [] for s in SUBTASKS}
        for index, entry in enumerate(read_manifest(scenes)["images"]):
            subtask = SUBTASKS[index % len(SUBTASKS)]
            name = str(entry["image"])
            target = out / SYNTHETIC_IMAGES / subtask / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(scenes / "images" / name, target)
            yes, no = QUESTIONS[subtask](entry)
            lines[subtask] += [f"{name}\t{yes}{SUFFIX}\tYes\n", f"{name}\t{no}{SUFFIX}\tNo\n"]
        for subtask, rows in lines.items():
            if rows:
                (out / f"{subtask}.txt").write_text("".join(rows), encoding="utf-8")

    return build_once(cache_dir, f"synthetic-mme-v{VERSION}-n{num_images}", build)
