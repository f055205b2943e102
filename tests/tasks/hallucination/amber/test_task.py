"""AMBER adapter: official files, synthetic data, extraction (where NLTK data exists), score."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mmalign_eval.contracts import Response, Sample
from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.evaluation import TaskInputs, evaluate_group, evaluate_task
from mmalign_eval.evidence import ANSWER
from mmalign_eval.metrics.bootstrap import BootstrapConfig
from mmalign_eval.protocols import Protocol, Reading
from mmalign_eval.registry import build_registry
from mmalign_eval.resources import ResourceError, nltk_available, spacy_model_available
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest, TaskSpec
from mmalign_eval.text.lemmas import resolve_candidates
from mmalign_eval.toolkit.shapes import OBJECTS
from mmalign_eval_tasks.hallucination.amber import task as amber
from mmalign_eval_tasks.hallucination.amber.nouns import (
    NLTK_PACKAGES,
    SPACY_MODEL,
    extract_nouns,
    offline_candidates,
)


@pytest.fixture(scope="module")
def tasks() -> dict[str, TaskSpec]:
    return build_registry().tasks


def _request(source: str, cache: Path, need_media: bool = False) -> DataRequest:
    return DataRequest(source=source, cache_dir=str(cache), need_media=need_media)


def test_real_files_split_by_query_files(
    shared_file: Callable[..., Path], tasks: dict[str, TaskSpec], tmp_path: Path
) -> None:
    folder = shared_file("amber")
    counts = {}
    for kind in ("generative", "discriminative", "existence", "attribute", "relation"):
        loaded = tasks[f"amber_{kind}"].loader(_request(str(folder), tmp_path))
        counts[kind] = len(loaded.samples)
        assert loaded.provenance.kind == "official_files"
        assert "15,220 items" in (loaded.provenance.version_note or "")
    assert counts == {
        "generative": 1004,
        "discriminative": 14216,
        "existence": 4924,
        "attribute": 7628,
        "relation": 1664,
    }
    attribute = tasks["amber_attribute"].loader(_request(str(folder), tmp_path)).samples
    assert {s.info.subtype for s in attribute} == {"state", "number", "action"}
    first = tasks["amber_generative"].loader(_request(str(folder), tmp_path)).samples[0]
    assert first.id == "1" and first.question == "Describe this image."
    assert first.info.truth[:2] == ("sky", "forest")
    assert first.media[0].state == "unread" and first.media[0].source == "AMBER_1.jpg"


def test_missing_data_is_a_usage_error(tasks: dict[str, TaskSpec], tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="official AMBER files"):
        tasks["amber_discriminative"].loader(DataRequest(cache_dir=str(tmp_path)))
    with pytest.raises(DataError, match=r"no AMBER annotations\.json"):
        tasks["amber_discriminative"].loader(_request(str(tmp_path), tmp_path))


def test_synthetic_annotations_are_truthful(tasks: dict[str, TaskSpec], tmp_path: Path) -> None:
    loaded = tasks["amber_generative"].loader(_request("synthetic:4", tmp_path, need_media=True))
    manifest = json.loads(
        (tmp_path / "data" / "synthetic-shapes-v1-n4-s0" / "manifest.json").read_text()
    )
    for sample, image in zip(loaded.samples, manifest["images"], strict=True):
        shapes = [o.split(" ", 1)[1] for o in image["objects"]]
        assert list(sample.info.truth) == shapes
        assert not set(sample.info.hallu) & set(shapes)
        assert sample.media[0].path is not None and Path(sample.media[0].path).is_file()
    existence = tasks["amber_existence"].loader(_request("synthetic:4", tmp_path)).samples
    assert {s.target for s in existence} == {"no"}
    all_shapes = {o.split(" ", 1)[1] for o in OBJECTS}
    assert all(any(word in s.question for word in all_shapes) for s in existence)


def _fake_generative(task: TaskSpec) -> TaskSpec:
    """The generative task with nouns given directly and exact-match 'similarity'."""
    protocol: Protocol[Any, Any] = Protocol(
        "official", "nouns given", lambda text: Reading(tuple(text.split())), default=True
    )
    return dataclasses.replace(
        task,
        protocols=(protocol,),
        score_values=lambda s, p: amber.generative_values(s, p, similar=lambda a, b: a == b),
    )


def test_amber_score_group_from_unrounded_inputs(
    tasks: dict[str, TaskSpec], tmp_path: Path
) -> None:
    config = BootstrapConfig(resamples=50, seed=0)
    evaluations = {}
    for name in ("amber_generative", "amber_discriminative"):
        task = tasks[name]
        if name == "amber_generative":
            task = _fake_generative(task)
        loaded = task.loader(_request("synthetic:4", tmp_path))
        answers = {
            s.id: (s.info.truth[0] + " dragon star") if name == "amber_generative" else "No"
            for s in loaded.samples
        }
        responses = {
            k: {ANSWER: Response(key=k, text=v, finish_reason="stop")} for k, v in answers.items()
        }
        inputs = TaskInputs(task, task.protocol(None), loaded.provenance, None)
        evaluations[name] = evaluate_task(inputs, loaded.samples, responses, config)
    group = dataclasses.replace(
        build_registry().groups["amber"], tasks=("amber_generative", "amber_discriminative")
    )
    result = evaluate_group(group, evaluations, config)
    score = next(metric for metric in result.metrics if metric.name == "amber_score")
    chair = evaluations["amber_generative"].result.metric("chair_unrounded").value
    f1 = evaluations["amber_discriminative"].result.metric("f1_unrounded").value
    assert chair is not None and f1 is not None and score.value is not None
    assert score.value == pytest.approx(((100 - chair) + f1) / 2)
    assert score.primary and score.ci is not None
    assert not np.isclose(chair, round(chair, 1)) or not np.isclose(f1, round(f1, 1))


def test_generative_requires_resources_with_the_fetch_command(tasks: dict[str, TaskSpec]) -> None:
    task = tasks["amber_generative"]
    needs = task.protocol("official").needs
    assert needs is not None and task.protocol("offline").needs is None
    if nltk_available(NLTK_PACKAGES) and spacy_model_available(SPACY_MODEL):
        needs.check()
        return
    with pytest.raises(ResourceError) as caught:
        needs.check()
    assert "mmalign-eval resources fetch" in (caught.value.hint or "")
    assert "--protocol amber_generative=offline" in (caught.value.hint or "")
    assert "`score`: --protocol offline" in (caught.value.hint or "")


def test_synthetic_data_defaults_to_the_offline_protocol(tasks: dict[str, TaskSpec]) -> None:
    task = tasks["amber_generative"]
    assert task.protocol(None, "synthetic:4").name == "offline"
    assert task.protocol(None, "/data/amber").name == "official"
    assert task.protocol("official", "synthetic").name == "official"  # named wins


def _synthetic_generative(tasks: dict[str, TaskSpec], tmp_path: Path) -> list[Sample]:
    return tasks["amber_generative"].loader(_request("synthetic:4", tmp_path)).samples


# Offline protocol on hand-made descriptions of the first synthetic image (truth and hallu
# read from its annotation): counters as the official loop would give for these nouns.
OFFLINE_CASES = [
    # (description, mentions, hallucinated, covered) -- covered of len(truth)
    ("A {t0}.", 1, 0, 1),
    ("Two {t0}s and one {h0}.", 2, 1, 1),  # plural lemmatised; hallu target hallucinated
    ("{T0} on the left.", 0, 0, 0),  # capitalised: NLTK keeps case, so no vocabulary match
    ("An image of a {t0} shape, another {t0}.", 4, 0, 1),  # safe words count, not hallucinated
    ("A {h0}, a {h0} and a {h0}.", 3, 3, 0),  # every mention counts
]


@pytest.mark.parametrize(("text", "mentions", "hallucinated", "covered"), OFFLINE_CASES)
def test_offline_protocol_counts(
    tasks: dict[str, TaskSpec],
    tmp_path: Path,
    text: str,
    mentions: int,
    hallucinated: int,
    covered: int,
) -> None:
    sample = _synthetic_generative(tasks, tmp_path)[0]
    truth = sample.info.truth
    hallu = sample.info.hallu
    description = text.format(t0=truth[0], T0=truth[0].capitalize(), h0=hallu[0])
    task = tasks["amber_generative"]
    response = Response(key="k", text=description, finish_reason="stop")
    item = task.score_answer(sample, response, task.protocol("offline"))
    assert item.status == "ok"
    assert item.values["mentions"] == mentions
    assert item.values["hallucinated"] == hallucinated
    assert item.values["covered"] == covered
    assert item.values["cog_hits"] == float(hallucinated > 0)


def test_noun_extraction_matches_the_official_recipe() -> None:
    if not nltk_available(NLTK_PACKAGES):
        pytest.skip("NLTK data absent (run `mmalign-eval resources fetch`)")
    nouns = extract_nouns("Two dogs are running on the grass near a red boat.")
    assert {"dog", "grass", "boat"} <= set(nouns)


def test_score_official_json_array_predictions(
    shared_file: Callable[..., Path], tasks: dict[str, TaskSpec], tmp_path: Path
) -> None:
    folder = shared_file("amber")
    rows = json.loads((folder / "annotations.json").read_text())
    existence = [r for r in rows if r["type"] == "discriminative-hallucination"][:40]
    answers = [
        {"id": r["id"], "response": "No" if i % 4 else "Yes"} for i, r in enumerate(existence)
    ]
    answers.append({"id": 999999, "response": "No"})
    path = tmp_path / "amber_answers.json"
    path.write_text(json.dumps(answers))  # the official inference file: one JSON array
    results, _ = score_predictions(
        ScoreRequest(
            task=tasks["amber_existence"],
            predictions=path,
            data=DataRequest(source=str(folder), cache_dir=str(tmp_path), need_media=False),
            protocol=None,
            resamples=20,
            ids=tuple(str(r["id"]) for r in existence),  # the other questions are not missing
        )
    )
    task = results.tasks[0]
    assert task.n_samples == 40 and task.failures.total == 0
    assert task.matching is not None and task.matching.unmatched_predictions == 1
    assert task.metric("accuracy").value == round(30 / 40.001 * 100, 1)
    assert task.metric("precision").value == round(30 / 30.001 * 100, 1)


VOCABULARY = frozenset({"orange", "shirt", "dog", "grass", "bench", "light", "camera", "car"})


@pytest.mark.parametrize(
    ("text", "nouns"),
    [
        ("An orange shirt and two oranges.", ["shirt", "orange"]),  # the adjective is no noun
        ("The dog is lying on the grass near a bench.", ["dog", "grass", "bench"]),
        ("A dog holds a light; the light is on.", ["dog", "light", "light"]),  # repeats count
        ("Two Cars and cars.", ["car"]),  # capitalised: NLTK's lemmatiser finds no lemma
        ("", []),
    ],
)
def test_offline_nouns_are_tagged_and_lemmatised(text: str, nouns: list[str]) -> None:
    groups = offline_candidates(text)
    assert resolve_candidates(groups, VOCABULARY) == nouns
