"""Reading a pairwise verdict as R1-Reward's evaluation of this benchmark reads it
(yfzhang114/r1_reward @ 3693413, inference/MM-RLHF-Reward/r1_reward.py), restated.

The reply's first `<answer>...</answer>` (across lines), stripped, is the verdict; a reply
without one falls back to the last `1` or `2` of the first line that has one (the script's
`[12](?!.*[12])` without DOTALL stops at line ends). The verdict counts as Response 1 when
`float(verdict) == 1` ("1", " 1.0 ", "+1", "1e0"), as Response 2 when it equals 2; anything
else (no verdict, "Response 1", "3") is what the script scores as a wrong pair.
"""

from __future__ import annotations

import re
from typing import Literal

from mmalign_eval import Record

_TAGGED = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_LAST_ON_LINE = re.compile(r"[12](?!.*[12])")
Found = Literal["tag", "digit", "none"]


class PairVerdict(Record):
    """What a judge's reply says: the response it prefers (1, 2 or None) and where it said it."""

    choice: Literal[1, 2] | None
    text: str | None  # the verdict text the rule found
    found: Found


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:  # the script's bare except: such a verdict scores the pair wrong
        return None


def read_verdict(reply: str) -> PairVerdict:
    """The verdict of a reply under R1-Reward's rule."""
    tagged = _TAGGED.search(reply)
    found: Found
    if tagged is not None:
        text: str | None = tagged.group(1).strip()
        found = "tag"
    else:
        digit = _LAST_ON_LINE.search(reply)
        text, found = (digit.group(0), "digit") if digit else (None, "none")
    value = None if text is None else _number(text)
    choice: Literal[1, 2] | None = 1 if value == 1 else 2 if value == 2 else None
    return PairVerdict(choice=choice, text=text, found=found)
