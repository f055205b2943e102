"""A MathVista problem as the scoring reads it, and its prompt (the official `query`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from mmalign_eval import Record

QuestionType = Literal["multi_choice", "free_form"]
AnswerType = Literal["text", "integer", "float", "list"]
QUESTION_TYPES: tuple[QuestionType, ...] = ("multi_choice", "free_form")
ANSWER_TYPES: tuple[AnswerType, ...] = ("text", "integer", "float", "list")
# The metadata values of testmini, in the official metadata spelling.
TASKS = (
    "figure question answering", "geometry problem solving", "math word problem",
    "textbook question answering", "visual question answering",
)  # fmt: skip
SKILLS = (
    "algebraic reasoning", "arithmetic reasoning", "geometry reasoning", "logical reasoning",
    "numeric commonsense", "scientific reasoning", "statistical reasoning",
)  # fmt: skip

# The official hints (the first line of every released `query`), by answer type/precision.
_HINT = "Hint: Please answer the question "
HINTS = {
    "text": _HINT + "and provide the correct option letter, e.g., A, B, C, D, at the end.",
    "integer": _HINT + "requiring an integer answer and provide the final value, "
    "e.g., 1, 2, 3, at the end.",
    "float1": _HINT + "requiring a floating-point number with one decimal place and provide "
    "the final value, e.g., 1.2, 1.3, 1.4, at the end.",
    "float2": _HINT + "requiring a floating-point number with two decimal places and provide "
    "the final value, e.g., 1.23, 1.34, 1.45, at the end.",
    "list": _HINT + "requiring a Python list as an answer and provide the final list, "
    "e.g., [1, 2, 3], [1.2, 1.3, 1.4], at the end.",
}


class MathVistaInfo(Record):
    """The fields the official extraction and calculate_score.py read, plus the metadata
    the per-group accuracies are grouped by."""

    question: str  # the raw question; the prompt is the sample's question (the query)
    choices: tuple[str, ...] | None
    unit: str | None
    precision: int | None
    answer: str
    question_type: QuestionType
    answer_type: AnswerType
    task: str
    skills: tuple[str, ...]
    metadata: dict[str, str]  # language, source, category, context, grade (for reports)

    @property
    def letters(self) -> tuple[str, ...]:
        """The option letters A, B, ... of a multiple-choice problem (none otherwise)."""
        return tuple(chr(ord("A") + i) for i in range(len(self.choices or ())))


def hint(answer_type: str, precision: int | None) -> str | None:
    """The official hint of an answer type (floats: one or two decimals); None if none."""
    key = f"float{precision}" if answer_type == "float" else answer_type
    return HINTS.get(key)


def build_query(
    question: str,
    unit: str | None,
    choices: Sequence[str] | None,
    answer_type: str,
    precision: int | None,
) -> str | None:
    """The released zero-shot query: hint, question with its unit, lettered choices.

    This is the layout of the released data/query.json and of the Hub's `query` column
    (build_query.py at HEAD puts the hint after the choices and adds "Solution:"; the
    released queries, which models were run on, do not). None when no hint fits.
    """
    first = hint(answer_type, precision)
    if first is None:
        return None
    lines = [first, f"Question: {question}" + (f" (Unit: {unit})" if unit else "")]
    if choices:
        lines.append("Choices:")
        lines += [f"({chr(ord('A') + i)}) {choice}" for i, choice in enumerate(choices)]
    # Released queries are stripped, which drops trailing spaces of the last choice.
    return "\n".join(lines).strip()
