"""Offline stand-in for POPE: yes/no questions about the synthetic shape scenes, in the
official label-file format (JSON Lines `question_id, image, text, label`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from mmalign_eval.errors import UsageError
from mmalign_eval.toolkit.build import build_once
from mmalign_eval.toolkit.shapes import OBJECTS, Scene, ensure_scenes, sample_scenes

SYNTHETIC_VERSION = "1"
SPLITS: tuple[str, ...] = ("random", "popular", "adversarial")
QUESTIONS_PER_LABEL = 3


def label_file_name(split: str) -> str:
    """Return the official POPE label file name for a split."""
    if split not in SPLITS:
        raise UsageError(f"unknown POPE split {split!r}", hint=f"use one of {', '.join(SPLITS)}")
    return f"coco_pope_{split}.json"


def ensure_synthetic_pope(cache_dir: Path, num_images: int = 50, seed: int = 0) -> Path:
    """Build (once, cached) a synthetic POPE folder with images and label files; return it."""
    scenes = ensure_scenes(cache_dir, num_images, seed)
    name = f"synthetic-pope-v{SYNTHETIC_VERSION}-n{num_images}-s{seed}"
    return build_once(cache_dir, name, lambda out: _build(out, scenes, num_images, seed))


def _build(out: Path, scenes: Path, num_images: int, seed: int) -> None:
    """Label files for every split over the scene images."""
    # The negatives come from the random stream that follows the scenes, as in version 1.
    rng = np.random.default_rng(seed)
    specs = sample_scenes(rng, num_images)
    # A copy, not a link: the folder is a user's data folder, edited by hand and in tests.
    shutil.copytree(scenes / "images", out / "images")
    shutil.copyfile(scenes / "manifest.json", out / "manifest.json")
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
    specs: list[Scene], positives: list[list[int]], negatives: list[list[int]]
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
