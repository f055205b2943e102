"""MM-AlignBench data: the Hub dataset PhoenixZ/MM-AlignBench (252 images and questions with
Claude-3-Sonnet's answers), a local copy of it, VLMEvalKit's MMAlignBench.tsv (base64
images), or synthetic scenes written as such a TSV.

Columns, as VLMEvalKit reads them: `index`, `question`, `image`, `claude3_sonnet` (the
baseline's answer), `type` and, for some items, `gt` (a ground-truth key fact; the judge
then gets the prompt variant with it). A `gt` counts as present when its text is not
'nan', after pandas' reading of missing cells (VLMEvalKit's `str(line['gt']) != 'nan'`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Record, Sample
from mmalign_eval.contracts import MediaRef, unread_media
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

from .synthetic import ensure_synthetic_alignbench

TASK = "mm_alignbench"
HUB_REPO = "PhoenixZ/MM-AlignBench"
SPLIT = "train"  # the Hub dataset's only split (data/train-00000-of-00001.parquet)
BASELINE = "claude3_sonnet"
COLUMNS = ("index", "question", "image", BASELINE, "type")


class AlignInfo(Record):
    """The baseline's answer (assistant A officially), the question type and the key fact."""

    baseline: str
    type: str
    gt: str | None = None


def ground_truth(value: object) -> str | None:
    """VLMEvalKit's rule: a gt is used unless its text is 'nan' (or the cell is empty)."""
    if value is None:
        return None
    text = str(value)
    return None if text in ("nan", "") else text


def row_sample(row: Mapping[str, Any], media: MediaRef) -> Sample[AlignInfo]:
    """One item; its id is the dataset's `index` as text."""
    baseline = row[BASELINE]
    if not isinstance(baseline, str):
        raise DataError(
            f"MM-AlignBench item {row['index']} has no {BASELINE} answer",
            "every item needs the baseline's answer the judge compares with",
        )
    info = AlignInfo(baseline=baseline, type=str(row["type"]), gt=ground_truth(row.get("gt")))
    return Sample(
        id=str(row["index"]), task=TASK, question=str(row["question"]), target=info.gt or "",
        media=(media,), category=info.type, info=info,
    )  # fmt: skip


def dataset_samples(dataset: Any, store: MediaStore | None) -> list[Sample[AlignInfo]]:
    """Samples of a Hub-layout table; no store: the images are never read."""
    from datasets import Image

    require_columns(dataset, COLUMNS, "the MM-AlignBench dataset")
    table = dataset.remove_columns("image") if store is None else dataset
    if store is not None and isinstance(dataset.features["image"], Image):
        table = table.cast_column("image", Image(decode=False))
    samples = []
    for row in table:
        source = str(row["index"])
        media = unread_media(source) if store is None else store.put(_bytes(row["image"]), source)
        samples.append(row_sample(row, media))
    return samples


def _bytes(value: Any) -> bytes:
    """An image cell: datasets' {'bytes', 'path'} or VLMEvalKit's base64 text."""
    if not isinstance(value, str):
        return image_bytes(value)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DataError("an MM-AlignBench image is not valid base64", "check the TSV") from exc


def tsv_samples(path: Path, store: MediaStore | None) -> list[Sample[AlignInfo]]:
    """Samples of VLMEvalKit's MMAlignBench.tsv, read with pandas as VLMEvalKit reads it."""
    import pandas as pd

    table = pd.read_csv(path, sep="\t")
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"{path} lacks columns {missing}", f"the TSV needs {list(COLUMNS)}")
    rows: Iterable[dict[str, Any]] = table.to_dict("records")
    samples = []
    for row in rows:
        source = str(row["index"])
        media = unread_media(source) if store is None else store.put(_bytes(row["image"]), source)
        samples.append(row_sample(row, media))
    return samples


def _hub(request: DataRequest, repo: str) -> LoadedData[AlignInfo]:
    dataset = load_hub_split(repo, None, SPLIT, request.revision)
    samples = dataset_samples(dataset, media_store(request))
    provenance = hub_provenance(dataset, f"{repo}/{SPLIT}", request, len(samples))
    return LoadedData(samples, provenance)


def _local(request: DataRequest, path: Path, note: str | None = None) -> LoadedData[AlignInfo]:
    tsv = path / "MMAlignBench.tsv" if path.is_dir() else path
    if tsv.is_file() and tsv.suffix == ".tsv":
        samples = tsv_samples(tsv, media_store(request))
        provenance = DataProvenance(
            kind="synthetic" if note else "official_files", location=str(tsv),
            sha256=sha256_file(tsv), version_note=note or "VLMEvalKit MMAlignBench.tsv",
            num_items=len(samples),
        )  # fmt: skip
        return LoadedData(samples, provenance)
    if not is_local_dataset(path):
        raise DataError(
            f"{path} holds neither MMAlignBench.tsv nor a dataset copy",
            f"pass VLMEvalKit's MMAlignBench.tsv, or a save_to_disk/parquet copy of {HUB_REPO}",
        )
    dataset = load_local_split(path, SPLIT, Path(request.cache_dir) / "datasets")
    samples = dataset_samples(dataset, media_store(request))
    provenance = DataProvenance(
        kind="local", location=str(path), sha256=dataset._fingerprint,
        version_note=f"local {HUB_REPO} copy", num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def _synthetic(request: DataRequest, size: int) -> LoadedData[AlignInfo]:
    folder = ensure_synthetic_alignbench(Path(request.cache_dir) / "data", size)
    return _local(request, folder, f"synthetic MM-AlignBench ({folder.name})")


SOURCES: Sources[AlignInfo] = Sources(
    TASK, synthetic=_synthetic, synthetic_size=8, local=_local, hub=_hub, hub_repo=HUB_REPO
)
