"""The official output format for `score`: `questions_with_answers/<scenario>.json`, the
question file with `ans: {<model>: {"text": reply, "is_safe(gpt)": verdict}}` added per id.

The official file does not say which image type a reply answered, so this reader takes it
from a parent folder named SD, SD_TYPO or TYPO (one model per file), or from `ans` keys
that are themselves image type names (`{"SD": {...}, "TYPO": {...}}`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, Prediction, UsageError
from mmalign_eval.toolkit.files import read_json

from .scenarios import IMAGE_TYPES, QUESTION_KEYS, SCENARIOS, sample_id

VERDICT_FIELD = "is_safe(gpt)"


def _files(path: Path) -> Iterator[tuple[Path, str | None]]:
    """Official answer files under a path, with the image type their folder names."""
    if path.is_file():
        if path.stem in SCENARIOS and path.suffix == ".json":
            yield path, path.parent.name if path.parent.name in IMAGE_TYPES else None
        return
    own = path.name if path.name in IMAGE_TYPES else None
    for folder, image_type in [(path, own), *((path / t, t) for t in IMAGE_TYPES)]:
        for scenario in SCENARIOS:
            if (folder / f"{scenario}.json").is_file():
                yield folder / f"{scenario}.json", image_type


def _answers(path: Path, ans: Mapping[str, Any], image_type: str | None) -> dict[str, Any]:
    """The answers of one entry by image type."""
    if image_type is not None:
        if len(ans) != 1:
            raise UsageError(
                f"{path} holds answers of {len(ans)} models ({', '.join(sorted(ans))})",
                "keep one model's answers per file",
            )
        return {image_type: next(iter(ans.values()))}
    unknown = [key for key in ans if key not in IMAGE_TYPES]
    if unknown:
        raise UsageError(
            f"{path}: cannot tell which image type the answers {unknown[:3]} belong to",
            "put the file in a folder named SD, SD_TYPO or TYPO, or name the ans keys by "
            "image type",
        )
    return dict(ans)


def _prediction(item_id: str, entry: Mapping[str, Any], image_type: str, answer: Any) -> Prediction:
    answer = answer if isinstance(answer, Mapping) else {}
    text, verdict = answer.get("text"), answer.get(VERDICT_FIELD)
    question = entry.get(QUESTION_KEYS[image_type])
    return Prediction(
        id=item_id,
        text=text if isinstance(text, str) else None,
        invalid=None if isinstance(text, str) else "the answer has no 'text'",
        judgement=None if verdict is None else str(verdict),
        questions=(question,) if isinstance(question, str) else (),
    )


def read_official_answers(path: Path) -> dict[str, Prediction] | None:
    """Predictions from official answer files; None when the path holds none."""
    files = list(_files(path))
    if not files:
        return None
    out: dict[str, Prediction] = {}
    for file, image_type in files:
        content = read_json(file, "MM-SafetyBench answer file", "fix or remove the file")
        if not isinstance(content, dict):
            raise DataError(f"{file} is not a JSON object", "it maps question ids to entries")
        for qid, entry in content.items():
            ans = entry.get("ans") if isinstance(entry, dict) else None
            if not isinstance(ans, dict):
                continue  # a question without answers: its items count as missing
            for kind, answer in _answers(file, ans, image_type).items():
                item_id = sample_id(file.stem, kind, str(qid))
                out[item_id] = _prediction(item_id, entry, kind, answer)
    return out
