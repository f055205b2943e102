"""MM-Vet data: the Hugging Face dataset whyu/mm-vet (default), a local copy of it, the
official folder of mm-vet.zip (mm-vet.json and images/), or synthetic scenes in that layout."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Record, Sample
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
    require_columns,
)
from mmalign_eval.toolkit.media import ImageFolder, media_store
from mmalign_eval.toolkit.sources import Sources

from .capabilities import integration
from .synthetic import OFFICIAL_FILE, ensure_synthetic_mmvet

TASK = "mm_vet"
HUB_REPO = "whyu/mm-vet"
HUB_SPLIT = "test"  # the dataset's only split (218 rows)
HUB_COLUMNS = ("id", "question", "answer", "capability", "image")
OFFICIAL_FIELDS = ("imagename", "question", "answer", "capability")


class MMVetInfo(Record):
    """An item's capabilities (in the fixed order), its integration and its image name."""

    capabilities: tuple[str, ...]
    integration: str
    image: str


def make_sample(
    qid: str, question: object, answer: object, capability: object, media: MediaRef
) -> Sample[MMVetInfo]:
    """One item; the ground truth (with its <AND>/<OR> marks) is the target the judge sees."""
    capabilities, name = integration(capability, qid)
    info = MMVetInfo(capabilities=capabilities, integration=name, image=media.source or qid)
    return Sample(
        id=qid, task=TASK, question=str(question), target=str(answer), media=(media,),
        category=name, info=info,
    )  # fmt: skip


def official_samples(path: Path, image_dir: Path | None) -> list[Sample[MMVetInfo]]:
    """The items of mm-vet.json ({"v1_0": {imagename, question, answer, capability}, ...})."""
    entries = read_json(path, "MM-Vet metadata", f"pass the official {OFFICIAL_FILE}")
    if not isinstance(entries, dict):
        raise DataError(f"{path} is not a JSON object of items", f"pass {OFFICIAL_FILE}")
    images = ImageFolder(image_dir)
    samples = []
    for qid, entry in entries.items():
        missing = [f for f in OFFICIAL_FIELDS if not isinstance(entry, Mapping) or f not in entry]
        if missing:
            raise DataError(f"{path}: item {qid} lacks {missing}", f"items need {OFFICIAL_FIELDS}")
        media = images.ref(str(entry["imagename"]))
        samples.append(make_sample(str(qid), entry["question"], entry["answer"],
                                   entry["capability"], media))  # fmt: skip
    return samples


def table_samples(dataset: Any, store: MediaStore | None) -> list[Sample[MMVetInfo]]:
    """The items of a whyu/mm-vet table; without a store (scoring) images are not read."""
    from datasets import Image

    require_columns(dataset, HUB_COLUMNS, "the MM-Vet dataset")
    dataset = dataset.cast_column("image", Image(decode=False))
    samples = []
    for row in dataset:
        qid = str(row["id"])
        cell = row["image"]
        media = unread_media(qid) if store is None else store.put(image_bytes(cell), qid)
        samples.append(make_sample(qid, row["question"], row["answer"], row["capability"], media))
    return unique(samples)


def unique(samples: list[Sample[MMVetInfo]]) -> list[Sample[MMVetInfo]]:
    """The samples, refusing a repeated id (every question is graded once per run)."""
    seen: set[str] = set()
    for sample in samples:
        if sample.id in seen:
            raise DataError(f"MM-Vet item {sample.id} appears twice", "check the data")
        seen.add(sample.id)
    return samples


def _hub(request: DataRequest, repo: str) -> LoadedData[MMVetInfo]:
    dataset = load_hub_split(repo, None, HUB_SPLIT, request.revision)
    samples = table_samples(dataset, media_store(request))
    provenance = hub_provenance(dataset, f"{repo}/{HUB_SPLIT}", request, len(samples))
    return LoadedData(samples, provenance)


def _official(request: DataRequest, path: Path, note: str | None) -> LoadedData[MMVetInfo]:
    images = Path(request.image_dir) if request.image_dir else path.parent / "images"
    samples = official_samples(path, images if request.need_media else None)
    return LoadedData(samples, file_provenance(path, len(samples), "official_files", note))


def _local(request: DataRequest, path: Path) -> LoadedData[MMVetInfo]:
    if path.is_file() and path.suffix == ".json":
        return _official(request, path, None)
    if path.is_dir() and (path / OFFICIAL_FILE).is_file():
        return _official(request, path / OFFICIAL_FILE, None)
    if not is_local_dataset(path):
        raise DataError(
            f"{path} is neither the official MM-Vet folder nor a copy of {HUB_REPO}",
            f"pass the unzipped mm-vet folder ({OFFICIAL_FILE} and images/), its "
            f"{OFFICIAL_FILE}, or a save_to_disk or parquet copy of the Hugging Face dataset",
        )
    dataset = load_local_split(path, HUB_SPLIT, Path(request.cache_dir) / "hf-datasets")
    samples = table_samples(dataset, media_store(request))
    provenance = DataProvenance(
        kind="local", location=str(path), sha256=dataset._fingerprint, num_items=len(samples),
        version_note=f"local {HUB_REPO} copy",
    )  # fmt: skip
    return LoadedData(samples, provenance)


def _synthetic(request: DataRequest, size: int) -> LoadedData[MMVetInfo]:
    folder = ensure_synthetic_mmvet(Path(request.cache_dir) / "data", size)
    note = f"synthetic MM-Vet-format data ({folder.name})"
    return _official(request, folder / OFFICIAL_FILE, note)


SOURCES: Sources[MMVetInfo] = Sources(
    TASK, synthetic=_synthetic, synthetic_size=8, local=_local, hub=_hub, hub_repo=HUB_REPO
)
