"""MME scores: hand-computed miniatures, calculation.py's arithmetic restated, resampling by
image, and the official templates' own answers giving the maximum scores."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from mmalign_eval.contracts import ItemScore, Response, Sample
from mmalign_eval.metrics.base import evaluate
from mmalign_eval.metrics.bootstrap import BootstrapConfig, cluster_sums, metric_resamples
from mmalign_eval_tasks.reasoning.mme.data import load_official
from mmalign_eval_tasks.reasoning.mme.samples import MmeInfo
from mmalign_eval_tasks.reasoning.mme.subtasks import COGNITION, PERCEPTION, SUBTASKS
from mmalign_eval_tasks.reasoning.mme.synthetic import ensure_synthetic_mme
from mmalign_eval_tasks.reasoning.mme.task import mme

TASK = mme()


def _scored(
    samples: Sequence[Sample[MmeInfo]], replies: Sequence[str], protocol: str | None = None
) -> list[ItemScore]:
    chosen = TASK.protocol(protocol)
    return [
        TASK.score_answer(s, Response(key=s.id, text=r, finish_reason="stop"), chosen)
        for s, r in zip(samples, replies, strict=True)
    ]


def _reply(sample: Sample[MmeInfo], right: bool) -> str:
    """The right answer, or the opposite one."""
    return "Yes" if (sample.target == "yes") == right else "No"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> list[Sample[MmeInfo]]:
    """Two images per subtask (56 questions), labels only."""
    folder = ensure_synthetic_mme(tmp_path_factory.mktemp("mme"), 2 * len(SUBTASKS))
    samples: list[Sample[MmeInfo]] = load_official(folder, None).samples
    return samples


def test_miniature_hand_computed(synthetic: list[Sample[MmeInfo]]) -> None:
    # existence: image 1 both right, image 2 one right -> acc 3/4, acc+ 1/2, score 125
    # count: image 1 one right ('Not sure' reads 'no'), image 2 none right -> acc 1/4, acc+ 0
    # every other subtask: all right -> 200 each
    wrong = {"existence": [(1, 0)], "count": [(0, 0), (1, 0), (1, 1)]}
    replies = []
    for sample in synthetic:
        images = sorted({s.info.image for s in synthetic if s.info.subtask == sample.info.subtask})
        position = (images.index(sample.info.image), 0 if sample.target == "yes" else 1)
        reply = _reply(sample, position not in wrong.get(sample.info.subtask, []))
        replies.append(
            "Not sure" if (sample.info.subtask, position) == ("count", (0, 1)) else reply
        )
    values = evaluate(TASK.metrics, _scored(synthetic, replies))
    assert values["existence_acc"] == 0.75 and values["existence_acc_plus"] == 0.5
    assert values["existence_score"] == 125.0
    assert values["count_acc"] == 0.25 and values["count_acc_plus"] == 0.0
    assert values["count_score"] == 25.0
    assert values["perception"] == 125.0 + 25.0 + 8 * 200.0
    assert values["cognition"] == 800.0
    assert values["total"] == values["perception"] + values["cognition"]
    # 'Not sure' is read 'no' by the official rule: right on no-questions, never 'other'.
    assert values["other_rate"] == 0.0
    assert values["accuracy"] == pytest.approx(52 / 56)


def test_other_answers_are_scored_wrong_and_counted(synthetic: list[Sample[MmeInfo]]) -> None:
    replies = ["I cannot tell" if s.info.subtask == "OCR" else _reply(s, True) for s in synthetic]
    items = _scored(synthetic, replies)
    assert all(item.status == "ok" for item in items)  # the official rule never fails
    values = evaluate(TASK.metrics, items)
    assert values["OCR_score"] == 0.0 and values["OCR_acc"] == 0.0
    assert values["perception"] == 1800.0
    assert values["other_rate"] == pytest.approx(4 / 56)
    # Under `lenient` the same replies are failures, left out: OCR has nothing scored.
    lenient = _scored(synthetic, replies, "lenient")
    assert sum(item.status == "unparseable" for item in lenient) == 4
    values = evaluate(TASK.metrics, lenient)
    assert np.isnan(values["OCR_score"]) and np.isnan(values["perception"])
    assert values["cognition"] == 800.0


def test_a_failed_question_leaves_its_image_half_weighted(synthetic: list[Sample[MmeInfo]]) -> None:
    # The yes-question of one existence image is unreadable under lenient; its no-question is
    # right. acc counts the 3 scored questions; acc+ counts that image with weight 1/2.
    first = next(s for s in synthetic if s.info.subtask == "existence" and s.target == "yes")
    replies = ["Maybe" if s.id == first.id else _reply(s, True) for s in synthetic]
    values = evaluate(TASK.metrics, _scored(synthetic, replies, "lenient"))
    assert values["existence_acc"] == 1.0 and values["existence_acc_plus"] == 1.0


def test_a_subtask_without_questions_makes_its_family_undefined(
    synthetic: list[Sample[MmeInfo]],
) -> None:
    kept = [s for s in synthetic if s.info.subtask != "code_reasoning"]
    values = evaluate(TASK.metrics, _scored(kept, [_reply(s, True) for s in kept]))
    assert values["perception"] == 2000.0
    assert np.isnan(values["cognition"]) and np.isnan(values["code_reasoning_score"])


def test_resampling_draws_whole_images(synthetic: list[Sample[MmeInfo]]) -> None:
    # Right on the yes-question only: acc is 1/2 within every image, so resampling whole
    # images keeps it at exactly 1/2 while acc+ stays 0; resampling questions would not.
    items = _scored(synthetic, [_reply(s, s.target == "yes") for s in synthetic])
    assert {item.cluster for item in items} == {
        f"{s.info.subtask}/{s.info.image}" for s in synthetic
    }
    sums, columns = cluster_sums(items)
    weights = [i for i, c in enumerate(columns) if "_w:" in c]
    assert np.allclose(sums[:, weights].sum(axis=1), 1.0)  # each image holds its whole pair
    resamples = metric_resamples(TASK.metrics, items, BootstrapConfig(resamples=200))
    for subtask in SUBTASKS:
        acc = resamples[f"{subtask}_acc"]
        assert np.all((acc == 0.5) | np.isnan(acc))
        assert np.all(np.nan_to_num(resamples[f"{subtask}_acc_plus"]) == 0.0)
    finite = resamples["perception"][np.isfinite(resamples["perception"])]
    assert np.all(finite == 10 * 50.0)


# -- calculation.py's arithmetic, restated ------------------------------------------------


def _official_scores(lines: dict[str, list[tuple[str, str]]]) -> dict[str, float]:
    """calculation.py's process_result on (gt, parsed prediction) lines per subtask, in file
    order: consecutive lines are an image's pair, scores are added in the official order."""
    scores: dict[str, float] = {}
    for family, subtasks in (("perception", PERCEPTION), ("cognition", COGNITION)):
        total = 0.0
        for subtask in subtasks:
            rows = lines[subtask]
            chunks = [rows[i : i + 2] for i in range(0, len(rows), 2)]
            right = [gt == pred for gt, pred in rows]
            both = sum(1 for chunk in chunks if all(gt == pred for gt, pred in chunk))
            score = 0.0
            score += float(np.mean(right)) * 100
            score += both / len(chunks) * 100
            scores[subtask] = score
            total += score
        scores[family] = total
    return scores


