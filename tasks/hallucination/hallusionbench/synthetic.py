"""Offline stand-in for HallusionBench: official-format JSON over the synthetic shape images.

Per synthetic image i: a VD set (figure 0 = image i, figure 1 = image i+1 as the "edited"
figure, two questions each) and a VS set (figure 0 without an image, figure 1 = image i).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from mmalign_eval.toolkit.build import build_once
from mmalign_eval.toolkit.shapes import OBJECTS, ensure_scenes, read_manifest

VERSION = "1"
FILE = "HallusionBench.json"


def ensure_synthetic_hallusion(cache_dir: Path, num_sets: int = 4) -> Path:
    """Build (once, cached) the synthetic folder: HallusionBench.json plus images/."""
    scenes = ensure_scenes(cache_dir, max(num_sets, 2))

    def build(out: Path) -> None:
        images = read_manifest(scenes)["images"]
        rows: list[dict[str, Any]] = []
        for i in range(num_sets):
            figures = (images[i % len(images)], images[(i + 1) % len(images)])
            rows += _vd_set(out, scenes, i, figures)
            rows += _vs_set(out, scenes, i, figures[0])
        (out / FILE).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")

    return build_once(cache_dir, f"synthetic-hallusionbench-v{VERSION}-n{num_sets}", build)


def _copy(tmp: Path, pope: Path, image: dict[str, Any], relative: str) -> None:
    target = tmp / "images" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pope / "images" / str(image["image"]), target)


def _row(
    category: str, sub: str, visual: str, set_id: int, figure: int, qid: int
) -> dict[str, Any]:
    return {
        "category": category,
        "subcategory": sub,
        "visual_input": visual,
        "set_id": str(set_id),
        "figure_id": str(figure),
        "question_id": str(qid),
        "sample_note": "synthetic",
        "filename": None if visual == "0" else f"./{category}/{sub}/{set_id}_{figure}.png",
    }


def _vd_set(tmp: Path, pope: Path, set_id: int, figures: tuple[dict[str, Any], ...]) -> list[Any]:
    present = list(figures[0]["objects"])
    absent = [o for o in OBJECTS if o not in present]
    rows = []
    for figure, image in enumerate(figures):
        _copy(tmp, pope, image, f"VD/figure/{set_id}_{figure}.png")
        for qid, name in enumerate((present[0], absent[0])):
            row = _row("VD", "figure", "1" if figure == 0 else "2", set_id, figure, qid)
            row["question"] = f"Is there a {name} in the image?"
            row["gt_answer"] = "1" if name in image["objects"] else "0"
            row["gt_answer_details"] = row["gt_answer"]
            rows.append(row)
    return rows


def _vs_set(tmp: Path, pope: Path, set_id: int, image: dict[str, Any]) -> list[Any]:
    name = str(image["objects"][0])
    _copy(tmp, pope, image, f"VS/chart/{set_id}_1.png")
    rows = []
    for figure, visual, answer in ((0, "0", "0"), (1, "1", "1")):
        row = _row("VS", "chart", visual, set_id, figure, 0)
        row["question"] = f"Does the figure show a {name}?"
        row["gt_answer"] = answer
        row["gt_answer_details"] = answer
        rows.append(row)
    return rows
