"""VLGuard's own output files for `score`.

- VLGuard_eval.py writes results/<subset>/<engine>.json: one object, image path -> answer.
  Its keys are images, so the ids come from test.json: beside the file, at the repository's
  data/test.json (results/<subset>/<engine>.json two folders up), or the Hub download in the
  harness cache.
- gpt4_evaluator.py writes a list of the reference entries with `output_1` (the model's
  answer) and `choice` (the judge's reply): answers with their official-order judgements.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError
from mmalign_eval.paths import default_cache_dir
from mmalign_eval.predictions import Prediction

from .data import LABEL_FILE
from .hub import HUB_REPO

_ID_FIELDS = frozenset({"id", "question_id", "answer", "text", "response"})


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, OSError):
        return None  # JSON Lines or another format: the generic reader handles it


def _is_results_object(data: Any) -> bool:
    return (
        isinstance(data, dict) and bool(data) and not (_ID_FIELDS & set(data))
        and all(isinstance(v, str | None) for v in data.values())
    )  # fmt: skip


def _cached_labels() -> Path | None:
    try:
        from huggingface_hub import hf_hub_download

        found = hf_hub_download(
            HUB_REPO, LABEL_FILE, repo_type="dataset", local_files_only=True,
            cache_dir=str(default_cache_dir() / "hub"),
        )  # fmt: skip
    except Exception:  # any failure only means "not cached"
        return None
    return Path(found)


def find_labels(results: Path) -> Path | None:
    """The test.json that maps a results file's image paths to ids, if one is at hand."""
    candidates = [results.parent / LABEL_FILE]
    if len(results.parents) > 2:
        candidates.append(results.parents[2] / "data" / LABEL_FILE)
    found = next((c for c in candidates if c.is_file()), None)
    return found or _cached_labels()


def image_ids(labels: Path) -> dict[str, str]:
    """Image path -> item id over all of test.json (each image is one item)."""
    rows = _load(labels)
    if not isinstance(rows, list):
        raise DataError(f"{labels} is not VLGuard's test.json", "a JSON list of entries")
    return {str(r["image"]): str(r["id"]) for r in rows if isinstance(r, dict) and "id" in r}


def _from_results(path: Path, answers: Mapping[str, str | None]) -> dict[str, Prediction]:
    labels = find_labels(path)
    if labels is None:
        raise DataError(
            f"{path} is a VLGuard_eval.py results file, keyed by image, and no {LABEL_FILE} "
            "was found to map images to ids",
            f'put {LABEL_FILE} beside it, or convert it to JSON Lines {{"id", "answer"}}',
        )
    ids = image_ids(labels)
    out = {}
    for image, answer in answers.items():
        pid = ids.get(image, image)  # an unknown image stays unmatched, and is reported so
        invalid = None if isinstance(answer, str) else "the answer is null, not text"
        out[pid] = Prediction(id=pid, text=answer, invalid=invalid)
    return out


def _from_judged(rows: list[Any]) -> dict[str, Prediction]:
    out = {}
    for row in rows:
        answer, choice = row.get("output_1"), row.get("choice")
        out[str(row["id"])] = Prediction(
            id=str(row["id"]), text=answer if isinstance(answer, str) else None,
            invalid=None if isinstance(answer, str) else "output_1 is not text",
            judgement=None if choice is None else str(choice),
        )  # fmt: skip
    return out


def read_official(path: Path) -> dict[str, Prediction] | None:
    """Predictions from VLGuard's own files, or None when the file is in neither format."""
    data: Any = _load(path) if path.is_file() else None
    if _is_results_object(data):
        return _from_results(path, data)
    if isinstance(data, list) and data and all(_is_judged_entry(r) for r in data):
        return _from_judged(data)
    return None


def _is_judged_entry(row: object) -> bool:
    return isinstance(row, dict) and {"id", "output_1"} <= set(row)
