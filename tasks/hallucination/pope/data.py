"""POPE data: the official label files with a COCO image folder, the Hugging Face dataset
lmms-lab/POPE (Hub or a local copy in either of its layouts), or synthetic scenes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mmalign_eval import (
    DataError,
    DataProvenance,
    DataRequest,
    LoadedData,
    Record,
    Sample,
    UsageError,
)
from mmalign_eval.contracts import MediaRef, unread_media
from mmalign_eval.hashing import sha256_file
from mmalign_eval.media import MediaStore
from mmalign_eval.toolkit.files import read_jsonl
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

from .synthetic import (
    SPLITS,
    ensure_synthetic_pope,
    label_file_name,
)

HUB_REPO = "lmms-lab/POPE"
HUB_CONFIG = "Full"
HUB_COLUMNS = ("question_id", "question", "answer", "image_source", "image")
_OFFICIAL = "AoiDragon/POPE"
# sha256 of the official label files -> which published version they are.
KNOWN_FILES = {
    "ac25245170b975a5bdf9080b23fd431dfe6be458bc038259c1f4f09a6bef7994":
        f"{_OFFICIAL}@08d957b random (3,000 questions)",
    "72c1a8ad45d0c13514f5f22598261df41d3b533854d29682e924db50ed8aa753":
        f"{_OFFICIAL}@08d957b popular (3,000 questions)",
    "420b3407db1fa9f1187a805dca41cb7b97fd91504e6c2179706188c107fb8ef8":
        f"{_OFFICIAL}@08d957b adversarial (3,000 questions)",
    "c16b65d2df6d70bb0814c8a4375833d39cdb09928fd936d3fc546491efa37f35":
        f"{_OFFICIAL}@e3e3926 random (2,910 questions; the version LLaVA-1.5 was scored on)",
    "5b16653023bf4f64d57eb0d168259de6627f5cde7538b85ebed3cc33034aa6cc":
        f"{_OFFICIAL}@e3e3926 popular (3,000 questions)",
    "1d8f0906a9b50c05640f6f23abfac97523be2a1bed28f7eadc63b811699b2d26":
        f"{_OFFICIAL}@e3e3926 adversarial (3,000 questions)",
}  # fmt: skip


class PopeInfo(Record):
    """What POPE keeps of an item besides question and label: its image's name."""

    image: str


def _sample(
    task: str, qid: Any, question: str, label: str, media: MediaRef, image: str
) -> Sample[PopeInfo]:
    answer = str(label).strip().lower()
    if answer not in ("yes", "no"):
        raise DataError(f"POPE item {qid} has label {label!r}", "labels must be 'yes' or 'no'")
    return Sample(
        id=str(qid), task=task, question=question, target=answer, media=(media,),
        cluster=image, info=PopeInfo(image=image),
    )  # fmt: skip


