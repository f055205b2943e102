"""HallusionBench: official grouping on a hand-made miniature and on the real question file."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mmalign_eval.contracts import ItemScore, Response, Sample
from mmalign_eval.judges.records import JudgeReply
from mmalign_eval.metrics.base import evaluate
from mmalign_eval.metrics.bootstrap import BootstrapConfig, metric_resamples
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.hallucination.hallusionbench.data import (
    HallusionInfo,
    build_samples,
    load_official,
)
from mmalign_eval_tasks.hallucination.hallusionbench.task import hallusionbench, judge_verdict

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


def _answer(sample: Sample[HallusionInfo], correct: bool) -> str:
    right = sample.target == "yes"
    return "Yes, it is." if right == correct else "No."


def _scored(
    samples: list[Sample[HallusionInfo]], texts: list[str], protocol: str | None
) -> list[ItemScore]:
    chosen = TASK.protocol(protocol)
    return [
        TASK.score_answer(s, Response(key=s.id, text=text, finish_reason="stop"), chosen)
        for s, text in zip(samples, texts, strict=True)
    ]


def _items(samples: list[Sample[HallusionInfo]], correct: list[bool]) -> list[ItemScore]:
    texts = [_answer(s, ok) for s, ok in zip(samples, correct, strict=True)]
    return _scored(samples, texts, None)


def test_miniature_hand_computed() -> None:
    samples = build_samples([r for r, _ in MINIATURE], [None] * len(MINIATURE))
    values = evaluate(TASK.metrics, _items(samples, [ok for _, ok in MINIATURE]))
    assert values["aacc"] == pytest.approx(4 / 6)
    # figures: VD/0 all right, VD/1 one wrong, VS/1 right (VS/0 has no figure)
    assert values["facc"] == pytest.approx(2 / 3)
    # question pairs: VD q0 wrong on figure 1, VD q1 right, VS q0 wrong without figure
    assert values["qacc"] == pytest.approx(1 / 3)
    # easy = visual_input != '2' (rows 0, 1, 4, 5): pairs VD q0 right, VD q1 right, VS q0
    # wrong (row 4); hard = visual_input '2' (rows 2, 3): VD q0 wrong, VD q1 right
    assert values["easy_aacc"] == pytest.approx(2 / 3)
    assert values["hard_aacc"] == pytest.approx(1 / 2)
    assert values["easy_question_accuracy"] == pytest.approx(3 / 4)
    assert values["hard_question_accuracy"] == pytest.approx(1 / 2)


def test_text_only_questions_carry_no_image() -> None:
    samples = build_samples([r for r, _ in MINIATURE], [None] * len(MINIATURE))
    (call,) = TASK.plan(samples[4], TASK.generation, TASK.protocol(None))
    assert call.request.media() == ()
    assert samples[0].id == "VD_s_0_0_0" and samples[0].cluster == "VD_s_0"


# (answer, label under `rule`, label under `strict`; None: an unparseable failure)
PARSE_CASES = [
    ("Yes.", "yes", "yes"),
    ("no, it is not", "no", "no"),
    ("NO", "no", "no"),
    ("Yes-ish, I think", "yes", "yes"),  # punctuation splits words
    ("Yes, yes, definitely.", "yes", "yes"),
    ("Yes and no", "unknown", None),  # both words
    ("No... well, yes.", "unknown", None),
    ("I cannot tell", "unknown", None),  # neither word
    ("yesterday, nobody", "unknown", None),  # only whole words count
    ("", "unknown", None),
]


@pytest.mark.parametrize(("text", "rule", "strict"), PARSE_CASES)
def test_parse_table(text: str, rule: str, strict: str | None) -> None:
    ruled, stricted = TASK.protocol("rule").read(text), TASK.protocol("strict").read(text)
    assert (ruled.value, stricted.value) == (rule, strict)
    # Every answer without a yes/no reading says why, scored (rule) or not (strict).
    readable = strict is not None
    assert (ruled.reason is None, stricted.reason is None) == (readable, readable)


def test_rule_is_the_default_and_unknown_rate_is_a_diagnostic() -> None:
    specs = {spec.name: spec for spec in TASK.metrics}
    assert TASK.default_protocol == "rule" and TASK.primary_metric == "qacc"
    assert specs["unknown_rate"].direction == "lower" and not specs["unknown_rate"].primary
    assert {"rule", "strict", "judge"} == set(TASK.protocol_names)


def test_rule_scores_an_unreadable_answer_wrong() -> None:
    samples = build_samples([r for r, _ in MINIATURE], [None] * len(MINIATURE))
    (item,) = _scored(samples[:1], ["maybe"], "rule")
    assert item.status == "ok" and item.parsed == "unknown"
    assert item.reason is not None and "neither 'yes' nor 'no'" in item.reason
    assert item.values["correct"] == 0.0 and item.values["unknown"] == 1.0


def test_strict_failures_are_counted_not_scored() -> None:
    samples = build_samples([r for r, _ in MINIATURE], [None] * len(MINIATURE))
    (item,) = _scored(samples[:1], ["maybe"], "strict")
    assert item.status == "unparseable" and item.values == {}


# The miniature's answers, with its one correct VD figure-0 answer to question 1 unreadable.
UNREADABLE = 1


def _unreadable_miniature(protocol: str) -> tuple[list[ItemScore], dict[str, float]]:
    samples = build_samples([r for r, _ in MINIATURE], [None] * len(MINIATURE))
    texts = [_answer(s, ok) for s, (_, ok) in zip(samples, MINIATURE, strict=True)]
    texts[UNREADABLE] = "It shows a chart with two bars."
    items = _scored(samples, texts, protocol)
    return items, evaluate(TASK.metrics, items)


def test_rule_unknown_answer_breaks_its_figure_and_question_pair() -> None:
    items, values = _unreadable_miniature("rule")
    assert all(item.status == "ok" for item in items)
    assert values["unknown_rate"] == pytest.approx(1 / 6)
    assert values["aacc"] == pytest.approx(3 / 6)
    # figures: VD/0 now has a wrong answer, VD/1 one wrong, VS/1 right
    assert values["facc"] == pytest.approx(1 / 3)
    # question pairs: VD q0 wrong on figure 1, VD q1 wrong on figure 0, VS q0 wrong
    assert values["qacc"] == pytest.approx(0 / 3)
    # easy pairs: VD q0 right, VD q1 unknown, VS q0 wrong; questions 0 and 5 of 0, 1, 4, 5
    assert values["easy_aacc"] == pytest.approx(1 / 3)
    assert values["easy_question_accuracy"] == pytest.approx(2 / 4)
    # the edited figures are untouched: VD q0 wrong, VD q1 right
    assert values["hard_aacc"] == pytest.approx(1 / 2)
    assert values["hard_question_accuracy"] == pytest.approx(1 / 2)


def test_strict_leaves_the_unknown_answer_out() -> None:
    items, values = _unreadable_miniature("strict")
    assert [item.status for item in items].count("unparseable") == 1
    assert values["unknown_rate"] == 0.0  # the unreadable answer is a failure instead
    assert values["aacc"] == pytest.approx(3 / 5)
    # VD/0 keeps weight 1/2 (its scored, correct answer): (1/2 + 1) / (1/2 + 1 + 1)
    assert values["facc"] == pytest.approx(0.6)
    # only VD q1 is all correct, with weight 1/2: (1/2) / (1 + 1/2 + 1)
    assert values["qacc"] == pytest.approx(0.2)
    # both exceed the `rule` values: excluding a babbled answer inflates the accuracies
    _, ruled = _unreadable_miniature("rule")
    assert all(values[m] > ruled[m] for m in ("aacc", "facc", "qacc"))


def _official(rows: Sequence[Mapping[str, Any]], correct: list[int]) -> dict[str, float]:
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
    assert task.metric("unknown_rate").value == pytest.approx(1 / 6)  # the one unclear verdict


# -- the official evaluation.py leaderboard on the same verdicts ---------------------------


def _official_leaderboard(
    rows: Sequence[Mapping[str, Any]], verdicts: list[str]
) -> dict[str, float]:
    """The five leaderboard values of the official evaluation.py, from judge verdicts
    '0' incorrect / '1' correct / '2' unclear, with utils.py's rules written out:
    assign_correctness (unclear counts correct on VS questions without a figure),
    get_eval_all, get_eval_fig, get_eval_pair_all and get_eval_pair_easy/_hard (which split
    on visual_input, not figure_id)."""

    def correct(r: Mapping[str, Any], v: str) -> int:
        no_figure = r["category"] == "VS" and int(r["figure_id"]) == 0
        return int(v == "1" or (no_figure and v == "2"))

    marks = [correct(r, v) for r, v in zip(rows, verdicts, strict=True)]

    def pair_acc(keep: Callable[[Mapping[str, Any]], bool]) -> float:
        groups: dict[str, list[int]] = {}
        for r, c in zip(rows, marks, strict=True):
            if keep(r):
                name = f"{r['category']}_{r['subcategory']}_{r['set_id']}_{r['question_id']}"
                groups.setdefault(name, []).append(c)
        return sum(all(g) for g in groups.values()) / len(groups)

    figures: dict[str, list[int]] = {}
    for r, c in zip(rows, marks, strict=True):
        if not (r["category"] == "VS" and str(r["figure_id"]) == "0"):
            name = f"{r['category']}_{r['subcategory']}_{r['set_id']}_{r['figure_id']}"
            figures.setdefault(name, []).append(c)
    return {
        "qacc": pair_acc(lambda r: True),
        "facc": sum(all(f) for f in figures.values()) / len(figures),
        "easy_aacc": pair_acc(lambda r: str(r["visual_input"]) != "2"),
        "hard_aacc": pair_acc(lambda r: str(r["visual_input"]) == "2"),
        "aacc": sum(marks) / len(marks),
    }


_VERDICT_TEXT = {"0": "Incorrect.", "1": "Correct.", "2": "Unclear."}


def _judged(samples: list[Sample[HallusionInfo]], verdicts: list[str]) -> dict[str, float]:
    protocol = TASK.protocol("judge")
    items = [
        TASK.score_answer(
            s,
            Response(key=s.id, text="an answer", finish_reason="stop"),
            protocol,
            JudgeReply(key=s.id, text=_VERDICT_TEXT[v]),
        )
        for s, v in zip(samples, verdicts, strict=True)
    ]
    return evaluate(TASK.metrics, items)


# (verdicts of the miniature's six rows, why)
LEADERBOARD_CASES = [
    (["1", "1", "0", "1", "0", "1"], "the miniature's answers"),
    (["1", "1", "0", "1", "2", "1"], "unclear without a figure (VS, figure 0) counts correct"),
    (["2", "1", "0", "1", "0", "1"], "unclear on a VD figure counts wrong"),
    (["1", "1", "2", "2", "2", "2"], "unclear everywhere but on the no-figure question"),
]


@pytest.mark.parametrize(("verdicts", "why"), LEADERBOARD_CASES)
def test_judge_protocol_matches_the_official_leaderboard(verdicts: list[str], why: str) -> None:
    rows = [r for r, _ in MINIATURE]
    values = _judged(build_samples(rows, [None] * len(rows)), verdicts)
    for name, expected in _official_leaderboard(rows, verdicts).items():
        assert values[name] == pytest.approx(expected), (name, why)


def test_real_file_leaderboard_matches_the_official_script(
    shared_file: Callable[..., Path],
) -> None:
    path = shared_file("hallusionbench", "HallusionBench.json")
    rows = json.loads(path.read_text(encoding="utf-8"))
    samples = load_official(path, None).samples
    # The official split: 625 easy (visual_input 0 or 1) and 504 hard questions.
    assert sum(str(r["visual_input"]) != "2" for r in rows) == 625
    assert sum(s.info.visual_input == "2" for s in samples) == 504
    rng = random.Random(7)
    verdicts = [rng.choice("0111112") for _ in rows]
    values = _judged(samples, verdicts)
    expected = _official_leaderboard(rows, verdicts)
    for name, value in expected.items():
        assert values[name] == pytest.approx(value), name
