"""A deterministic MM-Vet stand-in in the official formats: mm-vet.json with 218 items over
the 16 integrations, a result file, and an evaluator grade file of five runs with the
official fallbacks in it. mm-vet_evaluator.py (yuweihao/MM-Vet @ c7ff270) was run on these
files (test_official_numbers.py holds the numbers it printed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

# (integration, items): 218 in all, every count distinct enough to order the columns.
COUNTS = (
    ("rec_know_gen", 30), ("rec", 28), ("ocr_spat", 20), ("ocr_spat_math", 17),
    ("rec_spat", 16), ("ocr", 14), ("ocr_math", 13), ("rec_know", 12),
    ("rec_ocr_know_gen", 11), ("rec_ocr_gen_spat", 10), ("rec_ocr_spat", 10), ("rec_ocr", 9),
    ("ocr_know_spat", 8), ("rec_know_spat", 8), ("ocr_gen_spat", 6), ("rec_ocr_spat_math", 6),
)  # fmt: skip
RUNS = 5
# (item, run) -> (score, content) where the evaluator's fallback applied: content is the
# sixth reply it never reads (one of them even holds a score), the score its 0.0.
FALLBACKS = {(3, 0): "Sorry,", (3, 1): "I", (40, 2): "0.7", (117, 4): "The"}
CONTENTS = {(7, 0): "5e-1", (8, 1): "1."}  # first tokens float() reads as 0.5 and 1.0


def _digest(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def integrations() -> list[str]:
    """Each item's integration: the counts above, in a fixed scrambled order."""
    names = [name for name, count in COUNTS for _ in range(count)]
    order = sorted(range(len(names)), key=lambda i: _digest(f"order:{i}"))
    return [names[i] for i in order]


def metadata() -> dict[str, dict[str, Any]]:
    """mm-vet.json: capability lists written in varying order (the evaluator takes sets)."""
    out = {}
    for i, name in enumerate(integrations()):
        caps = name.split("_")
        out[f"v1_{i}"] = {
            "imagename": f"v1_{i}.png", "capability": caps[::-1] if i % 2 else caps,
            "question": f"Question {i}?", "answer": f"{i}<AND>{i + 1}" if i % 3 else str(i),
        }  # fmt: skip
    return out


def grade_entry(i: int, runs: int = RUNS) -> dict[str, list[Any]]:
    """One grade-file item: per run the judge model, the stored content and the score."""
    contents, scores = [], []
    for k in range(runs):
        tenth = _digest(f"score:{i}:{k}") % 11
        if (i, k) in FALLBACKS:
            contents.append(FALLBACKS[(i, k)])
            scores.append(0.0)
            continue
        contents.append(CONTENTS.get((i, k), f"{tenth / 10:.1f}"))
        scores.append(float(contents[-1]))
    return {"model": ["gpt-4-0613"] * runs, "content": contents, "score": scores}


def write_official(folder: Path, runs: int = RUNS) -> dict[str, Path]:
    """mm-vet.json, a result file and its grade file (named as the evaluator names it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results").mkdir(exist_ok=True)
    data = metadata()
    paths = {
        "metadata": folder / "mm-vet.json",
        "result": folder / "results" / "fixture.json",
        "grade": folder / "results" / f"fixture_gpt-4-0613-grade-{runs}runs.json",
    }
    paths["metadata"].write_text(json.dumps(data, indent=4))
    paths["result"].write_text(json.dumps({qid: f"Answer {qid}." for qid in data}, indent=4))
    grades = {f"v1_{i}": grade_entry(i, runs) for i in range(len(data))}
    paths["grade"].write_text(json.dumps(grades, indent=4))
    return paths


# 40 "rec" items, five runs, (item, score) of the non-zero gradings per run: the runs'
# mean total is 2.15 in binary just below, x 10 exactly 21.5, so numpy's round gives 2.2
# where Python's round gives 2.1.
TIE_RUNS = (((33, 0.5),), ((18, 0.5),), ((7, 0.8), (19, 0.1), (31, 0.6)),
            ((16, 0.2), (26, 0.6)), ((27, 1.0),))  # fmt: skip


def write_tie(folder: Path) -> dict[str, Path]:
    """A 40-item mm-vet.json and its five-run grade file whose total is a rounding tie."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results").mkdir(exist_ok=True)
    data = {f"v1_{i}": {"imagename": f"v1_{i}.png", "capability": ["rec"],
                        "question": f"Q{i}?", "answer": "A"} for i in range(40)}  # fmt: skip
    grades = {}
    for i in range(40):
        scores = [dict(run).get(i, 0.0) for run in TIE_RUNS]
        grades[f"v1_{i}"] = {"model": ["gpt-4-0613"] * 5, "content": [str(s) for s in scores],
                             "score": scores}  # fmt: skip
    paths = {"metadata": folder / "mm-vet.json", "result": folder / "results" / "tie.json",
             "grade": folder / "results" / "tie_gpt-4-0613-grade-5runs.json"}  # fmt: skip
    paths["metadata"].write_text(json.dumps(data))
    paths["result"].write_text(json.dumps({qid: "A" for qid in data}))
    paths["grade"].write_text(json.dumps(grades))
    return paths
