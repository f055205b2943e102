"""MathVista data: the Hugging Face dataset AI4Math/MathVista (split testmini), a local copy
in its layout (save_to_disk or parquet), the official testmini.json with its image folder,
or synthetic problems on the shape scenes in the testmini.json layout."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Sample
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

from .problem import ANSWER_TYPES, QUESTION_TYPES, MathVistaInfo, build_query
from .synthetic import LABEL_FILE, ensure_synthetic_mathvista

TASK = "mathvista_testmini"
HUB_REPO = "AI4Math/MathVista"
SPLIT = "testmini"
HUB_COLUMNS = (
    "pid", "question", "choices", "unit", "precision", "answer", "question_type",
    "answer_type", "metadata",
)  # fmt: skip
REPORTED_METADATA = ("language", "source", "category", "context", "grade")
# sha256 of official label files -> which published version they are.
KNOWN_FILES = {
    "ab0148dca9d401c31cc47f29b3826eec28a76ff155a1c0878d81e8daf0413480":
        "lupantech/MathVista@452b0f8 data/testmini.json (1,000 problems)",
}  # fmt: skip


def _bad(pid: str, what: str, hint: str) -> DataError:
    return DataError(f"MathVista problem {pid}: {what}", hint)


def _precision(pid: str, value: Any) -> int | None:
    """The Hub stores precision as a float (1.0) and NaN or None for non-floats."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if float(value) != int(float(value)):
        raise _bad(pid, f"precision {value!r} is not a whole number", "precision is 1 or 2")
    return int(float(value))


def _checked_types(pid: str, row: Mapping[str, Any]) -> tuple[Any, Any, tuple[str, ...] | None]:
    qtype, atype, choices = row["question_type"], row["answer_type"], row["choices"]
    if qtype not in QUESTION_TYPES or atype not in ANSWER_TYPES:
        raise _bad(
            pid,
            f"question/answer type {qtype!r}/{atype!r}",
            f"question types {QUESTION_TYPES}, answer types {ANSWER_TYPES}",
        )
    multi = qtype == "multi_choice"
    if multi != (atype == "text") or multi != bool(choices):
        # calculate_score.py crashes on these: multiple choice is text with choices.
        raise _bad(
            pid,
            f"{qtype} with answer type {atype} and choices {choices!r}",
            "multi_choice problems have text answers and choices; free_form ones have none",
        )
    return qtype, atype, tuple(str(c) for c in choices) if choices else None


def info_from_row(pid: str, row: Mapping[str, Any]) -> MathVistaInfo:
    """The typed problem of one record (testmini.json entry or Hub row)."""
    try:
        qtype, atype, choices = _checked_types(pid, row)
        answer, metadata = row["answer"], row["metadata"]
        task, skills = metadata["task"], metadata["skills"]
        question = str(row["question"])
    except (KeyError, TypeError) as exc:
        fields = "question, choices, answer, question_type, answer_type and metadata{task, skills}"
        raise _bad(pid, f"lacks {exc}", f"records need {fields}") from exc
    if not isinstance(answer, str):
        raise _bad(pid, f"answer {answer!r} is not a string", "answers are compared as strings")
    return MathVistaInfo(
        question=question, choices=choices, unit=row.get("unit") or None,
        precision=_precision(pid, row.get("precision")), answer=answer, question_type=qtype,
        answer_type=atype, task=str(task), skills=tuple(str(s) for s in skills),
        metadata={k: str(metadata[k]) for k in REPORTED_METADATA if k in metadata},
    )  # fmt: skip


def sample_from_row(pid: str, row: Mapping[str, Any], media: MediaRef) -> Sample[MathVistaInfo]:
    """A Sample whose question is the official query (built when the record has none)."""
    info = info_from_row(pid, row)
    query = row.get("query") or build_query(
        info.question, info.unit, info.choices, info.answer_type, info.precision
    )
    if not query:
        raise _bad(pid, f"no query and no official hint for a {info.answer_type} answer "
                   f"with precision {info.precision}", "add the problem's query")  # fmt: skip
    return Sample(id=pid, task=TASK, question=str(query), target=info.answer, media=(media,),
                  category=info.question_type, info=info)  # fmt: skip


