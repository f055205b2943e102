"""The real answer file (../shared/benchmarks/reasoning/mmmu/answer_dict_val.json, the
official mmmu/answer_dict_val.json): its 900 ids, and the official eval-only scoring path
(main_eval_only.py) on it; skipped when the shared files are absent."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mmalign_eval import DataRequest
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval_tasks.reasoning.mmmu.answers import KNOWN_FILES
from mmalign_eval_tasks.reasoning.mmmu.data import SOURCES
from mmalign_eval_tasks.reasoning.mmmu.subjects import DISCIPLINES, SUBJECTS, snake, subject_of
from mmalign_eval_tasks.reasoning.mmmu.task import mmmu_val

SharedFile = Callable[..., Path]
LISTS = {"validation_Chemistry_30", "validation_Geography_4", "validation_Math_15"}


def _answers(shared_file: SharedFile) -> tuple[Path, dict[str, Any]]:
    path = shared_file("reasoning", "mmmu", "answer_dict_val.json")
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_the_real_answer_file(shared_file: SharedFile, tmp_path: Path) -> None:
    path, answers = _answers(shared_file)
    request = DataRequest(source=str(path), cache_dir=str(tmp_path), need_media=False)
    loaded = SOURCES.load(request)
    samples = loaded.samples
    assert len(samples) == 900
    assert [s.id for s in samples] == list(answers)  # the file is in the official order
    assert Counter(s.info.subject for s in samples) == dict.fromkeys(SUBJECTS, 30)
    assert Counter(s.info.multiple_choice for s in samples) == {True: 847, False: 53}
    assert {s.id for s in samples if isinstance(s.info.answer, tuple)} == LISTS
    assert loaded.provenance.version_note == KNOWN_FILES[str(loaded.provenance.sha256)]


def _wrong_letter(gold: str) -> str:
    return "A" if gold != "A" else "B"


def test_the_official_eval_only_path(shared_file: SharedFile, tmp_path: Path) -> None:
    path, answers = _answers(shared_file)
    # Multiple choice: the gold letter for odd item numbers, another letter for even ones;
    # open questions: the gold answer verbatim (which the official rule always accepts).
    predictions, right = {}, Counter[str]()
    for item_id, entry in answers.items():
        gold = entry["ground_truth"]
        subject, number = subject_of(item_id), int(item_id.rsplit("_", 1)[1])
        if entry["question_type"] != "multiple-choice":
            predictions[item_id] = gold if isinstance(gold, str) else gold[0]
            right[subject] += 1
        elif number % 2:
            predictions[item_id] = gold
            right[subject] += 1
        else:
            predictions[item_id] = _wrong_letter(gold)
    file = tmp_path / "total_val_output.json"
    file.write_text(json.dumps(predictions))
    request = ScoreRequest(
        task=mmmu_val(), predictions=file, protocol=None, resamples=10,
        data=DataRequest(source=str(path), cache_dir=str(tmp_path), need_media=False),
    )  # fmt: skip
    results, _ = score_predictions(request)
    (task,) = results.tasks
    metrics = {m.name: m.value for m in task.metrics}
    assert task.n_scored == 900 and metrics["fallback_rate"] == 0.0
    for subject in SUBJECTS:
        assert metrics[f"accuracy_{snake(subject)}"] == right[subject] / 30
    for discipline, subjects in DISCIPLINES.items():
        expected = sum(right[s] for s in subjects) / (30 * len(subjects))
        assert metrics[f"accuracy_{snake(discipline)}"] == expected
    assert metrics["accuracy"] == sum(right.values()) / 900
