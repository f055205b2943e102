"""WildVision-Bench (Lu et al., 2024): 500 real-world image instructions from WildVision
Arena; a judge compares the model's answer with claude-3-sonnet-20240229's (Arena-Hard
verdicts) and show_results.py reports a Bradley-Terry score, reward and win rate.

Data: the Hugging Face dataset WildVision/wildvision-bench, config vision_bench_0617
(default), a local copy of it, with the baseline's answers; or `synthetic[:N]`.
Scoring: toolkit.arena (reward, win rate, Bradley-Terry score exactly as show_results.py).
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
from mmalign_eval.toolkit.arena import ArenaOutcome

from .data import SOURCES, WildVisionInfo
from .judge import JUDGE_SPEC, SWAPPED
from .official import read_judgements

# show_results.py: an unparsed verdict is a tie in reward and win rate, no battle in the fit.
OFFICIAL_FALLBACK = Fallback(
    ArenaOutcome(label=None),
    "counted as a tie in reward and win rate and left out of the Bradley-Terry fit, as "
    "show_results.py does (unparsed_rate)",
)


def read_official(evidence: Evidence[WildVisionInfo]) -> Reading[ArenaOutcome]:
    """The official order's verdict, the model being assistant B."""
    return arena.read_order(evidence, JUDGE, "B")


def read_both(evidence: Evidence[WildVisionInfo]) -> Reading[ArenaOutcome]:
    """Both orders from the model's side, combined by the MT-Bench tie rule."""
    return arena.read_both_orders(evidence, JUDGE, SWAPPED)


PROTOCOLS: tuple[Protocol[WildVisionInfo, ArenaOutcome], ...] = (
    Protocol(
        "official",
        "the official order (the baseline as assistant A, the model as B) and get_score; a "
        "reply without exactly one of the five verdicts is a tie in reward and win rate and "
        "left out of the Bradley-Terry fit (counted in unparsed_rate)",
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


def text_first(
    sample: Sample[WildVisionInfo], generation: GenerationParams, protocol: Protocol
) -> tuple[ModelCall, ...]:
    """The official answer request: the instruction, then the image (gen_answers.py)."""
    return (generate(text_first_request(sample.question, sample.media, generation)),)


@register
def wildvision_bench() -> TaskSpec[WildVisionInfo]:
    """WildVision-Bench: Bradley-Terry score against claude-3-sonnet-20240229."""
    return TaskSpec(
        name="wildvision_bench",
        family="preference",
        version="1",
        description="WildVision-Bench (vision_bench_0617): 500 real-world instructions, "
        "judged against claude-3-sonnet-20240229's answers (Bradley-Terry score)",
        prompt_template="{question}",
        loader=SOURCES.load,
        protocols=PROTOCOLS,
        metrics=arena.arena_metrics("score"),
        columns=arena.COLUMNS,
        score_values=lambda sample, outcome: arena.arena_values(outcome),
        generation=GenerationParams(max_new_tokens=4096),  # gen_answers.py's default
        judge=JUDGE_SPEC,
        planner=text_first,
        prediction_reader=read_judgements,
    )