def _image_name(root: Path, image: str) -> str:
    """`images/1.jpg` under the data folder, or `1.jpg` under an --image-dir of images."""
    if (root / image).exists():
        return image
    base = Path(image).name
    return base if (root / base).exists() else image


def load_label_file(path: Path, image_dir: Path | None) -> list[Sample[MathVistaInfo]]:
    """testmini.json (pid -> record); without an image folder nothing is read."""
    rows = read_json(path, "MathVista label file")
    if isinstance(rows, list):
        rows = {str(row.get("pid", i)): row for i, row in enumerate(rows, start=1)}
    if not isinstance(rows, dict) or not all(isinstance(r, dict) for r in rows.values()):
        raise DataError(f"{path} is not a JSON object of problems", "pass testmini.json")
    images = ImageFolder(image_dir)
    samples = []
    for pid, row in rows.items():
        name = str(row.get("image") or f"images/{pid}.jpg")
        if image_dir is not None:
            name = _image_name(image_dir, name)
        samples.append(sample_from_row(str(pid), row, images.ref(name)))
    return samples


def load_dataset_rows(dataset: Any, store: MediaStore | None) -> list[Sample[MathVistaInfo]]:
    """Samples of an AI4Math/MathVista-layout table; no store: labels only."""
    from datasets import Image

    media_columns = ("decoded_image",) if store is not None else ()
    require_columns(dataset, HUB_COLUMNS + media_columns, "the MathVista dataset")
    if store is None:
        if "decoded_image" in dataset.column_names:
            dataset = dataset.remove_columns("decoded_image")
    else:
        dataset = dataset.cast_column("decoded_image", Image(decode=False))
    samples = []
    for row in dataset:
        pid = str(row["pid"])
        name = str(row.get("image") or pid)
        if store is None:
            media = unread_media(name)
        else:
            media = store.put(image_bytes(row["decoded_image"]), source=name)
        samples.append(sample_from_row(pid, row, media))
    return samples


def _label_data(
    request: DataRequest, labels: Path, note: str | None = None
) -> LoadedData[MathVistaInfo]:
    image_dir = Path(request.image_dir) if request.image_dir else labels.parent
    samples = load_label_file(labels, image_dir if request.need_media else None)
    provenance = file_provenance(labels, len(samples), "official_files", note)
    if note is None:
        known = KNOWN_FILES.get(provenance.sha256 or "", "not an official testmini.json hash")
        provenance = provenance.model_copy(update={"version_note": known})
    return LoadedData(samples, provenance)


def _hub(request: DataRequest, repo: str) -> LoadedData[MathVistaInfo]:
    dataset = load_hub_split(repo, None, SPLIT, request.revision)
    samples = load_dataset_rows(dataset, media_store(request))
    provenance = hub_provenance(dataset, f"{repo}/{SPLIT}", request, len(samples))
    return LoadedData(samples, provenance)


def _local(request: DataRequest, path: Path) -> LoadedData[MathVistaInfo]:
    labels = path / LABEL_FILE if path.is_dir() else path
    if labels.suffix == ".json" and labels.is_file():
        return _label_data(request, labels)
    if is_local_dataset(path):
        dataset = load_local_split(path, SPLIT, Path(request.cache_dir) / "datasets")
        samples = load_dataset_rows(dataset, media_store(request))
        provenance = DataProvenance(
            kind="local", location=str(path), sha256=dataset._fingerprint,
            version_note=f"local {HUB_REPO} copy (split {SPLIT})", num_items=len(samples),
        )  # fmt: skip
        return LoadedData(samples, provenance)
    raise DataError(
        f"{path} holds neither {LABEL_FILE} nor a copy of the {HUB_REPO} dataset",
        "pass testmini.json (with images/ beside it), a save_to_disk folder or parquet files",
    )


def _synthetic(request: DataRequest, size: int) -> LoadedData[MathVistaInfo]:
    folder = ensure_synthetic_mathvista(Path(request.cache_dir) / "data", size)
    return _label_data(request, folder / LABEL_FILE, f"synthetic MathVista ({folder.name})")


SOURCES: Sources[MathVistaInfo] = Sources(
    TASK, synthetic=_synthetic, synthetic_size=12, local=_local, hub=_hub, hub_repo=HUB_REPO
)
