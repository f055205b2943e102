"""Offline stand-in for VL-RewardBench: response pairs about the synthetic shape scenes, in
the official repository's data.jsonl layout (images under images/<source dataset>/).

Items cycle through the three categories, with ids whose prefixes `cal.py` maps to them
(wildvision → general, RLAIF → hallucination, mmmu → reasoning). The preferred response
is the true one: the caption of the drawn shapes (general), the list without an invented
shape (hallucination), the right count (reasoning). Every other item puts it second.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from mmalign_eval.toolkit.build import build_once
from mmalign_eval.toolkit.shapes import OBJECTS, ensure_scenes, read_manifest

SYNTHETIC_VERSION = "1"
SYNTHETIC_SIZE = 6
# (category, id prefix, cal.py's source dataset of that prefix)
KINDS = (
    ("general", "wildvision-synth-", "wildvision-battle"),
    ("hallucination", "RLAIF-V-synth-", "rlaif-v"),
    ("reasoning", "mmmu_synth_", "reasoning_tasks"),
)


def ensure_synthetic_rewardbench(cache_dir: Path, size: int, seed: int = 0) -> Path:
    """Build (once, cached) a folder with data.jsonl and images/; return the folder."""
    scenes = ensure_scenes(cache_dir, size, seed)
    name = f"synthetic-vl-rewardbench-v{SYNTHETIC_VERSION}-n{size}-s{seed}"
    return build_once(cache_dir, name, lambda out: _build(out, scenes))


def listed(names: Sequence[str]) -> str:
    """'a red circle, a blue square and a green triangle'."""
    items = [f"{'an' if name[0] in 'aeiou' else 'a'} {name}" for name in names]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def pair(kind: str, drawn: Sequence[str]) -> tuple[str, str, str]:
    """The query, the true response and the false one for the drawn objects."""
    absent = [name for name in OBJECTS if name not in drawn]
    count = len(drawn)
    if kind == "general":
        return (
            "Describe this image in one sentence.",
            f"The image shows {listed(drawn)} on a light background.",
            f"The image shows {listed(absent[:count])} on a dark background.",
        )
    if kind == "hallucination":
        return (
            "Which shapes are in this picture?",
            f"The picture contains {listed(drawn)}.",
            f"The picture contains {listed([*drawn, absent[0]])}.",
        )
    return (
        "How many shapes are in this image? Explain your count.",
        f"I count {count} shapes: {listed(drawn)}. So the answer is {count}.",
        f"I count {count + 1} shapes, one in each corner and one in the middle. So the answer "
        f"is {count + 1}.",
    )


def _build(out: Path, scenes: Path) -> None:
    rows = []
    for index, entry in enumerate(read_manifest(scenes)["images"]):
        kind, prefix, dataset = KINDS[index % len(KINDS)]
        query, true, false = pair(kind, [str(o) for o in entry["objects"]])
        first = index % 2 == 0  # the preferred response first, then second, in turn
        image_path = f"images/{dataset}/{entry['image']}"
        (out / image_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(scenes / "images" / str(entry["image"]), out / image_path)
        rows.append({
            "id": f"{prefix}{index}", "image_path": image_path, "query": query,
            "response": [true, false] if first else [false, true],
            "human_ranking": [0, 1] if first else [1, 0], "models": ["synthetic", "synthetic"],
            "judge": "synthetic", "rationale": "the preferred response matches the drawing",
            "query_source": f"synthetic-{kind}",
        })  # fmt: skip
    lines = "".join(json.dumps(row) + "\n" for row in rows)
    (out / "data.jsonl").write_text(lines, encoding="utf-8")
