"""`score mm_rlhf_rewardbench` against cal_performance_mmreweard_bench.py restated (in
conftest.py): ACC, ACC+ and the per-category numbers on the official output format, every
quirk in a table."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

Line = dict[str, Any]


def _pair(group: str, image: str, video: str, chosen: float, rejected: float) -> Line:
    line: Line = {"id": group, "prompt": f"prompt of {group}"}
    line.update({"image": image} if image else {})
    line.update({"video": video} if video else {})
    return {**line, "rewards": [chosen, rejected]}


NAN = math.nan
QUIRKS: dict[str, list[Line]] = {
    # rewards[0] > rewards[1] is strict: a tie and a NaN are wrong.
    "tie_and_nan_are_wrong": [
        _pair("a", "mcq/x.png", "", 1.0, 1.0), _pair("a", "mcq/x.png", "", 2.0, 1.0),
        _pair("b", "mcq/y.png", "", NAN, 0.0), _pair("c", "mcq/z.png", "", 0.5, -3.0),
    ],
    # A keyword matches anywhere in the path, in list order: long before short.
    "substring_anywhere": [
        _pair("a", "short/belong.png", "", 1.0, 0.0), _pair("b", "short/x.png", "", 0.0, 1.0),
    ],
    # The total reads `image or video`, a right pair `image` or `video`: ACC above 1.
    "total_and_right_differ": [
        _pair("a", "pic.png", "video/clip", 1.0, 0.0), _pair("b", "", "video/other", 1.0, 0.0),
    ],
    # ACC+ denominators read `image + video`: a keyword across the two fields counts.
    "concatenation_boundary": [
        _pair("a", "x_lo", "ng/y", 1.0, 0.0), _pair("b", "long/z.png", "", 1.0, 0.0),
    ],
    # A prompt counts in the ACC+ numerator of its first keyword only, in every denominator.
    "mixed_prompt": [
        _pair("a", "mcq/x.png", "", 1.0, 0.0), _pair("a", "long/y.png", "", 1.0, 0.0),
        _pair("b", "long/z.png", "", 1.0, 0.0),
    ],
    # A path without a keyword counts overall only; one wrong pair fails its prompt.
    "uncategorised_and_one_wrong": [
        _pair("a", "misc/x.png", "", 1.0, 0.0), _pair("b", "safety/y.png", "", 1.0, 0.0),
        _pair("b", "safety/y.png", "", 1.0, 0.0), _pair("b", "safety/y.png", "", 0.0, 1.0),
        _pair("c", "safety/z.png", "", 1.0, 0.0),
    ],
    # Lines of one id need not be adjacent: the script groups by id.
    "scattered_prompt": [
        _pair("a", "short/x.png", "", 1.0, 0.0), _pair("b", "short/y.png", "", 1.0, 0.0),
        _pair("a", "short/x.png", "", -1.0, 0.0),
    ],
}  # fmt: skip


def _official_output(lines: Sequence[Line]) -> list[Line]:
    """The inference script's output: each benchmark line with its rewards and critiques."""
    return [{**line, "chosen": f"good {i}", "rejected": f"bad {i}", "chosen_reason": "",
             "rejected_reason": "", "critic": []} for i, line in enumerate(lines)]  # fmt: skip


@pytest.mark.parametrize("case", sorted(QUIRKS))
def test_quirks_match_the_official_script(kit: Any, tmp_path: Path, case: str) -> None:
    lines = _official_output(QUIRKS[case])
    labels = [{k: v for k, v in line.items() if k != "rewards"} for line in lines]
    bench = kit.write(tmp_path / "mm_reward_bench.jsonl", labels)
    evaluation = kit.score(bench, kit.write(tmp_path / "answers.jsonl", lines))
    assert evaluation.result.n_scored == len(lines)
    kit.assert_official(kit.metrics(evaluation), kit.official_report(lines), lines)


def test_pinned_values(kit: Any, tmp_path: Path) -> None:
    cases = {
        "tie_and_nan_are_wrong": {"accuracy": 0.5, "acc_plus": 1 / 3, "tie_rate": 0.25},
        "total_and_right_differ": {"accuracy_video": 2.0, "acc_plus_video": 1.0},
        "concatenation_boundary": {"accuracy_long": 1.0, "acc_plus_long": 0.5},
        "mixed_prompt": {"acc_plus_mcq": 1.0, "acc_plus_long": 0.5, "acc_plus": 1.0},
        "uncategorised_and_one_wrong": {"accuracy": 0.8, "acc_plus": 2 / 3,
                                        "accuracy_safety": 0.75, "acc_plus_safety": 0.5},
        "substring_anywhere": {"accuracy_long": 1.0, "accuracy_short": 0.0},
    }  # fmt: skip
    for case, expected in cases.items():
        folder = tmp_path / case
        folder.mkdir()
        lines = _official_output(QUIRKS[case])
        bench = kit.write(folder / "mm_reward_bench.jsonl", lines)
        got = kit.metrics(kit.score(bench, kit.write(folder / "answers.jsonl", lines)))
        assert {k: got[k] for k in expected} == pytest.approx(expected), case


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synthetic_rewards_match_the_official_script(kit: Any, tmp_path: Path, seed: int) -> None:
    bench, lines = kit.synthetic(15, seed)
    evaluation = kit.score(bench, kit.write(tmp_path / "result.jsonl", lines))
    kit.assert_official(kit.metrics(evaluation), kit.official_report(lines), lines)
    clusters = {record.cluster for record in evaluation.records}
    assert clusters == {line["id"] for line in lines}  # resamples draw whole prompts


def test_released_file_matches_the_official_script(
    kit: Any, tmp_path: Path, shared_file: Any
) -> None:
    bench = shared_file("reward", "mm_rlhf_rewardbench", "mm_reward_bench.jsonl")
    rows = [json.loads(t) for t in Path(bench).read_text(encoding="utf-8").splitlines() if t]
    rng = random.Random(7)
    lines = [{**row, "rewards": [rng.gauss(0, 1), rng.gauss(0, 1)], "critic": []} for row in rows]
    evaluation = kit.score(bench, kit.write(tmp_path / "result.jsonl", lines))
    assert evaluation.result.n_scored == 170
    kit.assert_official(kit.metrics(evaluation), kit.official_report(lines), lines)
