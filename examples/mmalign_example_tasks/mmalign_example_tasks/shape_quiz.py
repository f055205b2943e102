"""Shape quiz: which of four shapes is in the image? A worked multiple-choice benchmark.

Protocols come from the toolkit: `letter` reads the option letter the model writes,
`likelihood` ranks the four letters by the model's log-likelihood after the prompt.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from mmalign_eval import (
    DataRequest,
    GenerationParams,
    LoadedData,
    Record,
    Sample,
    TaskSpec,
    register,
)
from mmalign_eval.toolkit.choice import ACCURACY, COLUMNS, choice_protocols, correct_values
from mmalign_eval.toolkit.prompts import Choices, as_options, headed_question
from mmalign_eval.toolkit.shapes import OBJECTS
from mmalign_eval.toolkit.sources import Sources

from .scenes import scenes, shape

PROMPT = "{question}\nAnswer with the option's letter from the given choices directly."
SHAPES = sorted({shape(o) for o in OBJECTS})


class QuizInfo(Record):
    """The item's options and answer letter."""

    choices: Choices


def quiz_item(entry: Mapping[str, Any], rng: random.Random) -> QuizInfo:
    """One drawn shape of the image and three absent ones, in random order."""
    drawn = [shape(str(o)) for o in entry["objects"]]
    texts = [drawn[0], *rng.sample([s for s in SHAPES if s not in drawn], 3)]
    rng.shuffle(texts)
    options = as_options(texts)
    answer = next(letter for letter, text in options.items() if text == drawn[0])
    return QuizInfo(choices=Choices(options=options, answer=answer))


def load_quiz(request: DataRequest, size: int) -> LoadedData[QuizInfo]:
    """Quiz items on the synthetic scenes (the same options on every machine)."""
    entries, images, provenance = scenes(request, size, "shape quiz")
    rng = random.Random(0)
    samples = []
    for index, entry in enumerate(entries):
        info = quiz_item(entry, rng)
        question = headed_question("Which of these shapes is in the image?", info.choices)
        image = images.ref(str(entry["image"]))
        samples.append(
            Sample(id=str(index), task="shape_quiz", question=question, media=(image,),
                   target=info.choices.answer, info=info)
        )  # fmt: skip
    return LoadedData(samples, provenance)


@register
def shape_quiz() -> TaskSpec[QuizInfo]:
    """Which shape is in the image (four options)."""
    sources = Sources(
        "shape_quiz", synthetic=load_quiz, synthetic_size=8,
        required=("shape_quiz has synthetic data only", "pass --data synthetic"),
    )  # fmt: skip
    return TaskSpec(
        name="shape_quiz",
        family="reasoning",
        version="1",
        description="example: which of four shapes is in the image (multiple choice)",
        prompt_template=PROMPT,
        loader=sources.load,
        protocols=choice_protocols("ABCD"),
        metrics=(ACCURACY,),
        columns=COLUMNS,
        score_values=correct_values(lambda sample: sample.info.choices),
        generation=GenerationParams(max_new_tokens=8),
        options=lambda sample: tuple(sample.info.choices.options),
    )
