"""lmms-lab/MME (split test, columns question_id, image, question, answer, category): from the
Hugging Face Hub or a local save_to_disk/parquet copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mmalign_eval import DataProvenance, DataRequest, LoadedData
from mmalign_eval.contracts import unread_media
from mmalign_eval.media import MediaStore
from mmalign_eval.toolkit.hub import (
    hub_provenance,
    image_bytes,
    load_hub_split,
    load_local_split,
    require_columns,
)
from mmalign_eval.toolkit.media import media_store

from .samples import MmeInfo, Question, build_samples
from .subtasks import check_answer, check_subtask, image_key

HUB_REPO = "lmms-lab/MME"
HUB_SPLIT = "test"
HUB_COLUMNS = ("question_id", "image", "question", "answer", "category")


def rows_to_questions(dataset: Any, store: MediaStore | None) -> list[Question]:
    """Questions of an lmms-lab/MME table; no store: labels only, no image is read."""
    from datasets import Image

    require_columns(dataset, HUB_COLUMNS, "the MME dataset")
    if store is None:
        dataset = dataset.remove_columns("image")
    else:
        dataset = dataset.cast_column("image", Image(decode=False))
    questions = []
    for number, row in enumerate(dataset):
        where = f"MME row {number} ({row['question_id']})"
        subtask = check_subtask(str(row["category"]), where)
        # question_id is `<subtask>/<file>`; the file name alone is what eval_tool files use.
        image = str(row["question_id"]).rsplit("/", 1)[-1]
        source = image_key(subtask, image)
        media = unread_media(source) if store is None else store.put(
            image_bytes(row["image"]), source=source
        )  # fmt: skip
        answer = check_answer(str(row["answer"]).strip(), where)
        questions.append(Question(subtask, image, str(row["question"]), answer, media))
    return questions


def load_hub(request: DataRequest, repo: str) -> LoadedData[MmeInfo]:
    """The test split from the Hugging Face Hub."""
    dataset = load_hub_split(repo, None, HUB_SPLIT, request.revision)
    samples = build_samples(rows_to_questions(dataset, media_store(request)))
    provenance = hub_provenance(dataset, f"{repo}:{HUB_SPLIT}", request, len(samples))
    return LoadedData(samples, provenance)


def load_local_copy(request: DataRequest, path: Path) -> LoadedData[MmeInfo]:
    """A local copy of lmms-lab/MME (save_to_disk folder or parquet files)."""
    dataset = load_local_split(path, HUB_SPLIT, Path(request.cache_dir) / "datasets")
    samples = build_samples(rows_to_questions(dataset, media_store(request)))
    provenance = DataProvenance(
        kind="local", location=str(path), sha256=dataset._fingerprint,
        version_note="local lmms-lab/MME copy (split test)", num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)
