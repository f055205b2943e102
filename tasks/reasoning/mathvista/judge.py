"""The judge of MathVista: extract_answer.py's 5-shot extraction prompt, asked once per
reply that its own shortcuts do not settle; the reply is the extraction."""

from __future__ import annotations

from collections.abc import Mapping
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

from .extract import judge_options, shortcut
from .problem import MathVistaInfo

OFFICIAL_JUDGE = "gpt-4-0613"  # extract_answer.py's default llm_engine


def render_judge_prompt(sample: Sample[MathVistaInfo], response: str) -> str:
    """The 5-shot extraction prompt, then the problem's query and the model's reply."""
    return JUDGE_TEMPLATE.render(query=sample.question, response=response)


def judge_calls(
    sample: Sample[MathVistaInfo], responses: Mapping[str, Response], choice: bool
) -> tuple[JudgeRequest, ...]:
    """One extraction; the official shortcut's reply where it applies (no call made)."""
    response = responses[ANSWER].text
    options = judge_options(response, sample.info) if choice else ()
    text = render_judge_prompt(sample, response)
    return (JudgeRequest(JUDGE, text, options, shortcut(response, sample.info)),)


def read_extraction(text: str) -> str:
    """The judge's reply is the extraction, as it is (calculate_score.py strips choices)."""
    return text


JUDGE_TEMPLATE = load_template(Path(__file__).with_name("judge_v1.txt"), "mathvista", "1")
JUDGE_SPEC = JudgeTaskSpec(
    template=JUDGE_TEMPLATE,
    official_model=OFFICIAL_JUDGE,
    official_backend="openai",
    render=render_judge_prompt,
    parse=read_extraction,
    expected_output_tokens=16,
    calls=judge_calls,
    # `score` sees the reply only: the one shortcut that needs no problem, "" -> "".
    fixed_reply=lambda response: "" if response == "" else None,
)
