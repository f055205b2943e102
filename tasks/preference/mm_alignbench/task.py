"""MM-AlignBench (Zhao et al., 2025, OmniAlign-V): 252 human-annotated images with open
questions; a judge compares the model's answer with Claude-3-Sonnet's (Arena-Hard verdicts)
and VLMEvalKit reports the reward (-100..+100) and win rate, overall and per type.

Data: the Hugging Face dataset PhoenixZ/MM-AlignBench (default), a local copy of it,
VLMEvalKit's MMAlignBench.tsv, or `synthetic[:N]`.
Scoring: toolkit.arena's reward and win rate; per-type columns `n@`, `reward@`, `win@`.
"""

from __future__ import annotations

from mmalign_eval import (
    JUDGE,
    Evidence,
    Fallback,
    GenerationParams,
    ModelCall,
    Protocol,
    Reading,
    Sample,
    TaskSpec,
    generate,
    register,
)
from mmalign_eval.plans import text_first_request
from mmalign_eval.toolkit import arena
from mmalign_eval.toolkit.arena import ArenaOutcome, Position

from .data import SOURCES, AlignInfo
from .judge import JUDGE_SPEC, SWAPPED
from .official import read_vlmevalkit

# evaluate(): a score outside score_map (no verdict, 'Unknown') is 0, a tie.
OFFICIAL_FALLBACK = Fallback(
    ArenaOutcome(label=None),
    "counted as a tie, as VLMEvalKit's evaluate() does (unparsed_rate)",
)


def official_position(sample: Sample[AlignInfo]) -> Position:
    """Where evaluate() puts the model: B, except that an index containing '_rev' has its
    score negated (the model read as A)."""
    return "A" if "_rev" in sample.id else "B"


def read_official(evidence: Evidence[AlignInfo]) -> Reading[ArenaOutcome]:
    """The official order's verdict from the model's side."""
    return arena.read_order(evidence, JUDGE, official_position(evidence.sample))


def read_both(evidence: Evidence[AlignInfo]) -> Reading[ArenaOutcome]:
    """Both orders from the model's side, combined by the MT-Bench tie rule."""
    return arena.read_both_orders(evidence, JUDGE, SWAPPED)


PROTOCOLS: tuple[Protocol[AlignInfo, ArenaOutcome], ...] = (
    Protocol(
        "official",
        "the official order (Claude-3-Sonnet as assistant A, the model as B) and get_score "
        "with one retry; a reply without one of the five verdicts counts as a tie "
        "(unparsed_rate), as VLMEvalKit's evaluate() does",
        read_official, reads="evidence", uses_judge=True, judge_roles=(JUDGE,),
        official=True, default=True, fallback=OFFICIAL_FALLBACK,
    ),
    Protocol(
        "strict",
        "as official, but a reply without one of the five verdicts is an unparseable "
        "failure, left out of every metric",
        read_official, reads="evidence", uses_judge=True, judge_roles=(JUDGE,),
    ),
    Protocol(
        "both",
        "both orders (the swapped one shows the model as A, mapped back): orders on "
        "different sides are ties, agreeing orders give the weaker label, "
        "position_consistency reports agreement; an unparsed order counts as official does",
        read_both, reads="evidence", uses_judge=True, judge_roles=(JUDGE, SWAPPED),
        fallback=OFFICIAL_FALLBACK,
    ),
)  # fmt: skip


def item_values(sample: Sample[AlignInfo], outcome: ArenaOutcome) -> dict[str, float]:
    """The arena columns, overall and in the item's type."""
    return arena.arena_values(outcome) | arena.group_values(sample.info.type, outcome)


def text_first(
    sample: Sample[AlignInfo], generation: GenerationParams, protocol: Protocol
) -> tuple[ModelCall, ...]:
    """VLMEvalKit's build_prompt for this benchmark: the question, then the image."""
    return (generate(text_first_request(sample.question, sample.media, generation)),)


@register
def mm_alignbench() -> TaskSpec[AlignInfo]:
    """MM-AlignBench: reward and win rate against Claude-3-Sonnet."""
    return TaskSpec(
        name="mm_alignbench",
        family="preference",
        version="1",
        description="MM-AlignBench: 252 open questions on images, judged against "
        "Claude-3-Sonnet's answers (reward -100..+100, win rate)",
        prompt_template="{question}",
        loader=SOURCES.load,
        protocols=PROTOCOLS,
        metrics=arena.arena_metrics("reward"),
        columns=arena.COLUMNS | arena.GROUP_COLUMNS,
        score_values=item_values,
        generation=GenerationParams(max_new_tokens=2048),
        judge=JUDGE_SPEC,
        planner=text_first,
        prediction_reader=read_vlmevalkit,
    )
