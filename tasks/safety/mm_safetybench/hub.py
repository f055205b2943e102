"""The Hugging Face mirror PKU-Alignment/MM-SafetyBench: one config per scenario (its name
without the number, e.g. `Illegal_Activitiy`), one split per image type (`SD`, `SD_TYPO`,
`TYPO`; `Text_only` is not used), rows `id, question, image`. A local copy is a folder with
one sub-folder per config, each a save_to_disk DatasetDict or `<split>-*.parquet` files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Sample
from mmalign_eval.contracts import MediaRef, unread_media
from mmalign_eval.hashing import stable_hash
from mmalign_eval.media import MediaStore
from mmalign_eval.toolkit.hub import dataset_revision, image_bytes, load_hub_split, require_columns

from .files import make_sample
from .scenarios import IMAGE_TYPES, QUESTION_KEYS, SCENARIOS, SafetyInfo, hub_config

HUB_REPO = "PKU-Alignment/MM-SafetyBench"
HUB_COLUMNS = ("id", "question", "image")
Loader = Callable[[str, str], Any]  # (config, split) -> a datasets.Dataset


def split_samples(
    dataset: Any, scenario: str, image_type: str, store: MediaStore | None
) -> list[Sample[SafetyInfo]]:
    """The items of one scenario's split (one image type)."""
    from datasets import Image

    require_columns(dataset, HUB_COLUMNS, f"{HUB_REPO} {hub_config(scenario)}/{image_type}")
    dataset = dataset.cast_column("image", Image(decode=False))
    samples = []
    for row in dataset:
        qid = str(row["id"])
        media: MediaRef = unread_media(f"{scenario}/{image_type}/{qid}.jpg")
        if store is not None:
            media = store.put(image_bytes(row["image"]), source=media.source)
        entry = {QUESTION_KEYS[image_type]: row["question"]}
        samples.append(make_sample(scenario, image_type, qid, entry, media))
    return samples


def load_splits(
    request: DataRequest, load: Loader, kind: str, location: str
) -> LoadedData[SafetyInfo]:
    """Every scenario's three image-type splits, read through `load`."""
    store = MediaStore(Path(request.cache_dir) / "media") if request.need_media else None
    samples: list[Sample[SafetyInfo]] = []
    prints, revision = [], None
    for scenario in SCENARIOS:
        for image_type in IMAGE_TYPES:
            dataset = load(hub_config(scenario), image_type)
            samples += split_samples(dataset, scenario, image_type, store)
            prints.append(dataset._fingerprint)
            revision = revision or dataset_revision(dataset)
    provenance = DataProvenance(
        kind="huggingface" if kind == "hub" else "local", location=location,
        revision=(revision or request.revision or "main") if kind == "hub" else None,
        sha256=stable_hash(prints), num_items=len(samples),
        version_note=None if kind == "hub" else f"local {HUB_REPO} copy",
    )  # fmt: skip
    return LoadedData(samples, provenance)


def load_hub(request: DataRequest, repo: str) -> LoadedData[SafetyInfo]:
    """The 13 x 3 splits from the Hub."""

    def load(config: str, split: str) -> Any:
        return load_hub_split(repo, config, split, request.revision)

    return load_splits(request, load, "hub", f"{repo} (13 configs x SD/SD_TYPO/TYPO)")


def is_local_copy(path: Path) -> bool:
    """Whether a folder holds a sub-folder per Hub config."""
    return path.is_dir() and (path / hub_config(SCENARIOS[0])).is_dir()


def _split_files(folder: Path, split: str) -> list[Path]:
    # Exact split names: "SD" must not pick up SD_TYPO's files, nor "TYPO" SD_TYPO's.
    files = sorted(folder.rglob("*.parquet"))
    return [f for f in files if f.stem == split or f.stem.startswith(f"{split}-")
            or f.parent.name == split]  # fmt: skip


def load_local_copy(request: DataRequest, path: Path) -> LoadedData[SafetyInfo]:
    """A local copy: `<path>/<config>/` per scenario (save_to_disk or parquet files)."""
    import datasets

    cache = str(Path(request.cache_dir) / "datasets")

    def load(config: str, split: str) -> Any:
        folder = path / config
        if (folder / "dataset_dict.json").is_file():
            loaded = datasets.load_from_disk(str(folder))
            if split in loaded:
                return loaded[split]
        files = _split_files(folder, split)
        if not files:
            raise DataError(
                f"{folder} has no split {split}",
                f"save each config of {HUB_REPO} with save_to_disk (splits SD, SD_TYPO, TYPO) "
                "or as <split>-*.parquet files",
            )
        kwargs = {"data_files": [str(f) for f in files], "split": "train", "cache_dir": cache}
        return datasets.load_dataset("parquet", **kwargs)

    return load_splits(request, load, "local", str(path))
