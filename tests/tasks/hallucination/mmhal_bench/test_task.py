"""MMHal-Bench: official judgement parsing, aggregation on hand-made judge texts, data."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from mmalign_eval.evaluation import TaskEvaluation, task_passed
from mmalign_eval.registry import build_registry
from mmalign_eval.results import TaskResult
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.hallucination.mmhal_bench.data import QUESTION_TYPES
from mmalign_eval_tasks.hallucination.mmhal_bench.task import parse_rating


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("Short explanation.\nRating: 5, very informative", 5),
        ("RATING: 0", 0),
        ("rating: 6", 6),
        ("Rating: 3\nRating: 3", 3),  # the same rating twice is still one rating found
        ("Rating: 2 ... or maybe Rating: 4", None),  # two different ratings
        ("Rating:4", None),  # the official rule needs 'rating: s' with the space
        ("I would give it a 4.", None),
        ("Rating: 7", None),
        ("", None),
    ],
)
def test_parse_rating_official_rule(text: str, rating: int | None) -> None:
    assert parse_rating(text) == rating


def _write(tmp_path: Path, judgements: Sequence[str | None]) -> tuple[Path, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    entries = [
        {
            "question_type": QUESTION_TYPES[i % 8],
            "question_topic": "t",
            "image_id": f"img{i}",
            "image_src": f"https://example.org/img{i}.jpg",
            "image_content": ["Cat"],
            "question": f"q{i}",
            "gt_answer": f"a{i}",
            "model_answer": "",
        }
        for i in range(len(judgements))
    ]
    data = tmp_path / "mmhal-bench_answer_template.json"
    data.write_text(json.dumps(entries))
    predictions = tmp_path / "predictions.jsonl"
    lines = [
        json.dumps({"id": i, "text": f"answer {i}", **({"judgement": j} if j is not None else {})})
        for i, j in enumerate(judgements)
    ]
    predictions.write_text("\n".join(lines) + "\n")
    return data, predictions


def _score(
    tmp_path: Path, judgements: Sequence[str | None], protocol: str | None = None
) -> tuple[TaskResult, TaskEvaluation]:
    data, predictions = _write(tmp_path, judgements)
    request = ScoreRequest(
        task=build_registry().tasks["mmhal_bench"],
        predictions=predictions,
        data=DataRequest(source=str(data), cache_dir=str(tmp_path / "cache"), need_media=False),
        protocol=protocol,
        resamples=50,
        output_dir=tmp_path / "out",
    )
    results, evaluation = score_predictions(request)
    return results.tasks[0], evaluation


CASES = [
    # ratings of 8 items (one per type), expected average, hallucination rate, informativeness
    ([6, 5, 4, 3, 2, 1, 0, 3], 24 / 8, 3 / 8, (3 + 2 + 1 + 0 + 2 + 1 + 0 + 0) / 8 / 3 * 100),
    ([6] * 8, 6.0, 0.0, 100.0),
    ([0] * 8, 0.0, 1.0, 0.0),
    ([2] * 8, 2.0, 1.0, 2 / 3 * 100),
]


@pytest.mark.parametrize(("ratings", "average", "hallucination", "informativeness"), CASES)
def test_aggregates_from_judge_texts(
    tmp_path: Path,
    ratings: list[int],
    average: float,
    hallucination: float,
    informativeness: float,
) -> None:
    task, _ = _score(tmp_path, [f"Because. Rating: {r}" for r in ratings])
    assert task.metric("average_score").value == pytest.approx(average)
    assert task.metric("hallucination_rate").value == pytest.approx(hallucination)
    assert task.metric("informativeness").value == pytest.approx(informativeness)
    for qtype, rating in zip(QUESTION_TYPES, ratings, strict=True):
        assert task.metric(f"score_{qtype}").value == pytest.approx(rating)
    assert task.judge is not None and task.judge.counts.ok == 8 and task.judge.calls == 0


def test_unparseable_is_a_failure_by_default_and_zero_under_official(tmp_path: Path) -> None:
    texts = ["Rating: 6", "Rating: 6", "no rating here", "Rating: 6"]
    strict, evaluation = _score(tmp_path / "a", texts)
    assert strict.protocol.name == "strict" and strict.protocol.official is False
    assert strict.failures.unparseable == 1 and strict.n_scored == 3
    assert strict.metric("average_score").value == pytest.approx(6.0)  # excluded, never 0
    assert strict.judge is not None and strict.judge.unparseable_policy == "failure"
    record = next(r for r in evaluation.records if r.id == "2")
    assert record.judgement is not None and record.judgement.status == "unparseable"
    official, _ = _score(tmp_path / "b", texts, protocol="official")
    assert official.protocol.official is True and official.failures.total == 0
    assert official.metric("average_score").value == pytest.approx(18 / 4)  # scored 0
    assert official.judge is not None and official.judge.unparseable_policy == "zero"
    # Under the official rule the unparseable judgement is a scored 0: counted and shown, but
    # not a judge failure, so the run passes without --judge-max-failure-rate 1.
    assert official.judge.counts.unparseable == 1
    assert official.judge.failed == 0 and official.judge.failure_rate == 0.0
    assert task_passed(official, max_failure_rate=0.05)
    assert strict.judge.failed == 1 and strict.judge.failure_rate == pytest.approx(1 / 4)
    assert not task_passed(strict, max_failure_rate=0.05)


def test_lines_without_judgement_and_no_judge_are_not_judged(tmp_path: Path) -> None:
    task, _ = _score(tmp_path, ["Rating: 5", None, "Rating: 3", "Rating: 1"])
    assert task.failures.error == 1 and task.n_scored == 3
    assert task.judge is not None and task.judge.counts.not_judged == 1
    assert task.judge.judge.backend == "precomputed" and task.judge.official is False
    assert all(m.note for m in task.metrics)


def test_no_judgements_and_no_judge_is_a_usage_error(tmp_path: Path) -> None:
    from mmalign_eval.errors import UsageError

    with pytest.raises(UsageError, match="judge"):
        _score(tmp_path, [None, None])


def test_real_template_loads_96_items_in_type_cycle(
    shared_file: Callable[..., Path], tmp_path: Path
) -> None:
    path = shared_file("mmhal_bench", "mmhal-bench_answer_template.json")
    task = build_registry().tasks["mmhal_bench"]
    loaded = task.loader(DataRequest(source=str(path), cache_dir=str(tmp_path), need_media=False))
    assert loaded.provenance.num_items == 96 and loaded.provenance.kind == "local"
    types = [s.info.question_type for s in loaded.samples]
    assert types == [QUESTION_TYPES[i % 8] for i in range(96)]
    first = loaded.samples[0]
    assert first.info.image_content == "Fire hydrant"
    assert task.judge is not None
    prompt = task.judge.render(first, "It is yellow.")
    assert "Fire hydrant" in prompt and first.target in prompt and "It is yellow." in prompt
    assert "Rating: 6" in prompt and "{" not in prompt


def test_synthetic_data_cycles_types_and_has_images(tmp_path: Path) -> None:
    task = build_registry().tasks["mmhal_bench"]
    loaded = task.loader(DataRequest(source="synthetic:16", cache_dir=str(tmp_path)))
    assert [s.info.question_type for s in loaded.samples] == list(QUESTION_TYPES) * 2
    assert all(Path(s.media[0].path or "").is_file() for s in loaded.samples)
    assert loaded.provenance.kind == "synthetic"
