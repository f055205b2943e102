"""HallusionBench: official grouping on a hand-made miniature and on the real question file."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mmalign_eval.contracts import ItemScore, Response, Sample
from mmalign_eval.metrics.base import evaluate
from mmalign_eval.metrics.bootstrap import BootstrapConfig, metric_resamples
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.hallucination.hallusionbench import (
    build_samples,
    hallusionbench,
    judge_verdict,
    load_official,
    parse_yes_no,
)

TASK = hallusionbench()


def _row(cat: str, visual: str, fig: int, qid: int, gt: str) -> dict[str, Any]:
    return {
        "category": cat, "subcategory": "s", "visual_input": visual, "set_id": "0",
        "figure_id": str(fig), "question_id": str(qid), "question": "Q?", "gt_answer": gt,
    }  # fmt: skip


# (row, whether the model answers it correctly)
MINIATURE = [
    (_row("VD", "1", 0, 0, "1"), True),
    (_row("VD", "1", 0, 1, "0"), True),
    (_row("VD", "2", 1, 0, "0"), False),
    (_row("VD", "2", 1, 1, "1"), True),
    (_row("VS", "0", 0, 0, "0"), False),  # no figure: in qAcc and aAcc, not in fAcc
    (_row("VS", "1", 1, 0, "1"), True),
]


def _answer(sample: Sample, correct: bool) -> str:
    right = sample.target == "yes"
    return "Yes, it is." if right == correct else "No."


def _items(samples: list[Sample], correct: list[bool]) -> list[ItemScore]:
    protocol = TASK.protocol(None)
    return [
        TASK.score(s, Response(key=s.id, text=_answer(s, ok), finish_reason="stop"), protocol)
        for s, ok in zip(samples, correct, strict=True)
    ]


def test_miniature_hand_computed() -> None:
    samples = build_samples([r for r, _ in MINIATURE], [None] * len(MINIATURE))
    values = evaluate(TASK.metrics, _items(samples, [ok for _, ok in MINIATURE]))
    assert values["aacc"] == pytest.approx(4 / 6)
    # figures: VD/0 all right, VD/1 one wrong, VS/1 right (VS/0 has no figure)
    assert values["facc"] == pytest.approx(2 / 3)
    # question pairs: VD q0 wrong on figure 1, VD q1 right, VS q0 wrong without figure
    assert values["qacc"] == pytest.approx(1 / 3)
    assert values["easy_qacc"] == pytest.approx(2 / 3)
    assert values["hard_qacc"] == pytest.approx(2 / 3)
    assert values["easy_aacc"] == pytest.approx(2 / 3)
    assert values["hard_aacc"] == pytest.approx(2 / 3)


def test_text_only_questions_carry_no_image() -> None:
    samples = build_samples([r for r, _ in MINIATURE], [None] * len(MINIATURE))
    request = TASK.build_request(samples[4], TASK.generation)
    assert request.media() == ()
    assert samples[0].id == "VD_s_0_0_0" and samples[0].cluster == "VD_s_0"


@pytest.mark.parametrize(
    ("text", "label"),
    [("Yes.", "yes"), ("no, it is not", "no"), ("NO", "no"), ("Yes and no", None),
     ("I cannot tell", None), ("yesterday", None)],
)  # fmt: skip
def test_yes_no_rule(text: str, label: str | None) -> None:
    assert parse_yes_no(text).label == label


def test_failures_are_counted_not_scored() -> None:
    samples = build_samples([r for r, _ in MINIATURE], [None] * len(MINIATURE))
    protocol = TASK.protocol(None)
    item = TASK.score(samples[0], Response(key="k", text="maybe", finish_reason="stop"), protocol)
    assert item.status == "unparseable" and item.values == {}


def _official(rows: list[Mapping[str, Any]], correct: list[int]) -> dict[str, float]:
    """The official utils.py groupings, written out directly."""
    fig: dict[str, list[int]] = {}
    pair: dict[str, list[int]] = {}
    for r, c in zip(rows, correct, strict=True):
        base = f"{r['category']}_{r['subcategory']}_{r['set_id']}"
        if not (r["category"] == "VS" and str(r["figure_id"]) == "0"):
            fig.setdefault(f"{base}_{r['figure_id']}", []).append(c)
        pair.setdefault(f"{base}_{r['question_id']}", []).append(c)
    return {
        "aacc": sum(correct) / len(correct),
        "facc": sum(all(v) for v in fig.values()) / len(fig),
        "qacc": sum(all(v) for v in pair.values()) / len(pair),
    }


def test_real_file_matches_official_grouping(shared_file: Callable[..., Path]) -> None:
    path = shared_file("hallusionbench", "HallusionBench.json")
    rows = json.loads(path.read_text(encoding="utf-8"))
    loaded = load_official(path, None)
    assert len(loaded.samples) == 1129
    assert sum(1 for s in loaded.samples if not s.media) == 178  # the VS no-figure questions
    rng = random.Random(0)
    correct = [rng.random() < 0.8 for _ in rows]
    items = _items(loaded.samples, correct)
    values = evaluate(TASK.metrics, items)
    expected = _official(rows, [int(c) for c in correct])
    for name, value in expected.items():
        assert values[name] == pytest.approx(value)
    resamples = metric_resamples(TASK.metrics, items, BootstrapConfig(resamples=50))
    assert np.all(np.isfinite(resamples["qacc"]))


def test_score_predictions_by_composite_key(tmp_path: Path) -> None:
    rows = [r for r, _ in MINIATURE]
    data = tmp_path / "HallusionBench.json"
    data.write_text(json.dumps(rows), encoding="utf-8")
    lines = [
        {**{k: r[k] for k in ("category", "subcategory", "set_id", "figure_id", "question_id")},
         "answer": "Yes" if r["gt_answer"] == "1" else "No"}
        for r in rows
    ]  # fmt: skip
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    request = ScoreRequest(
        task=TASK,
        predictions=predictions,
        data=DataRequest(source=str(data), cache_dir=str(tmp_path), need_media=False),
        protocol=None,
        resamples=20,
    )
    results, _ = score_predictions(request)
    task = results.tasks[0]
    assert task.n_scored == 6
    assert task.metric("qacc").value == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "verdict"),
    [("Correct.", 1), ("incorrect", 0), ("The answer is not correct, it is incorrect", 0),
     ("unclear", 2), ("I am not sure", 2)],
)  # fmt: skip
def test_official_judge_verdicts(text: str, verdict: int) -> None:
    assert judge_verdict(text) == verdict


def test_judge_protocol_with_precomputed_judgements(tmp_path: Path) -> None:
    rows = [r for r, _ in MINIATURE]
    data = tmp_path / "HallusionBench.json"
    data.write_text(json.dumps(rows), encoding="utf-8")
    verdicts = ["correct" if ok else "incorrect" for _, ok in MINIATURE]
    verdicts[1] = "unclear"  # unclear counts as wrong: VD figure 0 and VD q1 now fail
    lines = [
        {**{k: r[k] for k in ("category", "subcategory", "set_id", "figure_id", "question_id")},
         "answer": "whatever", "judgement": v}
        for r, v in zip(rows, verdicts, strict=True)
    ]  # fmt: skip
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    request = ScoreRequest(
        task=TASK,
        predictions=predictions,
        data=DataRequest(source=str(data), cache_dir=str(tmp_path), need_media=False),
        protocol="judge",
        resamples=20,
        output_dir=tmp_path / "out",
    )
    results, _ = score_predictions(request)
    task = results.tasks[0]
    assert task.protocol.official and task.judge is not None
    assert task.metric("aacc").value == pytest.approx(3 / 6)
    assert task.metric("facc").value == pytest.approx(1 / 3)
    assert task.metric("qacc").value == pytest.approx(0 / 3)
