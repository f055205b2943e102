"""LLaVA-Bench's text-only judge: caption, question and two answers, then the category's rule.

The official order (eval_gpt_review_bench.py) shows GPT-4's reference answer as Assistant 1
and the model's answer as Assistant 2; that call has the role "judge", so a predictions
file's `judgement` is read as it. The `both` protocol also asks the swapped order (role
"BA": the model as Assistant 1), a second judge cache entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from mmalign_eval import (
    ANSWER,
    JUDGE,
    Component,
    DataError,
    JudgeRequest,
    JudgeTaskSpec,
    Response,
    Sample,
    load_template,
)
from mmalign_eval.hashing import sha256_file

from .data import LlavaInfo
from .scores import parse_score_pair

OFFICIAL_JUDGE = "gpt-4-0314"  # the model eval_gpt_review_bench.py asks
TEMPERATURE = 0.2  # the official script's decoding of the judge
SWAPPED = "BA"  # the role of the swapped order (the model's answer as Assistant 1)
_HERE = Path(__file__).parent
TEMPLATE = load_template(_HERE / "judge_v1.txt", "llava_bench_wild", "1")
RULES_FILE = _HERE / "rules_v1.json"
RULES: dict[str, dict[str, str]] = json.loads(RULES_FILE.read_text(encoding="utf-8"))
# The per-category rules go into every prompt; their hash is recorded with the results.
RULES_COMPONENT = Component(
    kind="judge rules", name="llava_bench_wild per-category rules", version="1",
    sha256=sha256_file(RULES_FILE),
)  # fmt: skip
# Closed set of first lines for a local judge in choice mode.
CHOICES = tuple(f"{a} {b}" for a in (2, 4, 6, 8, 10) for b in (2, 4, 6, 8, 10))
UNPARSEABLE = "the review's first line is not two scores separated by one space (parse_score)"


def rule(category: str) -> dict[str, str]:
    """The official rule of a category (llava_bench_<category> in rule.json)."""
    if category not in RULES:
        raise DataError(
            f"LLaVA-Bench category {category!r} has no judge rule",
            f"categories are {', '.join(RULES)} (the official script stops on any other)",
        )
    return RULES[category]


def render(sample: Sample[LlavaInfo], first: str, second: str) -> str:
    """The review prompt with two answers, Assistant 1 first."""
    chosen = rule(sample.info.category)
    return TEMPLATE.render(
        context=sample.info.caption, question=sample.question, role=chosen["role"],
        first_answer=first, second_answer=second, rule=chosen["prompt"],
    )  # fmt: skip


def render_official(sample: Sample[LlavaInfo], answer: str) -> str:
    """The official order: the reference as Assistant 1, the model as Assistant 2."""
    return render(sample, sample.info.reference, answer)


def judge_calls(
    sample: Sample[LlavaInfo], responses: Mapping[str, Response], choice: bool
) -> tuple[JudgeRequest, ...]:
    """Both orders; protocols that read one order never make the other call."""
    answer, gpt4 = responses[ANSWER].text, sample.info.reference
    return (
        JudgeRequest(JUDGE, render(sample, gpt4, answer), CHOICES, temperature=TEMPERATURE),
        JudgeRequest(SWAPPED, render(sample, answer, gpt4), CHOICES, temperature=TEMPERATURE),
    )  # fmt: skip


JUDGE_SPEC = JudgeTaskSpec(
    template=TEMPLATE,
    official_model=OFFICIAL_JUDGE,
    official_backend="openai",
    render=render_official,
    parse=parse_score_pair,
    expected_output_tokens=250,
    unparseable_reason=UNPARSEABLE,
    choices=CHOICES,
    calls=judge_calls,
)
