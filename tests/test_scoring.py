"""`score`: external predictions matched to the benchmark by id and scored offline."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.hashing import sha256_file
from mmalign_eval.results import TaskResult
from mmalign_eval.scoring import ScoreRequest, read_predictions, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.hallucination.pope import task as pope
from mmalign_eval_tasks.hallucination.pope.synthetic import ensure_synthetic_pope, label_file_name

SharedFile = Callable[..., Path]
UNKNOWN_ID = "999999"


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _label_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _score(
    labels: Path,
    predictions: Path,
    cache: Path,
    split: str = "adversarial",
    protocol: str | None = None,
    max_failure_rate: float = 0.05,
) -> TaskResult:
    task = {"adversarial": pope.pope_adversarial, "random": pope.pope_random}[split]()
    request = ScoreRequest(
        task=task,
        predictions=predictions,
        data=DataRequest(source=str(labels), cache_dir=str(cache), need_media=False),
        protocol=protocol,
        resamples=200,
        max_failure_rate=max_failure_rate,
    )
    results, evaluation = score_predictions(request)
    assert results.kind == "score"
    assert results.predictions is not None
    assert results.predictions.sha256 == sha256_file(predictions)
    assert len(evaluation.records) == evaluation.result.n_samples
    (result,) = results.tasks
    assert results.passed == (result.failure_rate <= max_failure_rate)
    return result


def _expected(pairs: list[tuple[str, str]]) -> dict[str, float | None]:
    """Metrics from (predicted, gold) pairs with plain arithmetic."""
    tp = sum(p == "yes" and g == "yes" for p, g in pairs)
    fp = sum(p == "yes" and g == "no" for p, g in pairs)
    tn = sum(p == "no" and g == "no" for p, g in pairs)
    fn = sum(p == "no" and g == "yes" for p, g in pairs)
    assert tp + fp + tn + fn == len(pairs)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    if precision is None or recall is None or precision + recall == 0:
        f1 = 0.0 if tp + fp + fn else None
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return {
        "accuracy": (tp + tn) / len(pairs),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "yes_ratio": (tp + fp) / len(pairs),
    }


def _assert_metrics(result: TaskResult, expected: dict[str, float | None]) -> None:
    assert {m.name for m in result.metrics} == set(expected)
    for name, want in expected.items():
        metric = result.metric(name)
        if want is None:
            assert metric.value is None, name
        else:
            assert metric.value is not None, name
            assert metric.value == pytest.approx(want, abs=1e-12), name
            assert metric.ci is not None
            assert metric.ci.low <= metric.value <= metric.ci.high, name
    assert [m.name for m in result.metrics if m.primary] == ["f1"]


def _pattern_predictions(rows: list[dict[str, Any]], path: Path) -> tuple[Path, list[str]]:
    """'Yes' for every 3rd question, 'No.' otherwise; every 13th dropped; extra id; shuffled."""
    lines: list[dict[str, Any]] = []
    dropped = []
    for i, row in enumerate(rows):
        qid = row["question_id"]
        if i % 13 == 5:
            dropped.append(str(qid))
            continue
        answer = "Yes" if i % 3 == 0 else "No."
        if i % 11 == 0:
            lines.append({"id": str(qid), "answer": answer})  # the alternative field names
        else:
            lines.append({"question_id": qid, "prompt": row["text"], "text": answer})
    lines.append({"question_id": UNKNOWN_ID, "text": "Yes"})
    random.Random(4).shuffle(lines)
    return _write_jsonl(path, lines), dropped


@pytest.fixture
def real_labels(shared_file: SharedFile) -> Path:
    return shared_file("pope", "coco_head_08d957b", "coco_pope_adversarial.json")


def test_real_labels_known_pattern(real_labels: Path, tmp_path: Path) -> None:
    rows = _label_rows(real_labels)
    assert len(rows) == 3000
    predictions, dropped = _pattern_predictions(rows, tmp_path / "answers.jsonl")
    result = _score(real_labels, predictions, tmp_path / "cache")

    pairs = [
        ("yes" if i % 3 == 0 else "no", row["label"]) for i, row in enumerate(rows) if i % 13 != 5
    ]
    _assert_metrics(result, _expected(pairs))
    # Unanswered benchmark ids are failures (missing), never silently left out.
    assert result.n_samples == 3000
    assert result.n_scored == len(pairs) == 3000 - len(dropped)
    assert result.failures.missing == result.failures.total == len(dropped)
    assert result.failure_rate == pytest.approx(len(dropped) / 3000)
    assert result.matching is not None
    assert result.matching.missing_predictions == len(dropped)
    assert result.matching.missing_examples == dropped[:10]
    assert result.matching.unmatched_predictions == 1
    assert result.matching.unmatched_examples == [UNKNOWN_ID]
    assert result.protocol.name == "official"
    assert result.protocol.official
    assert "08d957b adversarial" in str(result.data.version_note)
    # Per-image clusters make the bootstrap resample images.
    f1_ci = result.metric("f1").ci
    assert f1_ci is not None
    assert f1_ci.resampling_unit == "image"


def test_matching_is_by_id_not_line_order(real_labels: Path, tmp_path: Path) -> None:
    rows = _label_rows(real_labels)
    predictions, _ = _pattern_predictions(rows, tmp_path / "shuffled.jsonl")
    shuffled = _score(real_labels, predictions, tmp_path / "cache")
    ordered_rows = sorted(
        _label_rows(predictions), key=lambda r: str(r.get("question_id", r.get("id")))
    )
    ordered = _score(
        real_labels, _write_jsonl(tmp_path / "ordered.jsonl", ordered_rows), tmp_path / "cache"
    )
    assert [m.value for m in shuffled.metrics] == [m.value for m in ordered.metrics]
    # Scoring the answers in line order against the labels would give different numbers.
    by_line = [
        ("yes" if str(p.get("text", p.get("answer"))) == "Yes" else "no", row["label"])
        for p, row in zip(_label_rows(predictions), rows, strict=False)
    ]
    assert _expected(by_line)["accuracy"] != pytest.approx(shuffled.metric("accuracy").value)


def test_real_labels_all_no(real_labels: Path, tmp_path: Path) -> None:
    rows = _label_rows(real_labels)
    predictions = _write_jsonl(
        tmp_path / "no.jsonl", [{"question_id": r["question_id"], "text": "No"} for r in rows]
    )
    result = _score(real_labels, predictions, tmp_path / "cache")
    assert result.metric("accuracy").value == pytest.approx(0.5)  # POPE is balanced
    assert result.metric("precision").value is None  # no predicted yes: 0/0
    assert result.metric("recall").value == 0.0
    assert result.metric("f1").value == 0.0
    assert result.metric("yes_ratio").value == 0.0


# -- synthetic labels (always available) -----------------------------------------------


@pytest.fixture
def synthetic_labels(tmp_path: Path) -> Path:
    return ensure_synthetic_pope(tmp_path / "data", num_images=6) / "coco_pope_random.json"


@pytest.mark.parametrize(
    "answer_for",
    [
        lambda i, gold: gold.capitalize() + ".",  # perfect
        lambda i, gold: "Yes",  # always yes
        lambda i, gold: "No, there is not." if i % 2 else "There is one.",
        lambda i, gold: "not" if i % 5 == 0 else ("Yes" if gold == "no" else "No"),
    ],
    ids=["perfect", "always yes", "alternating", "mostly wrong"],
)
def test_synthetic_labels(
    synthetic_labels: Path, tmp_path: Path, answer_for: Callable[[int, str], str]
) -> None:
    rows = _label_rows(synthetic_labels)
    answers = [answer_for(i, row["label"]) for i, row in enumerate(rows)]
    lines = [
        {"question_id": r["question_id"], "text": a} for r, a in zip(rows, answers, strict=True)
    ]
    predictions = _write_jsonl(tmp_path / "answers.jsonl", lines[::-1])
    result = _score(synthetic_labels, predictions, tmp_path / "cache", split="random")
    parsed = [pope.parse_official(a).value or "" for a in answers]
    _assert_metrics(result, _expected(list(zip(parsed, [r["label"] for r in rows], strict=True))))
    assert result.n_samples == len(rows) == 36
    assert result.matching is not None
    assert result.matching.missing_predictions == result.matching.unmatched_predictions == 0
    assert result.data.kind == "official_files"


def test_synthetic_lenient_counts_failures(synthetic_labels: Path, tmp_path: Path) -> None:
    rows = _label_rows(synthetic_labels)
    lines = [
        {"question_id": r["question_id"], "text": "purple" if i < 4 else r["label"]}
        for i, r in enumerate(rows)
    ]
    predictions = _write_jsonl(tmp_path / "answers.jsonl", lines)
    result = _score(synthetic_labels, predictions, tmp_path / "cache", "random", "lenient")
    assert result.protocol.name == "lenient"
    assert not result.protocol.official
    assert result.failures.unparseable == 4
    assert result.n_samples == 36
    assert result.n_scored == 32
    assert result.failure_rate == pytest.approx(4 / 36)
    assert [e.sample_id for e in result.failure_examples] == [
        str(r["question_id"]) for r in rows[:4]
    ]
    # Failures are not scored: the other 32 answers are all correct.
    assert result.metric("accuracy").value == 1.0
    # Under the official rule the same answers never fail ('purple' reads as yes).
    official = _score(synthetic_labels, predictions, tmp_path / "cache", "random")
    assert official.failures.total == 0
    assert official.metric("accuracy").value == pytest.approx(34 / 36)  # 2 of the 4 are "no"


def test_failure_threshold_sets_passed(synthetic_labels: Path, tmp_path: Path) -> None:
    rows = _label_rows(synthetic_labels)
    lines = [{"question_id": r["question_id"], "text": "purple"} for r in rows[:2]]
    lines += [{"question_id": r["question_id"], "text": "yes"} for r in rows[2:]]
    predictions = _write_jsonl(tmp_path / "answers.jsonl", lines)
    cache = tmp_path / "cache"
    # _score asserts passed == (failure_rate <= max_failure_rate) for each threshold.
    assert (
        _score(synthetic_labels, predictions, cache, "random", "lenient", 0.05).failure_rate > 0.05
    )
    assert (
        _score(synthetic_labels, predictions, cache, "random", "lenient", 0.10).failure_rate <= 0.10
    )


# -- malformed predictions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ('{"question_id": 1, "text": "yes"}\n{"text": "no"}\n', "line 2 lacks an id"),
        ('{"question_id": 1, "text": "yes"}\n{"question_id": 2}\n', "line 2 lacks"),
        (
            '{"question_id": 1, "text": "yes"}\n{"question_id": 1, "text": "no"}\n',
            "id 1 appears twice",
        ),
        ('{"question_id": 1, "text": "yes"}\n{"id": "1", "text": "no"}\n', "id 1 appears twice"),
        (
            '{"question_id": 1, "text": "yes"}\n\n{"question_id": 2, "text": "no"\n',
            r"answers\.jsonl:3 ",
        ),
        ('{"question_id": 1, "text": "yes"}\n[1, 2]\n', r"answers\.jsonl:2 is not a JSON object"),
        ('{"id": 1, "text": "a", "judgements": "[[A>B]]"}\n', "line 1: 'judgements' is not"),
        ('{"id": 1, "text": "a", "judgements": {"BA": 3}}\n', "line 1: 'judgements' is not"),
    ],
    ids=[
        "no id",
        "no text",
        "duplicate id",
        "duplicate across fields",
        "bad json",
        "not object",
        "judgements text",
        "judgements number",
    ],
)
def test_malformed_predictions(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=match):
        read_predictions(path)


def test_malformed_predictions_stop_scoring(synthetic_labels: Path, tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text('{"question_id": 1, "text": "yes"}\n{"question_id": 1, "text": "no"}\n')
    with pytest.raises(DataError, match="appears twice"):
        _score(synthetic_labels, path, tmp_path / "cache", "random")


def test_no_matching_ids(synthetic_labels: Path, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "answers.jsonl", [{"question_id": "x1", "text": "yes"}])
    with pytest.raises(DataError, match="none of the 1 prediction ids"):
        _score(synthetic_labels, path, tmp_path / "cache", "random")


def test_missing_predictions_file(synthetic_labels: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        _score(synthetic_labels, tmp_path / "nope.jsonl", tmp_path / "cache", "random")


def test_read_predictions_fields(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "answers.jsonl",
        [
            {"question_id": 7, "text": "Yes", "answer": "ignored"},
            {"id": "8", "response": "No"},
            {"question_id": 9, "answer": 1},
        ],
    )
    predictions = read_predictions(path)
    assert {k: p.text for k, p in predictions.items()} == {"7": "Yes", "8": "No", "9": None}
    assert all(p.judgements == {} for p in predictions.values())
    judged = _write_jsonl(tmp_path / "judged.jsonl", [
        {"id": 1, "text": "a", "judgement": "[[A>B]]", "judgements": {"BA": "[[B>A]]"}},
    ])  # fmt: skip
    (line,) = read_predictions(judged).values()
    assert (line.judgement, line.judgements) == ("[[A>B]]", {"BA": "[[B>A]]"})
    assert predictions["9"].invalid == "'answer' is a number, not text"


# -- answers that were not read (issue: `score` never passes on answers it did not read) --


def _request(labels: Path, predictions: Path, cache: Path, **changes: Any) -> ScoreRequest:
    fields: dict[str, Any] = {
        "task": pope.pope_random(),
        "predictions": predictions,
        "data": DataRequest(source=str(labels), cache_dir=str(cache), need_media=False),
        "protocol": None,
        "resamples": 50,
    }
    return ScoreRequest(**{**fields, **changes})


# (the answer field's JSON value, the reason recorded)
NOT_TEXT = [
    (None, "'text' is null, not text"),
    (["No"], "'text' is a list, not text"),
    ({"answer": "No"}, "'text' is an object, not text"),
    (0, "'text' is a number, not text"),
    (False, "'text' is a boolean, not text"),
]


@pytest.mark.parametrize(("value", "reason"), NOT_TEXT)
def test_an_answer_that_is_not_text_is_a_failure(
    synthetic_labels: Path, tmp_path: Path, value: object, reason: str
) -> None:
    rows = _label_rows(synthetic_labels)
    lines = [{"question_id": r["question_id"], "text": r["label"]} for r in rows]
    lines[0]["text"] = value  # type: ignore[assignment]
    predictions = _write_jsonl(tmp_path / "answers.jsonl", lines)
    results, evaluation = score_predictions(_request(synthetic_labels, predictions, tmp_path))
    (result,) = results.tasks
    assert result.failures.error == result.failures.total == 1
    assert result.metric("accuracy").value == 1.0  # the 35 others; str(None) is not "yes"
    record = next(r for r in evaluation.records if r.id == str(rows[0]["question_id"]))
    assert record.status == "error" and reason in str(record.reason)


def test_unanswered_ids_count_unless_ids_or_limit_leave_them_out(
    synthetic_labels: Path, tmp_path: Path
) -> None:
    rows = _label_rows(synthetic_labels)
    answered = rows[:2]
    lines = [{"question_id": r["question_id"], "text": r["label"]} for r in answered]
    predictions = _write_jsonl(tmp_path / "two.jsonl", lines)
    results, _ = score_predictions(_request(synthetic_labels, predictions, tmp_path))
    (result,) = results.tasks
    assert not results.passed and result.failures.missing == 34 and result.n_scored == 2
    assert result.failure_rate == pytest.approx(34 / 36)
    ids = tuple(str(r["question_id"]) for r in answered)
    chosen, _ = score_predictions(_request(synthetic_labels, predictions, tmp_path, ids=ids))
    assert chosen.passed and chosen.tasks[0].n_samples == 2
    limited, _ = score_predictions(_request(synthetic_labels, predictions, tmp_path, limit=2))
    assert limited.passed and limited.tasks[0].failures.total == 0


def test_limit_counts_the_unanswered_among_the_first_items(
    synthetic_labels: Path, tmp_path: Path
) -> None:
    rows = _label_rows(synthetic_labels)
    lines = [{"question_id": r["question_id"], "text": r["label"]} for r in rows[1:]]
    predictions = _write_jsonl(tmp_path / "answers.jsonl", lines)
    results, _ = score_predictions(_request(synthetic_labels, predictions, tmp_path, limit=4))
    (result,) = results.tasks
    assert result.n_samples == 4 and result.failures.missing == 1
    assert result.matching is not None and result.matching.outside_selection == 32


def test_unknown_ids_are_a_usage_error(synthetic_labels: Path, tmp_path: Path) -> None:
    rows = _label_rows(synthetic_labels)
    lines = [{"question_id": r["question_id"], "text": "Yes"} for r in rows]
    predictions = _write_jsonl(tmp_path / "answers.jsonl", lines)
    request = _request(synthetic_labels, predictions, tmp_path, ids=("1", "2", "99999"))
    with pytest.raises(UsageError, match=r"--ids names 1 ids .*\(e\.g\. 99999\)"):
        score_predictions(request)


def _questions(path: Path) -> dict[str, str]:
    return {str(r["question_id"]): r["text"] for r in _label_rows(path)}


@pytest.mark.parametrize("field", ["prompt", "question"])
def test_answers_to_another_split_are_refused(
    synthetic_labels: Path, tmp_path: Path, field: str
) -> None:
    # Every split numbers its questions 1..36; their "no" questions differ.
    other = synthetic_labels.with_name(label_file_name("adversarial"))
    asked = _questions(other)
    lines = [{"question_id": int(i), field: q, "text": "No"} for i, q in asked.items()]
    predictions = _write_jsonl(tmp_path / "answers.jsonl", lines)
    differ = sorted(i for i, q in _questions(synthetic_labels).items() if asked[i] != q)
    assert differ  # the test data must contain the trap
    with pytest.raises(UsageError, match=f"{len(differ)} predictions ask another question"):
        score_predictions(_request(synthetic_labels, predictions, tmp_path))
    # Answers to the right split, with the prompt suffix and image token LLaVA writes, pass.
    own = _questions(synthetic_labels)
    lines = [
        {"question_id": int(i), field: f"<image>\n{q}\nAnswer with one word.", "text": "No"}
        for i, q in own.items()
    ]
    good = _write_jsonl(tmp_path / "good.jsonl", lines)
    results, _ = score_predictions(_request(synthetic_labels, good, tmp_path))
    assert results.tasks[0].failures.total == 0


def test_a_question_file_with_answers_added_reads_the_answer(
    synthetic_labels: Path, tmp_path: Path
) -> None:
    # The official question file (question in `text`) with the model's answer as `answer`.
    rows = [{**r, "answer": r["label"].capitalize()} for r in _label_rows(synthetic_labels)]
    predictions = _write_jsonl(tmp_path / "answers.jsonl", rows)
    results, _ = score_predictions(_request(synthetic_labels, predictions, tmp_path))
    assert results.tasks[0].metric("accuracy").value == 1.0  # not the question read as "yes"


def test_real_popular_answers_against_adversarial_labels(
    shared_file: SharedFile, tmp_path: Path
) -> None:
    # LLaVA's published-answer format: prompt = the question, text = the answer.
    folder = shared_file("pope", "coco_head_08d957b")
    popular = _label_rows(folder / "coco_pope_popular.json")
    lines = [{"question_id": r["question_id"], "prompt": r["text"], "text": "No"} for r in popular]
    predictions = _write_jsonl(tmp_path / "llava_popular.jsonl", lines)
    request = _request(
        folder / "coco_pope_adversarial.json",
        predictions,
        tmp_path,
        task=pope.pope_adversarial(),
    )
    with pytest.raises(UsageError, match="ask another question than pope_adversarial"):
        score_predictions(request)


def test_judgements_a_protocol_does_not_read_are_never_silently_ignored(
    synthetic_labels: Path, tmp_path: Path
) -> None:
    rows = _label_rows(synthetic_labels)
    lines = [{"question_id": r["question_id"], "text": "Yes", "judgement": "x"} for r in rows]
    predictions = _write_jsonl(tmp_path / "answers.jsonl", lines)
    with pytest.raises(UsageError, match="'judgement' fields, which protocol official"):
        score_predictions(_request(synthetic_labels, predictions, tmp_path))
    named, _ = score_predictions(
        _request(synthetic_labels, predictions, tmp_path, protocol="official")
    )
    assert named.tasks[0].n_scored == 36
