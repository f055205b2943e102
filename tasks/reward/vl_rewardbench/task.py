"""VL-RewardBench (Li et al., CVPR 2025): 1,250 image-query pairs with two responses and a
human preference, from general (VLFeedback, WildVision), hallucination (POVID, RLAIF-V,
RLHF-V) and reasoning (MathVerse, MMMU-Pro) sources.

The model under test is the judge: it is asked K times (each with its own order of the
two responses) which answer is better, and the majority of its verdicts must agree with
the human preference (`official`, `strict`); or it is a scalar reward model whose reward
of the preferred response must be higher (`scalar`). Data: data.py; the official reading
and counting: official.py; the plan: plan.py; protocols.py; metrics.py; predictions.py.
"""

from __future__ import annotations

from mmalign_eval import TaskSpec, register

from .data import SOURCES, VLRewardInfo
from .metrics import COLUMNS, vl_reward_metrics
from .plan import GENERATION, RECORDED_TEMPLATE, plan
from .predictions import read_vl_rewardbench
from .protocols import PROTOCOLS, majority_values


@register
def vl_rewardbench() -> TaskSpec[VLRewardInfo]:
    """VL-RewardBench: agreement of a judge's majority verdict (or a reward model's
    rewards) with the human preference, overall, per category and macro-averaged."""
    return TaskSpec(
        name="vl_rewardbench",
        family="reward",
        version="1",
        description="VL-RewardBench: 1,250 response pairs on images (general, hallucination, "
        "reasoning); does the judge's majority verdict, or a reward model's higher reward, "
        "pick the response humans preferred?",
        prompt_template=RECORDED_TEMPLATE,
        loader=SOURCES.load,
        protocols=PROTOCOLS,
        metrics=vl_reward_metrics(),
        columns=COLUMNS,
        score_values=majority_values,
        generation=GENERATION,
        planner=plan,
        prediction_reader=read_vl_rewardbench,
    )
