"""Offline stand-in for COCO CHAIR data: the synthetic shape images, their shapes as classes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mmalign_eval.toolkit.build import build_once
from mmalign_eval.toolkit.shapes import ensure_scenes, read_manifest

VERSION = "1"

GROUND_TRUTH_FILE = "chair_image_objects.json"
SYNONYMS_FILE = "chair_synonyms.txt"
# One line per class, canonical first, as in the COCO synonyms.txt; the classes are the shape
# nouns of the synthetic objects ('red circle' -> circle).
SYNONYMS = """circle, disc, disk, dot
square, box, block
triangle, pyramid
star
cross, plus
diamond, rhombus
hexagon
ring, donut, annulus
pentagon
arrow, pointer
bar, line, stripe
semicircle, dome
"""


def ensure_synthetic_chair(cache_dir: Path, num_images: int = 8) -> Path:
    """A folder with the scene images, a CHAIR ground-truth file and a synonym list."""
    scenes = ensure_scenes(cache_dir, num_images)

    def build(out: Path) -> None:
        shutil.copytree(scenes / "images", out / "images")
        objects = {
            str(index): sorted({name.split()[-1] for name in image["objects"]})
            for index, image in enumerate(read_manifest(scenes)["images"])
        }
        (out / SYNONYMS_FILE).write_text(SYNONYMS, encoding="utf-8")
        (out / GROUND_TRUTH_FILE).write_text(json.dumps(objects, indent=1) + "\n", encoding="utf-8")

    return build_once(cache_dir, f"synthetic-chair-v{VERSION}-n{num_images}", build)
