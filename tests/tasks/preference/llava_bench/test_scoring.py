"""LLaVA-Bench scoring: the official numbers from judge replies and review files, the
protocols' failure rules, and both-order judging."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mmalign_eval.errors import DataError
from mmalign_eval.evaluation import TaskEvaluation, task_passed
from mmalign_eval.judges.records import JudgeConfig
from mmalign_eval.registry import build_registry
from mmalign_eval.results import TaskResult
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.preference.llava_bench.scores import official_tuple
from mmalign_eval_tasks.preference.llava_bench.synthetic import ensure_synthetic_llava

CATEGORIES = ("conv", "detail", "complex")  # the synthetic items' categories, in turn


def official_summary(reviews: Sequence[tuple[str, list[float]]]) -> dict[str, list[float]]:
    """summarize_gpt_review.py restated: per key (all, llava_bench_<category>) the
    relative score and both sides' scores x 10, rounded as it prints them."""
    scores: dict[str, list[list[float]]] = defaultdict(list)
    for category, pair in reviews:
        scores[f"llava_bench_{category}"].append(pair)
        scores["all"].append(pair)
    out = {}
    for key, values in sorted(scores.items()):
        stats = [round(x, 3) for x in np.asarray(values).mean(0).tolist()]
        out[key] = [
            round(stats[1] / stats[0] * 100, 1),
            round(stats[0] * 10, 1),
            round(stats[1] * 10, 1),
        ]
    return out


def _data(tmp_path: Path, size: int) -> Path:
    return Path(ensure_synthetic_llava(tmp_path / "data", size))


def _score(
    tmp_path: Path,
    predictions: Path,
    size: int,
    protocol: str | None = None,
    judge: JudgeConfig | None = None,
) -> tuple[TaskResult, TaskEvaluation]:
    request = ScoreRequest(
        task=build_registry().tasks["llava_bench_wild"],
        predictions=predictions,
        data=DataRequest(
            source=str(_data(tmp_path, size)), cache_dir=str(tmp_path / "cache"), need_media=False
        ),
        protocol=protocol,
        resamples=20,
        judge=judge,
        output_dir=tmp_path / "out",
    )
    results, evaluation = score_predictions(request)
    return results.tasks[0], evaluation


