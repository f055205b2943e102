"""MMMU's official answer rules (mmmu/utils/eval_utils.py), restated: the option a reply
names, the candidate answers of an open reply, and when each counts as correct.

Every quirk of the official functions is kept on purpose (tests pin each one): the reply is
not whitespace-stripped before the punctuation is, letters count only as "(X)" or " X ",
the option text is looked for only in replies of more than five words, the latest mention
wins, the sentence split of open replies runs after lowercasing (so only newlines split),
"is " also matches inside "this ", and numbers are compared after rounding to 2 decimals.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

# Stripped from both ends, one character after the other (parse_multi_choice_response).
_EDGE_PUNCTUATION = (",", ".", "!", "?", ";", ":", "'")
_CONTENT_MIN_WORDS = 5  # option text is looked for in replies of more words than this


def _latest(candidates: Sequence[str], where: Callable[[str], int]) -> str:
    """The candidate found latest; on a tie the first one (numpy's argmax)."""
    best = candidates[0]
    for candidate in candidates[1:]:
        if where(candidate) > where(best):
            best = candidate
    return best


def read_choice(reply: str, options: Mapping[str, str]) -> str | None:
    """The letter parse_multi_choice_response reads: "(X)" first, then " X ", then, in a
    reply of more than five words, an option's text; None where the official script falls
    back to random.choice."""
    text = reply
    for char in _EDGE_PUNCTUATION:
        text = text.strip(char)
    padded = f" {text} "
    letters = list(options)
    bracketed = [letter for letter in letters if f"({letter})" in padded]
    if bracketed:
        return _latest(bracketed, lambda letter: padded.rfind(f"({letter})"))
    spaced = [letter for letter in letters if f" {letter} " in padded]
    if spaced:
        return _latest(spaced, lambda letter: padded.rfind(f" {letter} "))
    if len(padded.split()) > _CONTENT_MIN_WORDS:
        lowered = padded.lower()
        named = [letter for letter in letters if options[letter].lower() in lowered]
        if named:
            return _latest(named, lambda letter: lowered.rfind(options[letter].lower()))
    return None


# -- open questions ----------------------------------------------------------------------

_KEY_MARKERS = ("could be ", "so ", "is ", "thus ", "therefore ", "final ", "answer ", "result ")
_LAST_PART_MARKER = "="  # the last part of a reply may be an equation
_TRIVIAL = frozenset({":", ",", ".", "!", "?", ";", "'"})
# The split pattern looks for a capital after '. ', but it runs on the lowercased reply:
# only newlines ever split it.
_PARTS = re.compile(r"\.\s(?=[A-Z])|\n")
_WITH_COMMAS = re.compile(r"-?\b\d{1,3}(?:,\d{3})+\b")
_SCIENTIFIC = re.compile(r"-?\d+(?:\.\d+)?[eE][+-]?\d+")
_SIMPLE = re.compile(r"-?(?:\d+\.\d+|\.\d+|\d+\b)(?![eE][+-]?\d+)(?![,\d])")

Normal = str | float


def normalize(text: str) -> list[Normal]:
    """normalize_str: a number (commas dropped, Python float syntax) rounded to 2 decimals,
    else the lowercased text; one character becomes ' x' and 'x ' (no trivial matches)."""
    text = text.strip()
    try:
        return [round(float(text.replace(",", "")), 2)]
    except ValueError:
        pass
    text = text.lower()
    if len(text) == 1:
        return [f" {text}", f"{text} "]
    return [text]


def extract_numbers(text: str) -> list[str]:
    """Numbers with thousands commas, then in scientific notation, then plain ones."""
    return [*_WITH_COMMAS.findall(text), *_SCIENTIFIC.findall(text), *_SIMPLE.findall(text)]


def _key_tail(part: str, markers: Sequence[str]) -> str | None:
    """The shortest text after the last occurrence of any marker in one part of a reply."""
    shortest: str | None = None
    for marker in markers:
        if marker in part:
            tail = part.split(marker)[-1].strip()
            # An empty tail is replaced by any later one, as the official `if not ...` does.
            if not shortest or len(tail) < len(shortest):
                shortest = tail
    return shortest


def key_responses(reply: str) -> list[str]:
    """The parts of a reply that may hold the answer (the text after 'is', 'so', '=', ...),
    or the whole lowercased reply when no part has a marker."""
    text = reply.strip().strip(".").lower()
    parts = _PARTS.split(text)
    keys = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        tail = _key_tail(part, (*_KEY_MARKERS, _LAST_PART_MARKER) if last else _KEY_MARKERS)
        if tail and tail.strip() not in _TRIVIAL:
            keys.append(tail)
    return keys or [text]


def parse_open(reply: str) -> tuple[Normal, ...]:
    """parse_open_response: the key parts and every number in them, normalised, without
    duplicates (the official set; order does not change the verdict)."""
    keys = key_responses(reply)
    found = [*keys, *(number for key in keys for number in extract_numbers(key))]
    normalised = [value for text in found for value in normalize(text)]
    return tuple(dict.fromkeys(normalised))


Gold = str | tuple[str, ...]


def open_correct(gold: Gold, predictions: Sequence[Normal]) -> bool:
    """eval_open: a text prediction is right when it contains a normalised gold text, a
    number when it equals a normalised gold number (any gold of a list)."""
    golds = [value for answer in _answers(gold) for value in normalize(answer)]
    for prediction in predictions:
        if isinstance(prediction, str):
            if any(isinstance(g, str) and g in prediction for g in golds):
                return True
        elif prediction in golds:
            return True
    return False


def choice_correct(gold: Gold, letter: str) -> bool:
    """eval_multi_choice: the letter equals the gold (or one of a list of golds)."""
    return letter in _answers(gold)


def _answers(gold: Gold) -> tuple[str, ...]:
    return gold if isinstance(gold, tuple) else (gold,)
