"""CHAIR on hand-made captions: extraction (synonyms, plurals, two-word objects) and math."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from mmalign_eval.contracts import ItemScore
from mmalign_eval.metrics.base import evaluate
from mmalign_eval.text.inflect import singularize_pattern
from mmalign_eval_tasks.hallucination.chair.metrics import (
    caption_counts,
    chair_metrics,
    object_halbench_metrics,
)
from mmalign_eval_tasks.hallucination.chair.objects import (
    caption_words_rule,
    load_synonyms,
    parse_synonyms,
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
    found: list[str] = VOCAB.mentions(caption_words_rule(caption))
    return found


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


# pattern.en 3.6's singulars (what the official chair.py sees), quirks included; the
# comments name what the earlier suffix rules gave where it differed.
PATTERN_SINGULARS = [
    ("dogs", "dog"), ("puppies", "puppy"), ("benches", "bench"), ("boxes", "box"),
    ("giraffes", "giraffe"), ("bananas", "banana"), ("women", "woman"), ("mice", "mouse"),
    ("knives", "knife"), ("buses", "bus"), ("glasses", "glass"), ("skis", "ski"),
    ("sheep", "sheep"), ("scissors", "scissors"), ("species", "species"), ("news", "news"),
    ("tomatoes", "tomato"),  # was 'tomatoe'
    ("policemen", "policeman"),  # was unchanged: irregular endings count inside compounds
    ("people", "person"),  # was 'people' (both are person synonyms)
    ("tvs", "tv"),  # was 'tvs': no minimum length
    ("taxis", "taxi"),  # was 'taxis': -is is not kept
    ("shelves", "shelve"),  # was 'shelf': pattern's irregular 'helves' -> 'helve'
    ("series", "series"),  # was 'sery'
    # -ss, -us, -is singulars lose their final s: the official code never sees 'bus'
    # (hence its 'wine glas' two-word entry); the earlier rules kept them.
    ("bus", "bu"), ("glass", "glas"), ("dress", "dres"), ("grass", "gras"),
    ("cactus", "cactu"), ("tennis", "tenni"), ("this", "thi"), ("is", "is"),
    ("ties", "ty"), ("pies", "py"),  # pattern's '^tie'/'^pie' entries never match
    ("doggies", "doggies"), ("collies", "collies"),  # pattern returns -ie plurals as they are
    ("airbuses", "airbus"), ("minibuses", "minibus"),  # TextBlob alone gives 'bus'
    ("canoes", "cano"), ("oxen", "ox"), ("mothers-in-law", "mother-in-law"),
]  # fmt: skip


@pytest.mark.parametrize(("word", "singular"), PATTERN_SINGULARS)
def test_singularize_pattern(word: str, singular: str) -> None:
    assert singularize_pattern(word) == singular


def test_pattern_steps_run_after_the_word_lists() -> None:
    # singularize_pattern tests -ie and s-singular plurals before TextBlob's uninflected and
    # uncountable lists; that is pattern's order only while no listed word ends in one.
    from textblob.en import inflect

    plurals = [f"{w}s" for w in inflect.singular_ie] + [f"{w}es" for w in inflect.singular_s]
    listed = [*inflect.singular_uninflected, *inflect.singular_uncountable]
    assert not [(w, p) for w in listed for p in plurals if w.endswith(p)]


def test_chair_words_with_pattern_quirks() -> None:
    caption = "A bus, two buses, glasses of wine, two wine glasses and ties on the grass."
    # As in the official code: 'bus' -> 'bu' and 'ties' -> 'ty' are no objects.
    assert mentions(caption) == ["bus", "wine glass"]
    words = caption_words_rule("Two airbuses and a dress.")
    assert words == ["two", "airbus", "and", "a", "dres", "."]


def test_singularize_needs_no_nltk_data(tmp_path: Path) -> None:
    # A fresh process with empty NLTK data folders, where any data lookup fails loudly.
    probe = (
        "import sys, nltk.data\n"
        "def refuse(*a, **k): raise AssertionError('nltk data looked up')\n"
        "nltk.data.find = nltk.data.load = refuse\n"
        "from mmalign_eval_tasks.hallucination.chair.objects import caption_words_rule\n"
        "print(' '.join(caption_words_rule('Two buses and three women.')))\n"
    )
    (tmp_path / "nltk_data").mkdir()
    env = {**os.environ, "NLTK_DATA": str(tmp_path / "nltk_data"), "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True
    )
    assert out.stdout.split() == ["two", "bus", "and", "three", "woman", "."]


def test_import_is_light() -> None:
    # TextBlob (and with it nltk) loads on the first singularisation, not at import.
    probe = (
        "import sys, mmalign_eval_tasks.hallucination.chair.objects; print('nltk' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


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


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Two minibuses and a minibus.", ["bus"]),  # 'minibus' -> 'minibu'
        ("Two airbuses.", ["airplane"]),  # not 'bus', as TextBlob alone would give
        ("A doggie and two doggies.", ["dog"]),  # pattern keeps 'doggies'
        ("Two policemen and their grandchildren.", ["person", "person"]),
        ("A canoe and two canoes.", ["boat"]),  # 'canoes' -> 'cano'
        ("Two tvs and two taxis.", ["tv", "car"]),
    ],
)
def test_real_synonym_list_pattern_cases(
    shared_file: Callable[..., Path], caption: str, expected: list[str]
) -> None:
    vocab = load_synonyms(str(shared_file("chair", "synonyms.txt")))
    assert vocab.mentions(caption_words_rule(caption)) == expected
