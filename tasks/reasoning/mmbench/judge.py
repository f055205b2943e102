"""The judge matcher: for a rotation the rule cannot read, the official prompt (VLMEvalKit's
build_prompt, or build_prompt_cn for a question with Chinese characters) asks which option
the reply means, or Z; its reply is read by the same rule (circular.py).

Rotations the rule settles, and every rotation of a question the rule settles, are answered
by the official rule itself (no call is made). A local judge in choice mode picks among the
rotation's letters and Z.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from mmalign_eval import JudgeRequest, JudgeTaskSpec, Response, Sample, load_template

from .circular import prefetch_decision, prefetched
from .items import MMBenchInfo, Rotation
from .matching import NONE_OF_THEM

# VLMEvalKit's run.py default judge for multiple-choice datasets ('gpt-4o-mini', which
# build_judge maps to this snapshot); the MMBench paper's evaluator used ChatGPT.
OFFICIAL_JUDGE = "gpt-4o-mini-2024-07-18"
TEMPLATE = load_template(Path(__file__).with_name("judge_v1.txt"), "mmbench", "1")
TEMPLATE_CN = load_template(Path(__file__).with_name("judge_cn_v1.txt"), "mmbench_cn", "1")
_CHINESE = re.compile("[\u4e00-\u9fff]")


def role(k: int) -> str:
    """The plan role of rotation k."""
    return f"circular-{k}"


def option_list(options: Mapping[str, str]) -> str:
    """VLMEvalKit's build_option_str: a header line, then one `A. text` line per option."""
    return "There are several options: \n" + "".join(f"{k}. {v}\n" for k, v in options.items())


def judge_prompt(info: MMBenchInfo, rotation: Rotation, reply: str) -> str:
    """The official matching prompt for one rotation's reply (the question without hint)."""
    template = TEMPLATE_CN if _CHINESE.search(info.question) else TEMPLATE
    return template.render(
        question=info.question, options=option_list(rotation.options), prediction=reply
    )


def judge_calls(
    sample: Sample[MMBenchInfo], responses: Mapping[str, Response], choice: bool
) -> tuple[JudgeRequest, ...]:
    """One request per answered rotation; the rule's own reading where it settles it."""
    info = sample.info
    ks = [k for k in range(len(info.rotations)) if role(k) in responses]
    rotations = [info.rotations[k] for k in ks]
    replies = [responses[role(k)].text for k in ks]
    found = prefetched(rotations, replies)
    # A question the rule settles needs no judge at all (the official script asks none).
    settled = prefetch_decision(rotations, found) is not None
    requests = []
    for k, rotation, reply, letter in zip(ks, rotations, replies, found, strict=True):
        fixed = (letter or "") if settled else letter
        requests.append(
            JudgeRequest(
                role(k), judge_prompt(info, rotation, reply),
                (*rotation.options, NONE_OF_THEM) if choice else (), fixed,
            )
        )  # fmt: skip
    return tuple(requests)


def judge_reply(text: str) -> str:
    """The judge's reply as text; the rule reads it against the rotation's options."""
    return text


JUDGE = JudgeTaskSpec(
    template=TEMPLATE,
    official_model=OFFICIAL_JUDGE,
    official_backend="openai",
    render=lambda sample, reply: judge_prompt(sample.info, sample.info.rotations[0], reply),
    parse=judge_reply,
    expected_output_tokens=5,
    choices=("A", "B", "C", "D", NONE_OF_THEM),
    calls=judge_calls,
)
