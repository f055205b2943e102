"""POPE (Li et al., 2023): yes/no object-existence questions on COCO val2014 images.

Data: the Hugging Face dataset lmms-lab/POPE (default), a local save_to_disk/parquet copy,
the official GitHub label files with a COCO image folder, or `synthetic`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mmalign_eval.contracts import GenerationParams, MediaRef, Sample
from mmalign_eval.data.synthetic import ensure_synthetic_pope, label_file_name
from mmalign_eval.datasets import (
    dataset_revision,
    image_bytes,
    is_local_dataset,
    load_hub_split,
    load_local_split,
    parquet_files,
    read_jsonl,
    require_columns,
)
from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.hashing import sha256_file
from mmalign_eval.media import MediaError, MediaStore, media_from_file
from mmalign_eval.metrics.binary import confusion_metrics, confusion_values
from mmalign_eval.sources import is_local_path, is_synthetic, synthetic_size
from mmalign_eval.task import (
    DataProvenance,
    DataRequest,
    GroupSpec,
    LoadedData,
    ParsedAnswer,
    Protocol,
    TaskSpec,
    register,
)

HUB_REPO = "lmms-lab/POPE"
HUB_CONFIG = "Full"
SPLITS = ("adversarial", "popular", "random")
PROMPT = "{question}\nAnswer the question using a single word or phrase."
HUB_COLUMNS = ("question_id", "question", "answer", "image_source", "image")

# sha256 of the official label files -> which published version they are.
_OFFICIAL = "AoiDragon/POPE"
KNOWN_FILES = {
    "ac25245170b975a5bdf9080b23fd431dfe6be458bc038259c1f4f09a6bef7994":
        f"{_OFFICIAL}@08d957b random (3,000 questions)",
    "72c1a8ad45d0c13514f5f22598261df41d3b533854d29682e924db50ed8aa753":
        f"{_OFFICIAL}@08d957b popular (3,000 questions)",
    "420b3407db1fa9f1187a805dca41cb7b97fd91504e6c2179706188c107fb8ef8":
        f"{_OFFICIAL}@08d957b adversarial (3,000 questions)",
    "c16b65d2df6d70bb0814c8a4375833d39cdb09928fd936d3fc546491efa37f35":
        f"{_OFFICIAL}@e3e3926 random (2,910 questions; the version LLaVA-1.5 was scored on)",
    "5b16653023bf4f64d57eb0d168259de6627f5cde7538b85ebed3cc33034aa6cc":
        f"{_OFFICIAL}@e3e3926 popular (3,000 questions)",
    "1d8f0906a9b50c05640f6f23abfac97523be2a1bed28f7eadc63b811699b2d26":
        f"{_OFFICIAL}@e3e3926 adversarial (3,000 questions)",
}  # fmt: skip


# -- answer protocols -------------------------------------------------------------------


def parse_official(text: str) -> ParsedAnswer:
    """POPE evaluate.py: first sentence, drop commas, split on ' ', 'no' iff No/no/not."""
    if text.find(".") != -1:
        text = text.split(".")[0]
    words = text.replace(",", "").split(" ")
    negative = "No" in words or "not" in words or "no" in words
    return ParsedAnswer("no" if negative else "yes")


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_NO_WORDS = frozenset({"no", "not", "nope", "nah", "none", "never", "false", "incorrect"})
_YES_WORDS = frozenset({"yes", "yeah", "yep", "yup", "true", "correct", "indeed", "certainly"})
_EXISTENTIAL = re.compile(r"\bthere (?:is|are)\b")


def parse_lenient(text: str) -> ParsedAnswer:
    """Case-insensitive yes/no reading of the first sentence; no answer found is a failure."""
    sentence = re.split(r"[.!?\n]", text.strip().lower().replace("\u2019", "'"), maxsplit=1)[0]
    words = _WORD.findall(sentence)
    if not words:
        return ParsedAnswer(None, "empty answer")
    negated = [w in _NO_WORDS or w.endswith("n't") for w in words]
    if words[0] in _YES_WORDS:
        return ParsedAnswer("yes")
    if negated[0]:
        return ParsedAnswer("no")
    if any(negated):
        return ParsedAnswer("no")
    if any(w in _YES_WORDS for w in words) or _EXISTENTIAL.search(sentence):
        return ParsedAnswer("yes")
    return ParsedAnswer(None, f"no yes/no answer in {sentence[:60]!r}")


PROTOCOLS = {
    "official": Protocol(
        "official",
        "POPE evaluate.py: text before the first '.', commas removed, split on single spaces; "
        "'no' if a token is exactly No, no or not, otherwise 'yes' (never a failure)",
        parse_official,
    ),
    "lenient": Protocol(
        "lenient",
        "case-insensitive: first word yes/no (Nope, NO, leading 'No,'), else any negation "
        "(not, n't, none) means no, any affirmation or 'there is/are' means yes; "
        "anything else is recorded as unparseable",
        parse_lenient,
    ),
}


def item_values(sample: Sample, parsed: ParsedAnswer) -> dict[str, float]:
    """Confusion cell with 'yes' as the positive class."""
    return confusion_values(parsed.label == "yes", sample.target == "yes")


# -- data sources -----------------------------------------------------------------------


def _sample(task: str, qid: Any, question: str, label: str, media: MediaRef, image: str) -> Sample:
    answer = str(label).strip().lower()
    if answer not in ("yes", "no"):
        raise DataError(f"POPE item {qid} has label {label!r}", "labels must be 'yes' or 'no'")
    return Sample(
        id=str(qid),
        task=task,
        question=question,
        target=answer,
        media=(media,),
        cluster=image,
        metadata={"image": image},
    )


def load_official_file(task: str, labels: Path, image_dir: Path | None) -> LoadedData:
    """Official label file (JSON Lines question_id/image/text/label) plus a COCO image folder.

    With no image folder (scoring saved answers) the images are referenced but never read.
    """
    if image_dir is not None and not image_dir.is_dir():
        raise DataError(
            f"image folder not found: {image_dir}",
            "pass --image-dir with the COCO val2014 images the label file names",
        )
    samples = []
    media_by_image: dict[str, MediaRef] = {}
    for row in read_jsonl(labels):
        image = str(row.get("image", ""))
        if image not in media_by_image:
            media_by_image[image] = _media_ref(image_dir, image)
        try:
            samples.append(
                _sample(
                    task,
                    row["question_id"],
                    row["text"],
                    row["label"],
                    media_by_image[image],
                    image,
                )
            )
        except KeyError as exc:
            raise DataError(
                f"{labels} has a line without {exc}",
                "official POPE lines have question_id, image, text and label",
            ) from exc
    digest = sha256_file(labels)
    provenance = DataProvenance(
        kind="official_files",
        location=str(labels),
        sha256=digest,
        version_note=KNOWN_FILES.get(digest, "unknown version (not an official POPE file hash)"),
        num_items=len(samples),
    )
    return LoadedData(samples, provenance)


def _media_ref(image_dir: Path | None, image: str) -> MediaRef:
    if image_dir is None:
        return MediaRef(sha256=f"unread:{image}", source=image)
    try:
        return media_from_file(image_dir / image)
    except MediaError:
        # A missing image fails only its own samples (recorded), not the whole run.
        return MediaRef(sha256=f"missing:{image}", path=str(image_dir / image), source=image)


def load_dataset_rows(task: str, dataset: Any, store: MediaStore | None) -> list[Sample]:
    """Samples from an lmms-lab/POPE-format table (hub or local copy); no store: labels only."""
    from datasets import Image

    require_columns(dataset, HUB_COLUMNS, "the POPE dataset")
    if store is None:
        dataset = dataset.remove_columns("image")
    else:
        dataset = dataset.cast_column("image", Image(decode=False))
    samples = []
    for row in dataset:
        source = str(row["image_source"])
        if store is None:
            media = MediaRef(sha256=f"unread:{source}", source=source)
        else:
            media = store.put(image_bytes(row["image"]), source=source)
        samples.append(
            _sample(task, row["question_id"], row["question"], row["answer"], media, source)
        )
    return samples


def loader_for(split: str) -> Any:
    """The data loader of one POPE split."""
    task = f"pope_{split}"

    def load(request: DataRequest) -> LoadedData:
        source = request.source
        cache = Path(request.cache_dir)
        if source is None or not (is_synthetic(source) or is_local_path(source)):
            return _load_hub(task, split, source or HUB_REPO, request, cache)
        if is_synthetic(source):
            folder = ensure_synthetic_pope(cache / "data", synthetic_size(source, default=20))
            images = folder / "images" if request.need_media else None
            loaded = load_official_file(task, folder / label_file_name(split), images)
            note = f"synthetic POPE ({folder.name})"
            provenance = loaded.provenance.model_copy(
                update={"kind": "synthetic", "version_note": note}
            )
            return LoadedData(loaded.samples, provenance)
        return _load_path(task, split, Path(source).expanduser(), request, cache)

    return load


def _store(request: DataRequest, cache: Path) -> MediaStore | None:
    return MediaStore(cache / "media") if request.need_media else None


def _load_hub(task: str, split: str, repo: str, request: DataRequest, cache: Path) -> LoadedData:
    revision = request.revision
    dataset = load_hub_split(repo, HUB_CONFIG, split, revision)
    samples = load_dataset_rows(task, dataset, _store(request, cache))
    provenance = DataProvenance(
        kind="huggingface",
        location=f"{repo}:{HUB_CONFIG}/{split}",
        revision=dataset_revision(dataset) or revision or "main",
        sha256=dataset._fingerprint,
        num_items=len(samples),
    )
    return LoadedData(samples, provenance)


def _load_path(task: str, split: str, path: Path, request: DataRequest, cache: Path) -> LoadedData:
    if not path.exists():
        raise DataError(f"data path not found: {path}", "check --data")
    labels = path / label_file_name(split) if path.is_dir() else path
    if labels.suffix in (".json", ".jsonl") and labels.is_file():
        _check_split_name(labels, split)
        default_images = labels.parent / "images"
        image_dir = Path(request.image_dir) if request.image_dir else default_images
        return load_official_file(task, labels, image_dir if request.need_media else None)
    if is_local_dataset(path):
        dataset, layout = local_split(path, split, cache / "datasets")
        samples = load_dataset_rows(task, dataset, _store(request, cache))
        provenance = DataProvenance(
            kind="local",
            location=str(path),
            sha256=dataset._fingerprint,
            version_note=f"local lmms-lab/POPE copy, {layout}",
            num_items=len(samples),
        )
        return LoadedData(samples, provenance)
    raise DataError(
        f"{path} holds neither POPE label files ({label_file_name(split)}) nor a dataset copy",
        "pass an official label file, a folder of them, a save_to_disk folder or parquet files",
    )


def _has_split(path: Path, split: str) -> bool:
    if (path / "dataset_dict.json").exists():
        return split in json.loads((path / "dataset_dict.json").read_text()).get("splits", [])
    return bool(parquet_files(path, split))


def local_split(path: Path, split: str, cache: Path) -> tuple[Any, str]:
    """One split of a local lmms-lab/POPE copy and the layout it was read from: the `Full`
    config (a split per category) or the default config, which lmms-eval caches (one `test`
    split with a `category` column, read by category)."""
    if _has_split(path, split):
        return load_local_split(path, split, cache), f"Full layout (split {split})"
    try:
        test = load_local_split(path, "test", cache)
    except DataError as exc:
        raise DataError(
            f"{path} has neither a '{split}' split nor a 'test' split with a category column",
            f"{exc.hint or exc.message}; copy lmms-lab/POPE (config Full or default)",
        ) from exc
    if "category" not in test.column_names:
        raise DataError(
            f"{path} has no '{split}' split and its rows have no category column",
            "copy lmms-lab/POPE with config Full (a split per category) or the default config",
        )
    chosen = test.filter(lambda category: category == split, input_columns="category")
    if len(chosen) == 0:
        found = sorted(set(test["category"]))
        raise DataError(f"{path} has no rows of category '{split}'", f"categories there: {found}")
    return chosen, f"default layout (split test, category {split})"


def _check_split_name(labels: Path, split: str) -> None:
    named = [s for s in SPLITS if s in labels.name]
    if named and split not in named:
        raise UsageError(
            f"{labels.name} looks like the {named[0]} split but task pope_{split} was asked for",
            "pass a folder with all three label files, or the file of the matching split",
        )


def _make_task(split: str) -> TaskSpec:
    return TaskSpec(
        name=f"pope_{split}",
        family="hallucination",
        version="1",
        description=f"POPE {split} split: is there a <object> in the image? (yes/no)",
        prompt_template=PROMPT,
        loader=loader_for(split),
        protocols=PROTOCOLS,
        default_protocol="official",
        metrics=confusion_metrics("yes", primary="f1"),
        item_values=item_values,
        generation=GenerationParams(max_new_tokens=128),
    )


@register
def pope_adversarial() -> TaskSpec:
    """POPE adversarial split."""
    return _make_task("adversarial")


@register
def pope_popular() -> TaskSpec:
    """POPE popular split."""
    return _make_task("popular")


@register
def pope_random() -> TaskSpec:
    """POPE random split."""
    return _make_task("random")


@register
def pope() -> GroupSpec:
    """All three POPE splits; reports the mean F1 LLaVA-style papers quote."""
    return GroupSpec(
        name="pope",
        tasks=tuple(f"pope_{s}" for s in SPLITS),
        mean_of=("f1", "accuracy"),
        description="POPE adversarial, popular and random, with the mean over splits",
    )
