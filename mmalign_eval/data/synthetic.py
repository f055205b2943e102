"""Offline stand-in for POPE: drawn-shape images with official-format yes/no label files."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from filelock import FileLock
from PIL import Image, ImageDraw

from mmalign_eval.errors import UsageError

SYNTHETIC_VERSION = "1"

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
SPLITS: tuple[str, ...] = ("random", "popular", "adversarial")
IMAGE_SIZE = 96
BACKGROUND = (245, 245, 240)
QUESTIONS_PER_LABEL = 3

_GRID = 3
_CELL = IMAGE_SIZE // _GRID
_THEMES = 4
_THEME_BOOST = 5.0

Box = tuple[int, int, int, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class _ImageSpec:
    file: str
    objects: tuple[int, ...]
    boxes: tuple[Box, ...]


def label_file_name(split: str) -> str:
    """Return the official POPE label file name for a split."""
    if split not in SPLITS:
        raise UsageError(f"unknown POPE split {split!r}", hint=f"use one of {', '.join(SPLITS)}")
    return f"coco_pope_{split}.json"


def ensure_synthetic_pope(cache_dir: Path, num_images: int = 50, seed: int = 0) -> Path:
    """Build (once, cached) a synthetic POPE folder with images and label files; return it."""
    if num_images < 1:
        raise UsageError(f"num_images must be at least 1, got {num_images}")
    cache_dir = Path(cache_dir)
    name = f"synthetic-pope-v{SYNTHETIC_VERSION}-n{num_images}-s{seed}"
    final = cache_dir / name
    # The folder only appears via an atomic rename of a finished build, so existing means complete.
    if final.is_dir():
        return final
    cache_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache_dir / f"{name}.lock")):
        if final.is_dir():
            return final
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=cache_dir))
        try:
            _build(tmp, num_images, seed)
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return final


def _build(out: Path, num_images: int, seed: int) -> None:
    """Write images, label files and manifest for one dataset into ``out``."""
    rng = np.random.default_rng(seed)
    specs = [_sample_image(rng, i) for i in range(num_images)]
    images_dir = out / "images"
    images_dir.mkdir()
    for spec in specs:
        _render(spec).save(images_dir / spec.file, format="PNG")
    presence = np.zeros((num_images, len(OBJECTS)), dtype=np.int64)
    for row, spec in enumerate(specs):
        presence[row, list(spec.objects)] = 1
    freq = presence.sum(axis=0)
    cooc = presence.T @ presence
    # Positives are shared by all splits, as in the official files.
    positives = [_take(rng.permutation(spec.objects)) for spec in specs]
    negatives = {
        "random": [_random_negatives(rng, s.objects) for s in specs],
        "popular": [_popular_negatives(freq, s.objects) for s in specs],
        "adversarial": [_adversarial_negatives(freq, cooc, s.objects) for s in specs],
    }
    for split in SPLITS:
        rows = _questions(specs, positives, negatives[split])
        text = "".join(json.dumps(r) + "\n" for r in rows)
        (out / label_file_name(split)).write_text(text, encoding="utf-8")
    _write_manifest(out / "manifest.json", specs, num_images, seed)


def _sample_image(rng: np.random.Generator, index: int) -> _ImageSpec:
    """Pick 3-5 objects (theme-biased so frequencies and co-occurrences are uneven) and cells."""
    count = int(rng.integers(3, 6))
    theme = int(rng.integers(_THEMES))
    ranks = np.arange(len(OBJECTS), dtype=np.float64)
    weights = 1.0 / np.sqrt(ranks + 1.0)
    weights[np.arange(len(OBJECTS)) % _THEMES == theme] *= _THEME_BOOST
    objects = rng.choice(len(OBJECTS), size=count, replace=False, p=weights / weights.sum())
    cells = rng.choice(_GRID * _GRID, size=count, replace=False)
    boxes: list[Box] = []
    for cell in cells:
        size = int(rng.integers(18, 27))
        x0 = (int(cell) % _GRID) * _CELL + int(rng.integers(2, _CELL - size - 1))
        y0 = (int(cell) // _GRID) * _CELL + int(rng.integers(2, _CELL - size - 1))
        boxes.append((x0, y0, x0 + size, y0 + size))
    return _ImageSpec(
        file=f"synth_{index:06d}.png",
        objects=tuple(int(o) for o in objects),
        boxes=tuple(boxes),
    )


def _take(ids: np.ndarray | list[int]) -> list[int]:
    """Return the first QUESTIONS_PER_LABEL object ids as plain ints."""
    return [int(i) for i in list(ids)[:QUESTIONS_PER_LABEL]]


def _absent(present: tuple[int, ...]) -> list[int]:
    """Return object ids not in ``present``, in vocabulary order."""
    return [k for k in range(len(OBJECTS)) if k not in present]


def _random_negatives(rng: np.random.Generator, present: tuple[int, ...]) -> list[int]:
    """Sample absent objects uniformly."""
    return _take(rng.permutation(_absent(present)))


def _popular_negatives(freq: np.ndarray, present: tuple[int, ...]) -> list[int]:
    """Take the most frequent absent objects (ties by vocabulary order)."""
    return _take(sorted(_absent(present), key=lambda k: (-int(freq[k]), k)))


def _adversarial_negatives(
    freq: np.ndarray, cooc: np.ndarray, present: tuple[int, ...]
) -> list[int]:
    """Take absent objects that co-occur most with the present ones (ties: frequency, order)."""

    def key(k: int) -> tuple[int, int, int]:
        return (-int(sum(int(cooc[p, k]) for p in present)), -int(freq[k]), k)

    return _take(sorted(_absent(present), key=key))


def _questions(
    specs: list[_ImageSpec], positives: list[list[int]], negatives: list[list[int]]
) -> list[dict[str, str | int]]:
    """Interleave yes/no questions per image in official POPE row format."""
    rows: list[dict[str, str | int]] = []
    for spec, pos, neg in zip(specs, positives, negatives, strict=True):
        for yes_obj, no_obj in zip(pos, neg, strict=True):
            for obj, label in ((yes_obj, "yes"), (no_obj, "no")):
                rows.append(
                    {
                        "question_id": len(rows) + 1,
                        "image": spec.file,
                        "text": f"Is there a {OBJECTS[obj]} in the image?",
                        "label": label,
                    }
                )
    return rows


def _write_manifest(path: Path, specs: list[_ImageSpec], num_images: int, seed: int) -> None:
    """Record the generation parameters and per-image ground truth."""
    manifest = {
        "version": SYNTHETIC_VERSION,
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


def _render(spec: _ImageSpec) -> Image.Image:
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
