"""MMMU validation (900 questions, 30 subjects, 6 disciplines), scored as the official
MMMU-Benchmark/MMMU scripts score it (mmmu/utils/eval_utils.py, main_parse_and_eval.py,
main_eval_only.py).

Prompt: the official construct_prompt with configs/llava1.5.yaml: the question (its
`<image k>` placeholders kept), for multiple choice one `(A) text` line per option, a blank
line and "Answer with the option's letter from the given choices directly."; for open
questions "Answer the question using a single word or phrase.". The images the question and
options name are given in placeholder order (see data.py and prompt.py).

Protocols: `official` (default) reads the letter as parse_multi_choice_response does and,
when the reply names none, takes the official seeded random.choice, recorded per item
(`fallback`, fallback_rate); `strict` makes those replies unparseable failures; `likelihood`
ranks a multiple-choice question's letters by log-likelihood, and generates the open
questions, which have nothing to rank, reading them by the official open-answer rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mmalign_eval import (
    Evidence,
    GenerationParams,
    ModelCall,
    Protocol,
    Reading,
    Sample,
    TaskSpec,
    UsageError,
    generate,
    rank_options,
    register,
    user_request,
)
from mmalign_eval.toolkit.choice import Picked, most_likely

from .data import SOURCES
from .fallback import OFFICIAL_SEED, SeededDraws
from .items import TASK, MMMUInfo
from .metrics import COLUMNS, Value, item_values, mmmu_metrics
from .outputs import read_outputs
from .parsing import parse_open, read_choice

PROMPT = "{question}"  # each item's question is its full official prompt (prompt.py)
RANDOM = "random.choice"


def _no_option(text: str) -> str:
    return f"no '(X)', ' X ' or option text (replies over 5 words) in {text.strip()[:60]!r}"


def read_official(
    draws: SeededDraws | None,
) -> Callable[[Evidence[MMMUInfo]], Reading[Value]]:
    """The official reading; without draws (strict) a reply naming no option fails."""

    def read(evidence: Evidence[MMMUInfo]) -> Reading[Value]:
        sample, text = evidence.sample, evidence.answer().text
        info = sample.info
        if draws is not None:
            draws.visit(sample.id)
        if not info.multiple_choice:
            return Reading(parse_open(text))
        if info.options is None:  # the answer file: compared as given (main_eval_only.py)
            return Reading(Picked(letter=text))
        letter = read_choice(text, info.options)
        if letter is not None:
            return Reading(Picked(letter=letter))
        if draws is None:
            return Reading(None, _no_option(text))
        drawn = draws.choice(list(info.options))
        reason = f"{_no_option(text)}: the official {RANDOM} (seed {OFFICIAL_SEED}) gave {drawn}"
        return Reading(Picked(letter=drawn, fallback=RANDOM), reason)

    return read


def read_likelihood(evidence: Evidence[MMMUInfo]) -> Reading[Value]:
    """The most likely letter of a multiple-choice question; an open question's reply."""
    if not evidence.sample.info.multiple_choice:
        return Reading(parse_open(evidence.answer().text))
    best = most_likely(evidence)
    return Reading(None, best.reason) if best.value is None else Reading(Picked(letter=best.value))


def protocols() -> tuple[Protocol[MMMUInfo, Value], ...]:
    """official (default), strict and likelihood; each task instance has its own stream."""
    return (
        Protocol(
            "official",
            "parse_multi_choice_response: '(X)', else ' X ', else (replies over 5 words) "
            "an option's text, the latest mention winning; a reply naming none gets the "
            "official random.choice (seed 42, drawn in the official order), counted in "
            "fallback_rate; open questions by parse_open_response and eval_open",
            read_official(SeededDraws()), reads="evidence", official=True, default=True,
        ),
        Protocol(
            "strict",
            "as official, but a multiple-choice reply naming no option is an unparseable "
            "failure (left out of the accuracies) instead of a random letter",
            read_official(None), reads="evidence",
        ),
        Protocol(
            "likelihood",
            "multiple choice: the letter with the highest log-likelihood after the prompt "
            "(ranked, not generated); open questions cannot be ranked: they are generated "
            "and read as under official",
            read_likelihood, reads="evidence", asks="loglikelihood",
        ),
    )  # fmt: skip


def plan(
    sample: Sample[MMMUInfo], generation: GenerationParams, protocol: Protocol[MMMUInfo, Any]
) -> tuple[ModelCall, ...]:
    """One generation; under likelihood, a multiple-choice question's letters ranked."""
    request = user_request(sample.media, PROMPT.format(question=sample.question), generation)
    if protocol.asks != "loglikelihood" or not sample.info.multiple_choice:
        return (generate(request),)
    if sample.info.options is None:
        raise UsageError(
            "the likelihood protocol needs each question's options; the answer file has none",
            "load the dataset (the default, or a local copy with --data)",
        )
    return (rank_options(request, tuple(sample.info.options)),)


@register
def mmmu_val() -> TaskSpec[MMMUInfo]:
    """MMMU validation: accuracy overall, per discipline and per subject."""
    return TaskSpec(
        name=TASK,
        family="reasoning",
        version="1",
        description="MMMU validation: 900 college-level questions in 30 subjects (multiple "
        "choice and open), scored by the official answer rules",
        prompt_template=PROMPT,
        loader=SOURCES.load,
        protocols=protocols(),
        metrics=mmmu_metrics(),
        columns=COLUMNS,
        score_values=item_values,
        generation=GenerationParams(max_new_tokens=128),
        planner=plan,
        options=lambda sample: tuple(sample.info.options or ()),
        prediction_reader=read_outputs,
    )
