"""Synthetic scenes: deterministic bytes in (number of images, seed), exact ground truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmalign_eval.errors import UsageError
from mmalign_eval.hashing import sha256_file
from mmalign_eval.toolkit.shapes import (
    BACKGROUND,
    IMAGE_SIZE,
    OBJECT_COLOURS,
    OBJECTS,
    SCENES_VERSION,
    ensure_scenes,
    read_manifest,
    scenes_name,
)

NUM_IMAGES = 6


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def scenes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder: Path = ensure_scenes(tmp_path_factory.mktemp("scenes"), NUM_IMAGES)
    return folder


def test_scenes_are_deterministic_across_cache_dirs(scenes: Path, tmp_path: Path) -> None:
    other = ensure_scenes(tmp_path / "elsewhere", NUM_IMAGES)
    assert other != scenes
    assert other.name == scenes.name == scenes_name(NUM_IMAGES)
    hashes = _hashes(scenes)
    assert hashes == _hashes(other)
    assert "manifest.json" in hashes
    assert len([name for name in hashes if name.startswith("images/")]) == NUM_IMAGES


def test_the_seed_and_the_size_change_the_scenes(scenes: Path, tmp_path: Path) -> None:
    seeded = ensure_scenes(tmp_path, NUM_IMAGES, seed=1)
    assert seeded.name == scenes_name(NUM_IMAGES, 1) != scenes.name
    assert _hashes(seeded)["images/synth_000000.png"] != _hashes(scenes)["images/synth_000000.png"]
    assert scenes_name(NUM_IMAGES + 1) != scenes_name(NUM_IMAGES)


def test_scenes_name() -> None:
    assert scenes_name(12, 3) == f"synthetic-shapes-v{SCENES_VERSION}-n12-s3"


def test_a_second_call_reuses_the_folder(scenes: Path) -> None:
    before = _hashes(scenes)
    mtime = (scenes / "manifest.json").stat().st_mtime_ns
    assert ensure_scenes(scenes.parent, NUM_IMAGES) == scenes
    assert (scenes / "manifest.json").stat().st_mtime_ns == mtime
    assert _hashes(scenes) == before


@pytest.mark.parametrize("num_images", [0, -1])
def test_at_least_one_image(tmp_path: Path, num_images: int) -> None:
    with pytest.raises(UsageError, match=f"at least 1, got {num_images}"):
        ensure_scenes(tmp_path, num_images)
    assert list(tmp_path.iterdir()) == []


def test_manifest_lists_objects_and_boxes(scenes: Path) -> None:
    manifest = read_manifest(scenes)
    assert manifest["version"] == SCENES_VERSION
    assert manifest["seed"] == 0
    assert manifest["num_images"] == NUM_IMAGES
    assert manifest["image_size"] == IMAGE_SIZE
    assert manifest["objects"] == list(OBJECTS)
    images = manifest["images"]
    assert [entry["image"] for entry in images] == [f"synth_{i:06d}.png" for i in range(NUM_IMAGES)]
    for entry in images:
        objects, boxes = entry["objects"], entry["boxes"]
        assert 3 <= len(objects) <= 5
        assert len(set(objects)) == len(objects)
        assert set(objects) <= set(OBJECTS)
        assert len(boxes) == len(objects)
        for x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= IMAGE_SIZE and 0 <= y0 < y1 <= IMAGE_SIZE
        assert (scenes / "images" / entry["image"]).is_file()


def test_images_show_exactly_the_manifest_objects(scenes: Path) -> None:
    """Each object's colour is drawn exactly, so presence is checkable from the pixels."""
    for entry in read_manifest(scenes)["images"]:
        with Image.open(scenes / "images" / entry["image"]) as image:
            assert image.size == (IMAGE_SIZE, IMAGE_SIZE)
            rgb = np.asarray(image.convert("RGB"))
        colours = {tuple(int(c) for c in p) for p in np.unique(rgb.reshape(-1, 3), axis=0)}
        assert colours == {BACKGROUND} | {OBJECT_COLOURS[name] for name in entry["objects"]}
        for name, (x0, y0, x1, y1) in zip(entry["objects"], entry["boxes"], strict=True):
            # Every pixel of an object's colour lies inside its box.
            ys, xs = np.nonzero((rgb == OBJECT_COLOURS[name]).all(axis=2))
            assert xs.size
            assert x0 <= xs.min() and xs.max() <= x1 and y0 <= ys.min() and ys.max() <= y1
