"""MIA-Bench scoring: the notebook's averages from judge replies, the protocols' rules for
unreadable replies, the notebook's own answer files, and the judge prompt."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.evaluation import TaskEvaluation, task_passed
from mmalign_eval.registry import build_registry
from mmalign_eval.results import TaskResult
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.preference.mia_bench.judge import candidates, render
from mmalign_eval_tasks.preference.mia_bench.parsing import parse_grade

ITEMS = [  # (types, weights) of a small official-format file
    (["describe", "length_limit", "linguistics"], [4, 3, 3]),
    (["describe", "mention", "mention"], [4, 3, 3]),
    (["math", "textual"], [6, 4]),
    (["describe", "grammar", "perspective", "mention"], [4, 2, 2, 2]),
]


def official_scores(rows: Sequence[dict[str, Any]], replies: Sequence[Any]) -> dict[str, float]:
    """get_score_dict of evaluation.ipynb @ 89171af restated over the official rows."""
    cat: dict[str, list[float]] = {}
    for row, raw in zip(rows, replies, strict=True):
        try:
            parts = raw.strip().split(".")[0].split(",")
            item = {}
            for i in range(len(parts) - 1):
                score_ = parts[i].split(":")[1][1:].split("/")
                item[row["component_type"][i]] = int(score_[0]) / int(score_[1])
            total_ = parts[i + 1].split(":")[1][1:].split("/")
            item["total_score"] = int(total_[0]) / int(total_[1])
        except Exception:
            continue
        for key, value in item.items():
            cat.setdefault(key, []).append(value)
    return {key: sum(v) / len(v) for key, v in cat.items()}


def _rows(items: Sequence[tuple[list[str], list[int]]]) -> list[dict[str, Any]]:
    return [
        {"image": f"http://images.example/{i}.jpg", "instruction": f"Instruction {i}.",
         "type": "basic", "num_of_component": len(t),
         "components": [f"c{j}" for j in range(len(t))], "component_weight": w,
         "component_type": t}
        for i, (t, w) in enumerate(items)
    ]  # fmt: skip


def _score(
    tmp_path: Path, data: Path, lines: Sequence[dict[str, Any]], protocol: str | None = None
) -> tuple[TaskResult, TaskEvaluation]:
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(json.dumps(x) + "\n" for x in lines))
    request = ScoreRequest(
        task=build_registry().tasks["mia_bench"], predictions=predictions,
        data=DataRequest(source=str(data), cache_dir=str(tmp_path / "cache"), need_media=False),
        protocol=protocol, resamples=20, output_dir=tmp_path / "out",
    )  # fmt: skip
    results, evaluation = score_predictions(request)
    return results.tasks[0], evaluation


def _file(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "instruction_benchmark_all.json"
    path.write_text(json.dumps(rows))
    return path


def _judged(rows: Sequence[dict[str, Any]], replies: Sequence[str]) -> list[dict[str, Any]]:
    return [{"id": r["image"], "answer": "resp", "judgement": j}
            for r, j in zip(rows, replies, strict=True)]  # fmt: skip


def _metrics(task: TaskResult) -> dict[str, Any]:
    return {m.name: m.value for m in task.metrics}


def _assert_official(task: TaskResult, expected: dict[str, float]) -> None:
    metrics = _metrics(task)
    for key, value in expected.items():
        name = key if key == "total_score" else f"score_{key}"
        assert metrics[name] == pytest.approx(value, abs=1e-12), key
    for name, value in metrics.items():
        if name.startswith("score_") and name.removeprefix("score_") not in expected:
            assert value is None, name  # a type no readable item has: no value


REPLIES = [
    "score of component 1: 4/4, score of component 2: 2/3, score of component 3: 3/3, "
    "total score: 9/10. Reasons...",
    # duplicate types: 'mention' takes the third component's 0/3
    "score of component 1: 3/4, score of component 2: 3/3, score of component 3: 0/3, "
    "total score: 6/10. Reasons...",
    "The response is fine.",  # dropped
    "score of component 1: 4/4, score of component 2: 1/2, total score: 8/10.",  # 2 of 4 listed
]


def test_official_averages_from_judge_replies(tmp_path: Path) -> None:
    rows = _rows(ITEMS)
    task, evaluation = _score(tmp_path, _file(tmp_path, rows), _judged(rows, REPLIES))
    assert task.protocol.name == "official" and task.protocol.official
    _assert_official(task, official_scores(rows, REPLIES))
    assert _metrics(task)["score_mention"] == 0.0 and _metrics(task)["unparsed_count"] == 1
    assert task.failures.total == 0 and task_passed(task, max_failure_rate=0.05)
    assert task.judge is not None and task.judge.counts.unparseable == 1
    dropped = next(r for r in evaluation.records if r.id == rows[2]["image"])
    assert dropped.status == "ok" and "dropped" in (dropped.reason or "")
    assert dropped.scores == {"unparsed": 1.0}


def test_strict_counts_unreadable_replies_as_failures(tmp_path: Path) -> None:
    rows = _rows(ITEMS)
    task, _ = _score(tmp_path, _file(tmp_path, rows), _judged(rows, REPLIES), "strict")
    assert task.failures.unparseable == 1 and task.n_scored == 3
    _assert_official(task, official_scores(rows, REPLIES))  # the same averages ...
    assert _metrics(task)["unparsed_count"] == 0  # ... but a failure, not a count
    assert not task_passed(task, max_failure_rate=0.05)


def test_more_scores_than_components_is_dropped(tmp_path: Path) -> None:
    rows = _rows([(["describe"], [10])])
    reply = ["score of component 1: 5/5, score of component 2: 5/5, total score: 10/10."]
    task, evaluation = _score(tmp_path, _file(tmp_path, rows), _judged(rows, reply))
    assert _metrics(task)["unparsed_count"] == 1 and _metrics(task)["total_score"] is None
    assert "more components" in (evaluation.records[0].reason or "")


def _reply_for(rng: random.Random, row: dict[str, Any]) -> str:
    """A judge-like reply: usually the official format, sometimes one of its failure shapes."""
    weights = row["component_weight"]
    kept = [rng.randint(0, w) for w in weights]
    pairs = enumerate(zip(kept, weights, strict=True))
    parts = [f"score of component {i + 1}: {k}/{w}" for i, (k, w) in pairs]
    text = ", ".join([*parts, f"total score: {sum(kept)}/10"])
    shape = rng.random()
    if shape < 0.1:
        return text.replace(": ", ":")  # no space after the colons: dropped
    if shape < 0.2:
        return f"**{text}**\n\nExplanation: ..."  # bold and no period: dropped
    return text + ". The response ..."


def test_official_averages_on_the_real_instruction_file(
    shared_file: Callable[..., Path], tmp_path: Path
) -> None:
    path = shared_file("mia_bench", "instruction_benchmark_all.json")
    rows = json.loads(path.read_text())
    rng = random.Random(0)
    replies = [_reply_for(rng, row) for row in rows]
    task, _ = _score(tmp_path, path, _judged(rows, replies))
    assert task.n_samples == 400 and task.data.num_items == 400
    assert "@da9b046" in (task.data.version_note or "")
    expected = official_scores(rows, replies)
    _assert_official(task, expected)
    dropped = sum(1 for row, r in zip(rows, replies, strict=True)
                  if official_scores([row], [r]) == {})  # fmt: skip
    assert _metrics(task)["unparsed_count"] == dropped > 0


def test_the_notebooks_answer_file_with_its_judge_column(tmp_path: Path) -> None:
    rows = _rows(ITEMS)
    lines = [
        {"question_id": rows[0]["image"], "prompt": rows[0]["instruction"], "text": "a",
         "score_raw": REPLIES[0]},
        {"url": rows[1]["image"], "text": "b", "score_raw": REPLIES[1]},
        {"question_id": rows[2]["image"], "text": "error", "score_raw": 2},  # no answer
        {"question_id": rows[3]["image"], "text": "d", "score_raw": REPLIES[3]},
    ]  # fmt: skip
    task, evaluation = _score(tmp_path, _file(tmp_path, rows), lines)
    assert task.failures.error == 1 and task.n_scored == 3
    _assert_official(task, official_scores([rows[i] for i in (0, 1, 3)],
                                           [REPLIES[i] for i in (0, 1, 3)]))  # fmt: skip
    failed = next(r for r in evaluation.records if r.id == rows[2]["image"])
    assert "'error'" in (failed.reason or "")


def test_judge_prompt_names_each_component_and_its_weight(tmp_path: Path) -> None:
    rows = _rows(ITEMS)
    task = build_registry().tasks["mia_bench"]
    data = DataRequest(source=str(_file(tmp_path, rows)), cache_dir=str(tmp_path / "c"),
                       need_media=False)  # fmt: skip
    sample = task.loader(data).samples[3]
    text = render(sample, "THE RESPONSE")
    assert "'Instruction 3.'" in text and "'THE RESPONSE'" in text and "{" not in text
    assert ("The first component is: 'c0', the second component is: 'c1', the third "
            "component is: 'c2' and the fourth component is: 'c3'.") in text  # fmt: skip
    assert "the fourth component is worth 2 points." in text
    assert "score of component 1: x/2, score of component 2: y/8, total score: z/10" in text
    options = candidates(sample, "THE RESPONSE")
    assert len(options) == 6 and all(parse_grade(o) is not None for o in options)
    assert parse_grade(options[0]) is not None and parse_grade(options[0]).total == 1.0
