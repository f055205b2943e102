"""MM-AlignBench's judge (VLMEvalKit MMAlignBench_auxeval): the evaluator's instructions and
the prompt in one user turn, Claude-3-Sonnet's answer as assistant A and the model's as B,
with the ground-truth variant of the prompt for items that have a `gt`.

The official order has the role "judge" (a predictions file's `judgement` is read as it);
the `both` protocol also asks the swapped order (role "BA"). VLMEvalKit asks a second
time with the same prompt when a reply has no single verdict (none, or several different
ones); the harness sends that retry at the official temperature 0, set explicitly, so it is
its own judge cache entry and not the cached first reply.
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
    JudgeTemplate,
    Response,
    Sample,
    load_template,
)
from mmalign_eval.judges.records import Verdict
from mmalign_eval.toolkit import arena

from .data import AlignInfo

OFFICIAL_JUDGE = "gpt-4o"  # the paper's judge; VLMEvalKit passes temperature 0
RETRY_TEMPERATURE = 0.0
SWAPPED = "BA"  # the swapped order: the model's answer as assistant A
VARIANT_MARK = "=== variant with a ground truth ===\n"
TEMPLATE = load_template(Path(__file__).with_name("judge_v1.txt"), "mm_alignbench", "1")
# One file holds both variants, so its hash (in every cache key) covers both.
PLAIN, WITH_GT = (
    JudgeTemplate(TEMPLATE.name, TEMPLATE.version, part)
    for part in TEMPLATE.text.split(VARIANT_MARK)
)
CHOICES = tuple(f"[[{verdict}]]" for verdict in arena.VERDICTS)
UNPARSEABLE = "no single [[...]] verdict in the judge's reply (none, or several different ones)"


def render(sample: Sample[AlignInfo], answer_a: str, answer_b: str) -> str:
    """The judge prompt; the ground-truth variant when the item has one."""
    fields = {"question": sample.question, "answer_a": answer_a, "answer_b": answer_b}
    if sample.info.gt is None:
        return PLAIN.render(**fields)
    return WITH_GT.render(**fields, gt=sample.info.gt)


def judge_calls(
    sample: Sample[AlignInfo], responses: Mapping[str, Response], choice: bool
) -> tuple[JudgeRequest, ...]:
    """Both orders; protocols that read one order never make the other call."""
    answer, baseline = responses[ANSWER].text, sample.info.baseline
    return (
        JudgeRequest(JUDGE, render(sample, baseline, answer), CHOICES),
        JudgeRequest(SWAPPED, render(sample, answer, baseline), CHOICES),
    )


def ask_again(request: JudgeRequest, verdict: Verdict, attempt: int) -> JudgeRequest | None:
    """VLMEvalKit's `retry = 2`: the same prompt once more, whatever the reply held."""
    return replace(request, temperature=RETRY_TEMPERATURE) if attempt == 1 else None


JUDGE_SPEC = JudgeTaskSpec(
    template=TEMPLATE,
    official_model=OFFICIAL_JUDGE,
    official_backend="openai",
    render=lambda sample, answer: render(sample, sample.info.baseline, answer),
    parse=arena.single_verdict,
    calls=judge_calls,
    retry=ask_again,
    expected_output_tokens=700,  # the evaluator writes its own answer before the verdict
    unparseable_reason=UNPARSEABLE,
    choices=CHOICES,
    shows_images=True,  # the official judge is sent the image with the prompt
)
