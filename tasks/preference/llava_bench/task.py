"""LLaVA-Bench (In-the-Wild) (Liu et al., 2023): 60 open questions on 24 images, each
model answer reviewed by a text-only GPT-4 against GPT-4's own reference answer.

Data: the Hugging Face dataset lmms-lab/llava-bench-in-the-wild (default), a local copy of
it, the official liuhaotian/llava-bench-in-the-wild folder, or `synthetic[:N]`.
Scoring: the judge sees the caption, the question, the reference as Assistant 1 and the
model's answer as Assistant 2, with the category's rule, and writes two scores on its
first line; the relative score is mean(model) / mean(reference) x 100 with the official
rounding, per category and overall.
"""

from __future__ import annotations

from mmalign_eval import (
    JUDGE,
    Evidence,
    Fallback,
    GenerationParams,
    Protocol,
    Reading,
    TaskSpec,
    register,
)

from .data import SOURCES, LlavaInfo
from .judge import JUDGE_SPEC, RULES_COMPONENT, SWAPPED, UNPARSEABLE
from .metrics import COLUMNS, PairScores, item_values, llava_metrics, preferred
from .reviews import read_reviews
from .scores import UNPARSED, ScorePair

# The official [-1, -1]: both sides "score" -1, and the review stays in both means.
OFFICIAL_UNPARSED = PairScores(
    reference=UNPARSED[0], model=UNPARSED[1], preferred="tie", unparsed=True
)


def official_order(pair: ScorePair) -> PairScores:
    """Scores of the official order: the reference is Assistant 1, the model Assistant 2."""
    return PairScores(
        reference=pair.first, model=pair.second, preferred=preferred(pair.first, pair.second)
    )


def read_official(pair: ScorePair | None) -> Reading[PairScores]:
    """The official order's review; None (unparsed) is a failure unless a fallback applies."""
    return Reading(None, UNPARSEABLE) if pair is None else Reading(official_order(pair))


def read_both(evidence: Evidence[LlavaInfo]) -> Reading[PairScores]:
    """Both orders, the swapped review mapped back (its Assistant 1 is the model): each
    side's score is the mean of its two orders; orders preferring different sides are a tie."""
    first, swapped = evidence.verdict(JUDGE), evidence.verdict(SWAPPED)
    if first is None or swapped is None:
        order = "official" if first is None else "swapped"
        return Reading(None, f"{UNPARSEABLE} (the {order} order)")
    one = official_order(first)
    two = PairScores(
        reference=swapped.second, model=swapped.first,
        preferred=preferred(swapped.second, swapped.first),
    )  # fmt: skip
    agree = one.preferred == two.preferred
    return Reading(PairScores(
        reference=(one.reference + two.reference) / 2, model=(one.model + two.model) / 2,
        preferred=one.preferred if agree else "tie", consistent=agree,
    ))  # fmt: skip


PROTOCOLS: tuple[Protocol[LlavaInfo, PairScores], ...] = (
    Protocol(
        "official",
        "the official order (GPT-4's answer as Assistant 1, the model's as Assistant 2) and "
        "parse_score; a review without two scores on its first line is scored [-1, -1] and "
        "kept in both means, as the official script does (counted in unparsed_count)",
        read_official, reads="judge", official=True, default=True, judge_roles=(JUDGE,),
        fallback=Fallback(OFFICIAL_UNPARSED, "scored [-1, -1] as the official parse_score"),
        components=(RULES_COMPONENT,),
    ),
    Protocol(
        "strict",
        "as official, but a review without two scores is an unparseable failure, left out "
        "of the means (not comparable with published numbers when there are any)",
        read_official, reads="judge", judge_roles=(JUDGE,), components=(RULES_COMPONENT,),
    ),
    Protocol(
        "both",
        "both orders (the swapped one shows the model as Assistant 1, mapped back): each "
        "side scores the mean of its two reviews; orders preferring different sides are "
        "ties; position_consistency reports how often they agree; an unparsed review in "
        "either order is a failure",
        read_both, reads="evidence", uses_judge=True, components=(RULES_COMPONENT,),
    ),
)  # fmt: skip


@register
def llava_bench_wild() -> TaskSpec[LlavaInfo]:
    """LLaVA-Bench (In-the-Wild): relative score against GPT-4's reference answers."""
    return TaskSpec(
        name="llava_bench_wild",
        family="preference",
        version="1",
        description="LLaVA-Bench (In-the-Wild): 60 open questions, each answer reviewed "
        "against GPT-4's reference answer by a text-only judge (relative score)",
        prompt_template="{question}",
        loader=SOURCES.load,
        protocols=PROTOCOLS,
        metrics=llava_metrics(),
        columns=COLUMNS,
        score_values=item_values,
        generation=GenerationParams(max_new_tokens=1024),  # as the official model_vqa.py
        judge=JUDGE_SPEC,
        prediction_reader=read_reviews,
    )
