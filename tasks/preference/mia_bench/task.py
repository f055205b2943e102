"""MIA-Bench (Qian et al., ICLR 2025): 400 layered instructions on web images; a judge
grades how well the response follows each weighted component.

Data: the official instruction_benchmark_all.json (fetched from apple/ml-mia-bench at a
pinned commit by default, or a local copy), the images fetched from their URLs into the
cache on first use (or `--image-dir` with a local copy), or `synthetic[:N]`.
Scoring: the judge writes "score of component 1: k/n, ..., total score: z/10" in its first
sentence; evaluation.ipynb's parsing and averages, per component type and in total.
"""

from __future__ import annotations

from mmalign_eval import (
    Evidence,
    Fallback,
    GenerationParams,
    Protocol,
    Reading,
    TaskSpec,
    register,
)
from mmalign_eval.evidence import JUDGE

from .data import SOURCES, MiaInfo
from .judge import JUDGE_SPEC, UNPARSEABLE
from .metrics import COLUMNS, MiaScores, item_values, mia_metrics
from .outputs import read_scored
from .parsing import by_type

_TOO_MANY = "the reply scores more components than the instruction has (official IndexError)"
DROPPED = "dropped from every average, as evaluation.ipynb's get_score_dict does"


def read_grade(evidence: Evidence[MiaInfo]) -> Reading[MiaScores]:
    """The judge's grade under the item's component types; unreadable: None."""
    grade = evidence.verdict(JUDGE)
    if grade is None:
        return Reading(None, UNPARSEABLE)
    scores = by_type(grade, evidence.sample.info.component_types)
    if scores is None:
        return Reading(None, _TOO_MANY)
    return Reading(MiaScores(total=grade.total, by_type=scores))


PROTOCOLS: tuple[Protocol[MiaInfo, MiaScores], ...] = (
    Protocol(
        "official",
        "evaluation.ipynb: process_rawscore reads the reply's first sentence; an item whose "
        "reply it cannot read is dropped from every average (counted in unparsed_count, not "
        "a failure)",
        read_grade, reads="evidence", uses_judge=True, official=True, default=True,
        fallback=Fallback(MiaScores(dropped=True), DROPPED),
    ),
    Protocol(
        "strict",
        "the official reading, but an unreadable reply is an unparseable failure, counted "
        "against the failure rate",
        read_grade, reads="evidence", uses_judge=True,
    ),
)  # fmt: skip


@register
def mia_bench() -> TaskSpec[MiaInfo]:
    """MIA-Bench: instruction following, graded per weighted component."""
    return TaskSpec(
        name="mia_bench",
        family="preference",
        version="1",
        description="MIA-Bench: 400 layered instructions on web images, each response "
        "graded per weighted component (total out of 10)",
        prompt_template="{question}",
        loader=SOURCES.load,
        protocols=PROTOCOLS,
        metrics=mia_metrics(),
        columns=COLUMNS,
        score_values=item_values,
        generation=GenerationParams(max_new_tokens=1024),
        judge=JUDGE_SPEC,
        prediction_reader=read_scored,
    )
