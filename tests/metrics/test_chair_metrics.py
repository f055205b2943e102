"""CHAIR on hand-made captions: extraction (synonyms, plurals, two-word objects) and math."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from mmalign_eval.contracts import ItemScore
from mmalign_eval.metrics.base import evaluate
from mmalign_eval.metrics.chair import caption_counts, chair_metrics, object_halbench_metrics
from mmalign_eval.text.coco_objects import (
    caption_words_rule,
    load_synonyms,
    parse_synonyms,
    singularize_rule,
)

# A miniature of the COCO list: first word of a line is the class.
SYNONYMS = """person, man, woman, child, people, baby
dog, puppy
bird, duck
car, taxi
motorcycle, scooter, motor cycle
hot dog
teddy bear
tie, bow
chair, seat
toilet
bus
knife
wine glass
"""
VOCAB = parse_synonyms(SYNONYMS)


def mentions(caption: str) -> list[str]:
    return VOCAB.mentions(caption_words_rule(caption))


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("A man walks a dog.", ["person", "dog"]),
        ("Two puppies and three women.", ["dog", "person"]),  # plurals, irregular plural
        ("A taxi next to a car; another car.", ["car", "car", "car"]),  # repeats all count
        ("He eats a hot dog.", ["hot dog"]),  # two-word object, not 'dog'
        ("Hot dogs on a plate.", ["hot dog"]),  # plural inside a two-word object
        ("A teddy bear on the bed.", ["teddy bear"]),
        ("A baby bird in a nest.", ["bird"]),  # 'baby bird' is a bird, not a person
        ("A baby sleeps.", ["person"]),
        ("He wears a bow tie.", ["tie"]),  # official override: bow tie -> tie
        ("The seat of the toilet is up.", ["toilet"]),  # toilet-seat rule
        ("A seat by the window.", ["chair"]),
        ("Buses and knives.", ["bus", "knife"]),
        ("Two wine glasses.", ["wine glass"]),
        ("A red scooter and a motor cycle.", ["motorcycle", "motorcycle"]),
        ("Nothing here but sky.", []),
    ],
)
def test_caption_mentions(caption: str, expected: list[str]) -> None:
    assert mentions(caption) == expected


@pytest.mark.parametrize(
    ("word", "singular"),
    [("dogs", "dog"), ("puppies", "puppy"), ("benches", "bench"), ("glass", "glass"),
     ("bus", "bus"), ("ties", "tie"), ("people", "people"), ("boxes", "box"), ("is", "is")],
)  # fmt: skip
def test_singularize_rule(word: str, singular: str) -> None:
    assert singularize_rule(word) == singular


def _item(i: int, caption: str, truth: list[str]) -> ItemScore:
    values = caption_counts(mentions(caption), truth).values()
    return ItemScore(sample_id=str(i), status="ok", values=values)


# caption, ground truth, (mentions, hallucinated mentions, gt covered)
CASES = [
    ("A man walks a dog past a car.", ["person", "dog"], (3, 1, 2)),  # car hallucinated
    ("A dog, a dog and a puppy.", ["dog", "bus"], (3, 0, 1)),
    ("A taxi and a taxi.", ["person"], (2, 2, 0)),  # a repeated hallucination counts twice
    ("Just a landscape.", ["bird"], (0, 0, 0)),
]


def test_chair_math_on_hand_counts() -> None:
    items = [_item(i, cap, truth) for i, (cap, truth, _) in enumerate(CASES)]
    for item, (_, _, (m, h, cov)) in zip(items, CASES, strict=True):
        assert (item.values["mentions"], item.values["hallucinated_mentions"]) == (m, h)
        assert item.values["gt_covered"] == cov
    values = evaluate(chair_metrics(), items)
    assert values["chair_s"] == pytest.approx(2 / 4)
    assert values["chair_i"] == pytest.approx(3 / 8)
    assert values["recall"] == pytest.approx(3 / 6)
    halbench = evaluate(object_halbench_metrics(), items)
    # RLHF-V: the caption mentioning no object is left out of the response-level rate.
    assert halbench["response_hallucination"] == pytest.approx(2 / 3)
    assert halbench["mention_hallucination"] == pytest.approx(3 / 8)


def test_chair_of_no_mentions_is_undefined() -> None:
    items = [_item(0, "Only sky.", ["dog"])]
    assert np.isnan(evaluate(chair_metrics(), items)["chair_i"])


def test_real_synonym_list(shared_file: Callable[..., Path]) -> None:
    vocab = load_synonyms(str(shared_file("chair", "synonyms.txt")))
    assert len(vocab.classes) == 80
    words = caption_words_rule(
        "A boy holds a teddy bear near a fire hydrant, two giraffes and a dining table."
    )
    assert vocab.mentions(words) == [
        "person",
        "teddy bear",
        "fire hydrant",
        "giraffe",
        "dining table",
    ]
