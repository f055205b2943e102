"""Answer readers many benchmarks share: yes/no, option letters, ratings, JSON lists.

Each returns a Reading: the typed value, or None with the reason. Benchmark-specific quirks
(POPE's "first sentence, split on spaces", AMBER's exact "Yes"/"No") stay in the benchmark's
own folder; what is here is what several official scripts do alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from mmalign_eval.protocols import Reading

_PUNCT = re.compile(r"[^\w\s]")


def words(text: str) -> list[str]:
    """The lowercased words of a text with punctuation removed (VLMEvalKit's process)."""
    return _PUNCT.sub(" ", text.lower()).split()


def yes_or_no(text: str) -> Reading[str]:
    """'yes' xor 'no' among the words (VLMEvalKit's YOrN_Extraction); neither or both is
    unreadable."""
    found = words(text)
    yes, no = "yes" in found, "no" in found
    if yes != no:
        return Reading("yes" if yes else "no")
    reason = "both 'yes' and 'no'" if yes else "neither 'yes' nor 'no'"
    return Reading(None, f"{reason} in {text.strip()[:60]!r}")


def single_rating(text: str, scores: Sequence[int], prefix: str = "rating: ") -> Reading[int]:
    """The score s whose `prefix + s` occurs in the lowercased text, when exactly one does
    (MMHal-Bench's rule); none or several is unreadable."""
    lowered = text.lower()
    found = [s for s in scores if f"{prefix}{s}" in lowered]
    if len(found) == 1:
        return Reading(found[0])
    return Reading(None, f"no single '{prefix}s' (s in {scores[0]}..{scores[-1]}) in the text")


_FENCED = re.compile(r"```(?:json)?[ \t]*\r?\n(.*?)\r?\n?```", re.DOTALL)


def json_string_list(text: str) -> list[str] | None:
    """A JSON list of strings in a reply: a fenced code block first, then the whole reply,
    then its last line; None if none of them is one."""
    fenced = _FENCED.search(text)
    first = [fenced.group(1)] if fenced else []
    for candidate in (*first, text.strip(), text.strip().split("\n")[-1]):
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    return None


def option_letter(text: str, letters: Sequence[str]) -> Reading[str]:
    """The option letter an answer gives, in the variants official multiple-choice scripts
    accept: "(B)", "B.", "B", "B) ...", "Option B", "The answer is B"; the last one wins when
    an answer names several. Letters outside `letters` are not options."""
    allowed = "".join(letters)
    if not allowed:
        return Reading(None, "no options")
    # Letters must be upper case outside parentheses: "a cat" and "the answer is a dog"
    # name no option A; the keywords themselves may be in any case.
    patterns = (
        rf"\(([{allowed}{allowed.lower()}])\)",
        rf"(?i:answer is|option|answer:)\s*\(?([{allowed}])\b",
        rf"(?:^|\s)([{allowed}])(?:[.):,]|\s|$)",
    )
    text = text.strip()
    found = [(m.start(1), m.group(1)) for p in patterns for m in re.finditer(p, text)]
    if found:
        return Reading(max(found)[1].upper())
    return Reading(None, f"no option letter ({', '.join(letters)}) in {text.strip()[:60]!r}")
