"""CHAIR-style data: a ground-truth export {image_id: [class, ...]}, a synonym list, images.

Shared by coco_chair and object_halbench; sample ids are COCO image_ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Record, Sample
from mmalign_eval.contracts import MediaRef
from mmalign_eval.hashing import sha256_file
from mmalign_eval.toolkit.files import read_json
from mmalign_eval.toolkit.media import file_media
from mmalign_eval.toolkit.sources import Sources

from .synthetic import (
    GROUND_TRUTH_FILE,
    SYNONYMS_FILE,
    ensure_synthetic_chair,
)

TRUTH_NAMES = ("coco2014_image_objects.json", GROUND_TRUTH_FILE)
SYNONYM_NAMES = ("synonyms.txt", SYNONYMS_FILE)
_IMAGE_ID = re.compile(r"(\d+)$")
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


class ChairInfo(Record):
    """An image's ground-truth COCO classes and the synonym list its captions are read with."""

    gt_objects: tuple[str, ...]
    synonyms: str


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
    data = read_json(path, "CHAIR ground truth")
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


def chair_samples(
    task: str, files: ChairFiles, prompt: str, only: tuple[str, ...] | None = None
) -> list[Sample[ChairInfo]]:
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
            info=ChairInfo(
                gt_objects=tuple(sorted(set(truth[image_id]))), synonyms=str(files.synonyms)
            ),
        )
        for image_id in ids
    ]


def _media(file: Path | None, image_id: str) -> MediaRef:
    # A corrupt image fails only its own caption (recorded), not the run.
    return file_media(file, image_id if file is None else file.name)


def _load(
    request: DataRequest, task: str, prompt: str, files: ChairFiles, synthetic: bool
) -> LoadedData[ChairInfo]:
    samples = chair_samples(task, files, prompt, request.only_ids)
    provenance = DataProvenance(
        kind="synthetic" if synthetic else "local",
        location=str(files.truth),
        sha256=sha256_file(files.truth),
        version_note=f"synonyms {files.synonyms.name} sha256 {sha256_file(files.synonyms)[:16]}",
        num_items=len(samples),
    )
    return LoadedData(samples, provenance)


def chair_sources(task: str, prompt: str) -> Sources[ChairInfo]:
    """CHAIR-style data of one task: a local folder (ground truth, synonyms, images) or
    synthetic scenes; there is no default source."""

    def synthetic(request: DataRequest, size: int) -> LoadedData[ChairInfo]:
        folder = ensure_synthetic_chair(Path(request.cache_dir) / "data", size)
        files = find_files(folder, str(folder / "images"), request.need_media)
        return _load(request, task, prompt, files, synthetic=True)

    def local(request: DataRequest, path: Path) -> LoadedData[ChairInfo]:
        files = find_files(path, request.image_dir, request.need_media)
        return _load(request, task, prompt, files, synthetic=False)

    required = (
        f"{task} needs --data: a folder with the ground-truth JSON and synonyms.txt "
        "(and --image-dir with the COCO images), or synthetic",
        "see the README section on CHAIR for where the files come from",
    )
    return Sources(task, synthetic=synthetic, synthetic_size=8, local=local, required=required)
