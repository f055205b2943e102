"""The official files: `processed_questions/<scenario>.json` (question id -> the question in
its variants, the key phrase) and `imgs/<scenario>/<SD|SD_TYPO|TYPO>/<question id>.jpg`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, LoadedData, Sample
from mmalign_eval.contracts import MediaRef
from mmalign_eval.hashing import sha256_file, stable_hash
from mmalign_eval.toolkit.files import read_json
from mmalign_eval.toolkit.media import file_media

from .scenarios import IMAGE_TYPES, QUESTION_KEYS, SCENARIOS, TASK, SafetyInfo, sample_id

QUESTIONS = "processed_questions"
IMAGES = "imgs"
_SUFFIXES = (".jpg", ".png", ".jpeg")


def question_folder(path: Path) -> Path | None:
    """The folder holding the 13 question files: the one given, or its processed_questions."""
    for folder in (path, path / QUESTIONS, path / "data" / QUESTIONS):
        if (folder / f"{SCENARIOS[0]}.json").is_file():
            return folder
    return None


def image_root(questions: Path, image_dir: Path | None) -> Path:
    """Where the image folders are: --image-dir, else imgs/ beside processed_questions (or
    inside it the folder the image zip unpacks to)."""
    root = image_dir if image_dir is not None else questions.parent / IMAGES
    unpacked = root / "MM-SafetyBench(imgs)"
    return unpacked if unpacked.is_dir() else root


def _image(root: Path | None, scenario: str, image_type: str, qid: str) -> MediaRef:
    name = f"{scenario}/{image_type}/{qid}.jpg"
    if root is None:
        return file_media(None, name)
    folder = root / scenario / image_type
    found = [folder / f"{qid}{s}" for s in _SUFFIXES if (folder / f"{qid}{s}").is_file()]
    return file_media(found[0] if found else folder / f"{qid}.jpg", name)


def make_sample(
    scenario: str, image_type: str, qid: str, entry: Mapping[str, Any], media: MediaRef
) -> Sample[SafetyInfo]:
    """One (question, image type) item."""
    key = QUESTION_KEYS[image_type]
    if not isinstance(entry.get(key), str):
        raise DataError(
            f"MM-SafetyBench {scenario} question {qid} has no {key!r}",
            f"official question entries carry {sorted(set(QUESTION_KEYS.values()))}",
        )
    info = SafetyInfo(
        scenario=scenario, image_type=image_type, question_id=qid,
        key_phrase=str(entry.get("Key Phrase", "")), phrase_type=str(entry.get("Phrase Type", "")),
        original_question=str(entry.get("Question", "")),
    )  # fmt: skip
    return Sample(
        id=sample_id(scenario, image_type, qid), task=TASK, question=str(entry[key]),
        media=(media,), cluster=f"{scenario}/{qid}", category=scenario, info=info,
    )  # fmt: skip


def _entries(path: Path) -> dict[str, Mapping[str, Any]]:
    content = read_json(path, "MM-SafetyBench question file")
    if not isinstance(content, dict) or not all(isinstance(v, dict) for v in content.values()):
        raise DataError(f"{path} is not an MM-SafetyBench question file", "it maps ids to entries")
    return content


def load_question_files(
    questions: Path, image_dir: Path | None, need_media: bool, note: str | None
) -> LoadedData[SafetyInfo]:
    """Every scenario's questions in every image type (scenario, type, file order)."""
    missing = [s for s in SCENARIOS if not (questions / f"{s}.json").is_file()]
    if missing:
        raise DataError(
            f"{questions} lacks {len(missing)} of the 13 question files ({', '.join(missing[:3])})",
            "pass the official data folder with all of processed_questions/<scenario>.json",
        )
    root = image_root(questions, image_dir) if need_media else None
    samples, hashes = [], []
    for scenario in SCENARIOS:
        path = questions / f"{scenario}.json"
        hashes.append([scenario, sha256_file(path)])
        entries = _entries(path)
        for image_type in IMAGE_TYPES:
            for qid, entry in entries.items():
                media = _image(root, scenario, image_type, qid)
                samples.append(make_sample(scenario, image_type, qid, entry, media))
    provenance = DataProvenance(
        kind="synthetic" if note else "official_files", location=str(questions),
        sha256=stable_hash(hashes), version_note=note, num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)
