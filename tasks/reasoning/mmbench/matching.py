"""VLMEvalKit's rule matcher `can_infer` (vlmeval/utils/matching_util.py @ e8e78f0): the
option a reply names, read first as a letter, then as a unique option text.

Letter reading (`can_infer_option`): a reply holding 'Failed to obtain answer via API' names
nothing; one holding a refusal phrase names 'Z'. Otherwise '.()[],:;!*#{}' become spaces and
the reply is split on whitespace: exactly one option letter among the tokens names it, but
only when its first occurrence is among the last four tokens; no option letter and a token
'Z' names 'Z'. Failing those, 'answer is X' / 'correct answer is X' (case-insensitive, X in
A-D, not even a word boundary after X: 'the answer is about' reads 'A') names X.
Text reading (`can_infer_text`): a reply longer than twice the options' total length names
nothing; otherwise the option whose lowercased text is a substring of the lowercased reply,
when exactly one is. The environment variable VERBOSE (which adds a rule against 'A' as an
article) is taken as unset, the official default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

API_FAILURE = "Failed to obtain answer via API"
REFUSALS = (
    "Sorry, I can't help with images of people yet.",
    "I can't process this file.",
    "I'm sorry, but without the image provided",
    "Cannot determine the answer",
)
NONE_OF_THEM = "Z"
_SEPARATORS = str.maketrans({c: " " for c in ".()[],:;!*#{}"})
_VERBOSE = re.compile(r"(?i)(?:correct\s+)?answer\s+is\s+\**([ABCD])\**")


def infer_letter(reply: str, options: Mapping[str, str]) -> str | None:
    """The option letter (or 'Z') the reply names by `can_infer_option`, else None."""
    if API_FAILURE in reply:
        return None
    if any(phrase in reply for phrase in REFUSALS):
        return NONE_OF_THEM
    tokens = reply.translate(_SEPARATORS).split()
    named = [letter for letter in options if letter in tokens]
    if len(named) == 1:
        # Only a letter near the end counts ("A is wrong because ..." names nothing here).
        if tokens.index(named[0]) > len(tokens) - 5:
            return named[0]
    elif not named and NONE_OF_THEM in tokens:
        return NONE_OF_THEM
    match = _VERBOSE.search(reply)
    if match and match.group(1).upper() in options:
        return match.group(1).upper()
    return None


def infer_text(reply: str, options: Mapping[str, str]) -> str | None:
    """The option whose text the reply contains, when exactly one does (`can_infer_text`)."""
    lowered = reply.lower()
    if len(lowered) > 2 * sum(len(text) for text in options.values()):
        return None
    found = [letter for letter, text in options.items() if text.lower() in lowered]
    return found[0] if len(found) == 1 else None


def can_infer(reply: str, options: Mapping[str, str]) -> str | None:
    """The option a reply names: its letter, else its unique option text; None: neither."""
    return infer_letter(reply, options) or infer_text(reply, options)
