"""MM-Vet's numbers: `score` on the evaluator's own grade files gives what
mm-vet_evaluator.py (yuweihao/MM-Vet @ c7ff270) printed on the same files, and JSON Lines
with judgements, result files and bad files are read as they should be."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.registry import build_registry
from mmalign_eval.results import TaskResult
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.preference.mm_vet.grading import Grades
from mmalign_eval_tasks.preference.mm_vet.official_files import GRADE_MARK, read_official

from .fixture_files import FALLBACKS, RUNS, grade_entry, write_official, write_tie

# What the evaluator wrote in <model>_gpt-4-0613-cap-score-5runs.csv and
# ...-cap-int-score-5runs.csv for conftest's files (integration columns renamed to the
# fixed capability order: its "ocr_spat_gen_rec" is rec_ocr_gen_spat).
OFFICIAL_5_RUNS = {
    "rec": 48.8, "ocr": 49.0, "spat": 51.2, "know": 50.5, "gen": 50.5, "math": 47.3,
    "total": 49.1, "total_std": 2.1,
    "int_rec_know_gen": 50.1, "int_rec": 47.6, "int_ocr_spat": 54.4, "int_ocr_spat_math": 49.1,
    "int_rec_spat": 49.1, "int_ocr": 44.4, "int_ocr_math": 44.2, "int_rec_know": 48.5,
    "int_rec_ocr_know_gen": 48.2, "int_rec_ocr_spat": 46.0, "int_rec_ocr_gen_spat": 55.4,
    "int_rec_ocr": 41.6, "int_rec_know_spat": 51.5, "int_ocr_know_spat": 57.0,
    "int_ocr_gen_spat": 48.3, "int_rec_ocr_spat_math": 49.3,
}  # fmt: skip
OFFICIAL_RUN_TOTALS = [46.6, 48.0, 52.8, 49.1, 48.8]  # its "runs" column
OFFICIAL_1_RUN = {
    "rec": 47.6, "ocr": 44.3, "spat": 44.8, "know": 49.6, "gen": 44.4, "math": 37.2,
    "total": 46.6, "total_std": 0.0,
    "int_rec_know_gen": 44.7, "int_rec": 55.0, "int_ocr_spat": 48.5, "int_ocr_spat_math": 37.1,
    "int_rec_spat": 41.2, "int_ocr": 55.7, "int_ocr_math": 36.2, "int_rec_know": 50.8,
    "int_rec_ocr_know_gen": 45.5, "int_rec_ocr_spat": 36.0, "int_rec_ocr_gen_spat": 52.0,
    "int_rec_ocr": 43.3, "int_rec_know_spat": 63.7, "int_ocr_know_spat": 57.5,
    "int_ocr_gen_spat": 28.3, "int_rec_ocr_spat_math": 40.0,
}  # fmt: skip


@pytest.fixture
def official(tmp_path: Path) -> dict[str, Path]:
    """The five-run official files in a fresh folder."""
    paths: dict[str, Path] = write_official(tmp_path / "mm-vet")
    return paths


def _score(
    data: Path, predictions: Path, tmp_path: Path, protocol: str | None = None
) -> TaskResult:
    request = ScoreRequest(
        task=build_registry().tasks["mm_vet"],
        predictions=predictions,
        data=DataRequest(source=str(data), cache_dir=str(tmp_path / "cache"), need_media=False),
        protocol=protocol,
        resamples=20,
        output_dir=tmp_path / "out",
    )
    return score_predictions(request)[0].tasks[0]


def _metrics(result: TaskResult) -> dict[str, Any]:
    return {m.name: m.value for m in result.metrics}


def test_a_five_run_grade_file_gives_the_evaluators_numbers(
    official: dict[str, Path], tmp_path: Path
) -> None:
    result = _score(official["metadata"], official["grade"], tmp_path)
    got = _metrics(result)
    assert {k: got[k] for k in OFFICIAL_5_RUNS} == OFFICIAL_5_RUNS
    assert result.protocol.name == "official" and result.n_scored == 218
    # The evaluator's zeros after its last try are scored and counted, never hidden.
    assert got["judge_runs"] == RUNS and got["fallback_count"] == len(FALLBACKS)
    assert got["fallback_rate"] == pytest.approx(len(FALLBACKS) / (218 * RUNS))
    assert got["retry_count"] is None  # a grade file does not say how often it asked


def test_std_is_numpys_population_std_of_the_run_totals(
    official: dict[str, Path], tmp_path: Path
) -> None:
    grades = json.loads(official["grade"].read_text())
    totals = np.sum([entry["score"] for entry in grades.values()], axis=0) / 218 * 100
    assert [round(t, 1) for t in totals] == OFFICIAL_RUN_TOTALS
    got = _metrics(_score(official["metadata"], official["grade"], tmp_path))
    assert got["total_std"] == round(float(np.std(totals)), 1) == 2.1  # ddof=0
    assert round(float(np.std(totals, ddof=1)), 1) == 2.3  # the sample std: not what it prints


def test_a_one_run_grade_file_gives_the_evaluators_numbers(tmp_path: Path) -> None:
    paths = write_official(tmp_path / "one", runs=1)
    got = _metrics(_score(paths["metadata"], paths["grade"], tmp_path))
    assert {k: got[k] for k in OFFICIAL_1_RUN} == OFFICIAL_1_RUN
    assert got["fallback_count"] == 1  # item 3, run 0


def test_a_rounding_tie_rounds_as_the_evaluator_does(tmp_path: Path) -> None:
    paths = write_tie(tmp_path / "tie")
    got = _metrics(_score(paths["metadata"], paths["grade"], tmp_path))
    # The evaluator printed rec 2.2, total 2.2, std 0.9 (Python's round would give 2.1).
    assert (got["total"], got["rec"], got["int_rec"], got["total_std"]) == (2.2, 2.2, 2.2, 0.9)
    assert got["ocr"] is None  # no item needs OCR: no number, not a 0


def test_strict_leaves_the_evaluators_zeros_out(official: dict[str, Path], tmp_path: Path) -> None:
    result = _score(official["metadata"], official["grade"], tmp_path, protocol="strict")
    failed = {item for item, _ in FALLBACKS}
    assert result.n_scored == 218 - len(failed) and result.failures.unparseable == len(failed)
    assert all("after its last try" in (f.reason or "") for f in result.failure_examples)
    assert _metrics(result)["total"] != OFFICIAL_5_RUNS["total"]


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_json_lines_with_one_judgement_each(official: dict[str, Path], tmp_path: Path) -> None:
    ids = [f"v1_{i}" for i in range(218)]
    replies = {qid: f"{grade_entry(i)['score'][0]:.1f}" for i, qid in enumerate(ids)}
    replies["v1_3"] = "I cannot grade this."  # no score, and the file gives no retries
    rows = [{"id": qid, "answer": "x", "judgement": replies[qid]} for qid in ids]
    result = _score(official["metadata"], _jsonl(tmp_path / "j.jsonl", rows), tmp_path)
    # One reply and no retries: the official outcome is unknown, so a failure, not a 0.
    assert result.n_scored == 217 and result.failures.unparseable == 1
    assert "retries were not made" in (result.failure_examples[0].reason or "")
    assert result.judge is not None and result.judge.counts.unparseable == 1


def test_json_lines_without_judgements_need_a_judge(
    official: dict[str, Path], tmp_path: Path
) -> None:
    rows = [{"id": f"v1_{i}", "answer": "x"} for i in range(218)]
    with pytest.raises(UsageError, match="no --judge was given"):
        _score(official["metadata"], _jsonl(tmp_path / "a.jsonl", rows), tmp_path)


def test_a_result_file_holds_answers_to_grade(official: dict[str, Path]) -> None:
    read = read_official(official["result"])
    assert read is not None and len(read) == 218
    assert read["v1_0"].text == "Answer v1_0." and read["v1_0"].judgement is None
    official["result"].write_text(json.dumps({"v1_0": "A", "v1_1": None}))
    bad = read_official(official["result"])
    assert bad is not None and bad["v1_1"].text is None and bad["v1_1"].invalid


def test_a_grade_file_item_travels_as_its_runs(official: dict[str, Path]) -> None:
    read = read_official(official["grade"])
    assert read is not None
    from mmalign_eval_tasks.preference.mm_vet.judge import parse

    grades = parse(read["v1_3"].judgement or "")
    assert isinstance(grades, Grades) and len(grades.runs) == RUNS
    assert [r.fallback for r in grades.runs] == [True, True, False, False, False]
    assert parse(read["v1_7"].judgement or "").runs[0].score == 0.5  # stored as "5e-1"
    assert parse(GRADE_MARK + '{"runs": "garbled"') is None  # unreadable, never a crash


def _grade_file(path: Path, entries: dict[str, Any]) -> Path:
    path.write_text(json.dumps(entries))
    return path


@pytest.mark.parametrize(
    ("entries", "match"),
    [
        ({"v1_0": {"content": ["0.5"], "score": [0.4]}}, "not what its content"),
        ({"v1_0": {"content": ["0.5"], "score": [1.5]}}, "not in"),
        ({"v1_0": {"content": ["0.5", "0.5"], "score": [0.5]}}, "differ in length"),
        ({"v1_0": {"content": ["0.5"], "score": [0.5]},
          "v1_1": {"content": ["0.5", "0.5"], "score": [0.5, 0.5]}}, "different numbers of runs"),
        ({"v1_0": {"content": ["0.5"], "score": [0.5]}, "v1_1": "an answer"}, "neither"),
    ],
)  # fmt: skip
def test_grade_files_the_evaluator_would_not_write(
    tmp_path: Path, entries: dict[str, Any], match: str
) -> None:
    with pytest.raises(DataError, match=match):
        read_official(_grade_file(tmp_path / "g.json", entries))


def test_other_files_are_left_to_the_json_lines_reader(tmp_path: Path) -> None:
    line = _grade_file(tmp_path / "one_line.json", {"id": "v1_0", "answer": "x"})
    assert read_official(line) is None  # a one-line JSON Lines file, not a result file
    assert read_official(_jsonl(tmp_path / "p.jsonl", [{"id": "v1_0", "answer": "x"}])) is None
