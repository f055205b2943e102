"""The official categories, restated from cal_performance_mmreweard_bench.py (Kwai-YuanQi/
MM-RLHF @ 7c8af1d, llava/eval/): a pair's category is a keyword found in its media path, and
the script finds it three slightly different ways.

- counted (a pair's share of the category's total): the first keyword, in KEYWORDS order,
  found anywhere in `image or video` (the image path wins when both are set);
- scored (where a right pair is counted): the first keyword found in `image` or in `video`;
- a prompt's ACC+ numerator: the first keyword that any of its pairs has (scored way); its
  denominators: every keyword found in the concatenation `image + video` of any pair.

Keywords match as substrings anywhere in the path ("short/belong.png" is `long`: `long` comes
before `short` in the list). On the released file every path starts with its keyword and the
three agree; the differences are pinned in the tests all the same.
"""

from __future__ import annotations

from collections.abc import Sequence

KEYWORDS = ("mcq", "long", "short", "safety", "video")
Paths = tuple[str, str]  # (image, video) as the line gives them; an absent field is ""


def counted_category(image: str, video: str) -> str | None:
    """The category whose total a pair adds to."""
    path = image or video
    return next((k for k in KEYWORDS if k in path), None)


def scored_category(image: str, video: str) -> str | None:
    """The category whose right answers a right pair adds to."""
    return next((k for k in KEYWORDS if k in image or k in video), None)


def prompt_category(pairs: Sequence[Paths]) -> str | None:
    """The one category a prompt whose pairs are all right counts in (ACC+ numerator)."""
    return next((k for k in KEYWORDS if any(k in i or k in v for i, v in pairs)), None)


def prompt_keywords(pairs: Sequence[Paths]) -> tuple[str, ...]:
    """Every category whose ACC+ denominator counts the prompt."""
    return tuple(k for k in KEYWORDS if any(k in i + v for i, v in pairs))
