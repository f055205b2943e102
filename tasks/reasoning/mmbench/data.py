"""MMBench en dev data: the Hugging Face dataset lmms-lab/MMBench (config en, split dev, the
default), a local copy of it (save_to_disk, or its en/dev-*.parquet files), VLMEvalKit's
MMBench_DEV_EN.tsv (base64 images), or synthetic scenes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Sample
from mmalign_eval.contracts import MediaRef, unread_media
from mmalign_eval.hashing import sha256_file
from mmalign_eval.media import MediaStore
from mmalign_eval.task import file_provenance
from mmalign_eval.toolkit.hub import (
    hub_provenance,
    image_bytes,
    is_local_dataset,
    load_hub_split,
    load_local_split,
    parquet_files,
    require_columns,
)
from mmalign_eval.toolkit.media import ImageFolder, media_store
from mmalign_eval.toolkit.sources import Sources
from mmalign_eval.toolkit.tables import read_table

from .items import TASK, MMBenchInfo, Row, question_samples
from .synthetic import SYNTHETIC_SIZE, synthetic_rows

HUB_REPO = "lmms-lab/MMBench"
CONFIG, SPLIT = "en", "dev"
REQUIRED = ("index", "question", "answer", "category")
OFFICIAL_TSV = "MMBench_DEV_EN.tsv"
Samples = list[Sample[MMBenchInfo]]


def dataset_samples(dataset: Any, request: DataRequest) -> Samples:
    """Questions of a table in the Hub layout; only the originals' images are read."""
    from datasets import Image

    require_columns(dataset, (*REQUIRED, "image") if request.need_media else REQUIRED, "MMBench")
    store = media_store(request)
    if store is None:
        if "image" in dataset.column_names:
            dataset = dataset.remove_columns("image")
        return question_samples(dataset, lambda row: unread_media(f"mmbench/{row['index']}"))
    dataset = dataset.cast_column("image", Image(decode=False))
    return question_samples(
        dataset, lambda row: store.put(image_bytes(row["image"]), source=f"mmbench/{row['index']}")
    )


def load_hub(request: DataRequest, repo: str) -> LoadedData[MMBenchInfo]:
    """The Hub dataset (config en, split dev)."""
    dataset = load_hub_split(repo, CONFIG, SPLIT, request.revision)
    samples = dataset_samples(dataset, request)
    provenance = hub_provenance(dataset, f"{repo}:{CONFIG}/{SPLIT}", request, len(samples))
    return LoadedData(samples, provenance)


def local_dataset(path: Path, cache: Path) -> Any:
    """A local copy: save_to_disk (split dev), or the dev parquet files, in the en folder of
    the Hub layout when there is one (cn/ and cc/ hold other languages)."""
    import datasets

    if (path / "dataset_dict.json").exists() or (path / "state.json").exists():
        return load_local_split(path, SPLIT, cache)
    root = path / CONFIG if (path / CONFIG).is_dir() else path
    files = parquet_files(root, SPLIT)
    if not files:
        raise DataError(f"{path} has no parquet files of split {SPLIT}", "copy en/dev-*.parquet")
    return datasets.load_dataset(
        "parquet", data_files=[str(f) for f in files], split="train", cache_dir=str(cache)
    )


def load_local(request: DataRequest, path: Path) -> LoadedData[MMBenchInfo]:
    """A local copy in the Hub layout, or VLMEvalKit's MMBench_DEV_EN.tsv (file or folder)."""
    tsv = path / OFFICIAL_TSV if path.is_dir() else path
    if tsv.suffix == ".tsv" and tsv.is_file():
        return load_tsv(request, tsv)
    if not is_local_dataset(path):
        raise DataError(
            f"{path} holds neither an MMBench dataset copy nor {OFFICIAL_TSV}",
            "pass a save_to_disk folder, the Hub's parquet files or MMBench_DEV_EN.tsv",
        )
    dataset = local_dataset(path, Path(request.cache_dir) / "datasets")
    samples = dataset_samples(dataset, request)
    provenance = DataProvenance(
        kind="local", location=str(path), sha256=dataset._fingerprint,
        version_note="local lmms-lab/MMBench copy (en, dev)", num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def load_tsv(request: DataRequest, path: Path) -> LoadedData[MMBenchInfo]:
    """VLMEvalKit's data file: the originals carry base64 images, copies may refer to them."""
    rows = read_table(path)
    missing = [c for c in (*REQUIRED, "image") if rows and c not in rows[0]]
    if missing or not rows:
        raise DataError(f"{path} lacks columns {missing or list(REQUIRED)}", f"pass {OFFICIAL_TSV}")
    samples = question_samples(rows, _tsv_media(media_store(request)))
    provenance = DataProvenance(
        kind="official_files", location=str(path), sha256=sha256_file(path),
        version_note="VLMEvalKit-format MMBench_DEV_EN.tsv", num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def _tsv_media(store: MediaStore | None) -> Callable[[Row], MediaRef]:
    def media(row: Mapping[str, Any]) -> MediaRef:
        source = f"mmbench/{row['index']}"
        if store is None:
            return unread_media(source)
        try:
            return store.put(base64.b64decode(str(row["image"]), validate=True), source=source)
        except (binascii.Error, ValueError) as exc:
            raise DataError(
                f"{OFFICIAL_TSV} row {row['index']}: image is not base64", str(exc)
            ) from exc

    return media


def load_synthetic(request: DataRequest, size: int) -> LoadedData[MMBenchInfo]:
    """Questions on the synthetic scenes, with their circular copies, through the row reader."""
    rows, folder = synthetic_rows(Path(request.cache_dir) / "data", size)
    images = ImageFolder(folder if request.need_media else None)
    samples = question_samples(rows, lambda row: images.ref(str(row["image"])))
    note = f"synthetic MMBench ({folder.parent.name})"
    provenance = file_provenance(folder.parent / "manifest.json", len(samples), "local", note)
    return LoadedData(samples, provenance)


SOURCES: Sources[MMBenchInfo] = Sources(
    TASK, synthetic=load_synthetic, synthetic_size=SYNTHETIC_SIZE, local=load_local,
    hub=load_hub, hub_repo=HUB_REPO,
)  # fmt: skip
