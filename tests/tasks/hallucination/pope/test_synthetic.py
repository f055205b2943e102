"""Tests for the synthetic POPE stand-in."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmalign_eval.errors import UsageError
from mmalign_eval.toolkit.shapes import OBJECT_COLOURS, OBJECTS, scenes_name
from mmalign_eval_tasks.hallucination.pope import synthetic
from mmalign_eval_tasks.hallucination.pope.synthetic import (
    SPLITS,
    SYNTHETIC_VERSION,
    ensure_synthetic_pope,
    label_file_name,
)

REAL_POPE = Path("/work/shared/benchmarks/pope")
TEXT_RE = re.compile(r"^Is there a (.+) in the image\?$")
NUM_IMAGES = 40


@pytest.fixture(scope="module")
def pope_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder: Path = ensure_synthetic_pope(
        tmp_path_factory.mktemp("cache"), num_images=NUM_IMAGES, seed=3
    )
    return folder


def _rows(folder: Path, split: str) -> list[dict[str, object]]:
    lines = (folder / label_file_name(split)).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _asked(row: dict[str, object]) -> str:
    match = TEXT_RE.match(str(row["text"]))
    assert match is not None, row
    return match.group(1)


def _manifest_objects(folder: Path) -> dict[str, list[str]]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {entry["image"]: entry["objects"] for entry in manifest["images"]}


def test_layout_and_manifest(pope_dir: Path) -> None:
    assert pope_dir.name == f"synthetic-pope-v{SYNTHETIC_VERSION}-n{NUM_IMAGES}-s3"
    images = sorted(p.name for p in (pope_dir / "images").iterdir())
    assert images == [f"synth_{i:06d}.png" for i in range(NUM_IMAGES)]
    manifest = json.loads((pope_dir / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["version"], manifest["seed"], manifest["num_images"]) == ("1", 3, NUM_IMAGES)
    for objects in _manifest_objects(pope_dir).values():
        assert 3 <= len(objects) <= 5
        assert len(set(objects)) == len(objects)
        assert set(objects) <= set(OBJECTS)
    with Image.open(pope_dir / "images" / images[0]) as image:
        assert image.mode == "RGB"
        assert image.size == (96, 96)


@pytest.mark.parametrize("split", SPLITS)
def test_row_format_and_ordering(pope_dir: Path, split: str) -> None:
    raw = (pope_dir / label_file_name(split)).read_text(encoding="utf-8")
    assert raw.endswith("\n")
    rows = _rows(pope_dir, split)
    assert len(rows) == 6 * NUM_IMAGES
    assert [r["question_id"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["label"] for r in rows] == ["yes", "no"] * (3 * NUM_IMAGES)
    for row in rows:
        assert list(row) == ["question_id", "image", "text", "label"]
        assert _asked(row) in OBJECTS


@pytest.mark.parametrize("split", SPLITS)
def test_matches_official_schema(pope_dir: Path, split: str) -> None:
    real_files = sorted(REAL_POPE.glob(f"*/{label_file_name(split)}"))
    if not real_files:
        pytest.skip(f"no official {label_file_name(split)} under {REAL_POPE}")
    first_line = real_files[0].read_text(encoding="utf-8").splitlines()[0]
    real = json.loads(first_line)
    ours = _rows(pope_dir, split)[0]
    assert list(ours) == list(real)
    assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in real.items()}
    assert TEXT_RE.match(real["text"])
    # Same serialisation (separators, key order), so byte-level readers see the same shape.
    assert json.dumps(real) == first_line


@pytest.mark.parametrize("split", SPLITS)
def test_three_yes_three_no_per_image_and_truth(pope_dir: Path, split: str) -> None:
    truth = _manifest_objects(pope_dir)
    per_image: dict[str, Counter[str]] = {}
    for row in _rows(pope_dir, split):
        image, obj = str(row["image"]), _asked(row)
        per_image.setdefault(image, Counter())[str(row["label"])] += 1
        assert (obj in truth[image]) == (row["label"] == "yes"), row
    assert set(per_image) == set(truth)
    assert all(c == Counter(yes=3, no=3) for c in per_image.values())


def test_same_positives_across_splits(pope_dir: Path) -> None:
    yes = {s: [r["text"] for r in _rows(pope_dir, s) if r["label"] == "yes"] for s in SPLITS}
    assert yes["random"] == yes["popular"] == yes["adversarial"]


def test_answers_are_visible_in_pixels(pope_dir: Path) -> None:
    rows = _rows(pope_dir, "random") + _rows(pope_dir, "adversarial")
    pixels: dict[str, np.ndarray] = {}
    for row in rows:
        image = str(row["image"])
        if image not in pixels:
            with Image.open(pope_dir / "images" / image) as im:
                pixels[image] = np.asarray(im.convert("RGB"))
        colour = np.array(OBJECT_COLOURS[_asked(row)], dtype=np.uint8)
        count = int(np.all(pixels[image] == colour, axis=-1).sum())
        if row["label"] == "yes":
            assert count >= 30, row
        else:
            assert count == 0, row


def test_popular_negatives_are_most_frequent(pope_dir: Path) -> None:
    truth = _manifest_objects(pope_dir)
    freq = Counter(obj for objects in truth.values() for obj in objects)
    assert len(set(freq.values())) > 1, "object frequencies should be uneven"
    negatives = [r for r in _rows(pope_dir, "popular") if r["label"] == "no"]
    for i in range(0, len(negatives), 3):
        image = str(negatives[i]["image"])
        absent = [o for o in OBJECTS if o not in truth[image]]
        picked = [_asked(r) for r in negatives[i : i + 3]]
        threshold = sorted((freq[o] for o in absent), reverse=True)[2]
        assert all(freq[o] >= threshold for o in picked), (image, picked)
        assert all(freq[o] <= freq[p] for o in absent if o not in picked for p in picked)


def test_adversarial_negatives_co_occur_most(pope_dir: Path) -> None:
    truth = _manifest_objects(pope_dir)
    cooc: Counter[tuple[str, str]] = Counter()
    for objects in truth.values():
        cooc.update((a, b) for a in objects for b in objects)
    negatives = [r for r in _rows(pope_dir, "adversarial") if r["label"] == "no"]
    for i in range(0, len(negatives), 3):
        image = str(negatives[i]["image"])
        score = {o: sum(cooc[p, o] for p in truth[image]) for o in OBJECTS}
        picked = [_asked(r) for r in negatives[i : i + 3]]
        rest = [o for o in OBJECTS if o not in truth[image] and o not in picked]
        assert min(score[o] for o in picked) >= max(score[o] for o in rest), (image, picked)


def test_splits_differ(pope_dir: Path) -> None:
    texts = {split: [r["text"] for r in _rows(pope_dir, split)] for split in SPLITS}
    assert texts["random"] != texts["popular"]
    assert texts["random"] != texts["adversarial"]
    assert texts["popular"] != texts["adversarial"]


def _file_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_deterministic_across_cache_dirs(tmp_path: Path) -> None:
    a = ensure_synthetic_pope(tmp_path / "a", num_images=12, seed=7)
    b = ensure_synthetic_pope(tmp_path / "b", num_images=12, seed=7)
    assert a.name == b.name
    files_a, files_b = _file_bytes(a), _file_bytes(b)
    assert len(files_a) == 12 + 4
    assert files_a == files_b


def test_seed_changes_data(tmp_path: Path) -> None:
    a = ensure_synthetic_pope(tmp_path, num_images=12, seed=1)
    b = ensure_synthetic_pope(tmp_path, num_images=12, seed=2)
    assert a != b
    assert _file_bytes(a) != _file_bytes(b)


def test_second_call_does_not_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = ensure_synthetic_pope(tmp_path, num_images=5, seed=0)
    before = {p: p.stat().st_mtime_ns for p in first.rglob("*")}

    def fail(*args: object) -> None:
        raise AssertionError("rebuilt a cached dataset")

    monkeypatch.setattr(synthetic, "_build", fail)
    second = ensure_synthetic_pope(tmp_path, num_images=5, seed=0)
    assert second == first
    assert {p: p.stat().st_mtime_ns for p in second.rglob("*")} == before
    # No leftover temp build folders next to the dataset.
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_failed_build_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(out: Path, *args: object) -> None:
        (out / "partial.txt").write_text("x")
        raise RuntimeError("boom")

    monkeypatch.setattr(synthetic, "_build", boom)
    with pytest.raises(RuntimeError, match="boom"):
        ensure_synthetic_pope(tmp_path, num_images=3, seed=0)
    # The shared scenes folder (and its lock) is built first; of the POPE build only its
    # lock is left.
    scenes = scenes_name(3, 0)
    pope_entries = [p for p in tmp_path.iterdir() if not p.name.startswith(scenes)]
    assert [p.suffix for p in pope_entries] == [".lock"]


def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        ensure_synthetic_pope(tmp_path, num_images=0)
    with pytest.raises(UsageError):
        label_file_name("hard")
