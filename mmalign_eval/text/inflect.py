"""English inflection as pattern.en 3.6 gives it (TextBlob's port, its departures undone),
and a word tokeniser that needs no NLTK data.

The official CHAIR code calls `pattern.en.singularize` (pattern==3.6), which does not install
on Python 3.11. TextBlob's `textblob.en.inflect` is a port of that module (same suffix
rules, same irregular table); the two steps where TextBlob's `singularize` departs from
pattern 3.6's are undone in `singularize_pattern`, quirks included ('bus' -> 'bu',
'ties' -> 'ty', 'glass' -> 'glas').
"""

from __future__ import annotations

import re
from functools import lru_cache
from types import ModuleType
from typing import cast

_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|'[a-z]+|[^\sa-z0-9]")


def tokenize_rule(text: str) -> list[str]:
    """Lowercased word and punctuation tokens (an approximation of nltk.word_tokenize)."""
    return _TOKEN.findall(text.lower())


@lru_cache(maxsize=1)
def _inflect() -> ModuleType:
    """TextBlob's port of pattern.en's inflect module."""
    # Imported on first use: importing the textblob package imports nltk (about a second),
    # which commands that never score CHAIR should not pay. Needs no NLTK data.
    from textblob.en import inflect

    return cast(ModuleType, inflect)


@lru_cache(maxsize=1)
def _textblob_only_plurals() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Plural endings of TextBlob's -ie words and of its s-singular words ('buses')."""
    inflect = _inflect()
    ie_plurals = tuple(f"{word}s" for word in inflect.singular_ie)
    s_plurals = tuple(f"{word}es" for word in inflect.singular_s)
    return ie_plurals, s_plurals


def _pattern_rules(word: str) -> str:
    """pattern.en's irregular table, then its first matching suffix rule (TextBlob's copies)."""
    inflect = _inflect()
    for plural, singular in inflect.singular_irregular.items():
        if word.lower().endswith(plural):
            return word[: -len(plural)] + str(singular)
    for suffix, replacement in inflect.singular_rules:
        if suffix.search(word):
            # Python 3 substitutes '' for an unmatched group, as pattern's loop does by hand.
            return str(suffix.sub(replacement, word))
    return word


def singularize_pattern(word: str) -> str:
    """A token's singular as pattern.en 3.6's `singularize` gives it (matching ignores case)."""
    inflect = _inflect()
    head, *rest = word.split("-")
    if rest and rest[0] in inflect.plural_prepositions:
        # 'mothers-in-law': pattern singularises the head (TextBlob would recurse into itself).
        return "-".join([singularize_pattern(head), *rest])
    if word.endswith("'"):
        return singularize_pattern(word[:-1]) + "'s"
    ie_plurals, s_plurals = _textblob_only_plurals()
    lower = word.lower()
    if lower.endswith(ie_plurals):
        # pattern 3.6 returns the (lowercased) token here ('doggies' stays 'doggies', so the
        # official code misses it); TextBlob returns the -ie word ('doggie').
        return lower
    if lower.endswith(s_plurals):
        # TextBlob alone has this step and returns the bare list word ('airbuses' -> 'bus',
        # a different COCO class); pattern goes on to its rules ('airbuses' -> 'airbus').
        return _pattern_rules(word)
    return str(inflect.singularize(word))
