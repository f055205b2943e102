"""MMMU accuracies on a hand-computed miniature (instance-weighted, as
calculate_ins_level_acc), the discipline grouping, and the synthetic items."""

from __future__ import annotations

import json
import math
from pathlib import Path

from mmalign_eval import DataRequest
from mmalign_eval.contracts import ItemScore
from mmalign_eval.metrics.base import evaluate
from mmalign_eval.toolkit.choice import Picked
from mmalign_eval_tasks.reasoning.mmmu.data import SOURCES
from mmalign_eval_tasks.reasoning.mmmu.metrics import mmmu_metrics
from mmalign_eval_tasks.reasoning.mmmu.parsing import parse_open
from mmalign_eval_tasks.reasoning.mmmu.subjects import DISCIPLINES, SUBJECTS, subject_of
from mmalign_eval_tasks.reasoning.mmmu.task import mmmu_val


def _item(subject: str, correct: bool, fallback: bool = False) -> ItemScore:
    values = {"n": 1.0, "correct": float(correct), "fallback": float(fallback),
              f"n:{subject}": 1.0, f"correct:{subject}": float(correct)}  # fmt: skip
    return ItemScore(sample_id="x", status="ok", values=values)


def test_accuracies_are_instance_weighted() -> None:
    items = [
        _item("Art", True), _item("Art", True), _item("Art", False), _item("Music", False),
        _item("Accounting", True), _item("Accounting", True, fallback=True),
        ItemScore(sample_id="failed", status="unparseable"),  # a failure counts nowhere
    ]  # fmt: skip
    metrics = evaluate(mmmu_metrics(), items)
    assert metrics["accuracy"] == 4 / 6
    assert metrics["fallback_rate"] == 1 / 6
    assert metrics["accuracy_art"] == 2 / 3 and metrics["accuracy_music"] == 0.0
    # 2 of the discipline's 4 questions, not the mean of its subjects (1/3).
    assert metrics["accuracy_art_and_design"] == 0.5
    assert metrics["accuracy_business"] == 1.0
    assert math.isnan(metrics["accuracy_science"])  # no questions: undefined, not 0


def test_the_official_grouping() -> None:
    grouped = [s for subjects in DISCIPLINES.values() for s in subjects]
    assert sorted(grouped) == sorted(SUBJECTS) and len(SUBJECTS) == 30
    assert list(SUBJECTS) == sorted(SUBJECTS)  # CAT_SHORT2LONG's values are alphabetical
    assert subject_of("validation_Diagnostics_and_Laboratory_Medicine_12") == (
        "Diagnostics_and_Laboratory_Medicine"
    )
    names = [m.name for m in mmmu_val().metrics]
    assert len(names) == len(set(names)) == 2 + 6 + 30
    assert names[:3] == ["accuracy", "fallback_rate", "accuracy_art_and_design"]


def test_synthetic_items_have_known_answers(cache_dir: Path) -> None:
    request = DataRequest(source="synthetic:32", cache_dir=str(cache_dir))
    first, again = SOURCES.load(request), SOURCES.load(request)
    assert [s.model_dump() for s in first.samples] == [s.model_dump() for s in again.samples]
    samples = first.samples
    assert len(samples) == 32 and len({s.id for s in samples}) == 32
    assert first.provenance.kind == "synthetic"
    assert {s.info.subject for s in samples} == set(SUBJECTS)
    kinds = {(s.info.multiple_choice, len(s.media)) for s in samples}
    assert kinds == {(True, 1), (True, 2), (False, 1)}
    assert all(m.state == "ready" for s in samples for m in s.media)
    manifest = json.loads(Path(first.provenance.location).read_text())
    drawn = {e["image"]: [str(o) for o in e["objects"]] for e in manifest["images"]}
    for sample in samples:
        # The question is about the last image: its objects decide the answer.
        objects = drawn[str(sample.media[-1].source)]
        shapes = [o.split(" ", 1)[1] for o in objects]
        if sample.info.options:
            inside = [t for t in sample.info.options.values() if t in shapes]
            assert inside == [sample.info.options[sample.target]]
        elif "How many" in sample.question:
            assert sample.target == str(len(objects))
        else:
            shape = sample.question.split("What colour is the ", 1)[1].split(" in ", 1)[0]
            assert f"{sample.target} {shape}" in objects
    task = mmmu_val()
    for sample in samples:
        value = Picked(letter=sample.target) if sample.info.options else parse_open(sample.target)
        assert task.score_values(sample, value)["correct"] == 1.0
