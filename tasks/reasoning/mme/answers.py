"""How an MME reply becomes 'yes', 'no' or the official 'other'."""

from __future__ import annotations

import re
from typing import Any

from mmalign_eval import Evidence, Reading
from mmalign_eval.toolkit.choice import most_likely

from .subtasks import ANSWERS

OTHER = "other"  # calculation.py's label for a reply it reads as neither; scored wrong
OPTIONS = ("Yes", "No")  # what the likelihood protocol ranks
_PREFIX = 4  # calculation.py looks for yes/no in this many leading characters


def parse_official(text: str) -> Reading[str]:
    """calculation.py's parse_pred_ans on the lowercased reply: exactly 'yes'/'no', else
    'yes' and then 'no' anywhere in the first four characters, else 'other'.

    Line breaks are deleted first, as the eval_tool readme asks before a reply goes into a
    results line (in a results file the reply is one line's 4th field).
    """
    reply = text.replace("\r", "").replace("\n", "").lower()
    if reply in ANSWERS:
        return Reading(reply)
    prefix = reply[:_PREFIX]
    if "yes" in prefix:
        return Reading("yes")
    if "no" in prefix:
        return Reading("no")
    return Reading(OTHER, f"no 'yes'/'no' in the first 4 characters {prefix!r}: scored wrong")


# Leading punctuation, markup or numbering, and an optional "(the/final) answer (is)" lead-in.
_LEAD = re.compile(r"[^a-z]*(?:(?:the\s+)?(?:final\s+)?answer(?:\s+is)?\b[^a-z]*)?")
_WORD = re.compile(r"[a-z]+")


def parse_lenient(text: str) -> Reading[str]:
    """The first word, after leading punctuation, markup and an 'answer is' lead-in, when it
    is 'yes' or 'no' (any case); anything else is unreadable, a counted failure."""
    reply = text.strip().lower()
    lead = _LEAD.match(reply)
    word = _WORD.match(reply, lead.end() if lead else 0)
    if word is not None and word.group() in ANSWERS:
        return Reading(word.group())
    return Reading(None, f"no leading yes or no in {text.strip()[:60]!r}")


def read_likelihood(evidence: Evidence[Any]) -> Reading[str]:
    """The more likely of 'Yes' and 'No' after the prompt, as 'yes' or 'no'."""
    reading = most_likely(evidence)
    return reading if reading.value is None else Reading(reading.value.lower())
