"""Shared helpers of the MM-RLHF-RewardBench tests: the official report restated, and
scoring a predictions file against a benchmark source (as the `kit` fixture)."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.evaluation import TaskEvaluation
from mmalign_eval.registry import build_registry
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest

TASK = build_registry().tasks["mm_rlhf_rewardbench"]
KEYS = ("mcq", "long", "short", "safety", "video")
Line = dict[str, Any]


def _first(test: Any) -> str | None:
    return next((k for k in KEYS if test(k)), None)


def _path(line: Line) -> str:
    return str(line.get("image", "") or line.get("video", ""))


def _either(line: Line, keyword: str) -> bool:
    return keyword in line.get("image", "") or keyword in line.get("video", "")


def official_report(lines: Sequence[Line]) -> dict[str, float]:
    """cal_performance_mmreweard_bench.py (Kwai-YuanQi/MM-RLHF @ 7c8af1d) restated."""
    totals, right, plus = dict.fromkeys(KEYS, 0), dict.fromkeys(KEYS, 0), dict.fromkeys(KEYS, 0)
    groups: dict[str, list[Line]] = {}
    for line in lines:
        groups.setdefault(line.get("id", ""), []).append(line)
        counted = _first(lambda k, p=_path(line): k in p)
        if counted:
            totals[counted] += 1
    n_right = n_plus = 0
    for members in groups.values():
        all_right = True
        for line in members:
            ok = line["rewards"][0] > line["rewards"][1]
            scored = _first(lambda k, m=line: _either(m, k))
            if scored and ok:
                right[scored] += 1
            n_right += ok
            all_right = all_right and ok
        if all_right:
            first = _first(lambda k, ms=members: any(_either(m, k) for m in ms))
            if first:
                plus[first] += 1
            n_plus += 1
    out = {"accuracy": n_right / len(lines), "acc_plus": n_plus / len(groups)}
    for k in KEYS:
        having = sum(any(k in m.get("image", "") + m.get("video", "") for m in ms)
                     for ms in groups.values())  # fmt: skip
        out[f"accuracy_{k}"] = right[k] / totals[k] if totals[k] else 0.0
        out[f"acc_plus_{k}"] = plus[k] / having if totals[k] else 0.0
    return out


def write(path: Path, lines: Sequence[Line]) -> Path:
    """Lines as JSON Lines."""
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def score(
    tmp_path: Path, bench: str | Path, predictions: Path, protocol: str | None = None
) -> TaskEvaluation:
    """Score a predictions file against a benchmark source (no media needed)."""
    request = ScoreRequest(
        task=TASK, predictions=predictions, protocol=protocol, resamples=20,
        data=DataRequest(source=str(bench), cache_dir=str(tmp_path / "cache"), need_media=False),
        output_dir=tmp_path / "out",
    )  # fmt: skip
    return score_predictions(request)[1]


def metrics(evaluation: TaskEvaluation) -> dict[str, float]:
    """The metric values, NaN for the ones without items."""
    return {m.name: math.nan if m.value is None else m.value for m in evaluation.result.metrics}


def assert_official(
    got: dict[str, float], expected: dict[str, float], lines: Sequence[Line]
) -> None:
    """Every official number matches, except that a category the script counts no pair in is
    NaN here where the script prints its initial 0."""
    counted = {_first(lambda k, p=_path(line): k in p) for line in lines}
    for name, value in expected.items():
        category = name.rsplit("_", 1)[-1]
        if category in KEYS and category not in counted:
            assert math.isnan(got[name]) and value == 0.0, name
        else:
            assert got[name] == pytest.approx(value), (name, got[name], value)


def synthetic_lines(tmp_path: Path, size: int, seed: int) -> tuple[Path, list[Line]]:
    """The synthetic benchmark file and its lines with seeded small-integer rewards (ties are
    common)."""
    request = DataRequest(source=f"synthetic:{size}", cache_dir=str(tmp_path / "cache"),
                          need_media=False)  # fmt: skip
    path = Path(TASK.loader(request).provenance.location)
    rng = random.Random(seed)
    lines = [{**json.loads(text), "rewards": [rng.randint(0, 2), rng.randint(0, 2)], "critic": []}
             for text in path.read_text(encoding="utf-8").splitlines()]  # fmt: skip
    return path, lines


class Kit:
    """The helpers, bound to a test's tmp_path."""

    keys = KEYS
    task = TASK
    official_report = staticmethod(official_report)
    metrics = staticmethod(metrics)
    assert_official = staticmethod(assert_official)
    write = staticmethod(write)

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path

    def score(self, bench: str | Path, predictions: Path, protocol: str | None = None) -> Any:
        """Score predictions against a benchmark source."""
        return score(self.tmp_path, bench, predictions, protocol)

    def synthetic(self, size: int, seed: int) -> tuple[Path, list[Line]]:
        """The synthetic benchmark file and its lines with seeded rewards."""
        return synthetic_lines(self.tmp_path, size, seed)


@pytest.fixture
def kit(tmp_path: Path) -> Kit:
    """The shared helpers for one test."""
    return Kit(tmp_path)
