"""The baseline's answers WildVision-Bench judges against: claude-3-sonnet-20240229's answer
file as the official repository ships it (`question_id`, `output`, ...), found beside a
local copy or fetched once, by pinned commit and hash, into the cache."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import httpx

from mmalign_eval import DataError
from mmalign_eval.hashing import sha256_file
from mmalign_eval.toolkit.files import read_jsonl

BASELINE = "claude-3-sonnet-20240229"
BASELINE_FILE = f"{BASELINE}.jsonl"
OFFICIAL_COMMIT = "79dacc031b38bb88558bb9a9357d98b3fa6d8bc3"  # WildVision-AI/WildVision-Bench
BASELINE_URL = (
    "https://raw.githubusercontent.com/WildVision-AI/WildVision-Bench/"
    f"{OFFICIAL_COMMIT}/data/vision_bench_0617/model_answers/{BASELINE_FILE}"
)
BASELINE_SHA256 = "d31e96cb451e7564537f6d2d69c7cb41d617b459711ce6165de27d9247b9e714"


def read_answers(path: Path) -> dict[str, str]:
    """Answers by question id of an official answer file; a null answer is a data error."""
    answers: dict[str, str] = {}
    for number, row in enumerate(read_jsonl(path), start=1):
        qid, output = row.get("question_id"), row.get("output")
        if qid is None or not isinstance(output, str):
            raise DataError(
                f"{path} line {number} has no question_id or no text output",
                f"pass the official model_answers/{BASELINE_FILE} (the example answer file "
                "has null outputs)",
            )
        answers[str(qid)] = output
    return answers


def beside(path: Path) -> Path | None:
    """A baseline answer file next to a local copy (or in its model_answers folder)."""
    folder = path if path.is_dir() else path.parent
    for candidate in (folder / BASELINE_FILE, folder / "model_answers" / BASELINE_FILE):
        if candidate.is_file():
            return candidate
    return None


def official_copy(cache_dir: Path, transport: httpx.BaseTransport | None = None) -> Path:
    """The official answer file in the cache, fetched once and checked against its hash."""
    target = cache_dir / "data" / "wildvision_bench" / OFFICIAL_COMMIT[:12] / BASELINE_FILE
    if target.is_file() and sha256_file(target) == BASELINE_SHA256:
        return target
    hint = f"download {BASELINE_URL} and put it next to the dataset copy (--data FOLDER)"
    try:
        with httpx.Client(transport=transport, timeout=60.0, follow_redirects=True) as client:
            reply = client.get(BASELINE_URL)
            reply.raise_for_status()
    except httpx.HTTPError as exc:
        raise DataError(f"cannot fetch the baseline answers ({exc})", hint) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(reply.content)
    if sha256_file(Path(tmp)) != BASELINE_SHA256:
        os.unlink(tmp)
        raise DataError(f"the fetched baseline answers do not match {OFFICIAL_COMMIT[:7]}", hint)
    os.replace(tmp, target)  # only a complete, checked file ever appears
    return target
