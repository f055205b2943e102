"""`score mm_alignbench` on VLMEvalKit's judged table and the harness's JSON Lines: the
numbers of VLMEvalKit's MMAlignBench.evaluate, overall and per type, without a judge call."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mmalign_eval.evaluation import TaskEvaluation
from mmalign_eval.registry import build_registry
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.preference.mm_alignbench.data import SOURCES
from mmalign_eval_tasks.preference.mm_alignbench.official import judgement_text, read_vlmevalkit

SIZE = 9
# What VLMEvalKit stores per item: (score, judge reply); 'Unknown' became ('U', 'n').
JUDGED = [
    ("B>>A", "... [[B>>A]]"), ("A>B", "[[A>B]]"), ("U", "n"), ("B>A", "x [[B>A]] y [[B>A]]"),
    ("A=B", "[[A=B]]"), ("A>>B", "[[A>>B]]"), ("A", "[[A]]"), ("B>A", "[[B>A]]"),
    ("B>>A", "[[B>>A]]"),
]  # fmt: skip


def official_evaluate(rows: Sequence[tuple[str, str, str]]) -> dict[str, float]:
    """MMAlignBench.evaluate restated on (index, type, score) rows."""
    score_map = {"A>>B": -2, "A>B": -1, "A=B": 0, "B>A": 1, "B>>A": 2}
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for index, kind, score in rows:
        value = score_map.get(score, 0)
        value = -value if "_rev" in index else value
        counts["all"][value] += 1
        counts[kind][value] += 1
    out = {}
    for key, c in counts.items():
        total = sum(c.values())
        out[f"{key}_reward"] = (100 * c[2] + 50 * c[1] - 50 * c[-1] - 100 * c[-2]) / total
        out[f"{key}_win"] = (c[1] + c[2]) / total
        out[f"{key}_tie"] = c[0]
    return out


def _samples(tmp_path: Path) -> list[Any]:
    request = DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(tmp_path), need_media=False)
    samples: list[Any] = SOURCES.load(request).samples
    return samples


def _judged_table(tmp_path: Path, suffix: str = ".tsv") -> Path:
    rows = [
        {"index": int(s.id), "question": s.question, "type": s.info.type, "B": f"answer {s.id}",
         "A": s.info.baseline, "score": score, "judge": reply}
        for s, (score, reply) in zip(_samples(tmp_path), JUDGED, strict=True)
    ]  # fmt: skip
    path = tmp_path / f"model_MMAlignBench_gpt-4o{suffix}"
    pd.DataFrame(rows).to_csv(path, sep="\t" if suffix == ".tsv" else ",", index=False)
    return path


def _score(tmp_path: Path, predictions: Path, protocol: str | None = None) -> TaskEvaluation:
    request = ScoreRequest(
        task=build_registry().tasks["mm_alignbench"],
        predictions=predictions,
        data=DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(tmp_path), need_media=False),
        protocol=protocol,
        resamples=20,
        output_dir=tmp_path / "out",
    )
    return score_predictions(request)[1]


def _per_type(evaluation: TaskEvaluation, kind: str) -> tuple[float, float]:
    sums: dict[str, float] = defaultdict(float)
    for record in evaluation.records:
        for key, value in record.scores.items():
            sums[key] += value
    return sums[f"reward@{kind}"] / sums[f"n@{kind}"], sums[f"win@{kind}"] / sums[f"n@{kind}"]


@pytest.mark.parametrize("suffix", [".tsv", ".csv"])
def test_score_reproduces_evaluate(tmp_path: Path, suffix: str) -> None:
    evaluation = _score(tmp_path, _judged_table(tmp_path, suffix))
    task = evaluation.result
    samples = _samples(tmp_path)
    expected = official_evaluate(
        [(s.id, s.info.type, score) for s, (score, _) in zip(samples, JUDGED, strict=True)]
    )
    metrics: dict[str, Any] = {m.name: m.value for m in task.metrics}
    assert task.protocol.name == "official" and task.n_scored == SIZE
    assert metrics["reward"] == pytest.approx(expected["all_reward"])
    assert metrics["win_rate"] == pytest.approx(expected["all_win"])
    assert metrics["tie_rate"] * SIZE == pytest.approx(expected["all_tie"])  # 'U', 'A' too
    assert metrics["unparsed_rate"] * SIZE == pytest.approx(2)
    for kind in {s.info.type for s in samples}:
        reward, win = _per_type(evaluation, kind)
        assert reward == pytest.approx(expected[f"{kind}_reward"])
        assert win == pytest.approx(expected[f"{kind}_win"])
    assert task.judge is not None and task.judge.calls == 0


def test_strict_fails_the_unparsed_items(tmp_path: Path) -> None:
    task = _score(tmp_path, _judged_table(tmp_path), "strict").result
    assert task.n_scored == SIZE - 2


@pytest.mark.parametrize(
    ("score", "reply", "text"),
    [("B>A", "so [[B>A]]", "so [[B>A]]"), ("U", "n", "recorded score holds no verdict: 'U'"),
     ("A=B", "[[A=B]] [[B>A]]", "recorded score: [[A=B]]"), (None, None, None)],
)  # fmt: skip
def test_judgement_text(score: object, reply: object, text: str | None) -> None:
    assert judgement_text(score, reply) == text


def test_predictions_without_judgements_and_other_files(tmp_path: Path) -> None:
    path = tmp_path / "model_MMAlignBench.tsv"
    pd.DataFrame([{"index": 0, "question": "q", "prediction": "an answer"}]).to_csv(
        path, sep="\t", index=False
    )
    predictions = read_vlmevalkit(path)
    assert predictions is not None and predictions["0"].text == "an answer"
    assert predictions["0"].judgement is None
    other = tmp_path / "other.tsv"
    other.write_text("a\tb\n1\t2\n", encoding="utf-8")
    assert read_vlmevalkit(other) is None
    assert read_vlmevalkit(tmp_path / "x.jsonl") is None


def test_harness_json_lines(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    lines = [
        {"id": s.id, "answer": "a", "judgement": r}
        for s, (_, r) in zip(samples, JUDGED, strict=True)
    ]
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    task = _score(tmp_path, path).result
    # 'n' has no verdict, the rest parse as their scores
    metrics: dict[str, Any] = {m.name: m.value for m in task.metrics}
    assert metrics["reward"] == pytest.approx((100 - 50 + 0 + 50 + 0 - 100 + 0 + 50 + 100) / 9)
