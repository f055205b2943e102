"""Prompt builders for multiple-choice items, in the layouts official scripts use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from mmalign_eval.contracts import Record

LETTERS = "ABCDEFGHIJ"


class Choices(Record):
    """A multiple-choice item: options by letter, an optional hint, and the answer letter."""

    options: dict[str, str]
    answer: str
    hint: str | None = None


def lettered(options: Mapping[str, str], style: Literal["dot", "paren"] = "dot") -> str:
    """One line per option: `A. text` (MMBench, MMStar) or `(A) text` (MMMU)."""
    if style == "paren":
        return "\n".join(f"({letter}) {text}" for letter, text in options.items())
    return "\n".join(f"{letter}. {text}" for letter, text in options.items())


def headed_question(question: str, choices: Choices) -> str:
    """MMBench's layout: `Hint:` (when there is one), `Question:`, `Options:` headers."""
    hint = f"Hint: {choices.hint}\n" if choices.hint else ""
    return f"{hint}Question: {question}\nOptions:\n{lettered(choices.options)}"


def as_options(texts: list[str]) -> dict[str, str]:
    """Option texts lettered A, B, C, ... in order."""
    return {LETTERS[i]: text for i, text in enumerate(texts)}
