"""The official answer file (mmmu/answer_dict_val.json): id -> question_type and
ground_truth, what main_eval_only.py scores parsed answers against. It has no questions,
options or images, so it serves `score` only, and a multiple-choice answer is compared with
the gold letter as given, as main_eval_only.py compares it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, LoadedData, Sample
from mmalign_eval.hashing import sha256_file

from .items import TASK, MMMUInfo, checked_subject, official_order, parse_gold

_REPO = "MMMU-Benchmark/MMMU"
# sha256 of the published answer files -> which version they are.
KNOWN_FILES = {
    "76080f5597b8f4d29abba8551489c4b82e4a285b9d62b946fd67a1952e95502c":
        f"{_REPO} mmmu/answer_dict_val.json (since bbaa1eb, 2023-12-14; 900 answers)",
    "145f75b1d16ca5c62694140873575f6082ffcf5a0d143da34fda8f6b4b9e96ff":
        f"{_REPO}@bf380a2 eval/answer_dict_val.json (2023-11-30; Literature_10 and _15 "
        "answered differently)",
}  # fmt: skip


def _entries(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path} is not valid JSON ({exc})", "pass answer_dict_val.json") from exc


def is_answer_file(path: Path) -> bool:
    """Whether a JSON file maps ids to {question_type, ground_truth} records."""
    data = _entries(path)
    return (
        isinstance(data, dict)
        and bool(data)
        and all(isinstance(v, dict) and "ground_truth" in v for v in data.values())
    )


def _sample(item_id: str, entry: dict[str, Any]) -> Sample[MMMUInfo]:
    gold = parse_gold(entry["ground_truth"])
    info = MMMUInfo(
        subject=checked_subject(item_id),
        question_type=str(entry.get("question_type", "")),
        options=None,
        answer=gold,
    )
    target = gold if isinstance(gold, str) else " | ".join(gold)
    return Sample(id=item_id, task=TASK, question="", target=target, category=info.subject,
                  info=info)  # fmt: skip


def load_answer_file(path: Path) -> LoadedData[MMMUInfo]:
    """The answer file's items (labels only), in the official order."""
    samples = [_sample(str(k), v) for k, v in _entries(path).items()]
    digest = sha256_file(path)
    provenance = DataProvenance(
        kind="official_files", location=str(path), sha256=digest, num_items=len(samples),
        version_note=KNOWN_FILES.get(digest, "unknown version (not a published answer file)"),
    )  # fmt: skip
    return LoadedData(official_order(samples), provenance)