def _lines(tmp_path: Path, judgements: Sequence[str | None]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "predictions.jsonl"
    rows = [
        {"id": i, "answer": f"answer {i}", **({"judgement": j} if j is not None else {})}
        for i, j in enumerate(judgements)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _metrics(task: TaskResult) -> dict[str, Any]:
    return {m.name: m.value for m in task.metrics}


def _assert_official(task: TaskResult, judgements: Sequence[str]) -> None:
    reviews = [(CATEGORIES[i % 3], list(official_tuple(j))) for i, j in enumerate(judgements)]
    metrics = _metrics(task)
    for key, (relative, reference, model) in official_summary(reviews).items():
        suffix = "" if key == "all" else "_" + key.removeprefix("llava_bench_")
        assert metrics[f"relative_score{suffix}"] == relative, key
        assert metrics[f"reference_score{suffix}"] == reference, key
        assert metrics[f"model_score{suffix}"] == model, key


CASES = [
    # 3 items, one per category, and 6 items (two per category)
    ["8 9\nfine", "7 7\nfine", "9 6\nfine"],
    ["1 5", "1 5", "2 5", "1 9", "1 9", "2 9"],
    # the 3-decimal rounding of the means changes the ratio: 1.667 / 1.333 = 125.1, not 125.0
    ["1 1", "1 1", "1 1", "1 2", "2 2", "2 2", "2 2", "2 2", "2 2"],
    # Python's round of 116.65 (the stored double is above it) gives 116.7; numpy's gives 116.6
    ["2 2", "2 2", "2 3", "8 8", "8 8", "8 8"],
    # unparsed reviews are [-1, -1] in both means
    ["8 9", "no scores here", "9 6", "8, 9\nspace after the comma", "8 8", "7 9"],
]


@pytest.mark.parametrize("judgements", CASES)
def test_official_numbers_from_judge_replies(tmp_path: Path, judgements: list[str]) -> None:
    task, _ = _score(tmp_path, _lines(tmp_path, judgements), len(judgements))
    assert task.protocol.name == "official" and task.protocol.official
    _assert_official(task, judgements)
    assert task.judge is not None and task.judge.calls == 0


def test_mean_rounding_quirks_are_pinned(tmp_path: Path) -> None:
    first = ["1 1", "1 2", "2 2"]  # reference 1.333, model 1.667 (rounded means)
    task, _ = _score(tmp_path / "a", _lines(tmp_path / "a", first), 3)
    assert _metrics(task)["relative_score"] == 125.1  # round(1.667 / 1.333 * 100, 1)
    second = ["2 2", "2 2", "2 3"]
    task, _ = _score(tmp_path / "b", _lines(tmp_path / "b", second), 3)
    assert _metrics(task)["relative_score"] == 116.7  # Python's round, not numpy's 116.6
    assert _metrics(task)["model_score"] == 23.3 and _metrics(task)["reference_score"] == 20.0


def test_unparsed_is_minus_one_officially_and_a_failure_under_strict(tmp_path: Path) -> None:
    texts = ["8 9", "Assistant 1: 8", "6 6"]
    official, evaluation = _score(tmp_path / "a", _lines(tmp_path / "a", texts), 3)
    assert official.failures.total == 0 and _metrics(official)["unparsed_count"] == 1
    # ((8 - 1 + 6) / 3, (9 - 1 + 6) / 3) = (4.333, 4.667)
    assert _metrics(official)["relative_score"] == round(4.667 / 4.333 * 100, 1)
    assert official.judge is not None and official.judge.counts.unparseable == 1
    assert official.judge.failed == 0 and task_passed(official, max_failure_rate=0.05)
    record = next(r for r in evaluation.records if r.id == "1")
    assert record.status == "ok" and "[-1, -1]" in (record.reason or "")
    strict, _ = _score(tmp_path / "b", _lines(tmp_path / "b", texts), 3, protocol="strict")
    assert strict.failures.unparseable == 1 and strict.n_scored == 2
    assert _metrics(strict)["relative_score"] == round(7.5 / 7 * 100, 1)
    assert _metrics(strict)["unparsed_count"] == 0
    assert not task_passed(strict, max_failure_rate=0.05)


def test_preference_rates_from_the_official_order(tmp_path: Path) -> None:
    texts = ["8 9", "9 8", "7 7", "6 8"]  # model wins, loses, ties, wins
    task, _ = _score(tmp_path, _lines(tmp_path, texts), 4)
    metrics = _metrics(task)
    assert (metrics["win_rate"], metrics["tie_rate"], metrics["loss_rate"]) == (0.5, 0.25, 0.25)
    assert metrics["position_consistency"] is None  # one order only: no value


def _review_file(path: Path, judgements: Sequence[str], bad_tuple: bool = False) -> Path:
    rows = []
    for i, text in enumerate(judgements):
        pair = list(official_tuple(text))
        rows.append({
            "id": i + 1, "question_id": i, "answer1_id": f"ref-{i}", "answer2_id": f"a{i}",
            "category": f"llava_bench_{CATEGORIES[i % 3]}", "content": text,
            "tuple": [pair[0] + 1, pair[1]] if bad_tuple and i == 0 else pair,
        })  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_official_review_file_scores_as_summarize_gpt_review(tmp_path: Path) -> None:
    texts = ["8 9\nok", "7 6\nok", "garbled", "10 9\nok", "5,6\nok", "6 9\nok"]
    reviews = _review_file(tmp_path / "review_model.jsonl", texts)
    task, _ = _score(tmp_path, reviews, len(texts))
    _assert_official(task, texts)
    assert _metrics(task)["unparsed_count"] == 1 and task.failures.total == 0


def test_review_file_whose_tuple_is_not_its_review_is_refused(tmp_path: Path) -> None:
    reviews = _review_file(tmp_path / "reviews.jsonl", ["8 9", "7 6", "5 5"], bad_tuple=True)
    with pytest.raises(DataError, match="official parse"):
        _score(tmp_path, reviews, 3)


def _api(server: Any, monkeypatch: pytest.MonkeyPatch) -> JudgeConfig:
    monkeypatch.setenv("FAKE_JUDGE_KEY", "sk-test")
    return JudgeConfig(
        spec="openai:gpt-4-0314", base_url=server.base_url, api_key_env="FAKE_JUDGE_KEY",
        timeout_s=5.0, max_retries=0,
    )  # fmt: skip


def test_both_orders_with_a_position_biased_judge(
    tmp_path: Path, fake_judge: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This judge always prefers Assistant 1, whoever it is.
    fake_judge.reply = lambda prompt: "9 5\nThe first answer is better."
    config = _api(fake_judge, monkeypatch)
    answers = _lines(tmp_path, [None] * 6)
    official, _ = _score(tmp_path, answers, 6, judge=config)
    assert fake_judge.calls == 6 and official.judge is not None and official.judge.calls == 6
    assert _metrics(official)["loss_rate"] == 1.0  # the model is always Assistant 2
    assert _metrics(official)["relative_score"] == round(5 / 9 * 100, 1)
    # The swapped order is the only new call per item: the official one comes from the cache.
    both, evaluation = _score(tmp_path, answers, 6, protocol="both", judge=config)
    assert fake_judge.calls == 12 and both.judge is not None and both.judge.calls == 6
    assert both.judge.cached == 6
    metrics = _metrics(both)
    assert metrics["position_consistency"] == 0.0  # the orders never agree ...
    assert metrics["tie_rate"] == 1.0  # ... so every pair is a tie (MT-Bench rule)
    assert metrics["relative_score"] == 100.0  # each side scores (9 + 5) / 2
    for body in fake_judge.bodies[6:]:  # the swapped prompts show the model's answer first
        prompt = str(body["messages"][-1]["content"])
        assert prompt.index("answer ") < prompt.index("[End of Assistant 1]")
    assert all(body["temperature"] == 0.2 for body in fake_judge.bodies)  # the official one
    record = evaluation.records[0]
    assert set(record.judgements) == {"BA"} and record.judgement is not None


def test_both_fails_an_item_whose_swapped_review_is_unparsed(
    tmp_path: Path, fake_judge: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reply(prompt: str) -> str:
        swapped = prompt.index("answer ") < prompt.index("[End of Assistant 1]")
        return "Assistant 1 is better" if swapped and "answer 0" in prompt else "6 8\nok"

    fake_judge.reply = reply
    task, _ = _score(tmp_path, _lines(tmp_path, [None] * 3), 3, protocol="both",
                     judge=_api(fake_judge, monkeypatch))  # fmt: skip
    assert task.failures.unparseable == 1 and task.n_scored == 2
    assert _metrics(task)["position_consistency"] == 0.0  # 6 8 then 8 6 mapped back
