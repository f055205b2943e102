"""Offline stand-in for COCO CHAIR data: the synthetic shape images, their shapes as classes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from mmalign_eval.data.synthetic import ensure_synthetic_pope

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
    """The synthetic POPE folder with a CHAIR ground-truth file and synonym list added."""
    folder = ensure_synthetic_pope(cache_dir, num_images)
    truth, synonyms = folder / GROUND_TRUTH_FILE, folder / SYNONYMS_FILE
    if truth.is_file() and synonyms.is_file():
        return folder
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    objects = {
        str(index): sorted({name.split()[-1] for name in image["objects"]})
        for index, image in enumerate(manifest["images"])
    }
    # Written via a rename so a concurrent reader never sees half a file.
    for path, text in ((synonyms, SYNONYMS), (truth, json.dumps(objects, indent=1) + "\n")):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return folder
