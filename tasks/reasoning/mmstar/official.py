"""MMStar's official answer rule and the option letters its questions carry.

The rule is `MMStar_eval` (MMStar-Benchmark/MMStar, eval/vlmeval/evaluate/mmstar.py @
79e6d1c): the reply is lowercased, stripped, then its newlines become spaces; it is right
when the answer (lowercased) equals its first character, or, after a leading '(', 'option '
or 'the answer is ', the character right after it. Nothing else is read ("Answer: B" is read
as 'a'), an empty reply is wrong (the script's IndexError is caught), and the rule never
fails, so a reply it reads nothing useful from is simply wrong.
"""

from __future__ import annotations

import re

from mmalign_eval.protocols import Reading

# The prefixes after which the official rule compares the next character, in its order.
PREFIXES = ("(", "option ", "the answer is ")
LETTERS = "ABCDEFGHIJ"
_PAREN_LINE = re.compile(r"^\(([A-J])\) ", re.MULTILINE)


def normalised(reply: str) -> str:
    """The reply as the official rule sees it: lowercased, stripped, newlines as spaces."""
    return reply.lower().strip().replace("\n", " ")


def credited(reply: str) -> str:
    """The character the official rule compares with the answer ('' when it reads none).

    The script compares the first character before the prefixes; a first character of '(',
    'o' or 't' can only equal an answer letter beyond J, which MMStar's loader refuses, so
    the character after the prefix decides exactly as the script does.
    """
    text = normalised(reply)
    for prefix in PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix)] if len(text) > len(prefix) else ""
    return text[:1]


def read_official(reply: str, letters: str) -> Reading[str]:
    """The official reading: the credited character, with a reason when it is none of the
    item's option letters (the reply is then simply wrong, as officially)."""
    char = credited(reply)
    if char and char in letters.lower():
        return Reading(char)
    shown = repr(char) if char else "nothing"
    return Reading(char, f"the official rule reads {shown}, no option letter: scored wrong")


def read_strict(reply: str, letters: str) -> Reading[str]:
    """The official reading, but a reply it reads no option letter from is a failure."""
    reading = read_official(reply, letters)
    return Reading(None, reading.reason) if reading.reason else reading


def option_letters(question: str) -> tuple[str, ...]:
    """The option letters an MMStar question lists: 'Options: A: ..., B: ...' (from SEED,
    MMBench, AI2D, ...) or '(A) ...' lines (from MathVista); empty when it lists none."""
    start = question.rfind("Options: ")
    if start >= 0:
        found = _sequential(question[start + len("Options: ") :])
        if len(found) >= 2:
            return found
    found = tuple(m.group(1) for m in _PAREN_LINE.finditer(question))
    expected = LETTERS[: len(found)]
    return found if len(found) >= 2 and "".join(found) == expected else ()


def _sequential(tail: str) -> tuple[str, ...]:
    """'A: x, B: y, ...' from the start of tail: letters in order, each after ', '."""
    if not tail.startswith("A: "):
        return ()
    found = ["A"]
    position = 0
    for letter in LETTERS[1:]:
        at = tail.find(f", {letter}: ", position)
        if at < 0:
            break
        found.append(letter)
        position = at + 4
    return tuple(found)
