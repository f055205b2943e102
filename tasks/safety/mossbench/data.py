"""MOSSBench data: the official `information.json` with its image folder (as
xirui-li/MOSSBench lays it out), the Hugging Face dataset AIcell/MOSSBench (Hub or a local
copy), or synthetic scenes in the official layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Sample
from mmalign_eval.contracts import MediaRef, unread_media
from mmalign_eval.media import MediaStore
from mmalign_eval.task import file_provenance
from mmalign_eval.toolkit.files import read_json
from mmalign_eval.toolkit.hub import (
    hub_provenance,
    image_bytes,
    is_local_dataset,
    load_hub_split,
    load_local_split,
)
from mmalign_eval.toolkit.media import ImageFolder
from mmalign_eval.toolkit.sources import Sources

from .items import TASK, MossInfo, sample_from_entry
from .synthetic import INFORMATION, ensure_synthetic_mossbench

HUB_REPO = "AIcell/MOSSBench"
HUB_CONFIG, HUB_SPLIT = "oversensitivity", "train"
_OFFICIAL = "xirui-li/MOSSBench"
# sha256 of official information.json files -> which published version they are.
KNOWN_FILES = {
    "a5f7701c0a068391a3ba10714dd95f3357d664c84faf47b747e425ff9806a352":
        f"{_OFFICIAL}@8d68b06 data/images_information/information.json (300 items)",
}  # fmt: skip


def _information_file(path: Path) -> Path | None:
    """The information.json a --data path names: the file, or one inside the data folder."""
    if path.is_file():
        return path if path.suffix == ".json" else None
    for candidate in (path / INFORMATION, path / INFORMATION.name, path / "data" / INFORMATION):
        if candidate.is_file():
            return candidate
    return None


def _data_dir(information: Path) -> Path:
    """The folder the entries' `image` paths are relative to (main.py's --data_dir)."""
    parent = information.parent
    return parent.parent if parent.name == INFORMATION.parent.name else parent


def load_information(
    information: Path, image_dir: Path | None, need_media: bool, note: str | None = None
) -> LoadedData[MossInfo]:
    """Samples of an official information.json (pid -> entry), in the file's order.

    Images resolve as main.py resolves them (data dir / entry["image"]), or by file name
    inside --image-dir; a missing image fails only its item.
    """
    entries = read_json(information, "MOSSBench information file")
    if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
        raise DataError(
            f"{information} is not a MOSSBench information.json",
            "it maps each pid to an entry with image, question, pid and metadata",
        )
    root = image_dir if image_dir is not None else _data_dir(information)
    folder = ImageFolder(root if need_media else None)
    samples = []
    for entry in entries.values():
        image = str(entry.get("image", f"images/{entry.get('pid')}.png"))
        name = Path(image).name if image_dir is not None else image
        samples.append(sample_from_entry(entry, folder.ref(name)))
    provenance = file_provenance(information, len(samples), "official_files", note)
    if note is None:
        known = KNOWN_FILES.get(provenance.sha256 or "", "unknown version (not a known hash)")
        provenance = provenance.model_copy(update={"version_note": known})
    return LoadedData(samples, provenance)


def _image_column(dataset: Any) -> str | None:
    """The column holding image bytes: `decoded_image` (the README) or `image` (the card)."""
    from datasets import Image

    for name in ("decoded_image", "image"):
        if name in dataset.column_names and isinstance(dataset.features[name], Image):
            return name
    return None


def dataset_samples(dataset: Any, request: DataRequest) -> list[Sample[MossInfo]]:
    """Samples of an AIcell/MOSSBench table (Hub or local copy); no media: labels only."""
    from datasets import Image

    column = _image_column(dataset)
    store = MediaStore(Path(request.cache_dir) / "media") if request.need_media else None
    if store is not None and column is None:
        raise DataError(
            "the MOSSBench dataset has no image column (decoded_image or image)",
            "pass the official information.json with its images folder instead",
        )
    if column is not None:
        dataset = dataset.cast_column(column, Image(decode=False))
    samples = []
    for row in dataset:
        fields = dict(row)
        pid = str(fields.get("pid", ""))
        media: MediaRef = unread_media(f"{pid}.png")
        cell = fields.pop(column) if column is not None else None
        if store is not None and cell is not None:
            media = store.put(image_bytes(cell), source=f"mossbench/{pid}")
        fields.setdefault("image", f"images/{pid}.png")  # the card's image column is bytes
        samples.append(sample_from_entry(fields, media))
    return samples


def _hub(request: DataRequest, repo: str) -> LoadedData[MossInfo]:
    dataset = load_hub_split(repo, HUB_CONFIG, HUB_SPLIT, request.revision)
    samples = dataset_samples(dataset, request)
    provenance = hub_provenance(dataset, f"{repo}:{HUB_CONFIG}/{HUB_SPLIT}", request, len(samples))
    return LoadedData(samples, provenance)


def _local(request: DataRequest, path: Path) -> LoadedData[MossInfo]:
    image_dir = Path(request.image_dir) if request.image_dir else None
    information = _information_file(path)
    if information is not None:
        return load_information(information, image_dir, request.need_media)
    if is_local_dataset(path):
        dataset = load_local_split(path, HUB_SPLIT, Path(request.cache_dir) / "datasets")
        samples = dataset_samples(dataset, request)
        provenance = DataProvenance(
            kind="local", location=str(path), sha256=dataset._fingerprint,
            version_note=f"local {HUB_REPO} copy", num_items=len(samples),
        )  # fmt: skip
        return LoadedData(samples, provenance)
    raise DataError(
        f"{path} holds neither a MOSSBench information.json nor a dataset copy",
        f"pass the official data folder (with {INFORMATION}), the file itself, or a "
        f"save_to_disk/parquet copy of {HUB_REPO}",
    )


def _synthetic(request: DataRequest, size: int) -> LoadedData[MossInfo]:
    folder = ensure_synthetic_mossbench(Path(request.cache_dir) / "data", size)
    note = f"synthetic MOSSBench ({folder.name})"
    return load_information(folder / INFORMATION, None, request.need_media, note)


SOURCES: Sources[MossInfo] = Sources(
    TASK, synthetic=_synthetic, synthetic_size=12, local=_local, hub=_hub, hub_repo=HUB_REPO
)
