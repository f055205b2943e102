"""MIA-Bench's judge: the instruction, its weighted components and the model's response.

The official notebook (generate_prompt) names each component in order with its weight, and
asks for "score of component 1: x/2, ..., total score: z/10" in one sentence, then reasons.
Its judge is GPT-4o, sent the image with the prompt; so is the judge here (the image
follows the prompt text; its hash is part of the judge cache key).
"""

from __future__ import annotations

from pathlib import Path

from mmalign_eval import JudgeTaskSpec, Sample, load_template

from .data import MiaInfo
from .parsing import parse_grade

OFFICIAL_JUDGE = "gpt-4o"  # evaluation.ipynb
TEMPLATE = load_template(Path(__file__).with_name("judge_v1.txt"), "mia_bench", "1")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
UNPARSEABLE = (
    "the reply's first sentence is not 'score of component 1: k/n, ..., total score: z/10' "
    "as the official process_rawscore reads it"
)


def _ordinal(index: int) -> str:
    return _ORDINALS[index] if index < len(_ORDINALS) else f"number {index + 1}"


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe_components(info: MiaInfo) -> tuple[str, str]:
    """The components in order, and what each is worth, as two sentences."""
    named = [f"the {_ordinal(i)} component is: '{text}'" for i, text in enumerate(info.components)]
    worth = [f"the {_ordinal(i)} component is worth {w} points" for i, w in enumerate(info.weights)]
    first, second = _joined(named), _joined(worth)
    return first[0].upper() + first[1:] + ".", second[0].upper() + second[1:] + "."


def render(sample: Sample[MiaInfo], response: str) -> str:
    """The grading prompt of one response."""
    components, weights = describe_components(sample.info)
    return TEMPLATE.render(
        instruction=sample.question, components=components, response=response, weights=weights
    )


def candidates(sample: Sample[MiaInfo], response: str) -> tuple[str, ...]:
    """Replies a local judge in choice mode picks from: full marks, none, or one component
    missed, each in the official format."""
    weights = sample.info.weights

    def reply(kept: list[int]) -> str:
        parts = [f"score of component {i + 1}: {k}/{w}" for i, (k, w) in enumerate(zip(
            kept, weights, strict=True))]  # fmt: skip
        return ", ".join([*parts, f"total score: {sum(kept)}/10"]) + "."

    options = [reply(list(weights)), reply([0] * len(weights))]
    options += [reply([0 if j == i else w for j, w in enumerate(weights)])
                for i in range(len(weights))]  # fmt: skip
    return tuple(dict.fromkeys(options))


JUDGE_SPEC = JudgeTaskSpec(
    template=TEMPLATE,
    official_model=OFFICIAL_JUDGE,
    official_backend="openai",
    render=render,
    parse=parse_grade,
    expected_output_tokens=200,
    unparseable_reason=UNPARSEABLE,
    candidates=candidates,
    shows_images=True,  # the official judge is sent the image with the prompt
)
