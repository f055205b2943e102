"""MM-SafetyBench data sources: the Hugging Face mirror (default), a local copy of it, the
official question files with their image folders, or synthetic data in the official layout."""

from __future__ import annotations

from pathlib import Path

from mmalign_eval import DataError, DataRequest, LoadedData
from mmalign_eval.toolkit.sources import Sources

from .files import IMAGES, QUESTIONS, load_question_files, question_folder
from .hub import HUB_REPO, is_local_copy, load_hub, load_local_copy
from .scenarios import TASK, SafetyInfo
from .synthetic import ensure_synthetic_mm_safetybench


def _local(request: DataRequest, path: Path) -> LoadedData[SafetyInfo]:
    image_dir = Path(request.image_dir) if request.image_dir else None
    questions = question_folder(path)
    if questions is not None:
        return load_question_files(questions, image_dir, request.need_media, None)
    if is_local_copy(path):
        return load_local_copy(request, path)
    raise DataError(
        f"{path} holds neither MM-SafetyBench question files nor a copy of {HUB_REPO}",
        f"pass the official data folder ({QUESTIONS}/ and {IMAGES}/), the {QUESTIONS} folder "
        "with --image-dir, or a folder with one save_to_disk/parquet sub-folder per config",
    )


def _synthetic(request: DataRequest, size: int) -> LoadedData[SafetyInfo]:
    folder = ensure_synthetic_mm_safetybench(Path(request.cache_dir) / "data", size)
    note = f"synthetic MM-SafetyBench ({folder.name})"
    return load_question_files(folder / QUESTIONS, None, request.need_media, note)


SOURCES: Sources[SafetyInfo] = Sources(
    TASK, synthetic=_synthetic, synthetic_size=13, local=_local, hub=load_hub, hub_repo=HUB_REPO
)
