"""WildVision-Bench data: the Hub split `WildVision/wildvision-bench` (vision_bench_0617,
500 images with instructions) or a local copy of it, each with the baseline's answers (a
column of the split, else the official answer file), or synthetic scenes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Record, Sample
from mmalign_eval.contracts import unread_media
from mmalign_eval.hashing import sha256_file
from mmalign_eval.media import MediaStore
from mmalign_eval.toolkit.hub import (
    hub_provenance,
    image_bytes,
    is_local_dataset,
    load_hub_split,
    load_local_split,
    require_columns,
)
from mmalign_eval.toolkit.media import media_store
from mmalign_eval.toolkit.sources import Sources

from .baseline import BASELINE, beside, official_copy, read_answers
from .synthetic import ensure_synthetic_wildvision

TASK = "wildvision_bench"
HUB_REPO = "WildVision/wildvision-bench"
HUB_CONFIG = "vision_bench_0617"
SPLIT = "test"
COLUMNS = ("question_id", "instruction", "image")


class WildVisionInfo(Record):
    """The baseline's answer the judge compares the model's with (assistant A officially)."""

    baseline: str
    language: str | None = None


def _baselines(
    dataset: Any, request: DataRequest, near: Path | None
) -> tuple[Mapping[str, str] | None, str]:
    """The baseline answers when the split lacks their column, and where they came from."""
    if BASELINE in dataset.column_names:
        return None, f"column {BASELINE}"
    found = beside(near) if near is not None else None
    path = found or official_copy(Path(request.cache_dir))
    return read_answers(path), f"{path.name} (sha256 {sha256_file(path)[:12]})"


def dataset_samples(
    dataset: Any, baselines: Mapping[str, str] | None, store: MediaStore | None
) -> list[Sample[WildVisionInfo]]:
    """Samples of a wildvision-bench table; no store: the images are never read."""
    from datasets import Image

    require_columns(dataset, COLUMNS, "the WildVision-Bench split")
    table = dataset.remove_columns("image") if store is None else dataset
    if store is not None:
        table = table.cast_column("image", Image(decode=False))
    samples, missing = [], []
    for row in table:
        qid = str(row["question_id"])
        baseline = row[BASELINE] if baselines is None else baselines.get(qid)
        if not isinstance(baseline, str):
            missing.append(qid)
            continue
        media = unread_media(qid) if store is None else store.put(image_bytes(row["image"]), qid)
        info = WildVisionInfo(baseline=baseline, language=row.get("language"))
        samples.append(Sample(
            id=qid, task=TASK, question=str(row["instruction"]), media=(media,),
            category=info.language, info=info,
        ))  # fmt: skip
    if missing:
        raise DataError(
            f"{len(missing)} WildVision-Bench questions have no {BASELINE} answer "
            f"(e.g. {', '.join(missing[:3])})",
            f"use the official model_answers/{BASELINE}.jsonl of vision_bench_0617",
        )
    return samples


def _hub(request: DataRequest, repo: str) -> LoadedData[WildVisionInfo]:
    dataset = load_hub_split(repo, HUB_CONFIG, SPLIT, request.revision)
    baselines, where = _baselines(dataset, request, None)
    samples = dataset_samples(dataset, baselines, media_store(request))
    provenance = hub_provenance(
        dataset, f"{repo}:{HUB_CONFIG}/{SPLIT}", request, len(samples), f"baseline answers: {where}"
    )
    return LoadedData(samples, provenance)


def _local(
    request: DataRequest, path: Path, note: str = "local wildvision-bench copy"
) -> LoadedData[WildVisionInfo]:
    if not is_local_dataset(path):
        raise DataError(
            f"{path} holds no WildVision-Bench copy",
            f"pass a save_to_disk folder or parquet files of {HUB_REPO} ({HUB_CONFIG}/{SPLIT})",
        )
    dataset = load_local_split(path, SPLIT, Path(request.cache_dir) / "datasets")
    baselines, where = _baselines(dataset, request, path)
    samples = dataset_samples(dataset, baselines, media_store(request))
    provenance = DataProvenance(
        kind="synthetic" if note.startswith("synthetic") else "local", location=str(path),
        sha256=dataset._fingerprint, version_note=f"{note}; baseline answers: {where}",
        num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def _synthetic(request: DataRequest, size: int) -> LoadedData[WildVisionInfo]:
    folder = ensure_synthetic_wildvision(Path(request.cache_dir) / "data", size)
    return _local(request, folder, f"synthetic WildVision-Bench ({folder.name})")


SOURCES: Sources[WildVisionInfo] = Sources(
    TASK, synthetic=_synthetic, synthetic_size=8, local=_local, hub=_hub, hub_repo=HUB_REPO
)
