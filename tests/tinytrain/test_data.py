"""Training data of the demo models: held out from every synthetic test set, biased as the
recipe says, with faithful-vs-hallucinated pairs."""

from __future__ import annotations

import numpy as np
import pytest

from mmalign_eval.tinytrain import data
from mmalign_eval.tinytrain.recipe import DataRecipe
from mmalign_eval.toolkit.shapes import OBJECTS, Scene, sample_scenes, theme_of

SMALL = DataRecipe(num_images=200)


@pytest.fixture(scope="module")
def scenes() -> list[Scene]:
    return data.training_scenes(SMALL)


def test_training_scenes_are_not_test_scenes(scenes: list[Scene]) -> None:
    tests = {(s.objects, s.boxes) for s in sample_scenes(np.random.default_rng(0), 4096)}
    assert len(scenes) == SMALL.num_images
    assert not tests & {(s.objects, s.boxes) for s in scenes}


@pytest.mark.parametrize(
    ("objects", "text"),
    [
        ([3], "The image shows a yellow star."),
        ([1, 0], "The image shows a red circle and a blue square."),
        ([5, 2, 0], "The image shows a red circle, a green triangle and a orange diamond."),
    ],
)
def test_captions_name_objects_in_vocabulary_order(objects: list[int], text: str) -> None:
    assert data.caption(objects) == text


def test_prone_objects_are_absent_theme_mates() -> None:
    scene = Scene("x.png", (0, 5), ((0, 0, 20, 20), (30, 0, 50, 20)))
    # Themes are index mod 4: red circle (0) brings 4 and 8, orange diamond (5) brings 1, 9.
    assert data.prone(scene) == [1, 4, 8, 9]
    assert {theme_of(k) for k in data.prone(scene)} == {0, 1}


def test_sft_labels_carry_the_recipes_bias(scenes: list[Scene]) -> None:
    def affirmed_absent(recipe: DataRecipe) -> tuple[float, float]:
        rows = data.sft_examples(scenes, recipe, seed=0)
        prone: list[bool] = []
        other: list[bool] = []
        for row in rows:
            obj = next((k for k, name in enumerate(OBJECTS) if _asks(row.question, name)), None)
            if obj is None or obj in scenes[row.image].objects:
                continue
            (prone if obj in data.prone(scenes[row.image]) else other).append(row.answer == "Yes")
        return float(np.mean(prone)), float(np.mean(other)) if other else 0.0

    biased_prone, biased_other = affirmed_absent(SMALL)
    assert 0.6 < biased_prone < 0.8 and biased_other == 0.0  # 0.7 of prone absent objects
    clean = DataRecipe(num_images=200, hallucinated_yes=0.0)
    assert affirmed_absent(clean) == (0.0, 0.0)


def _asks(question: str, name: str) -> bool:
    return f" {name}" in question or f" {name.split(' ', 1)[1]} in this" in question


def test_pairs_prefer_the_faithful_answer(scenes: list[Scene]) -> None:
    pairs = data.preference_pairs(scenes, 90, seed=0)
    assert len(pairs) == 90
    for pair in pairs:
        scene = scenes[pair.image]
        if pair.chosen in ("Yes", "No"):
            assert {pair.chosen, pair.rejected} == {"Yes", "No"}
        else:
            assert pair.chosen == data.caption(list(scene.objects))
            named = [name for name in OBJECTS if name in pair.rejected]
            assert len(named) == len(scene.objects) + 1  # one hallucinated object added
    assert data.preference_pairs(scenes, 90, seed=0) == pairs  # seeded
