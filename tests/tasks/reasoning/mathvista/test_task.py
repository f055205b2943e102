"""MathVista task: protocols, plans, the judge's calls, metrics and `score` inputs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import ANSWER, JUDGE, ChoiceScore, Evidence, Response, Sample
from mmalign_eval.contracts import GenerationParams, unread_media
from mmalign_eval.errors import DataError
from mmalign_eval.judges.records import Verdict
from mmalign_eval.metrics.base import evaluate
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.reasoning.mathvista import task as mathvista
from mmalign_eval_tasks.reasoning.mathvista.data import sample_from_row
from mmalign_eval_tasks.reasoning.mathvista.predictions import read_mathvista_predictions
from mmalign_eval_tasks.reasoning.mathvista.problem import MathVistaInfo
from mmalign_eval_tasks.reasoning.mathvista.synthetic import LABEL_FILE, ensure_synthetic_mathvista

SharedFile = Callable[..., Path]
TASK = mathvista.mathvista_testmini()
FRACTIONS = ["3/11", "8/11", "6/11", "3/5"]


def _sample(pid: str = "1", **changes: Any) -> Sample[MathVistaInfo]:
    row: dict[str, Any] = {
        "question": "What fraction of the shape is blue?", "choices": FRACTIONS, "unit": None,
        "precision": None, "answer": "8/11", "question_type": "multi_choice",
        "answer_type": "text",
        "metadata": {"task": "math word problem", "skills": ["arithmetic reasoning"]},
    }  # fmt: skip
    row.update(changes)
    sample: Sample[MathVistaInfo] = sample_from_row(pid, row, unread_media(f"{pid}.png"))
    return sample


FREE: dict[str, Any] = {
    "choices": None,
    "answer": "14",
    "question_type": "free_form",
    "answer_type": "integer",
}


def _evidence(
    sample: Sample[MathVistaInfo], reply: str = "", extraction: str | None = None, **extra: Any
) -> Evidence[MathVistaInfo]:
    response = Response(key="k", text=reply, finish_reason="stop", **extra)
    verdicts = {} if extraction is None else {JUDGE: Verdict("ok", extraction)}
    return Evidence(sample, {ANSWER: response}, verdicts)


def test_protocols_declared() -> None:
    assert TASK.protocol_names == ("judge", "strict", "rule", "likelihood")
    assert TASK.default_protocol == TASK.official_protocol == "judge"
    assert [TASK.uses_judge(p) for p in TASK.protocol_names] == [True, True, False, False]
    assert TASK.protocol("likelihood").asks == "loglikelihood"
    assert TASK.judge is not None and TASK.judge.official_model == "gpt-4-0613"
    assert TASK.primary_metric == "accuracy"


# (extraction, protocol, status, correct, fallback)
JUDGED = [
    ("B", "judge", "ok", 1.0, 0.0),
    ("B", "strict", "ok", 1.0, 0.0),
    ("8/12", "judge", "ok", 1.0, 1.0),  # the closest choice is credited, and counted
    ("8/12", "strict", "unparseable", None, None),
    ("", "judge", "ok", 0.0, 1.0),  # an empty extraction credits the shortest choice
    ("E", "judge", "ok", 0.0, 1.0),
]


@pytest.mark.parametrize(("extraction", "protocol", "status", "correct", "fallback"), JUDGED)
def test_judged_multi_choice(
    extraction: str, protocol: str, status: str, correct: float | None, fallback: float | None
) -> None:
    item = TASK.score(_evidence(_sample(), "reply", extraction), TASK.protocol(protocol))
    assert item.status == status
    assert item.values.get("correct") == correct
    assert item.values.get("fallback") == fallback
    if fallback or status != "ok":
        assert item.reason is not None and "closest choice" in item.reason


def test_unreadable_number_is_wrong_officially_and_a_failure_under_strict() -> None:
    sample = _sample(**FREE)
    item = TASK.score(_evidence(sample, "14 apples", "14 apples"), TASK.protocol("judge"))
    assert item.status == "ok" and item.values["correct"] == 0.0
    assert item.values["unreadable"] == 1.0 and "not a number" in str(item.reason)
    strict = TASK.score(_evidence(sample, "14 apples", "14 apples"), TASK.protocol("strict"))
    assert strict.status == "unparseable"


def test_missing_judgement_is_a_failure() -> None:
    sample = _sample()
    evidence = Evidence(sample, {ANSWER: Response(key="k", text="B", finish_reason="stop")}, {})
    assert TASK.score(evidence, TASK.protocol("judge")).status == "error"


# (reply, problem changes, status, correct)
RULE = [
    ("The answer is (B).", {}, "ok", 1.0),
    ("8/11", {}, "ok", 1.0),
    ("no idea", {}, "unparseable", None),
    ("", {}, "unparseable", None),  # officially the shortest choice; never credited here
    ('The answer is "8/12".', {}, "unparseable", None),  # would need the fallback
    ("So the answer is 14.", FREE, "ok", 1.0),
    ("So the answer is 14 apples.", FREE, "ok", 1.0),
    ("fourteen", FREE, "unparseable", None),
]


@pytest.mark.parametrize(("reply", "changes", "status", "correct"), RULE)
def test_rule_protocol(reply: str, changes: dict[str, Any], status: str, correct: Any) -> None:
    item = TASK.score(_evidence(_sample(**changes), reply), TASK.protocol("rule"))
    assert item.status == status
    assert item.values.get("correct") == correct


def test_likelihood_ranks_letters_for_multiple_choice_only() -> None:
    protocol = TASK.protocol("likelihood")
    generation = GenerationParams()
    (call,) = TASK.plan(_sample(), generation, protocol)
    assert call.kind == "loglikelihood" and call.options == ("A", "B", "C", "D")
    (free,) = TASK.plan(_sample(**FREE), generation, protocol)
    assert free.kind == "generate"
    (plain,) = TASK.plan(_sample(), generation, TASK.protocol("judge"))
    assert plain.kind == "generate"
    assert plain.request.messages[0].content[-1].text == _sample().question
    scores = tuple(ChoiceScore(option=o, logprob=-i, num_tokens=1) for i, o in enumerate("CABD"))
    item = TASK.score(_evidence(_sample(), choices=scores), protocol)
    assert item.status == "ok" and item.parsed is not None and item.values["correct"] == 0.0
    free_item = TASK.score(_evidence(_sample(**FREE), "It is 14."), protocol)
    assert free_item.values["correct"] == 1.0  # free form: generated, read by the rule


def test_judge_calls_use_the_official_shortcuts() -> None:
    assert TASK.judge is not None
    sample = _sample(**FREE)
    responses = {ANSWER: Response(key="k", text="14", finish_reason="stop")}
    (call,) = TASK.judge.requests(sample, responses, choice=False)
    assert call.fixed == "14" and call.choices == ()
    responses = {ANSWER: Response(key="k", text="It is 14 or 15.", finish_reason="stop")}
    (call,) = TASK.judge.requests(sample, responses, choice=True)
    assert call.fixed is None and call.choices == ("14", "15")
    assert call.text.endswith(f"{sample.question}\n\nIt is 14 or 15.\n\nExtracted answer: ")
    (mc,) = TASK.judge.requests(_sample(), responses, choice=True)
    assert mc.choices == ("A", "B", "C", "D")
    # `score` reads replies without their problem: only the empty reply is settled there.
    assert TASK.judge.fixed("") == "" and TASK.judge.fixed("14") is None


def test_judge_template_has_the_five_official_shots() -> None:
    assert TASK.judge is not None
    text = TASK.judge.template.text
    assert text.count("\n\nExtracted answer: ") == 6 and text.endswith("Extracted answer: ")
    for answer in ("14", "0.6", "1.45", "[2007, 2008]", "B"):
        assert f"Extracted answer: {answer}\n" in text
    assert text.count("{query}") == text.count("{response}") == 1


TWO_SKILLS = ["arithmetic reasoning", "algebraic reasoning"]


def test_group_metrics_on_a_miniature() -> None:
    samples = [
        _sample("1"),  # multiple choice, arithmetic
        _sample("2", **FREE, metadata={"task": "math word problem", "skills": TWO_SKILLS}),
        _sample("3", **{**FREE, "answer_type": "float", "precision": 1, "answer": "0.5"}),
    ]
    extractions = ["8/12", "14", "0.55"]  # right (fallback), right, wrong (rounds to 0.6)
    items = [
        TASK.score(_evidence(s, "r", e), TASK.protocol("judge"))
        for s, e in zip(samples, extractions, strict=True)
    ]
    metrics = evaluate(TASK.metrics, items)
    assert metrics["accuracy"] == pytest.approx(2 / 3)
    assert metrics["fallback_rate"] == pytest.approx(1 / 3)
    assert metrics["accuracy_question_type_multi_choice"] == 1.0
    assert metrics["accuracy_question_type_free_form"] == 0.5
    assert metrics["accuracy_answer_type_float"] == 0.0
    assert metrics["accuracy_skills_arithmetic_reasoning"] == pytest.approx(2 / 3)
    assert metrics["accuracy_skills_algebraic_reasoning"] == 1.0  # counted in both skills
    assert metrics["accuracy_task_math_word_problem"] == pytest.approx(2 / 3)
    assert metrics["accuracy_answer_type_list"] != metrics["accuracy_answer_type_list"]  # NaN


# -- predictions files ----------------------------------------------------------------------


def test_official_output_file(tmp_path: Path) -> None:
    path = tmp_path / "output_model.json"
    path.write_text(json.dumps({
        "1": {"pid": "1", "response": "It is B.", "extraction": "B"},
        "2": {"pid": "2", "response": "[1, 2]", "extraction": [1, 2]},  # str() as officially
        "3": {"pid": "3", "response": "Hm"},  # no extraction: the judge is asked
        "4": {"pid": "4", "error": "timeout", "extraction": None},  # str(None) is "None"
        "5": {"pid": "5", "error": "timeout"},
    }))  # fmt: skip
    found = read_mathvista_predictions(path)
    assert found is not None
    assert [(p.text, p.judgement) for p in found.values()] == [
        ("It is B.", "B"), ("[1, 2]", "[1, 2]"), ("Hm", None), ("", "None"), (None, None),
    ]  # fmt: skip
    assert found["5"].invalid is not None


def test_official_output_file_keys_are_pids(tmp_path: Path) -> None:
    path = tmp_path / "output_model.json"
    path.write_text(json.dumps({"1": {"pid": "2", "response": "B"}}))
    with pytest.raises(DataError, match="pid"):
        read_mathvista_predictions(path)


def test_json_lines_with_extraction(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    lines = [{"id": "1", "answer": "It is B.", "extraction": "B"}, {"pid": "2", "answer": "3"}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    found = read_mathvista_predictions(path)
    assert found is not None and found["1"].judgement == "B" and found["2"].judgement is None
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"id": "1", "answer": "B"}) + "\n")
    assert read_mathvista_predictions(plain) is None  # the harness's own reader reads it
    both = tmp_path / "both.jsonl"
    both.write_text(json.dumps({"id": "1", "answer": "B", "extraction": "B", "judgement": "B"}))
    with pytest.raises(DataError, match="both"):
        read_mathvista_predictions(both)


def _score(predictions: Path, labels: Path, cache: Path, **changes: Any) -> Any:
    request = ScoreRequest(
        task=TASK, predictions=predictions, protocol=changes.pop("protocol", None),
        data=DataRequest(source=str(labels), cache_dir=str(cache), need_media=False),
        resamples=50, **changes,
    )  # fmt: skip
    results, _ = score_predictions(request)
    (result,) = results.tasks
    return result


def test_score_official_file_of_synthetic_answers(tmp_path: Path) -> None:
    folder = ensure_synthetic_mathvista(tmp_path / "data", 12)
    problems = json.loads((folder / LABEL_FILE).read_text())
    output = {pid: {**p, "response": "?", "extraction": p["answer"]} for pid, p in problems.items()}
    output["1"]["extraction"] = "nothing like it"  # multiple choice: closest choice credited
    path = tmp_path / "output_synthetic.json"
    path.write_text(json.dumps(output))
    result = _score(path, folder / LABEL_FILE, tmp_path / "cache")
    metrics = {m.name: m.value for m in result.metrics}
    assert result.n_samples == 12 and result.failures.model_dump()["missing"] == 0
    assert metrics["fallback_rate"] == pytest.approx(1 / 12)
    rule = _score(path, folder / LABEL_FILE, tmp_path / "cache", protocol="rule")
    assert rule.failures.unparseable == 12  # every response is "?"


def test_score_real_labels_with_their_own_answers(shared_file: SharedFile, tmp_path: Path) -> None:
    labels = shared_file("mathvista", "testmini.json")
    problems = json.loads(labels.read_text())
    path = tmp_path / "output_answers.json"
    path.write_text(json.dumps({pid: {"response": p["answer"], "extraction": p["answer"]}
                                for pid, p in problems.items()}))  # fmt: skip
    result = _score(path, labels, tmp_path / "cache")
    metrics = {m.name: m.value for m in result.metrics}
    # pids 168 and 849: the answer '(b)' reads as the letter B (see test_normalize.py).
    assert metrics["accuracy"] == pytest.approx(0.998, abs=1e-9)
    assert metrics["accuracy_question_type_free_form"] == 1.0
    assert metrics["fallback_rate"] == 0.0
