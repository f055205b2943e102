"""WildVision-Bench's Arena-Hard judge: the instruction and two answers, one of five verdicts.

The official order (get_judgement.py, `pairwise: False`) shows the baseline's answer as
assistant A and the model's as B; that call has the role "judge", so a predictions file's
`judgement` is read as it. The `both` protocol also asks the swapped order (role "BA"),
a second judge cache entry. A reply without any verdict gets one follow-up turn (the
judge's reply, then the official request to finish with a label), as get_judgement.py
asks; a reply with several different verdicts gets none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from mmalign_eval import (
    ANSWER,
    JUDGE,
    JudgeRequest,
    JudgeTaskSpec,
    Response,
    Sample,
    load_template,
)
from mmalign_eval.judges.records import Verdict
from mmalign_eval.toolkit import arena

from .data import WildVisionInfo

OFFICIAL_JUDGE = "gpt-4o"  # config/judge_config.yaml judge_model (temperature 0)
SWAPPED = "BA"  # the swapped order: the model's answer as assistant A
FOLLOW_UP = "continue your judgement and finish by outputting a final verdict label"
TEMPLATE = load_template(Path(__file__).with_name("judge_v1.txt"), "wildvision_bench", "1")
CHOICES = tuple(f"[[{verdict}]]" for verdict in arena.VERDICTS)
UNPARSEABLE = "no single [[...]] verdict in the judge's reply (none, or several different ones)"


USER_TURN = "<|User Prompt|>"  # the template's instructions before it are the system prompt
SYSTEM = TEMPLATE.text[: TEMPLATE.text.index(USER_TURN)].strip()


def render(sample: Sample[WildVisionInfo], answer_a: str, answer_b: str) -> str:
    """The judge prompt with the two answers as assistants A and B (system text included)."""
    return TEMPLATE.render(question=sample.question, answer_a=answer_a, answer_b=answer_b)


def _request(role: str, sample: Sample[WildVisionInfo], a: str, b: str) -> JudgeRequest:
    """One order as get_judgement.py sends it: the instructions as the system message, the
    prompt and both answers as the user turn (the image follows it: shows_images)."""
    text = render(sample, a, b)
    return JudgeRequest(role, text[text.index(USER_TURN) :], CHOICES, system=SYSTEM)


def judge_calls(
    sample: Sample[WildVisionInfo], responses: Mapping[str, Response], choice: bool
) -> tuple[JudgeRequest, ...]:
    """Both orders; protocols that read one order never make the other call."""
    answer, baseline = responses[ANSWER].text, sample.info.baseline
    return (
        _request(JUDGE, sample, baseline, answer),
        _request(SWAPPED, sample, answer, baseline),
    )


def follow_up(request: JudgeRequest, verdict: Verdict, attempt: int) -> JudgeRequest | None:
    """get_judgement.py's second try: only after a first reply with no verdict at all."""
    text = verdict.reply.text if verdict.reply is not None else ""
    if attempt > 1 or arena.verdicts_in(text):
        return None  # two calls at most; several different verdicts are not retried
    return replace(request, follow_up=((text, FOLLOW_UP),))


JUDGE_SPEC = JudgeTaskSpec(
    template=TEMPLATE,
    official_model=OFFICIAL_JUDGE,
    official_backend="openai",
    render=lambda sample, answer: render(sample, sample.info.baseline, answer),
    parse=arena.single_verdict,
    calls=judge_calls,
    retry=follow_up,
    expected_output_tokens=700,  # the judge writes its own answer before the verdict
    unparseable_reason=UNPARSEABLE,
    choices=CHOICES,
    shows_images=True,  # the official judge is sent the image with the prompt
)
