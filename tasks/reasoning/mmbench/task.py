"""MMBench (Liu et al., 2023) English dev set: 1,164 multiple-choice questions in 20 ability
categories (6 L2 categories), scored by CircularEval as VLMEvalKit scores it.

Each question is asked once per rotation of its options (N options, N calls: roles
circular-0 .. circular-{N-1}); it is right only when every rotation is. Per-item records
are per question, so the bootstrap resamples whole questions. Prompt: VLMEvalKit's
ImageMCQDataset layout (Hint / Question / Options with `A. text` lines) and its instruction.
Data: data.py; matching: matching.py, circular.py, judge.py, fallback.py; protocols.py.
"""

from __future__ import annotations

from mmalign_eval import (
    GenerationParams,
    ModelCall,
    Sample,
    TaskSpec,
    generate,
    rank_options,
    register,
    user_request,
)

from .circular import RULE, CircularReading
from .data import SOURCES
from .items import MMBenchInfo, rotation_question
from .judge import JUDGE, role
from .metrics import COLUMNS, group_values, mmbench_metrics
from .predictions import read_rotations
from .protocols import MMBenchProtocol, asked, mmbench_protocols

PROMPT = "{question}\nPlease select the correct answer from the options above. \n"


def plan(
    sample: Sample[MMBenchInfo], generation: GenerationParams, protocol: MMBenchProtocol
) -> tuple[ModelCall, ...]:
    """One call per asked rotation: a generation, or the options' log-likelihoods."""
    calls = []
    for k, rotation in enumerate(asked(sample.info, protocol)):
        text = PROMPT.format(question=rotation_question(sample.info, rotation))
        request = user_request(sample.media, text, generation)
        if protocol.asks == "loglikelihood":
            calls.append(rank_options(request, tuple(rotation.options), role(k)))
        else:
            calls.append(generate(request, role(k)))
    return tuple(calls)


def score_values(sample: Sample[MMBenchInfo], reading: CircularReading) -> dict[str, float]:
    """The question's columns; 'judged': the rule alone did not settle it."""
    info = sample.info
    judged = any(how not in (RULE, "", "likelihood") for how in reading.how)
    return group_values(info.category, info.l2_category, reading.hit, reading.fallback, judged)


@register
def mmbench_en_dev() -> TaskSpec[MMBenchInfo]:
    """MMBench en dev, CircularEval: accuracy overall, per L2 category and per category."""
    return TaskSpec(
        name="mmbench_en_dev",
        family="reasoning",
        version="1",
        description="MMBench en dev: 1,164 multiple-choice questions asked in every rotation "
        "of their options (CircularEval), replies matched by rule, then judge",
        prompt_template=PROMPT,
        loader=SOURCES.load,
        protocols=mmbench_protocols(),
        metrics=mmbench_metrics(),
        columns=COLUMNS,
        score_values=score_values,
        generation=GenerationParams(max_new_tokens=128),
        judge=JUDGE,
        planner=plan,
        options=lambda sample: tuple(sample.info.rotations[0].options),
        prediction_reader=read_rotations,
    )
