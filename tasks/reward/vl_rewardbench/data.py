"""VL-RewardBench data: the Hugging Face dataset MMInstruction/VL-RewardBench (split test,
1,250 items, the default), a local copy of it (save_to_disk, or its parquet file), the
official repository's `data/data.jsonl` (JSON Lines with `image_path`, images from
`--image-dir`), or synthetic scenes written in that layout.

Columns: `id`, `query`, `response` (two texts), `human_ranking` (rank per response, 0 the
preferred), `models`, `judge`, `rationale`, `query_source`, `image`. The category comes from
the id, as `cal.py` derives it, not from `query_source` (the reasoning items have none).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Record, Sample
from mmalign_eval.contracts import MediaRef, unread_media
from mmalign_eval.task import file_provenance
from mmalign_eval.toolkit.files import read_jsonl
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

from .official import category, source_dataset
from .synthetic import SYNTHETIC_SIZE, ensure_synthetic_rewardbench

TASK = "vl_rewardbench"
HUB_REPO = "MMInstruction/VL-RewardBench"
SPLIT = "test"
REQUIRED = ("id", "query", "response", "human_ranking")
OFFICIAL_FILE = "data.jsonl"  # the official repository's data/data.jsonl (commit e492d65)
Row = Mapping[str, Any]


class VLRewardInfo(Record):
    """The two responses, which one humans preferred, and where the item comes from."""

    responses: tuple[str, str]
    chosen: int  # index in `responses` of the human-preferred one (human_ranking 0)
    dataset: str  # cal.py's source dataset of the id (rlaif-v, povid, ...)
    category: str  # general, hallucination or reasoning
    query_source: str | None = None

    @property
    def rejected(self) -> int:
        """Index of the response humans did not prefer."""
        return 1 - self.chosen


Samples = list[Sample[VLRewardInfo]]


def chosen_index(item_id: str, ranking: object) -> int:
    """The preferred response's index; the ranking must rank the two responses 0 and 1."""
    if not isinstance(ranking, list | tuple) or list(ranking) not in ([0, 1], [1, 0]):
        raise DataError(
            f"VL-RewardBench item {item_id}: human_ranking {ranking!r} does not rank two "
            "responses", "each item needs human_ranking [0, 1] or [1, 0]",
        )  # fmt: skip
    return list(ranking).index(0)


def row_sample(row: Row, media: MediaRef) -> Sample[VLRewardInfo]:
    """One item from a row of the Hub table or of data.jsonl."""
    item_id = str(row["id"])
    responses = row["response"]
    if not isinstance(responses, list | tuple) or len(responses) != 2:
        raise DataError(f"VL-RewardBench item {item_id} has no pair of responses",
                        "each item's 'response' holds exactly two texts")  # fmt: skip
    if not all(isinstance(text, str) for text in responses):
        raise DataError(f"VL-RewardBench item {item_id}: a response is not text",
                        "both responses must be strings")  # fmt: skip
    chosen = chosen_index(item_id, row["human_ranking"])
    source = row.get("query_source")
    info = VLRewardInfo(
        responses=(responses[0], responses[1]), chosen=chosen, dataset=source_dataset(item_id),
        category=category(item_id), query_source=source if isinstance(source, str) else None,
    )  # fmt: skip
    return Sample(
        id=item_id, task=TASK, question=str(row["query"]), target=f"response {chosen + 1}",
        media=(media,), category=info.category, info=info,
    )  # fmt: skip


def to_samples(rows: Iterable[Row], media: Callable[[Row], MediaRef]) -> Samples:
    """Samples in row order; an id that appears twice is an error (items are keyed by id)."""
    samples: Samples = []
    seen: set[str] = set()
    for row in rows:
        sample = row_sample(row, media(row))
        if sample.id in seen:
            raise DataError(f"VL-RewardBench id {sample.id} appears twice", "one row per item")
        seen.add(sample.id)
        samples.append(sample)
    return samples


def dataset_samples(dataset: Any, request: DataRequest) -> Samples:
    """Samples of a table in the Hub layout; without media the images are never read."""
    from datasets import Image

    store = media_store(request)
    needed = (*REQUIRED, "image") if store is not None else REQUIRED
    require_columns(dataset, needed, "the VL-RewardBench dataset")
    if store is None:
        table = dataset.remove_columns("image") if "image" in dataset.column_names else dataset
        return to_samples(table, lambda row: unread_media(f"{TASK}/{row['id']}"))
    if isinstance(dataset.features["image"], Image):
        dataset = dataset.cast_column("image", Image(decode=False))
    return to_samples(
        dataset, lambda row: store.put(image_bytes(row["image"]), source=f"{TASK}/{row['id']}")
    )


def load_hub(request: DataRequest, repo: str) -> LoadedData[VLRewardInfo]:
    """The Hub dataset's test split."""
    dataset = load_hub_split(repo, None, SPLIT, request.revision)
    samples = dataset_samples(dataset, request)
    provenance = hub_provenance(dataset, f"{repo}/{SPLIT}", request, len(samples))
    return LoadedData(samples, provenance)


def load_official(
    request: DataRequest, path: Path, note: str | None = None
) -> LoadedData[VLRewardInfo]:
    """data.jsonl; `image_path` is read below --image-dir (default: the file's folder)."""
    rows = read_jsonl(path)
    missing = sorted({c for row in rows for c in (*REQUIRED, "image_path") if c not in row})
    if missing or not rows:
        raise DataError(f"{path} lacks fields {missing or list(REQUIRED)}",
                        f"pass the official {OFFICIAL_FILE} or the Hub dataset")  # fmt: skip
    root = Path(request.image_dir) if request.image_dir else path.parent
    images = ImageFolder(root if request.need_media else None)
    samples = to_samples(rows, lambda row: images.ref(str(row["image_path"])))
    return LoadedData(samples, file_provenance(path, len(samples), "official_files", note))


def load_local(request: DataRequest, path: Path) -> LoadedData[VLRewardInfo]:
    """The official data.jsonl (file or folder), or a save_to_disk/parquet copy of the Hub."""
    official = path / OFFICIAL_FILE if path.is_dir() else path
    if official.is_file() and official.suffix == ".jsonl":
        return load_official(request, official)
    if not is_local_dataset(path):
        raise DataError(
            f"{path} holds neither {OFFICIAL_FILE} nor a dataset copy",
            f"pass a save_to_disk folder or the parquet file of {HUB_REPO}, or {OFFICIAL_FILE}",
        )
    dataset = load_local_split(path, SPLIT, Path(request.cache_dir) / "datasets")
    samples = dataset_samples(dataset, request)
    provenance = DataProvenance(
        kind="local", location=str(path), sha256=dataset._fingerprint,
        version_note=f"local {HUB_REPO} copy", num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def load_synthetic(request: DataRequest, size: int) -> LoadedData[VLRewardInfo]:
    """Pairs on the synthetic scenes, read through the data.jsonl reader."""
    folder = ensure_synthetic_rewardbench(Path(request.cache_dir) / "data", size)
    synthetic = request.model_copy(update={"image_dir": None})
    note = f"synthetic VL-RewardBench ({folder.name})"
    return load_official(synthetic, folder / OFFICIAL_FILE, note)


SOURCES: Sources[VLRewardInfo] = Sources(
    TASK, synthetic=load_synthetic, synthetic_size=SYNTHETIC_SIZE, local=load_local,
    hub=load_hub, hub_repo=HUB_REPO,
)  # fmt: skip
