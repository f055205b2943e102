"""AMBER metric math: the official printout reproduced, and the generative counting loop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from mmalign_eval.contracts import ItemScore, Response, Sample
from mmalign_eval.metrics.base import evaluate
from mmalign_eval.registry import build_registry
from mmalign_eval.task import TaskSpec
from mmalign_eval_tasks.hallucination.amber import metrics as m
from mmalign_eval_tasks.hallucination.amber.data import QuestionInfo

TYPES = {
    "existence": "discriminative-hallucination",
    "state": "discriminative-attribute-state",
    "number": "discriminative-attribute-number",
    "action": "discriminative-attribute-action",
    "relation": "discriminative-relation",
}

# -- an independent reimplementation of inference.py's counters and printing -------------


def official_printout(items: list[tuple[str, str, str]]) -> dict[str, dict[str, float]]:
    """Counters start at 0.001 and are incremented; printing rounds as the script does.

    items: (annotation type, gold 'yes'/'no', raw response).
    """
    prefix_of = {
        "discriminative-attribute-state": "as",
        "discriminative-attribute-number": "an",
        "discriminative-attribute-action": "aa",
        "discriminative-hallucination": "ha",
    }
    c: dict[str, float] = {}
    for p in ("", "as_", "an_", "aa_", "ha_", "asso_"):
        for k in ("qa_correct", "qa_no", "qa_ans_no"):
            c[f"{p}{k}_score"] = 0
            c[f"{p}{k}_num"] = 0.001
    for kind, truth, response in items:
        p = prefix_of.get(kind, "asso") + "_"
        for q in ("", p):
            c[f"{q}qa_correct_num"] += 1
            if truth == "yes":
                if response == "Yes":
                    c[f"{q}qa_correct_score"] += 1
            else:
                c[f"{q}qa_no_num"] += 1
                if response == "No":
                    c[f"{q}qa_correct_score"] += 1
                    c[f"{q}qa_no_score"] += 1
            if response == "No":
                c[f"{q}qa_ans_no_num"] += 1
                if truth == "no":
                    c[f"{q}qa_ans_no_score"] += 1

    def block(ps: list[str], eps: float) -> dict[str, float]:
        def r(k: str) -> float:
            num = sum(c[f"{p}{k}_score"] for p in ps)
            den = sum(c[f"{p}{k}_num"] for p in ps)
            return round(num / den * 100, 1)

        acc, prec, rec = r("qa_correct"), r("qa_ans_no"), r("qa_no")
        f1 = round(2 * (prec / 100) * (rec / 100) / ((prec / 100) + (rec / 100) + eps) * 100, 1)
        return {"accuracy": acc, "precision": prec, "recall": rec, "f1": f1}

    return {
        "discriminative": block([""], 0.0001),
        "existence": block(["ha_"], 0.001),
        "attribute": block(["as_", "an_", "aa_"], 0.0001),
        "state": block(["as_"], 0.0001),
        "number": block(["an_"], 0.0001),
        "action": block(["aa_"], 0.0001),
        "relation": block(["asso_"], 0.0001),
    }


# -- the harness's numbers on the same answers --------------------------------------------


@pytest.fixture(scope="module")
def tasks() -> dict[str, TaskSpec]:
    return build_registry().tasks


def _items(task: TaskSpec, answers: list[tuple[str, str, str]], protocol: str) -> list[ItemScore]:
    out = []
    for index, (kind, truth, response) in enumerate(answers):
        sample = Sample(
            id=str(index),
            task=task.name,
            question="q",
            target=truth,
            info=QuestionInfo(image=f"{index}.jpg", type=kind, subtype=m.subtype_of(kind)),
        )
        reply = Response(key=str(index), text=response, finish_reason="stop")
        out.append(task.score_answer(sample, reply, task.protocol(protocol)))
    return out


def _harness(
    tasks: dict[str, TaskSpec], answers: list[tuple[str, str, str]]
) -> dict[str, dict[str, float]]:
    def only(subtypes: tuple[str, ...]) -> list[tuple[str, str, str]]:
        return [a for a in answers if m.subtype_of(a[0]) in subtypes]

    out: dict[str, dict[str, float]] = {}
    for name, subtypes in (
        ("discriminative", ("existence", "state", "number", "action", "relation")),
        ("existence", ("existence",)),
        ("attribute", m.ATTRIBUTE_SUBTYPES),
        ("relation", ("relation",)),
    ):
        task = tasks[f"amber_{name}"]
        values = evaluate(task.metrics, _items(task, only(subtypes), "official"))
        out[name] = {k: values[k] for k in ("accuracy", "precision", "recall", "f1")}
        if name == "attribute":
            for sub in m.ATTRIBUTE_SUBTYPES:
                out[sub] = {
                    k: values[f"{sub}_{k}"] for k in ("accuracy", "precision", "recall", "f1")
                }
    return out


def _mixed() -> list[tuple[str, str, str]]:
    rng = np.random.default_rng(7)
    forms = ["Yes", "No", "yes", "no", "Yes.", "No.", " No", "NO", "No, there is not.", ""]
    answers = []
    for kind in TYPES.values():
        for _ in range(37):
            truth = "no" if kind == TYPES["existence"] else str(rng.choice(["yes", "no"]))
            answers.append((kind, truth, str(rng.choice(forms))))
    answers.append(("relation", "no", "No"))  # the official 'relation' type counts as relation
    return answers


def _uniform(response: str) -> list[tuple[str, str, str]]:
    return [(kind, truth, response) for kind in TYPES.values() for truth in ("yes", "no") * 5]


@pytest.mark.parametrize(
    "answers",
    [
        _uniform("Yes"),
        _uniform("No"),
        _mixed(),
        _uniform("yes"),  # not exact: all wrong, still in the denominators
        [
            (TYPES["state"], "no", "No"),
            (TYPES["state"], "yes", "Yes"),
            (TYPES["number"], "no", "Yes"),
        ],
    ],
    ids=["all-yes", "all-no", "mixed-surface-forms", "lowercase", "tiny"],
)
def test_official_printout_reproduced(
    tasks: dict[str, TaskSpec], answers: list[tuple[str, str, str]]
) -> None:
    expected = official_printout(answers)
    got = _harness(tasks, answers)
    for block, values in got.items():
        for name, value in values.items():
            assert value == pytest.approx(expected[block][name], abs=1e-9), (block, name)


def test_all_no_printout_values(tasks: dict[str, TaskSpec]) -> None:
    # Hand-checked: 50 no of 100 gold no; P = 50/100.001, R = 50/50.001, F1 from rounded P, R.
    got = _harness(tasks, _uniform("No"))["discriminative"]
    assert got == {"accuracy": 50.0, "precision": 50.0, "recall": 100.0, "f1": 66.7}


def test_official_protocol_never_fails_and_lenient_reads_surface_forms(
    tasks: dict[str, TaskSpec],
) -> None:
    task = tasks["amber_discriminative"]
    answers = [(TYPES["state"], "no", t) for t in ("No", "no.", "NO!", " No, it is not", "maybe")]
    official = _items(task, answers, "official")
    assert [i.status for i in official] == ["ok"] * 5
    assert [i.values["correct"] for i in official] == [1, 0, 0, 0, 0]
    lenient = _items(task, answers, "lenient")
    assert [i.status for i in lenient] == ["ok"] * 4 + ["unparseable"]
    assert [i.values["correct"] for i in lenient[:4]] == [1, 1, 1, 1]


def test_round1_is_pythons_round() -> None:
    # 0.35 is stored as 0.34999...: Python rounds down, numpy's scale-then-round goes up.
    assert m.round1(np.array([0.35, 2.25, 66.66]))[0] == 0.3
    assert list(m.round1(np.array([0.35, 2.25, 66.66]))) == [round(0.35, 1), 2.2, 66.7]


# -- generative ---------------------------------------------------------------------------

VOCAB = m.Vocabulary(
    association={
        "person": ("man", "woman", "individual"),
        "dog": ("puppy",),
        "grass": ("ground",),
        "ship": (),
        "cloud": (),
        "sun": (),
        "tree": (),
    },
    safe_words=frozenset({"individual"}),
)
SYNONYMS = {frozenset({"boat", "ship"}), frozenset({"sun", "cloud"})}


def similar(a: str, b: str) -> bool:
    return a == b or frozenset({a, b}) in SYNONYMS


def counts(nouns: list[str], truth: tuple[str, ...], hallu: tuple[str, ...]) -> m.GenerativeCounts:
    return m.generative_counts(nouns, m.GenerativeTruth(truth, hallu), VOCAB, similar)


def test_association_words_cover_their_object_and_unknown_nouns_are_ignored() -> None:
    c = counts(["man", "ground", "photo", "day"], ("person", "grass"), ("dog",))
    assert (c.mentions, c.hallucinated, c.covered, c.truth) == (2, 0, 2, 2)


def test_safe_words_count_in_the_denominator_only() -> None:
    c = counts(["individual", "dog"], ("person",), ("dog",))
    assert (c.mentions, c.hallucinated, c.cog_hits) == (2, 1, 1)


def test_repeated_hallucination_counts_each_mention() -> None:
    c = counts(["puppy", "dog", "tree"], ("person",), ("dog",))
    assert (c.mentions, c.hallucinated, c.cog_hits, c.hallu) == (3, 3, 1, 1)


def test_duplicate_truth_objects_cover_only_the_first() -> None:
    c = counts(["ship", "ship"], ("ship", "ship"), ())
    assert (c.covered, c.truth, c.hallucinated) == (1, 2, 0)


def test_exact_hallucination_target_similar_to_a_present_object_is_not_counted() -> None:
    # 'sun' is a hallucination target, but the script goes on to the similarity check and
    # finds it similar to the present 'cloud': marked in Cog, not counted in CHAIR.
    c = counts(["sun"], ("cloud",), ("sun",))
    assert (c.hallucinated, c.cog_hits, c.covered) == (0, 1, 1)


def test_generative_metrics_from_totals() -> None:
    rows = [counts(["man", "dog"], ("person",), ("dog",)), counts(["man"], ("person", "ship"), ())]
    items = [
        ItemScore(sample_id=str(i), status="ok", values=r.values()) for i, r in enumerate(rows)
    ]
    values = evaluate(m.generative_metrics(), items)
    assert values["chair"] == round(1 / 3.001 * 100, 1)
    assert values["cover"] == round(2 / 3.001 * 100, 1)
    assert values["hal"] == round(100 - 1 / 2.001 * 100, 1)
    assert values["cog"] == round(1 / 1.001 * 100, 1)
    assert values["chair_unrounded"] == pytest.approx(1 / 3.001 * 100)


def test_amber_score() -> None:
    assert float(m.amber_score(np.asarray(10.0), np.asarray(80.0))) == 85.0


def test_counter_start_is_the_official_metrics_file(shared_file: Callable[..., Path]) -> None:
    # inference.py reads its counters from metrics.txt: every *_num starts at 0.001 (the
    # denominators' offset reproduced here), every *_score at 0.
    lines = shared_file("amber", "metrics.txt").read_text(encoding="utf-8").split()
    counters = dict(line.split("=") for line in lines)
    nums = {float(v) for k, v in counters.items() if k.endswith("_num")}
    scores = {float(v) for k, v in counters.items() if k.endswith("_score")}
    assert nums == {m.COUNTER_START} and scores == {0.0}
    assert len(counters) > 20
