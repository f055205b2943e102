"""Synthetic scenes: coloured shapes on a plain background, with exact ground truth.

Every offline stand-in benchmark builds its questions from these scenes (which objects are
where), so answers are known. Scenes are deterministic in (number of images, seed): the same
bytes on every machine, hence the same request keys.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from mmalign_eval.errors import UsageError
from mmalign_eval.toolkit.build import build_once

SCENES_VERSION = "1"

# Each colour is used by exactly one object, so presence is checkable from exact pixel values
# (ImageDraw does not anti-alias, so fills keep their exact RGB).
OBJECT_COLOURS: dict[str, tuple[int, int, int]] = {
    "red circle": (220, 30, 30),
    "blue square": (30, 60, 220),
    "green triangle": (30, 160, 50),
    "yellow star": (240, 200, 0),
    "purple cross": (130, 40, 170),
    "orange diamond": (250, 130, 0),
    "cyan hexagon": (0, 190, 200),
    "magenta ring": (220, 0, 170),
    "brown pentagon": (120, 70, 20),
    "black arrow": (20, 20, 20),
    "gray bar": (128, 128, 128),
    "pink semicircle": (255, 140, 180),
}
OBJECTS: tuple[str, ...] = tuple(OBJECT_COLOURS)
IMAGE_SIZE = 96
BACKGROUND = (245, 245, 240)

_GRID = 3
_CELL = IMAGE_SIZE // _GRID
_THEMES = 4
_THEME_BOOST = 5.0

Box = tuple[int, int, int, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class Scene:
    """One image: its file name, the objects drawn and their boxes."""

    file: str
    objects: tuple[int, ...]
    boxes: tuple[Box, ...]


def theme_of(obj: int) -> int:
    """The theme an object belongs to: objects of one theme co-occur more often."""
    return obj % _THEMES


def sample_scenes(rng: np.random.Generator, num_images: int) -> list[Scene]:
    """The scenes of a dataset, drawn from `rng` (which keeps going for the questions)."""
    return [_sample_image(rng, i) for i in range(num_images)]


def scenes_name(num_images: int, seed: int = 0) -> str:
    """The cache folder name of a scene set."""
    return f"synthetic-shapes-v{SCENES_VERSION}-n{num_images}-s{seed}"


def ensure_scenes(cache_dir: Path, num_images: int, seed: int = 0) -> Path:
    """Build (once, cached) a folder with images/ and manifest.json; return it."""
    if num_images < 1:
        raise UsageError(f"num_images must be at least 1, got {num_images}")
    return build_once(
        cache_dir, scenes_name(num_images, seed), lambda out: _build(out, num_images, seed)
    )


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a scene folder: per image, its file, object names and boxes."""
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return data


def write_scenes(out: Path, scenes: list[Scene], seed: int) -> None:
    """Render the scenes into out/images and describe them in out/manifest.json."""
    images = out / "images"
    images.mkdir(exist_ok=True)
    for scene in scenes:
        render(scene).save(images / scene.file, format="PNG")
    _write_manifest(out / "manifest.json", scenes, len(scenes), seed)


def _build(out: Path, num_images: int, seed: int) -> None:
    write_scenes(out, sample_scenes(np.random.default_rng(seed), num_images), seed)


def _sample_image(rng: np.random.Generator, index: int) -> Scene:
    """Pick 3-5 objects (theme-biased so frequencies and co-occurrences are uneven) and cells."""
    count = int(rng.integers(3, 6))
    theme = int(rng.integers(_THEMES))
    ranks = np.arange(len(OBJECTS), dtype=np.float64)
    weights = 1.0 / np.sqrt(ranks + 1.0)
    weights[[theme_of(k) == theme for k in range(len(OBJECTS))]] *= _THEME_BOOST
    objects = rng.choice(len(OBJECTS), size=count, replace=False, p=weights / weights.sum())
    cells = rng.choice(_GRID * _GRID, size=count, replace=False)
    boxes: list[Box] = []
    for cell in cells:
        size = int(rng.integers(18, 27))
        x0 = (int(cell) % _GRID) * _CELL + int(rng.integers(2, _CELL - size - 1))
        y0 = (int(cell) // _GRID) * _CELL + int(rng.integers(2, _CELL - size - 1))
        boxes.append((x0, y0, x0 + size, y0 + size))
    return Scene(
        file=f"synth_{index:06d}.png",
        objects=tuple(int(o) for o in objects),
        boxes=tuple(boxes),
    )


def _write_manifest(path: Path, specs: list[Scene], num_images: int, seed: int) -> None:
    """Record the generation parameters and per-image ground truth."""
    manifest = {
        "version": SCENES_VERSION,
        "seed": seed,
        "num_images": num_images,
        "image_size": IMAGE_SIZE,
        "objects": list(OBJECTS),
        "images": [
            {
                "image": s.file,
                "objects": [OBJECTS[o] for o in s.objects],
                "boxes": [list(b) for b in s.boxes],
            }
            for s in specs
        ],
    }
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def render(spec: Scene) -> Image.Image:
    """Draw the image's objects on a plain light background."""
    image = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for obj, box in zip(spec.objects, spec.boxes, strict=True):
        name = OBJECTS[obj]
        _draw_shape(draw, name.split(" ", 1)[1], box, OBJECT_COLOURS[name])
    return image


def _draw_shape(draw: ImageDraw.ImageDraw, shape: str, box: Box, colour: tuple[int, ...]) -> None:
    """Draw one named shape filling ``box``."""
    x0, y0, x1, y1 = box
    if shape == "circle":
        draw.ellipse(box, fill=colour)
    elif shape == "ring":
        draw.ellipse(box, outline=colour, width=max(3, (x1 - x0) // 5))
    elif shape == "square":
        draw.rectangle((x0 + 2, y0 + 2, x1 - 2, y1 - 2), fill=colour)
    elif shape == "bar":
        third = (y1 - y0) // 3
        draw.rectangle((x0, y0 + third, x1, y1 - third), fill=colour)
    elif shape == "semicircle":
        draw.pieslice((x0, y0 + (y1 - y0) // 4, x1, y1 + (y1 - y0) // 4), 180, 360, fill=colour)
    else:
        draw.polygon(_polygon(shape, box), fill=colour)


def _polygon(shape: str, box: Box) -> list[Point]:
    """Return the vertices of a polygonal shape inscribed in ``box``."""
    x0, y0, x1, y1 = box
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2
    sides = {"triangle": 3, "diamond": 4, "pentagon": 5, "hexagon": 6}
    if shape in sides:
        return _regular(cx, cy, [r], sides[shape])
    if shape == "star":
        return _regular(cx, cy, [r, r * 0.45], 10)
    if shape == "cross":
        a, b = r, r / 3
        pts = [(b, a), (b, b), (a, b), (a, -b), (b, -b), (b, -a)]
        pts += [(-x, -y) for x, y in pts]
        return [(cx + x, cy + y) for x, y in pts]
    if shape == "arrow":
        a, b = r, r / 3
        pts = [(-a, -b), (0, -b), (0, -a), (a, 0), (0, a), (0, b), (-a, b)]
        return [(cx + x, cy + y) for x, y in pts]
    raise ValueError(f"no drawing rule for shape {shape!r}")


def _regular(cx: float, cy: float, radii: list[float], points: int) -> list[Point]:
    """Return ``points`` vertices around (cx, cy), cycling through ``radii``, apex up."""
    return [
        (
            cx + radii[i % len(radii)] * math.sin(2 * math.pi * i / points),
            cy - radii[i % len(radii)] * math.cos(2 * math.pi * i / points),
        )
        for i in range(points)
    ]
