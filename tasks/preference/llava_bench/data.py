"""LLaVA-Bench (In-the-Wild) data: the Hugging Face dataset lmms-lab/llava-bench-in-the-wild
(Hub or a local copy), the official folder of liuhaotian/llava-bench-in-the-wild
(questions.jsonl, context.jsonl, answers_gpt4.jsonl, images/), or synthetic scenes in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Record, Sample
from mmalign_eval.contracts import MediaRef, unread_media
from mmalign_eval.hashing import sha256_file, stable_hash
from mmalign_eval.media import MediaStore
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

from .metrics import CATEGORIES
from .synthetic import OFFICIAL_FILES, ensure_synthetic_llava

TASK = "llava_bench_wild"
HUB_REPO = "lmms-lab/llava-bench-in-the-wild"
HUB_SPLIT = "train"  # the dataset's only split (60 rows)
HUB_COLUMNS = ("question_id", "question", "image", "caption", "gpt_answer", "category")


class LlavaInfo(Record):
    """What the judge needs besides the question: the caption, GPT-4's answer, the category."""

    category: str
    caption: str  # the image's description, the judge's only view of the image
    reference: str  # GPT-4's answer, shown as Assistant 1 in the official order
    image: str


def caption_text(caption: Any) -> str:
    """The context string: a list of sentences joined by newlines, a string as it is."""
    return "\n".join(str(c) for c in caption) if isinstance(caption, list) else str(caption)


def make_sample(
    qid: Any, question: str, category: str, caption: Any, reference: str, image: str,
    media: MediaRef,
) -> Sample[LlavaInfo]:  # fmt: skip
    """One item; questions about the same image resample together."""
    if category not in CATEGORIES:
        raise DataError(
            f"LLaVA-Bench question {qid} has category {category!r}",
            f"categories are {', '.join(CATEGORIES)}",
        )
    info = LlavaInfo(
        category=category, caption=caption_text(caption), reference=str(reference), image=image
    )
    return Sample(
        id=str(qid), task=TASK, question=str(question), target=info.reference, media=(media,),
        cluster=image, category=category, info=info,
    )  # fmt: skip


def _by_id(rows: list[dict[str, Any]], key: str, path: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        if key not in row:
            raise DataError(f"{path} has a line without '{key}'", f"every line needs '{key}'")
        out[str(row[key])] = row
    return out


def load_official(folder: Path, image_dir: Path | None, note: str | None) -> LoadedData[LlavaInfo]:
    """The official folder; GPT-4's answers and captions are matched by id and image (the
    official script pairs answer files by line order)."""
    paths = [folder / name for name in OFFICIAL_FILES]
    questions, contexts, answers = (read_jsonl(p) for p in paths)
    context = _by_id(contexts, "image", paths[1])
    gpt4 = _by_id(answers, "question_id", paths[2])
    images = ImageFolder(image_dir)
    samples = []
    for row in questions:
        try:
            qid, image = row["question_id"], str(row["image"])
            found = (str(qid) in gpt4, image in context)
            if not all(found):
                lacks = paths[2] if not found[0] else paths[1]
                raise DataError(f"{lacks} has nothing for question {qid}", "use the official files")
            samples.append(make_sample(
                qid, row["text"], str(row["category"]), context[image]["caption"],
                gpt4[str(qid)]["text"], image, images.ref(image),
            ))  # fmt: skip
        except KeyError as exc:
            hint = "official question lines have question_id, image, text and category"
            raise DataError(f"{paths[0]} has a line without {exc}", hint) from exc
    samples = unique(samples)
    digest = stable_hash({p.name: sha256_file(p) for p in paths})
    provenance = DataProvenance(
        kind="synthetic" if note else "official_files", location=str(folder), sha256=digest,
        version_note=note, num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def samples_of_table(dataset: Any, store: MediaStore | None) -> list[Sample[LlavaInfo]]:
    """Samples of an lmms-lab table; without a store (scoring) images are not read."""
    from datasets import Image

    require_columns(dataset, HUB_COLUMNS, "the LLaVA-Bench dataset")
    dataset = dataset.cast_column("image", Image(decode=False))
    samples = []
    for row in dataset:
        image = str(row.get("image_id") or row["question_id"])
        cell = row["image"]
        media = unread_media(image) if store is None else store.put(image_bytes(cell), image)
        samples.append(make_sample(
            row["question_id"], row["question"], str(row["category"]), row["caption"],
            row["gpt_answer"], image, media,
        ))  # fmt: skip
    return unique(samples)


def _hub(request: DataRequest, repo: str) -> LoadedData[LlavaInfo]:
    dataset = load_hub_split(repo, None, HUB_SPLIT, request.revision)
    samples = samples_of_table(dataset, media_store(request))
    provenance = hub_provenance(dataset, f"{repo}/{HUB_SPLIT}", request, len(samples))
    return LoadedData(samples, provenance)


def _local(request: DataRequest, path: Path) -> LoadedData[LlavaInfo]:
    if path.is_dir() and all((path / name).is_file() for name in OFFICIAL_FILES):
        images = Path(request.image_dir) if request.image_dir else path / "images"
        return load_official(path, images if request.need_media else None, None)
    if not is_local_dataset(path):
        raise DataError(
            f"{path} is neither the official LLaVA-Bench folder nor a copy of {HUB_REPO}",
            f"pass a folder with {', '.join(OFFICIAL_FILES)} and images/, or a save_to_disk "
            "or parquet copy of the Hugging Face dataset",
        )
    dataset = load_local_split(path, HUB_SPLIT, Path(request.cache_dir) / "hf-datasets")
    samples = samples_of_table(dataset, media_store(request))
    provenance = DataProvenance(
        kind="local", location=str(path), sha256=dataset._fingerprint, num_items=len(samples),
        version_note=f"local {HUB_REPO} copy",
    )  # fmt: skip
    return LoadedData(samples, provenance)


def _synthetic(request: DataRequest, size: int) -> LoadedData[LlavaInfo]:
    folder = ensure_synthetic_llava(Path(request.cache_dir) / "data", size)
    images = folder / "images" if request.need_media else None
    return load_official(folder, images, f"synthetic LLaVA-Bench-format data ({folder.name})")


def unique(samples: list[Sample[LlavaInfo]]) -> list[Sample[LlavaInfo]]:
    """The samples, refusing a repeated question id (every question is scored once)."""
    seen: set[str] = set()
    for sample in samples:
        if sample.id in seen:
            raise DataError(f"LLaVA-Bench question {sample.id} appears twice", "check the data")
        seen.add(sample.id)
    return samples


SOURCES: Sources[LlavaInfo] = Sources(
    TASK, synthetic=_synthetic, synthetic_size=6, local=_local, hub=_hub, hub_repo=HUB_REPO
)
