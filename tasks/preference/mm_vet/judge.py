"""MM-Vet's grader: the official few-shot prompt (judge_v1.txt), text only, one row per item.

The row is "question | ground truth | prediction | " with " <AND> " and " <OR> " spaced out
in the ground truth, as mm-vet_evaluator.py writes it; the judge completes the last cell.
The first call is at temperature 0.0; unreadable replies are asked again by the official
retry rule (grading.official_retry), each retry its own judge cache entry.
"""

from __future__ import annotations

from pathlib import Path

from mmalign_eval import JudgeTaskSpec, JudgeTemplate, Sample

from .data import MMVetInfo
from .grading import Grades, official_retry, parse_score
from .official_files import decode

OFFICIAL_JUDGE = "gpt-4-0613"  # the evaluator's default --gpt_model
OFFICIAL_MAX_TOKENS = 3  # the evaluator's max_tokens (see the README: --judge-max-new-tokens 3)
# The template file ends with a newline for editors; the prompt ends with the row's "| ".
TEMPLATE = JudgeTemplate(
    "mm_vet", "1", Path(__file__).with_name("judge_v1.txt").read_text("utf-8").removesuffix("\n")
)
CHOICES = tuple(f"{tenth / 10:.1f}" for tenth in range(11))  # for local judges in choice mode
UNPARSEABLE = "the reply's first token is not a score in [0, 1]"


def spaced(answer: str) -> str:
    """The ground truth as the grader sees it: every <AND> and <OR> padded with spaces."""
    return answer.replace("<AND>", " <AND> ").replace("<OR>", " <OR> ")


def grader_prompt(question: str, answer: str, prediction: str) -> str:
    """The few-shot table with the item's row to complete."""
    return TEMPLATE.render(row=" | ".join([question, spaced(answer), prediction, ""]))


def render(sample: Sample[MMVetInfo], response: str) -> str:
    """The grader prompt of one answer."""
    return grader_prompt(sample.question, sample.target or "", response)


def parse(text: str) -> float | Grades | None:
    """A reply's score (official rule), or the runs of a grade-file entry given to `score`."""
    return decode(text) or parse_score(text)


JUDGE = JudgeTaskSpec(
    template=TEMPLATE,
    official_model=OFFICIAL_JUDGE,
    official_backend="openai",
    render=render,
    parse=parse,
    expected_output_tokens=OFFICIAL_MAX_TOKENS,
    unparseable_reason=UNPARSEABLE,
    choices=CHOICES,
    retry=official_retry,
)
