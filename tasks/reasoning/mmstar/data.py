"""MMStar data: the Hugging Face dataset Lin-Chen/MMStar (split val, the default), a local
copy of it (save_to_disk, or its mmstar.parquet), the official VLMEvalKit-format MMStar.tsv
(base64 images), or synthetic scenes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Record, Sample
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

from .official import LETTERS, option_letters
from .synthetic import SYNTHETIC_SIZE, synthetic_rows

TASK = "mmstar"
HUB_REPO = "Lin-Chen/MMStar"
SPLIT = "val"
REQUIRED = ("index", "question", "answer", "category", "l2_category")
OFFICIAL_TSV = "MMStar.tsv"
Media = Callable[[Mapping[str, Any]], MediaRef]


class MMStarInfo(Record):
    """An MMStar question's labels: its capability, axis, option letters and source."""

    index: int
    capability: str
    axis: str
    letters: str
    source: str | None = None


def make_sample(row: Mapping[str, Any], media: MediaRef) -> Sample[MMStarInfo]:
    """One question; the answer must be a single option letter (A-J)."""
    index = int(row["index"])
    answer = str(row["answer"]).strip()
    if len(answer) != 1 or answer not in LETTERS:
        raise DataError(
            f"MMStar item {index} has answer {row['answer']!r}",
            "answers are single option letters A-J, as in Lin-Chen/MMStar",
        )
    question = str(row["question"])
    letters = "".join(option_letters(question)) or "ABCD"
    if answer not in letters:  # keep the answer among the ranked options
        letters = LETTERS[: max(len(letters), LETTERS.index(answer) + 1)]
    meta = row.get("meta_info")
    source = meta.get("source") if isinstance(meta, Mapping) else row.get("bench")
    info = MMStarInfo(
        index=index, capability=str(row["category"]), axis=str(row["l2_category"]),
        letters=letters, source=None if source is None else str(source),
    )  # fmt: skip
    return Sample(
        id=str(index), task=TASK, question=question, target=answer, media=(media,),
        category=info.capability, info=info,
    )  # fmt: skip


def make_samples(rows: Iterable[Mapping[str, Any]], media: Media) -> list[Sample[MMStarInfo]]:
    """Samples in index order; an index used twice is an error."""
    samples = sorted((make_sample(row, media(row)) for row in rows), key=lambda s: s.info.index)
    ids = [s.id for s in samples]
    if len(set(ids)) != len(ids):
        raise DataError("MMStar data has an index twice", "each question needs its own index")
    return samples


def dataset_samples(dataset: Any, request: DataRequest) -> list[Sample[MMStarInfo]]:
    """Samples of a table in the Hub layout; images are read only when media are needed."""
    from datasets import Image

    needed = (*REQUIRED, "image") if request.need_media else REQUIRED
    require_columns(dataset, needed, "the MMStar dataset")
    store = media_store(request)
    if store is None:
        if "image" in dataset.column_names:
            dataset = dataset.remove_columns("image")
        return make_samples(dataset, lambda row: unread_media(f"mmstar/{row['index']}"))
    dataset = dataset.cast_column("image", Image(decode=False))
    return make_samples(
        dataset, lambda row: store.put(image_bytes(row["image"]), source=f"mmstar/{row['index']}")
    )


def load_hub(request: DataRequest, repo: str) -> LoadedData[MMStarInfo]:
    """The Hub dataset (split val)."""
    dataset = load_hub_split(repo, None, SPLIT, request.revision)
    samples = dataset_samples(dataset, request)
    provenance = hub_provenance(dataset, f"{repo}:{SPLIT}", request, len(samples))
    return LoadedData(samples, provenance)


def local_dataset(path: Path, cache: Path) -> Any:
    """A local copy: save_to_disk, or parquet files (the Hub's own mmstar.parquet has no
    split in its name, so a folder whose files do not name the split is read whole)."""
    import datasets

    if (path / "dataset_dict.json").exists() or (path / "state.json").exists():
        return load_local_split(path, SPLIT, cache)
    files = parquet_files(path, SPLIT) or parquet_files(path, "")
    return datasets.load_dataset(
        "parquet", data_files=[str(f) for f in files], split="train", cache_dir=str(cache)
    )


def load_local(request: DataRequest, path: Path) -> LoadedData[MMStarInfo]:
    """A local copy in the Hub layout, or the official MMStar.tsv (a file or its folder)."""
    tsv = path / OFFICIAL_TSV if path.is_dir() else path
    if tsv.suffix == ".tsv" and tsv.is_file():
        return load_tsv(request, tsv)
    if not is_local_dataset(path):
        raise DataError(
            f"{path} holds neither an MMStar dataset copy nor {OFFICIAL_TSV}",
            "pass a save_to_disk folder, mmstar.parquet (or its folder) or MMStar.tsv",
        )
    dataset = local_dataset(path, Path(request.cache_dir) / "datasets")
    samples = dataset_samples(dataset, request)
    provenance = DataProvenance(
        kind="local", location=str(path), sha256=dataset._fingerprint,
        version_note="local Lin-Chen/MMStar copy", num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def load_tsv(request: DataRequest, path: Path) -> LoadedData[MMStarInfo]:
    """The official VLMEvalKit-format file: index, question, answer, category, l2_category,
    bench and a base64 image (or, as the official loader allows, another row's index)."""
    rows = read_table(path)
    missing = [c for c in (*REQUIRED, "image") if rows and c not in rows[0]]
    if missing or not rows:
        raise DataError(f"{path} lacks columns {missing or list(REQUIRED)}", "pass MMStar.tsv")
    store = media_store(request)
    images = {str(r["index"]): str(r["image"]) for r in rows}
    samples = make_samples(rows, lambda row: _tsv_media(store, images, str(row["index"])))
    provenance = DataProvenance(
        kind="official_files", location=str(path), sha256=sha256_file(path),
        version_note="VLMEvalKit-format MMStar.tsv", num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def _tsv_media(store: MediaStore | None, images: Mapping[str, str], index: str) -> MediaRef:
    source = f"mmstar/{index}"
    if store is None:
        return unread_media(source)
    encoded = images[index]
    if len(encoded) <= 64:  # the official loader's reference to another row's image
        encoded = images.get(encoded, encoded)
    try:
        return store.put(base64.b64decode(encoded, validate=True), source=source)
    except (binascii.Error, ValueError) as exc:
        raise DataError(f"MMStar.tsv row {index}: the image is not base64", str(exc)) from exc


def load_synthetic(request: DataRequest, size: int) -> LoadedData[MMStarInfo]:
    """Questions on the synthetic scenes, through the Hub-layout row reader."""
    rows, folder = synthetic_rows(Path(request.cache_dir) / "data", size)
    images = ImageFolder(folder if request.need_media else None)
    samples = make_samples(rows, lambda row: images.ref(str(row["image"])))
    note = f"synthetic MMStar ({folder.parent.name})"
    provenance = file_provenance(folder.parent / "manifest.json", len(samples), "local", note)
    return LoadedData(samples, provenance)


SOURCES: Sources[MMStarInfo] = Sources(
    TASK, synthetic=load_synthetic, synthetic_size=SYNTHETIC_SIZE, local=load_local,
    hub=load_hub, hub_repo=HUB_REPO,
)  # fmt: skip
