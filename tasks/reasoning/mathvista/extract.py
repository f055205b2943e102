"""extract_answer.py without a judge: the official shortcuts, and rules for the rest.

The official script settles some replies itself before it asks GPT-4 (`shortcut`): an empty
reply, a multiple-choice reply that is exactly a choice, an integer or float reply that
int()/float() reads whole. With --quick_extract (off in the official runs) it also reads
`The answer is "X".`. The `rule` protocol adds rules for what the judge would extract.
"""

from __future__ import annotations

import re

from mmalign_eval import Reading
from mmalign_eval.toolkit.readers import option_letter

from .problem import MathVistaInfo

_QUICK = re.compile(r'The answer is "(.*)"\.')
_NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?|-?\.\d+")
_LIST = re.compile(r"\[([^\[\]]*)\]")
NO_NUMBER = "none"  # the choice-mode option of a reply without a number
MAX_OPTIONS = 8  # bounds a local judge's choice-mode cost on replies full of numbers


def shortcut(response: str, info: MathVistaInfo) -> str | None:
    """The extraction the official script makes without its judge, or None (ask it)."""
    if response == "":
        return ""
    if info.question_type == "multi_choice" and response in (info.choices or ()):
        return response
    try:
        if info.answer_type == "integer":
            return str(int(response))  # int() reads " 7", "+7", "1_000"; not "7.0"
        if info.answer_type == "float":
            return str(float(response))
    except ValueError:
        pass
    return None


def quick_extract(response: str) -> str | None:
    """--quick_extract: X of the first `The answer is "X".` (X runs to the line's last `".`)."""
    found = _QUICK.search(response)
    return found.group(1) if found else None


def numbers(response: str) -> list[str]:
    """The numbers a reply writes, in order, thousands separators removed."""
    return [m.group(0).replace(",", "") for m in _NUMBER.finditer(response)]


def _choice_text(response: str, choices: tuple[str, ...]) -> str | None:
    """The choice whose text occurs last in the reply (longest first at the same place)."""
    found = [
        (m.start(), len(choice), choice)
        for choice in choices
        if choice.strip()
        for m in re.finditer(rf"(?<!\w){re.escape(choice)}(?!\w)", response)
    ]
    return max(found)[2] if found else None


def _list_text(response: str) -> str | None:
    """The last [...] of a reply, rewritten as Python prints a list: "[1, 2]"."""
    found = _LIST.findall(response)
    if not found:
        return None
    items = [item.strip() for item in found[-1].split(",") if item.strip()]
    return "[" + ", ".join(items) + "]"


def rule_extraction(response: str, info: MathVistaInfo) -> Reading[str]:
    """Shortcuts, then --quick_extract, then the option letter or choice text, the last
    number, or the last list; a reply without one is unreadable."""
    if not response.strip():
        return Reading(None, "empty reply")  # officially "", which credits the closest choice
    fixed = shortcut(response, info)
    if fixed is not None:
        return Reading(fixed)
    quick = quick_extract(response)
    if quick is not None:
        return Reading(quick)
    if info.question_type == "multi_choice":
        letter = option_letter(response, info.letters)
        if letter.value is not None:
            return letter
        text = _choice_text(response, info.choices or ())
        return Reading(text) if text else Reading(None, "no option letter or choice text")
    if info.answer_type == "list":
        listed = _list_text(response)
        return Reading(listed) if listed else Reading(None, "no [...] list in the reply")
    found = numbers(response)
    return Reading(found[-1]) if found else Reading(None, "no number in the reply")


def judge_options(response: str, info: MathVistaInfo) -> tuple[str, ...]:
    """What a local judge in choice mode may extract: an option letter, one of the reply's
    numbers (the last few), or its last list; `none` when the reply has no number."""
    if info.question_type == "multi_choice":
        return info.letters
    if info.answer_type == "list":
        listed = _list_text(response)
        return (listed,) if listed else (NO_NUMBER,)
    found = list(dict.fromkeys(reversed(numbers(response))))[:MAX_OPTIONS]
    return tuple(reversed(found)) or (NO_NUMBER,)
