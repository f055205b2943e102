"""Offline stand-in for MM-AlignBench: questions about the synthetic shape scenes in
VLMEvalKit's MMAlignBench.tsv layout (base64 images); the baseline's answer names the first
two shapes only, and every other item has a ground-truth key fact (the full list)."""

from __future__ import annotations

import base64
import csv
from pathlib import Path

from mmalign_eval.toolkit.build import build_once
from mmalign_eval.toolkit.shapes import ensure_scenes, read_manifest

SYNTHETIC_VERSION = "1"
TYPES = ("knowledge", "inferential", "creative")
QUESTIONS = {
    "knowledge": "Name every shape in this image.",
    "inferential": "Which shape in this picture would roll best, and why?",
    "creative": "Write a two-line poem about the shapes you see.",
}


def ensure_synthetic_alignbench(cache_dir: Path, size: int, seed: int = 0) -> Path:
    """Build (once, cached) a folder holding MMAlignBench.tsv; return the folder."""
    scenes = ensure_scenes(cache_dir, size, seed)
    name = f"synthetic-mm-alignbench-v{SYNTHETIC_VERSION}-n{size}-s{seed}"
    return build_once(cache_dir, name, lambda out: _build(out, scenes))


def _build(out: Path, scenes: Path) -> None:
    entries = read_manifest(scenes)["images"]
    with (out / "MMAlignBench.tsv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["index", "image", "question", "claude3_sonnet", "type", "gt"])
        for index, entry in enumerate(entries):
            kind = TYPES[index % len(TYPES)]
            image = base64.b64encode((scenes / "images" / str(entry["image"])).read_bytes())
            named = ", ".join(entry["objects"])
            baseline = "I can see " + " and ".join(f"a {o}" for o in entry["objects"][:2]) + "."
            gt = f"The shapes are: {named}." if index % 2 == 0 else ""
            writer.writerow([index, image.decode(), QUESTIONS[kind], baseline, kind, gt])
