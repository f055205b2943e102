"""Shape pairs: is the model's description preferred over a reference? A worked
pairwise-judged benchmark.

A judge compares the model's description with a reference in both orders (A/B and B/A),
so a judge that favours a position shows it. The toolkit's protocols: `both` (default)
maps the swapped verdict back and counts inconsistent pairs as ties; `ab` judges the A/B
order only, and only that call is made. Each order is its own judge cache entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from mmalign_eval import (
    ANSWER,
    DataRequest,
    GenerationParams,
    JudgeRequest,
    JudgeTaskSpec,
    LoadedData,
    Record,
    Response,
    Sample,
    TaskSpec,
    load_template,
    register,
)
from mmalign_eval.toolkit import pairwise
from mmalign_eval.toolkit.sources import Sources

from .scenes import scenes

QUESTION = "Describe the shapes in this image."
TEMPLATE = load_template(Path(__file__).with_name("shape_pairs_judge_v1.txt"), "shape_pairs", "1")
VERDICTS = {"A": "A", "B": "B", "C": "tie"}


class PairInfo(Record):
    """The reference description the model's answer is compared with."""

    reference: str


def load_pairs(request: DataRequest, size: int) -> LoadedData[PairInfo]:
    """One item per synthetic scene; the reference names every drawn object."""
    entries, images, provenance = scenes(request, size, "shape pairs")
    samples = []
    for index, entry in enumerate(entries):
        named = ", ".join(f"a {obj}" for obj in entry["objects"])
        samples.append(
            Sample(id=str(index), task="shape_pairs", question=QUESTION,
                   media=(images.ref(str(entry["image"])),),
                   info=PairInfo(reference=f"The image shows {named}."))
        )  # fmt: skip
    return LoadedData(samples, provenance)


def parse_verdict(text: str) -> str | None:
    """The last [[A]], [[B]] or [[C]] of the judge's reply (C: a tie); None without one."""
    found = re.findall(r"\[\[([ABC])\]\]", text)
    return VERDICTS[found[-1]] if found else None


def judge_calls(
    sample: Sample[PairInfo], responses: Mapping[str, Response], choice: bool
) -> tuple[JudgeRequest, ...]:
    """The comparison in both orders; a local judge in choice mode picks one verdict."""

    def render(answer_a: str, answer_b: str) -> str:
        return TEMPLATE.render(question=sample.question, answer_a=answer_a, answer_b=answer_b)

    answer = responses[ANSWER].text
    choices = ("[[A]]", "[[B]]", "[[C]]")
    return pairwise.order_requests(render, answer, sample.info.reference, choices)


JUDGE = JudgeTaskSpec(
    template=TEMPLATE,
    official_model="none",  # no official judge: every judge is flagged as not the official
    official_backend="openai",
    render=lambda sample, answer: "",  # unused: `calls` writes both prompts
    parse=parse_verdict,
    calls=judge_calls,
    expected_output_tokens=10,
)


@register
def shape_pairs() -> TaskSpec[PairInfo]:
    """The model's shape description against a reference, judged pairwise."""
    sources = Sources(
        "shape_pairs", synthetic=load_pairs, synthetic_size=8,
        required=("shape_pairs has synthetic data only", "pass --data synthetic"),
    )  # fmt: skip
    return TaskSpec(
        name="shape_pairs",
        family="preference",
        version="1",
        description="example: the model's description against a reference, judged pairwise",
        prompt_template="{question}",
        loader=sources.load,
        protocols=pairwise.pairwise_protocols(),
        metrics=pairwise.preference_metrics(),
        columns=pairwise.COLUMNS,
        score_values=lambda sample, preference: pairwise.preference_values(preference),
        generation=GenerationParams(max_new_tokens=48),
        judge=JUDGE,
    )
