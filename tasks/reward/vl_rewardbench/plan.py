"""What the model under test is asked per item.

Generative protocols (the model is a judge): K sampled replies, each to the pair shown in
its own order, as `inference_hf.py` asks K times with a fresh `random.choice` of the order.
Here each order is drawn from a generator seeded by (item id, sample index), so it is the
same on every run and machine, and a larger K keeps the first orders (and their cached
replies). Sample i has the role `sample-<i>-<order>`: the role records the order, so a
reply's "Answer 1" / "Answer 2" maps back to the responses wherever it is read.
Scalar protocol (a reward model): one reward per response, the human-preferred one first.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

from mmalign_eval import GenerationParams, ModelCall, Protocol, Request, Sample, reward
from mmalign_eval.plans import generate, reply_request, text_first_request

from .data import VLRewardInfo
from .official import Order, shown

TEMPLATE = Path(__file__).with_name("prompt_v1.txt").read_text(encoding="utf-8")
# Recorded as the task's prompt: the query filled in, the answers left as placeholders,
# since each sample shows them in its own order.
RECORDED_TEMPLATE = TEMPLATE.replace("{answer_1}", "{{answer_1}}").replace(
    "{answer_2}", "{{answer_2}}"
)
IMAGE_TOKEN = "<image>\n"  # inference_hf.py deletes it from the whole prompt
ORDER_SEED = "vl_rewardbench-order-v1"
CHOSEN, REJECTED = "chosen", "rejected"
_ROLE = re.compile(r"sample-(\d+)-(AB|BA)")
GENERATION = GenerationParams(max_new_tokens=2048, temperature=0.2, top_p=0.2, do_sample=True)


def order_of(sample_id: str, index: int) -> Order:
    """The order sample `index` of an item shows its two responses in (seeded, stable)."""
    draw = random.Random(f"{ORDER_SEED}:{sample_id}:{index}").random()
    return "AB" if draw < 0.5 else "BA"


def sample_role(index: int, order: Order) -> str:
    """The plan role of one sampled reply, e.g. 'sample-3-BA'."""
    return f"sample-{index}-{order}"


def parse_role(role: str) -> tuple[int, Order] | None:
    """(index, order) of a sampled reply's role; None for other roles."""
    match = _ROLE.fullmatch(role)
    if match is None:
        return None
    return int(match.group(1)), "AB" if match.group(2) == "AB" else "BA"


def render(sample: Sample[VLRewardInfo], order: Order) -> str:
    """The judge prompt with the responses in the given order."""
    first, second = (sample.info.responses[i] for i in shown(order))
    text = TEMPLATE.format(question=sample.question, answer_1=first, answer_2=second)
    return text.replace(IMAGE_TOKEN, "")


def judge_call(sample: Sample[VLRewardInfo], generation: GenerationParams, index: int) -> ModelCall:
    """Sampled reply `index`: the prompt first, then the image, as inference_hf.py sends it."""
    order = order_of(sample.id, index)
    # Seeded like plans.sampled: an answer depends only on its request, never on its batch.
    params = generation.model_copy(update={"seed": index})
    request = text_first_request(render(sample, order), sample.media, params, sample_index=index)
    return generate(request, sample_role(index, order))


def reward_request(
    sample: Sample[VLRewardInfo], generation: GenerationParams, response: str
) -> Request:
    """The conversation a reward model scores: the image(s) and the query, then a response."""
    query = sample.question.replace("<image>", "").strip()
    return reply_request(sample.media, query, response, generation)


def plan(
    sample: Sample[VLRewardInfo], generation: GenerationParams, protocol: Protocol[Any, Any]
) -> tuple[ModelCall, ...]:
    """K sampled judgements, or the rewards of the chosen and the rejected response."""
    info = sample.info
    if protocol.asks == "reward":
        return (
            reward(reward_request(sample, generation, info.responses[info.chosen]), CHOSEN),
            reward(reward_request(sample, generation, info.responses[info.rejected]), REJECTED),
        )
    return tuple(judge_call(sample, generation, i) for i in range(protocol.samples or 1))
