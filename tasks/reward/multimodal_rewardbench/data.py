"""Multimodal RewardBench data: a local copy only, since the release ships pointers, not
prompts or images (they are rebuilt from public datasets by the repository's
scripts/0_download_data.py), or synthetic scenes in the same layout.

`--data` takes:
- the data folder (`data/` of a clone, or the clone itself) or its `all_data.json`: the
  file 0_download_data.py writes, prompts filled in; images under `images/` beside it
  (or `--image-dir`, the data folder or its `images/` folder);
- `all_data_release.json` (the file in git, prompts not rebuilt): scoring only;
- an official answers file (`outputs/<model>.jsonl` from 1_run_model_as_judge_gpt4o.py):
  labels and categories from its own `Label` and `Meta`, exactly what 2_get_accuracy.py
  reads, so `score` can use one file for both;
- `synthetic[:N]`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataRequest, LoadedData, MediaRef, Sample, file_provenance
from mmalign_eval.toolkit.files import read_json, read_jsonl
from mmalign_eval.toolkit.media import ImageFolder
from mmalign_eval.toolkit.sources import Sources

from .items import TASK, PairInfo, label_of, pair_sample
from .official import OFFICIAL_REPO, Letter
from .synthetic import ensure_synthetic_rewardbench

DATA_FILE = "all_data.json"
RELEASE_FILE = "all_data_release.json"
SYNTHETIC_SIZE = 8  # one item per official category
FETCH = (
    f"git clone https://github.com/{OFFICIAL_REPO}, then in the clone pip install "
    "datasets==3.1.0 and run python scripts/0_download_data.py (it writes data/all_data.json "
    "and data/images/); pass the clone's data/ folder as --data"
)
Samples = list[Sample[PairInfo]]


def _image_name(root: Path, image: str) -> str:
    """`images/x/1.jpg` under the data folder, or `x/1.jpg` under an --image-dir of images."""
    if (root / image).exists():
        return image
    inner = image.removeprefix("images/")
    return inner if (root / inner).exists() else image


def _images(request: DataRequest, labels: Path) -> ImageFolder:
    if not request.need_media:
        return ImageFolder(None)
    root = Path(request.image_dir) if request.image_dir else labels.parent
    return ImageFolder(root, f"pass --image-dir with the folder holding images/ ({FETCH})")


def _media(images: ImageFolder, image: object) -> MediaRef:
    name = str(image)
    return images.ref(_image_name(images.root, name) if images.root else name)


def item_samples(rows: Sequence[Any], labels: Path, request: DataRequest) -> Samples:
    """Samples of the items of all_data.json (a list of objects with the official fields)."""
    images = _images(request, labels)
    samples = []
    for number, row in enumerate(rows, start=1):
        where = f"{labels.name} item {number}"
        if not isinstance(row, Mapping):
            raise DataError(f"{where} is not an object", "pass the official all_data.json")
        label = label_of(row.get("Better"), where)
        samples.append(pair_sample(row, label, _media(images, row.get("Image")), where))
    return samples


def answers_row(row: Mapping[str, Any], where: str, run: bool) -> tuple[dict[str, Any], Letter]:
    """An answers-file line as an item row and its label: ID, Label and Image from the line,
    Category (and, as the judge script keeps them, Text and responses) from its Meta."""
    meta = row.get("Meta")
    label = row.get("Label")
    if not isinstance(meta, Mapping) or (label != "A" and label != "B"):
        raise DataError(
            f"{where}: needs 'Label' (A or B) and a 'Meta' object with 'Category'",
            "pass an answers file written by 1_run_model_as_judge_gpt4o.py",
        )
    better = meta.get("Better")
    if isinstance(better, str) and label_of(better, where) != label:
        raise DataError(
            f"{where}: Label {label} disagrees with Meta.Better {better}",
            "the file's Label is what 2_get_accuracy.py scores by; fix one",
        )
    lacking = [f for f in ("Text", "Output1", "Output2") if f not in meta]
    if run and lacking:
        raise DataError(
            f"{where} cannot be run: its Meta has no {', '.join(lacking)}",
            f"scoring its answers works; to run a model: {FETCH}",
        )
    item = {**dict.fromkeys(lacking, ""), **meta, "ID": row.get("ID")}
    item["Image"] = row.get("Image", meta.get("Image"))
    return item, label


def answers_samples(path: Path, request: DataRequest) -> Samples:
    """Samples of an official answers file."""
    images = _images(request, path)
    samples = []
    for number, row in enumerate(read_jsonl(path), start=1):
        where = f"{path.name} line {number}"
        item, label = answers_row(row, where, request.need_media)
        samples.append(pair_sample(item, label, _media(images, item.get("Image")), where))
    return samples


def _check_runnable(samples: Samples, path: Path, request: DataRequest) -> None:
    """A run needs every prompt: the release file lacks those 0_download_data.py rebuilds."""
    if not request.need_media:
        return
    empty = [s.id for s in samples if not s.question.strip()]
    if path.name == RELEASE_FILE or empty:
        what = f"{len(empty)} items have no prompt (e.g. {', '.join(empty[:3])})"
        raise DataError(
            f"{path} cannot be run: {what if empty else 'its prompts are not rebuilt'}",
            f"scoring given answers works with it; to run a model: {FETCH}",
        )


def _unique(samples: Samples, path: Path) -> Samples:
    seen: set[str] = set()
    for sample in samples:
        if sample.id in seen:
            raise DataError(f"{path}: ID {sample.id} appears twice", "one line per item")
        seen.add(sample.id)
    return samples


def _data_file(folder: Path, need_media: bool) -> Path:
    """The data file of a folder: all_data.json, else (scoring only) the release file."""
    names = (DATA_FILE, RELEASE_FILE) if not need_media else (DATA_FILE,)
    for base in (folder, folder / "data"):
        for name in names:
            if (base / name).is_file():
                return base / name
    found = (folder / RELEASE_FILE).is_file() or (folder / "data" / RELEASE_FILE).is_file()
    raise DataError(
        f"{folder} holds no {DATA_FILE}"
        + (f" (only {RELEASE_FILE}, whose prompts are not rebuilt)" if found else ""),
        FETCH,
    )


def load_file(request: DataRequest, path: Path, note: str | None = None) -> LoadedData[PairInfo]:
    """all_data.json (or the release file), or an official answers file (.jsonl)."""
    if path.suffix == ".jsonl":
        samples = answers_samples(path, request)
        kind_note = note or "official answers file (its Label and Meta, as 2_get_accuracy.py)"
    else:
        rows = read_json(path, "Multimodal RewardBench data file", FETCH)
        if not isinstance(rows, list):
            raise DataError(f"{path} is not a JSON list of items", f"pass {DATA_FILE}")
        samples = item_samples(rows, path, request)
        kind_note = note or (
            f"{RELEASE_FILE} (prompts not rebuilt)" if path.name == RELEASE_FILE
            else f"{path.name} in the layout of {OFFICIAL_REPO}'s {DATA_FILE}"
        )  # fmt: skip
    _check_runnable(_unique(samples, path), path, request)
    provenance = file_provenance(path, len(samples), "official_files", note)
    return LoadedData(samples, provenance.model_copy(update={"version_note": kind_note}))


def _local(request: DataRequest, path: Path) -> LoadedData[PairInfo]:
    return load_file(request, _data_file(path, request.need_media) if path.is_dir() else path)


def _synthetic(request: DataRequest, size: int) -> LoadedData[PairInfo]:
    folder = ensure_synthetic_rewardbench(Path(request.cache_dir) / "data", size)
    return load_file(
        request, folder / DATA_FILE, f"synthetic Multimodal RewardBench ({folder.name})"
    )


SOURCES: Sources[PairInfo] = Sources(
    TASK, synthetic=_synthetic, synthetic_size=SYNTHETIC_SIZE, local=_local
)


def load(request: DataRequest) -> LoadedData[PairInfo]:
    """The task's loader: --data is required, since there is no copy to download."""
    if request.source is None:
        raise DataError(
            "multimodal_rewardbench has no default data source: the release holds pointers "
            "to public datasets, and its prompts and images are rebuilt on your machine",
            f"{FETCH} (or --data synthetic for an offline demo)",
        )
    return SOURCES.load(request)
