"""MMMU validation data: the Hugging Face dataset MMMU/MMMU (30 subject configs, split
`validation`; the default), a local copy in its layout (save_to_disk or parquet: one folder
per subject, or all subjects in one), the official answer file answer_dict_val.json
(labels only: for scoring predictions), or synthetic questions on the shape scenes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Sample, UsageError
from mmalign_eval.contracts import MediaRef, missing_media, unread_media
from mmalign_eval.hashing import stable_hash
from mmalign_eval.media import MediaStore
from mmalign_eval.toolkit.hub import (
    dataset_revision,
    image_bytes,
    is_local_dataset,
    load_hub_split,
    load_local_split,
    require_columns,
)
from mmalign_eval.toolkit.sources import Sources

from .answers import is_answer_file, load_answer_file
from .items import REQUIRED_COLUMNS, TASK, ImageResolver, MMMUInfo, official_order, row_sample
from .prompt import IMAGE_COLUMNS
from .subjects import SUBJECTS
from .synthetic import load_synthetic

HUB_REPO = "MMMU/MMMU"
SPLIT = "validation"


def media_resolver(request: DataRequest) -> ImageResolver:
    """Image cells into the media store; no store (scoring saved answers): unread names."""
    store = MediaStore(Path(request.cache_dir) / "media") if request.need_media else None

    def resolve(item_id: str, column: str, cell: Any) -> MediaRef:
        name = f"{item_id}/{column}"
        if store is None:
            return unread_media(name)
        if cell is None:
            return missing_media(name)  # named by a placeholder, absent from the row
        return store.put(image_bytes(cell), source=name)

    return resolve


def dataset_samples(dataset: Any, resolve: ImageResolver, where: str) -> list[Sample[MMMUInfo]]:
    """Samples from a table in the Hub layout, images as undecoded cells."""
    from datasets import Image

    require_columns(dataset, REQUIRED_COLUMNS, where)
    for column in IMAGE_COLUMNS:
        if column in dataset.column_names:
            dataset = dataset.cast_column(column, Image(decode=False))
    return [row_sample(row, resolve) for row in dataset]


def _hub_config(repo: str, subject: str, revision: str | None) -> Any:
    try:
        return load_hub_split(repo, subject, SPLIT, revision)
    except ValueError as exc:  # datasets: no such config (a repository in another layout)
        raise DataError(
            f"{repo} has no config {subject!r} with a {SPLIT} split ({exc})",
            "the Hub source needs MMMU/MMMU's layout (one config per subject); for another "
            "layout save it locally (save_to_disk or parquet) and pass the folder with --data",
        ) from exc


def load_hub(request: DataRequest, repo: str) -> LoadedData[MMMUInfo]:
    """Every subject config's validation split, in the official subject order."""
    resolve = media_resolver(request)
    samples: list[Sample[MMMUInfo]] = []
    fingerprints = []
    revision = None
    for subject in SUBJECTS:
        dataset = _hub_config(repo, subject, request.revision)
        samples.extend(dataset_samples(dataset, resolve, f"{repo} config {subject}"))
        fingerprints.append(dataset._fingerprint)
        revision = revision or dataset_revision(dataset)
    provenance = DataProvenance(
        kind="huggingface", location=f"{repo}:<30 subjects>/{SPLIT}",
        revision=revision or request.revision or "main", sha256=stable_hash(fingerprints),
        num_items=len(samples),
    )  # fmt: skip
    return LoadedData(official_order(samples), provenance)


def _subject_folders(path: Path) -> list[Path]:
    return [path / s for s in SUBJECTS if (path / s).is_dir() and is_local_dataset(path / s)]


def load_local_copy(request: DataRequest, path: Path) -> LoadedData[MMMUInfo]:
    """A local copy: one folder per subject (a Hub snapshot, or save_to_disk per config),
    or one dataset holding all subjects; the validation split of each."""
    resolve = media_resolver(request)
    cache = Path(request.cache_dir) / "datasets"
    folders = _subject_folders(path) if path.is_dir() else []
    parts = folders or [path]
    samples: list[Sample[MMMUInfo]] = []
    fingerprints = []
    for part in parts:
        dataset = load_local_split(part, SPLIT, cache)
        samples.extend(dataset_samples(dataset, resolve, f"the MMMU copy {part}"))
        fingerprints.append(dataset._fingerprint)
    layout = f"{len(folders)} subject folders" if folders else "one dataset"
    provenance = DataProvenance(
        kind="local", location=str(path), sha256=stable_hash(fingerprints),
        version_note=f"local MMMU/MMMU copy ({layout}, split {SPLIT})", num_items=len(samples),
    )  # fmt: skip
    return LoadedData(official_order(samples), provenance)


def load_local(request: DataRequest, path: Path) -> LoadedData[MMMUInfo]:
    """A local source: the official answer file, or a copy of the dataset."""
    if path.is_file() and path.suffix == ".json":
        if not is_answer_file(path):
            raise DataError(
                f"{path} is not an MMMU answer file",
                "answer_dict_val.json maps ids to {question_type, ground_truth}",
            )
        if request.need_media:
            raise UsageError(
                f"{path.name} holds answers only: no questions, options or images to run on",
                "run on the dataset (the default, or a local copy with --data); use the "
                "answer file with `mmalign-eval score`",
            )
        return load_answer_file(path)
    if is_local_dataset(path) or (path.is_dir() and _subject_folders(path)):
        return load_local_copy(request, path)
    raise DataError(
        f"{path} holds neither an MMMU dataset copy nor an answer file",
        "pass a save_to_disk folder or parquet files of MMMU/MMMU (one folder per subject, "
        "or all in one), or answer_dict_val.json for scoring",
    )


SOURCES: Sources[MMMUInfo] = Sources(
    TASK, synthetic=load_synthetic, synthetic_size=12, local=load_local, hub=load_hub,
    hub_repo=HUB_REPO,
)  # fmt: skip