def load_official_file(task: str, labels: Path, image_dir: Path | None) -> LoadedData[PopeInfo]:
    """Official label file (JSON Lines question_id/image/text/label) plus a COCO image folder.

    With no image folder (scoring saved answers) the images are referenced but never read.
    """
    images = ImageFolder(
        image_dir, "pass --image-dir with the COCO val2014 images the label file names"
    )
    samples = []
    for row in read_jsonl(labels):
        image = str(row.get("image", ""))
        try:
            samples.append(
                _sample(
                    task, row["question_id"], row["text"], row["label"], images.ref(image), image
                )
            )
        except KeyError as exc:
            raise DataError(
                f"{labels} has a line without {exc}",
                "official POPE lines have question_id, image, text and label",
            ) from exc
    digest = sha256_file(labels)
    note = KNOWN_FILES.get(digest, "unknown version (not an official POPE file hash)")
    provenance = DataProvenance(
        kind="official_files", location=str(labels), sha256=digest, version_note=note,
        num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def load_dataset_rows(task: str, dataset: Any, store: MediaStore | None) -> list[Sample[PopeInfo]]:
    """Samples from an lmms-lab/POPE-format table (hub or local copy); no store: labels only."""
    from datasets import Image

    require_columns(dataset, HUB_COLUMNS, "the POPE dataset")
    if store is None:
        dataset = dataset.remove_columns("image")
    else:
        dataset = dataset.cast_column("image", Image(decode=False))
    samples = []
    for row in dataset:
        source = str(row["image_source"])
        if store is None:
            media = unread_media(source)
        else:
            media = store.put(image_bytes(row["image"]), source=source)
        samples.append(
            _sample(task, row["question_id"], row["question"], row["answer"], media, source)
        )
    return samples


def _has_split(path: Path, split: str) -> bool:
    if (path / "dataset_dict.json").exists():
        return split in json.loads((path / "dataset_dict.json").read_text()).get("splits", [])
    return bool(parquet_files(path, split))


def local_split(path: Path, split: str, cache: Path) -> tuple[Any, str]:
    """One split of a local lmms-lab/POPE copy and the layout it was read from: the `Full`
    config (a split per category) or the default config, which lmms-eval caches (one `test`
    split with a `category` column, read by category)."""
    if _has_split(path, split):
        return load_local_split(path, split, cache), f"Full layout (split {split})"
    try:
        test = load_local_split(path, "test", cache)
    except DataError as exc:
        raise DataError(
            f"{path} has neither a '{split}' split nor a 'test' split with a category column",
            f"{exc.hint or exc.message}; copy lmms-lab/POPE (config Full or default)",
        ) from exc
    if "category" not in test.column_names:
        raise DataError(
            f"{path} has no '{split}' split and its rows have no category column",
            "copy lmms-lab/POPE with config Full (a split per category) or the default config",
        )
    chosen = test.filter(lambda category: category == split, input_columns="category")
    if len(chosen) == 0:
        found = sorted(set(test["category"]))
        raise DataError(f"{path} has no rows of category '{split}'", f"categories there: {found}")
    return chosen, f"default layout (split test, category {split})"


def _check_split_name(labels: Path, split: str) -> None:
    named = [s for s in SPLITS if s in labels.name]
    if named and split not in named:
        raise UsageError(
            f"{labels.name} looks like the {named[0]} split but task pope_{split} was asked for",
            "pass a folder with all three label files, or the file of the matching split",
        )


def sources(split: str) -> Sources[PopeInfo]:
    """The data sources of one POPE split."""
    task = f"pope_{split}"

    def synthetic(request: DataRequest, size: int) -> LoadedData[PopeInfo]:
        folder = ensure_synthetic_pope(Path(request.cache_dir) / "data", size)
        images = folder / "images" if request.need_media else None
        loaded = load_official_file(task, folder / label_file_name(split), images)
        note = f"synthetic POPE ({folder.name})"
        provenance = loaded.provenance.model_copy(
            update={"kind": "synthetic", "version_note": note}
        )
        return LoadedData(loaded.samples, provenance)

    def hub(request: DataRequest, repo: str) -> LoadedData[PopeInfo]:
        dataset = load_hub_split(repo, HUB_CONFIG, split, request.revision)
        samples = load_dataset_rows(task, dataset, media_store(request))
        provenance = hub_provenance(dataset, f"{repo}:{HUB_CONFIG}/{split}", request, len(samples))
        return LoadedData(samples, provenance)

    def local(request: DataRequest, path: Path) -> LoadedData[PopeInfo]:
        labels = path / label_file_name(split) if path.is_dir() else path
        if labels.suffix in (".json", ".jsonl") and labels.is_file():
            _check_split_name(labels, split)
            image_dir = Path(request.image_dir) if request.image_dir else labels.parent / "images"
            return load_official_file(task, labels, image_dir if request.need_media else None)
        if is_local_dataset(path):
            dataset, layout = local_split(path, split, Path(request.cache_dir) / "datasets")
            samples = load_dataset_rows(task, dataset, media_store(request))
            provenance = DataProvenance(
                kind="local", location=str(path), sha256=dataset._fingerprint,
                version_note=f"local lmms-lab/POPE copy, {layout}", num_items=len(samples),
            )  # fmt: skip
            return LoadedData(samples, provenance)
        raise DataError(
            f"{path} holds neither POPE label files ({label_file_name(split)}) nor a dataset copy",
            "pass an official label file, a folder of them, a save_to_disk folder or parquet files",
        )

    return Sources(task, synthetic=synthetic, local=local, hub=hub, hub_repo=HUB_REPO)
