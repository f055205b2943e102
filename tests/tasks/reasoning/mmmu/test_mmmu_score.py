"""`score mmmu_val`: the official output formats (output.json records, total_val_output.json)
and the harness's JSON Lines, read and scored on synthetic data."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import DataError, DataRequest, Sample, UsageError
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.testing import run_cli
from mmalign_eval_tasks.reasoning.mmmu.data import SOURCES
from mmalign_eval_tasks.reasoning.mmmu.items import MMMUInfo
from mmalign_eval_tasks.reasoning.mmmu.outputs import read_outputs
from mmalign_eval_tasks.reasoning.mmmu.task import mmmu_val

SIZE = 12


def _samples(cache_dir: Path) -> list[Sample[MMMUInfo]]:
    request = DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(cache_dir), need_media=False)
    samples: list[Sample[MMMUInfo]] = SOURCES.load(request).samples
    return samples


def _right(sample: Sample[MMMUInfo]) -> str:
    return f"The answer is ({sample.target})." if sample.info.options else sample.target


def _score(cache_dir: Path, path: Path, protocol: str | None = None) -> dict[str, Any]:
    request = ScoreRequest(
        task=mmmu_val(), predictions=path, protocol=protocol, resamples=10,
        data=DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(cache_dir), need_media=False),
    )  # fmt: skip
    results, evaluation = score_predictions(request)
    task = results.tasks[0]
    metrics = {m.name: m.value for m in task.metrics}
    return {"metrics": metrics, "failures": task.failures, "records": evaluation.records}


def _output_records(samples: list[Sample[MMMUInfo]], reply: Any) -> list[dict[str, Any]]:
    """main_parse_and_eval.py's output.json records."""
    records = []
    for sample in samples:
        record: dict[str, Any] = {"id": sample.id, "question_type": sample.info.question_type,
                                  "answer": sample.target, "response": reply(sample)}  # fmt: skip
        if sample.info.options:
            record["all_choices"] = list(sample.info.options)
            record["index2ans"] = sample.info.options
        records.append(record)
    return records


def test_output_json_records_score_like_the_official_parser(
    cache_dir: Path, tmp_path: Path
) -> None:
    samples = _samples(cache_dir)
    path = tmp_path / "output.json"
    path.write_text(json.dumps(_output_records(samples, _right)))
    scored = _score(cache_dir, path)
    assert scored["metrics"]["accuracy"] == 1.0
    assert scored["metrics"]["fallback_rate"] == 0.0
    assert scored["metrics"]["accuracy_business"] == 1.0  # Accounting, Economics, ...


def test_unread_replies_draw_in_the_official_order(cache_dir: Path, tmp_path: Path) -> None:
    samples = _samples(cache_dir)
    path = tmp_path / "output.json"
    path.write_text(json.dumps(_output_records(samples, lambda s: "I am not sure.")))
    scored = _score(cache_dir, path)
    reference = random.Random(42)
    expected = {s.id: reference.choice(list(s.info.options)) for s in samples if s.info.options}
    picks = {r.id: r.parsed for r in scored["records"] if r.id in expected}
    assert picks == {i: {"letter": c, "fallback": "random.choice"} for i, c in expected.items()}
    choices = len(expected)
    assert scored["metrics"]["fallback_rate"] == pytest.approx(choices / SIZE)
    strict = _score(cache_dir, path, "strict")
    assert strict["failures"].unparseable == choices
    assert strict["metrics"]["fallback_rate"] == 0.0


def test_total_val_output_maps_ids_to_answers(cache_dir: Path, tmp_path: Path) -> None:
    samples = _samples(cache_dir)
    # main_eval_only.py's input: the parsed letter, or the open reply.
    answers = {s.id: s.target for s in samples}
    answers[samples[0].id] = "Z" if samples[0].info.options else "wrong"
    path = tmp_path / "total_val_output.json"
    path.write_text(json.dumps(answers))
    scored = _score(cache_dir, path)
    assert scored["metrics"]["accuracy"] == pytest.approx((SIZE - 1) / SIZE)


def test_harness_json_lines(cache_dir: Path, tmp_path: Path) -> None:
    samples = _samples(cache_dir)
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps({"id": s.id, "answer": _right(s)}) + "\n" for s in samples))
    assert read_outputs(path) is None  # left to the generic reader
    scored = _score(cache_dir, path)
    assert scored["metrics"]["accuracy"] == 1.0


def test_reader_formats_and_errors(tmp_path: Path) -> None:
    records = tmp_path / "output.json"
    records.write_text(json.dumps([{"id": "validation_Art_1", "response": ["A"]},
                                   {"id": "validation_Art_2", "response": "B"}]))  # fmt: skip
    read = read_outputs(records)
    assert read is not None
    assert read["validation_Art_1"].text is None
    assert read["validation_Art_1"].invalid == "'response' is list, not text"
    assert read["validation_Art_2"].text == "B"
    # Records' `answer` is the gold: a record without a response fails, never reads it.
    gold_only = tmp_path / "gold.json"
    gold_only.write_text(json.dumps([{"id": "validation_Art_1", "question_type": "open",
                                      "answer": "A"}]))  # fmt: skip
    read = read_outputs(gold_only)
    assert read is not None and read["validation_Art_1"].text is None
    mapping = tmp_path / "total.json"
    mapping.write_text(json.dumps({"validation_Art_1": "A", "validation_Art_2": None}))
    read = read_outputs(mapping)
    assert read is not None and read["validation_Art_2"].invalid == "'value' is missing, not text"
    answers = tmp_path / "answer_dict_val.json"
    answers.write_text(json.dumps({"validation_Art_1": {"ground_truth": "A"}}))
    with pytest.raises(DataError, match="the answer file"):
        read_outputs(answers)
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps([{"id": "validation_Art_1", "response": "A"}] * 2))
    with pytest.raises(DataError, match="appears twice"):
        read_outputs(twice)
    folder = tmp_path / "model" / "Art"
    folder.mkdir(parents=True)
    (folder / "output.json").write_text("[]")
    with pytest.raises(UsageError, match="takes a file") as refused:
        read_outputs(tmp_path / "model")
    assert "jq -s add" in str(refused.value.hint)
    assert read_outputs(tmp_path / "absent.json") is None


def test_score_command_reads_the_official_format(cache_dir: Path, tmp_path: Path) -> None:
    samples = _samples(cache_dir)
    (tmp_path / "output.json").write_text(json.dumps(_output_records(samples, _right)))
    done = run_cli(
        tmp_path, "score", "mmmu_val", "--predictions", "output.json", "--data",
        f"synthetic:{SIZE}", "--output", "scored.json", cache_dir=cache_dir,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (task,) = json.loads((tmp_path / "scored.json").read_text())["tasks"]
    metrics = {m["name"]: m["value"] for m in task["metrics"]}
    assert metrics["accuracy"] == 1.0 and task["protocol"]["official"]
