"""MM-RLHF-RewardBench (Zhang et al., 2025, MM-RLHF): 170 human-ranked (chosen, rejected)
response pairs on 46 prompts (mcq, long, short, safety, video), for multimodal reward
models. Official scoring: llava/eval/cal_performance_mmreweard_bench.py (Kwai-YuanQi/MM-RLHF
@ 7c8af1d): ACC over pairs, ACC+ over prompts, both per category.

Protocols (protocols.py): `scalar` (default, official) asks the reward model for each
response's reward; `generative` asks a chat model to name the better response, as R1-Reward
evaluates this benchmark. Data: data.py (video pairs are not asked; see there). Metrics:
metrics.py. `score` reads the official output and rewards lines (official.py).

Departure (scalar): MM-RLHF-Reward's inference wraps question and answer in its critic
prompt and generates a critique before the reward; the harness scores the plain
conversation (image and prompt, then the response), what a reward model is given.
"""

from __future__ import annotations

from mmalign_eval import (
    GenerationParams,
    ModelCall,
    Protocol,
    Request,
    Sample,
    TaskSpec,
    generate,
    register,
    reward,
    user_request,
)
from mmalign_eval.plans import reply_request

from .data import SOURCES
from .metrics import COLUMNS, PairOutcome, item_values, rewardbench_metrics
from .official import read_reward_files
from .protocols import CHOSEN, PROTOCOLS, REJECTED, TEMPLATE
from .rows import TASK, PairInfo

RewardProtocol = Protocol[PairInfo, PairOutcome]


def conversation(sample: Sample[PairInfo], response: str, generation: GenerationParams) -> Request:
    """What a reward model scores: the image and the prompt, then the response."""
    return reply_request(sample.media, sample.question, response, generation)


def judge_prompt(sample: Sample[PairInfo]) -> str:
    """The pairwise prompt: the chosen response is always Response 1 (R1-Reward's order)."""
    info = sample.info
    return TEMPLATE.render(
        question=sample.question, first_response=info.chosen, second_response=info.rejected
    )


def plan(
    sample: Sample[PairInfo], generation: GenerationParams, protocol: RewardProtocol
) -> tuple[ModelCall, ...]:
    """Two reward calls (chosen first, as `rewards` lists them), or one judge generation."""
    if protocol.asks == "reward":
        return (
            reward(conversation(sample, sample.info.chosen, generation), role=CHOSEN),
            reward(conversation(sample, sample.info.rejected, generation), role=REJECTED),
        )
    return (generate(user_request(sample.media, judge_prompt(sample), generation)),)


@register
def mm_rlhf_rewardbench() -> TaskSpec[PairInfo]:
    """MM-RLHF-RewardBench: ACC and ACC+ of a reward model on human-ranked pairs."""
    return TaskSpec(
        name=TASK,
        family="reward",
        version="1",
        description="MM-RLHF-RewardBench: 170 chosen/rejected pairs on 46 prompts; ACC over "
        "pairs, ACC+ over prompts (a reward model's rewards, or a judge's verdict)",
        prompt_template="{question}",
        loader=SOURCES.load,
        protocols=PROTOCOLS,
        metrics=rewardbench_metrics(),
        columns=COLUMNS,
        score_values=item_values,
        # R1-Reward lets its judge write up to 4096 tokens of comparison before the verdict.
        generation=GenerationParams(max_new_tokens=4096),
        planner=plan,
        prediction_reader=read_reward_files,
    )
