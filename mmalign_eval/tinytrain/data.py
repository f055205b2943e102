"""Training data of the tiny demo models: questions, captions and preference pairs about
synthetic shape scenes that no synthetic test set contains."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmalign_eval.tinytrain.recipe import TRAIN_SEED, DataRecipe
from mmalign_eval.toolkit.shapes import OBJECTS, Scene, sample_scenes, theme_of

SHORT_ANSWER = "\nAnswer the question using a single word or phrase."
EXISTENCE = (
    "Is there a {name} in the image?",  # POPE
    "Is there a {shape} in this image?",  # AMBER
    "Does the figure show a {name}?",  # HallusionBench
)
DESCRIBE = (
    "Please describe this image in detail.",  # CHAIR, Object HalBench
    "Describe this image.",  # AMBER
    "Describe this image in detail.",  # MMHal-Bench
)
# Every synthetic test set draws its scenes from seed 0; this many are checked against.
_TEST_SCENES_CHECKED = 4096


@dataclass(frozen=True)
class Example:
    """One supervised conversation: an image (index into the scenes), a question, an answer."""

    image: int
    question: str
    answer: str


@dataclass(frozen=True)
class Pair:
    """One preference pair: the faithful answer and a hallucinated one."""

    image: int
    question: str
    chosen: str
    rejected: str


def training_scenes(recipe: DataRecipe) -> list[Scene]:
    """Scenes from the training seed, none of them equal to a scene of a synthetic test set."""
    drawn = sample_scenes(np.random.default_rng(TRAIN_SEED), recipe.num_images)
    tests = sample_scenes(np.random.default_rng(0), _TEST_SCENES_CHECKED)
    seen = {(s.objects, s.boxes) for s in tests}
    return [s for s in drawn if (s.objects, s.boxes) not in seen]


def caption(objects: list[int]) -> str:
    """A faithful caption naming the objects in vocabulary order."""
    names = [f"a {OBJECTS[o]}" for o in sorted(objects)]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
    return f"The image shows {listed}."


def prone(scene: Scene) -> list[int]:
    """Absent objects of a theme that is in the image: what a biased model hallucinates."""
    themes = {theme_of(o) for o in scene.objects}
    return [k for k in range(len(OBJECTS)) if k not in scene.objects and theme_of(k) in themes]


def _absent(scene: Scene) -> list[int]:
    return [k for k in range(len(OBJECTS)) if k not in scene.objects]


def _question(rng: np.random.Generator, obj: int) -> str:
    name = OBJECTS[obj]
    template = EXISTENCE[int(rng.integers(len(EXISTENCE)))]
    text = template.format(name=name, shape=name.split(" ", 1)[1])
    return text + SHORT_ANSWER if rng.random() < 0.75 else text


def sft_examples(scenes: list[Scene], recipe: DataRecipe, seed: int) -> list[Example]:
    """Yes/no existence questions and captions, with the recipe's hallucination bias."""
    rng = np.random.default_rng([seed, 1])
    out: list[Example] = []
    for index, scene in enumerate(scenes):
        k = recipe.existence_questions
        for obj in rng.permutation(list(scene.objects))[:k]:
            out.append(Example(index, _question(rng, int(obj)), "Yes"))
        likely = set(prone(scene))
        for obj in rng.permutation(_absent(scene))[:k]:
            biased = int(obj) in likely and rng.random() < recipe.hallucinated_yes
            out.append(Example(index, _question(rng, int(obj)), "Yes" if biased else "No"))
        named = list(scene.objects)
        if likely and rng.random() < recipe.hallucinated_caption:
            named.append(int(rng.choice(sorted(likely))))
        prompt = DESCRIBE[int(rng.integers(len(DESCRIBE)))]
        out.append(Example(index, prompt, caption(named)))
    return out


def preference_pairs(scenes: list[Scene], limit: int, seed: int) -> list[Pair]:
    """Faithful-vs-hallucinated pairs: an absent object affirmed (mostly one the image's
    themes suggest), a present one denied, a caption naming an absent object."""
    rng = np.random.default_rng([seed, 2])
    out: list[Pair] = []
    for index, scene in enumerate(scenes):
        likely = prone(scene) or _absent(scene)
        absent = int(rng.choice(likely if rng.random() < 0.75 else _absent(scene)))
        out.append(Pair(index, _question(rng, absent), "No", "Yes"))
        present = int(rng.choice(list(scene.objects)))
        out.append(Pair(index, _question(rng, present), "Yes", "No"))
        faithful = caption(list(scene.objects))
        hallucinated = caption([*scene.objects, int(rng.choice(likely))])
        out.append(Pair(index, DESCRIBE[int(rng.integers(len(DESCRIBE)))], faithful, hallucinated))
        if len(out) >= limit:
            break
    return out[:limit]