REPLIES = ["Yes", "No", "yes, it is", "Not sure", "no.", "I think so", "**Yes**", "Nope", ""]


def _check_against_restatement(samples: list[Sample[MmeInfo]], seed: int) -> None:
    rng = random.Random(seed)
    replies = [rng.choice(REPLIES) for _ in samples]
    values = evaluate(TASK.metrics, _scored(samples, replies))
    by_subtask: dict[str, list[tuple[str, str]]] = {s: [] for s in SUBTASKS}
    for sample, reply in zip(samples, replies, strict=True):
        parsed = TASK.protocol(None).read(reply).value
        by_subtask[sample.info.subtask].append((sample.target, str(parsed)))
    expected = _official_scores(by_subtask)
    # Exactly equal, not approximately: the same float operations in the same order.
    assert values["perception"] == expected["perception"]
    assert values["cognition"] == expected["cognition"]
    for subtask in SUBTASKS:
        assert values[f"{subtask}_score"] == expected[subtask]


@pytest.mark.parametrize("seed", [0, 1])
def test_synthetic_scores_equal_the_restated_script(
    synthetic: list[Sample[MmeInfo]], seed: int
) -> None:
    _check_against_restatement(synthetic, seed)


def _templates(shared_file: Callable[..., Path]) -> list[Sample[MmeInfo]]:
    folder = shared_file("reasoning", "mme", "Your_Results")
    samples: list[Sample[MmeInfo]] = load_official(folder, None).samples
    return samples


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_template_scores_equal_the_restated_script(
    shared_file: Callable[..., Path], seed: int
) -> None:
    _check_against_restatement(_templates(shared_file), seed)


def test_template_answers_score_the_maximum(shared_file: Callable[..., Path]) -> None:
    samples = _templates(shared_file)
    values = evaluate(TASK.metrics, _scored(samples, [s.target.capitalize() for s in samples]))
    assert values["perception"] == 2000.0 and values["cognition"] == 800.0
    assert all(values[f"{s}_score"] == 200.0 for s in SUBTASKS)
    # Always "Yes": every yes-question right, no image both right: 50 per subtask.
    values = evaluate(TASK.metrics, _scored(samples, ["Yes"] * len(samples)))
    assert values["perception"] == 500.0 and values["cognition"] == 200.0
