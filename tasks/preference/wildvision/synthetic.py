"""Offline stand-in for WildVision-Bench: instructions about the synthetic shape scenes in the
Hub split's layout (`test.parquet`: question_id, instruction, image, language) and the
baseline's answers in the official answer-file format, which names the first two shapes
of each scene only (so a complete answer can beat it)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mmalign_eval.toolkit.build import build_once
from mmalign_eval.toolkit.shapes import ensure_scenes, read_manifest

from .baseline import BASELINE, BASELINE_FILE

SYNTHETIC_VERSION = "1"
INSTRUCTIONS = (
    "What is this?",
    "Describe the shapes in this image.",
    "Which colours appear in this picture?",
)


def question_id(index: int) -> str:
    """A 32-hex id like the benchmark's, fixed by the item's position."""
    return hashlib.md5(f"synthetic-wildvision-{index}".encode()).hexdigest()


def ensure_synthetic_wildvision(cache_dir: Path, size: int, seed: int = 0) -> Path:
    """Build (once, cached) a folder with test.parquet and the baseline answer file."""
    scenes = ensure_scenes(cache_dir, size, seed)
    name = f"synthetic-wildvision-v{SYNTHETIC_VERSION}-n{size}-s{seed}"
    return build_once(cache_dir, name, lambda out: _build(out, scenes))


def _build(out: Path, scenes: Path) -> None:
    from datasets import Dataset, Features, Image, Value

    entries = read_manifest(scenes)["images"]
    rows: dict[str, list[object]] = {"question_id": [], "instruction": [], "image": [],
                                     "language": []}  # fmt: skip
    answers = []
    for index, entry in enumerate(entries):
        qid = question_id(index)
        rows["question_id"].append(qid)
        rows["instruction"].append(INSTRUCTIONS[index % len(INSTRUCTIONS)])
        data = (scenes / "images" / str(entry["image"])).read_bytes()
        rows["image"].append({"bytes": data, "path": None})
        rows["language"].append("English")
        named = " and ".join(f"a {obj}" for obj in entry["objects"][:2])
        answers.append({"question_id": qid, "instruction": rows["instruction"][-1],
                        "output": f"The image shows {named}.", "model": BASELINE,
                        "language": "English", "token_len": None})  # fmt: skip
    features = Features({"question_id": Value("string"), "instruction": Value("string"),
                         "image": Image(), "language": Value("string")})  # fmt: skip
    Dataset.from_dict(rows, features=features).to_parquet(str(out / "test.parquet"))
    text = "".join(json.dumps(a) + "\n" for a in answers)
    (out / BASELINE_FILE).write_text(text, encoding="utf-8")
