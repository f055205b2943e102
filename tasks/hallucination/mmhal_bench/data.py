"""MMHal-Bench data: the Hugging Face dataset, the 96-question template JSON with an image
folder, or synthetic scenes in the template's format."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataRequest, LoadedData, Record, Sample
from mmalign_eval.contracts import MediaRef, missing_media, unread_media
from mmalign_eval.media import MediaError, MediaStore, media_from_file
from mmalign_eval.task import file_provenance
from mmalign_eval.toolkit.files import read_json
from mmalign_eval.toolkit.hub import hub_provenance, image_bytes, load_hub_split
from mmalign_eval.toolkit.sources import Sources

from .synthetic import (
    TEMPLATE_FILE,
    ensure_synthetic_mmhal,
)

HUB_REPO = "Shengcao1006/MMHal-Bench"
# The official order: item i has type QUESTION_TYPES[i % 8].
QUESTION_TYPES = (
    "attribute", "adversarial", "comparison", "counting",
    "relation", "environment", "holistic", "other",
)  # fmt: skip


class MMHalInfo(Record):
    """The template fields the judge and the per-type metrics read."""

    question_type: str
    question_topic: str
    image_content: str  # the annotated object classes, comma-joined
    image_id: str


def sample_from_row(index: int, row: Mapping[str, Any], media: MediaRef) -> Sample[MMHalInfo]:
    """A Sample from one template entry; the id is the entry's position (types cycle by it)."""
    try:
        content = row["image_content"]
        question, answer = str(row["question"]), str(row["gt_answer"])
    except KeyError as exc:
        raise DataError(
            f"MMHal-Bench item {index} lacks {exc}",
            "entries need question_type, image_content, question and gt_answer",
        ) from exc
    contents = ", ".join(str(c) for c in content) if isinstance(content, list) else str(content)
    info = MMHalInfo(
        question_type=str(row.get("question_type") or QUESTION_TYPES[index % len(QUESTION_TYPES)]),
        question_topic=str(row.get("question_topic", "")),
        image_content=contents,
        image_id=str(row.get("image_id", "")),
    )
    return Sample(
        id=str(index), task="mmhal_bench", question=question, target=answer, media=(media,),
        info=info,
    )  # fmt: skip


def _image_ref(image_dir: Path | None, row: Mapping[str, Any]) -> MediaRef:
    src = str(row.get("image_src", "")).rsplit("/", 1)[-1]
    image_id = str(row.get("image_id", ""))
    if image_dir is None:
        return unread_media(src or image_id)
    names = [src] if src else []
    names += [f"{image_id}{ext}" for ext in (".jpg", ".jpeg", ".png")]
    for name in names:
        if (image_dir / name).is_file():
            try:
                return media_from_file(image_dir / name)
            except MediaError:
                break
    # A missing image fails only its own item (recorded), not the run.
    return missing_media(names[0], str(image_dir / names[0]))


def load_template_file(path: Path, image_dir: Path | None) -> list[Sample[MMHalInfo]]:
    """Samples of the 96-question template JSON (a list of entries)."""
    rows = read_json(path, "MMHal-Bench file")
    if not isinstance(rows, list):
        raise DataError(f"{path} is not a JSON list", f"pass the {TEMPLATE_FILE} file")
    return [sample_from_row(i, row, _image_ref(image_dir, row)) for i, row in enumerate(rows)]


def _local(request: DataRequest, path: Path, kind: str = "local") -> LoadedData[MMHalInfo]:
    labels = path / TEMPLATE_FILE if path.is_dir() else path
    if not labels.is_file():
        raise DataError(f"MMHal-Bench file not found: {labels}", f"pass {TEMPLATE_FILE}")
    image_dir = Path(request.image_dir) if request.image_dir else labels.parent / "images"
    samples = load_template_file(labels, image_dir if request.need_media else None)
    note = "synthetic MMHal-format data" if kind == "synthetic" else None
    return LoadedData(samples, file_provenance(labels, len(samples), "local", note))


def _hub(request: DataRequest, repo: str) -> LoadedData[MMHalInfo]:
    dataset = load_hub_split(repo, None, "test", request.revision)
    store = MediaStore(Path(request.cache_dir) / "media") if request.need_media else None
    samples = []
    for index, row in enumerate(dataset):
        image = row.get("image")
        if store is not None and image is not None:
            media = store.put(image_bytes(image), source=str(row.get("image_id", index)))
        else:
            media = _image_ref(None, row)
        samples.append(sample_from_row(index, row, media))
    provenance = hub_provenance(dataset, f"{repo}/test", request, len(samples))
    return LoadedData(samples, provenance)


def _synthetic(request: DataRequest, size: int) -> LoadedData[MMHalInfo]:
    folder = ensure_synthetic_mmhal(Path(request.cache_dir) / "data", size)
    return _local(request, folder / TEMPLATE_FILE, kind="synthetic")


SOURCES: Sources[MMHalInfo] = Sources(
    "mmhal_bench", synthetic=_synthetic, synthetic_size=16, local=_local, hub=_hub,
    hub_repo=HUB_REPO,
)  # fmt: skip
