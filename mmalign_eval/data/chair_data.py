"""CHAIR-style data: a ground-truth export {image_id: [class, ...]}, a synonym list, images.

Shared by coco_chair and object_halbench; sample ids are COCO image_ids.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from mmalign_eval.contracts import MediaRef, Sample
from mmalign_eval.data.synthetic_chair import (
    GROUND_TRUTH_FILE,
    SYNONYMS_FILE,
    ensure_synthetic_chair,
)
from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.hashing import sha256_file
from mmalign_eval.media import MediaError, media_from_file
from mmalign_eval.metrics.chair_items import WORD_SEPARATOR
from mmalign_eval.sources import is_synthetic, synthetic_size
from mmalign_eval.task import DataProvenance, DataRequest, LoadedData

TRUTH_NAMES = ("coco2014_image_objects.json", GROUND_TRUTH_FILE)
SYNONYM_NAMES = ("synonyms.txt", SYNONYMS_FILE)
_IMAGE_ID = re.compile(r"(\d+)$")
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class ChairFiles:
    """The ground-truth export, the synonym list and the image folder of a CHAIR run."""

    truth: Path
    synonyms: Path
    image_dir: Path | None  # the images that are the samples; None: the export's entries
    read_images: bool = True  # False: the folder only lists the samples (`score`)


def find_files(path: Path, image_dir: str | None, need_media: bool) -> ChairFiles:
    """Locate the ground truth and synonyms in a folder (or beside a given JSON file)."""
    folder = path if path.is_dir() else path.parent
    found = [folder / n for n in TRUTH_NAMES if (folder / n).is_file()]
    truth = path if path.is_file() else (found[0] if found else folder / TRUTH_NAMES[0])
    synonyms = next((folder / n for n in SYNONYM_NAMES if (folder / n).is_file()), None)
    if not truth.is_file() or synonyms is None:
        raise DataError(
            f"CHAIR data incomplete in {folder}",
            f"the folder needs a ground-truth JSON ({' or '.join(TRUTH_NAMES)}) and the "
            f"synonym list ({' or '.join(SYNONYM_NAMES)})",
        )
    images = Path(image_dir) if image_dir else folder / "images"
    # Scoring captions needs no pixels, but a folder given on purpose still lists the samples.
    listed = images if need_media or image_dir else None
    return ChairFiles(truth, synonyms, listed, read_images=need_media)


def read_truth(path: Path) -> dict[str, list[str]]:
    """The {image_id: [class, ...]} export."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"cannot read CHAIR ground truth {path}: {exc}", "check --data") from exc
    if not isinstance(data, dict):
        raise DataError(f"{path} is not a JSON object", "expected {image_id: [class, ...]}")
    return {str(k): [str(c) for c in v] for k, v in data.items()}


def image_files(image_dir: Path) -> dict[str, Path]:
    """Image files by COCO image_id (the trailing digits of the file name)."""
    if not image_dir.is_dir():
        raise DataError(f"image folder not found: {image_dir}", "pass --image-dir")
    out: dict[str, Path] = {}
    for file in sorted(image_dir.iterdir()):
        match = _IMAGE_ID.search(file.stem)
        if file.suffix.lower() in _IMAGE_SUFFIXES and match:
            out[str(int(match.group(1)))] = file
    return out


def _media(file: Path | None, image_id: str) -> MediaRef:
    if file is None:
        return MediaRef(sha256=f"unread:{image_id}", source=image_id)
    try:
        return media_from_file(file)
    except MediaError:
        # A corrupt image fails only its own caption (recorded), not the run.
        return MediaRef(sha256=f"missing:{file.name}", path=str(file), source=file.name)


def chair_samples(
    task: str, files: ChairFiles, prompt: str, only: tuple[str, ...] | None = None
) -> list[Sample]:
    """One sample per image: the images in the folder, or the gt entries without images
    (only the `only` ids when given: scoring 500 captions reads 500 of 123,287 entries)."""
    truth = read_truth(files.truth)
    images = image_files(files.image_dir) if files.image_dir is not None else None
    ids = sorted(images if images is not None else truth, key=int)
    if only is not None:
        wanted = set(only)
        ids = [i for i in ids if i in wanted]
    unknown = [i for i in ids if i not in truth]
    if unknown:
        raise DataError(
            f"{len(unknown)} images have no ground truth in {files.truth} (e.g. {unknown[0]})",
            "the ground-truth export must cover every image in the image folder",
        )
    return [
        Sample(
            id=image_id,
            task=task,
            question=prompt,
            target=", ".join(sorted(set(truth[image_id]))),
            media=(_media(images[image_id] if images and files.read_images else None, image_id),),
            metadata={
                "gt_objects": WORD_SEPARATOR.join(sorted(set(truth[image_id]))),
                "synonyms": str(files.synonyms),
            },
        )
        for image_id in ids
    ]


def load_chair_data(request: DataRequest, task: str, prompt: str) -> LoadedData:
    """CHAIR-style samples from a local folder or synthetic data."""
    source = request.source
    if source is None:
        raise UsageError(
            f"{task} needs --data: a folder with the ground-truth JSON and synonyms.txt "
            "(and --image-dir with the COCO images), or synthetic",
            "see the README section on CHAIR for where the files come from",
        )
    synthetic = is_synthetic(source)
    if synthetic:
        folder = ensure_synthetic_chair(Path(request.cache_dir) / "data", synthetic_size(source, 8))
        files = find_files(folder, str(folder / "images"), request.need_media)
    else:
        path = Path(source).expanduser()
        if not path.exists():
            raise DataError(f"data path not found: {path}", "check --data")
        files = find_files(path, request.image_dir, request.need_media)
    samples = chair_samples(task, files, prompt, request.only_ids)
    provenance = DataProvenance(
        kind="synthetic" if synthetic else "local",
        location=str(files.truth),
        sha256=sha256_file(files.truth),
        version_note=f"synonyms {files.synonyms.name} sha256 {sha256_file(files.synonyms)[:16]}",
        num_items=len(samples),
    )
    return LoadedData(samples, provenance)
