"""Hugging Face datasets: Hub splits, local save_to_disk/parquet copies, image cells."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmalign_eval.errors import DataError, UsageError

if TYPE_CHECKING:
    from datasets import Dataset

    from mmalign_eval.task import DataProvenance, DataRequest

_COMMIT = re.compile(r"(?:^|/)([0-9a-f]{40})(?:/|$)")


def load_hub_split(repo: str, config: str | None, split: str, revision: str | None) -> Dataset:
    """A split of a Hugging Face Hub dataset; unreachable hubs give a clear DataError."""
    import datasets

    from mmalign_eval.toolkit.online import hub_online, offline_note

    hub_online()  # offline: the local cache only, and no retries before the error
    try:
        return datasets.load_dataset(repo, config, split=split, revision=revision)
    except (ConnectionError, OSError, datasets.exceptions.DatasetNotFoundError) as exc:
        raise DataError(
            f"cannot load dataset {repo} ({config or 'default'}/{split}){offline_note()}: "
            f"{_first_line(exc)}",
            "without network, download it on a connected machine (save_to_disk or the parquet "
            "files) and pass the folder with --data, or use --data synthetic for a demo",
        ) from exc
    except ValueError as exc:  # datasets raises it for a config or split the dataset lacks
        raise DataError(
            f"dataset {repo} has no {config or 'default'}/{split}: {_first_line(exc)}",
            "check the dataset's configs and splits on the Hub (or --revision)",
        ) from exc


def load_local_split(path: Path, split: str, cache_dir: Path | None = None) -> Dataset:
    """A split from a save_to_disk folder or from parquet files named after the split."""
    import datasets

    if (path / "dataset_dict.json").exists():
        loaded = datasets.load_from_disk(str(path))
        if split not in loaded:
            raise DataError(f"{path} has no split '{split}'", f"splits there: {sorted(loaded)}")
        return loaded[split]
    if (path / "dataset_info.json").exists() or (path / "state.json").exists():
        return datasets.load_from_disk(str(path))
    files = parquet_files(path, split)
    if not files:
        raise DataError(
            f"{path} is neither a save_to_disk folder nor holds parquet files for split '{split}'",
            "pass a folder written by Dataset.save_to_disk or with <split>*.parquet files",
        )
    return datasets.load_dataset(
        "parquet",
        data_files=[str(f) for f in files],
        split="train",
        cache_dir=str(cache_dir) if cache_dir else None,
    )


def parquet_files(path: Path, split: str) -> list[Path]:
    """Parquet files for a split: the file itself, or files in a folder whose name has the split."""
    if path.is_file() and path.suffix == ".parquet":
        return [path]
    candidates = sorted(path.rglob("*.parquet")) if path.is_dir() else []
    return [f for f in candidates if split in f.relative_to(path).as_posix()]


def is_local_dataset(path: Path) -> bool:
    """Whether a path holds a save_to_disk dataset or parquet files."""
    if path.is_file():
        return path.suffix == ".parquet"
    markers = ("dataset_dict.json", "dataset_info.json", "state.json")
    return any((path / m).exists() for m in markers) or any(path.rglob("*.parquet"))


def hub_provenance(
    dataset: Dataset,
    location: str,
    request: DataRequest,
    num_items: int,
    version_note: str | None = None,
) -> DataProvenance:
    """Where a Hub split came from: the commit its cache shows (else the revision asked for,
    else main) and the dataset's own fingerprint as its hash."""
    from mmalign_eval.task import DataProvenance

    return DataProvenance(
        kind="huggingface", location=location,
        revision=dataset_revision(dataset) or request.revision or "main",
        sha256=dataset._fingerprint, version_note=version_note, num_items=num_items,
    )  # fmt: skip


def dataset_revision(dataset: Dataset) -> str | None:
    """The Hub commit a cached dataset was built from, when its cache path shows it."""
    for entry in dataset.cache_files:
        match = _COMMIT.search(entry.get("filename", ""))
        if match:
            return match.group(1)
    return None


def image_bytes(value: Any) -> bytes:
    """Raw bytes of an undecoded `datasets.Image` cell ({'bytes', 'path'})."""
    if isinstance(value, dict):
        if value.get("bytes"):
            return bytes(value["bytes"])
        if value.get("path"):
            return Path(value["path"]).read_bytes()
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    raise DataError(
        "an image cell holds neither bytes nor a path", "check the dataset's image column"
    )


def require_columns(dataset: Dataset, columns: tuple[str, ...], where: str) -> None:
    """Fail with the missing column names when a dataset lacks expected columns."""
    missing = [c for c in columns if c not in dataset.column_names]
    if missing:
        raise UsageError(
            f"{where} lacks columns {missing} (has {dataset.column_names})",
            f"the dataset needs columns {list(columns)}",
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
