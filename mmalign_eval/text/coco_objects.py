"""Caption -> COCO object mentions, following the official CHAIR code (LisaAnne/Hallucination).

Pipeline (utils/chair.py, `caption_to_words`): lowercase, tokenise, singularise every token,
merge the hard-coded two-word objects, drop 'seat' when 'toilet' is present, keep tokens in
the synonym list and map each to its line's first word (the canonical class).

Singulariser: the official code calls `pattern.en.singularize` (pattern==3.6), which does
not install on Python 3.11. TextBlob's `textblob.en.inflect` is a port of that module (same
suffix rules, same irregular table), so it is used here; the two steps where TextBlob's
`singularize` departs from pattern 3.6's and that reach COCO words are undone in
`singularize_pattern`, quirks included ('bus' -> 'bu', 'ties' -> 'ty', 'glass' -> 'glas').
TextBlob's word lists still differ a little from pattern's ('jeans', 'as'); no COCO word.
Tokens still come from a regular expression: `nltk.word_tokenize` needs the punkt data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import cast

from mmalign_eval.errors import DataError

# The official two-word objects (the list in chair.py, duplicates removed).
COCO_DOUBLE_WORDS = (
    "motor bike", "motor cycle", "air plane", "traffic light", "street light",
    "traffic signal", "stop light", "fire hydrant", "stop sign", "parking meter", "suit case",
    "sports ball", "baseball bat", "baseball glove", "tennis racket", "wine glass", "hot dog",
    "cell phone", "mobile phone", "teddy bear", "hair drier", "potted plant", "bow tie",
    "laptop computer", "stove top oven", "home plate", "train track",
)  # fmt: skip
# 'baby bird' is a bird, not a person; 'passenger jet' is a jet, not a person.
_ANIMALS = ("bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra",
            "giraffe", "animal", "cub")  # fmt: skip
_VEHICLES = ("jet", "train")


def _double_word_map() -> dict[str, str]:
    mapping = {word: word for word in COCO_DOUBLE_WORDS}
    for animal in _ANIMALS:
        mapping[f"baby {animal}"] = animal
        mapping[f"adult {animal}"] = animal
    for vehicle in _VEHICLES:
        mapping[f"passenger {vehicle}"] = vehicle
    # The official overrides, applied after the loops as chair.py does.
    mapping["bow tie"] = "tie"
    mapping["toilet seat"] = "toilet"
    mapping["wine glas"] = "wine glass"  # pattern.en singularises 'glass' to 'glas'
    return mapping


DOUBLE_WORDS = _double_word_map()

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


def _read_pairs(words: list[str]) -> list[tuple[str, bool]]:
    """Left to right, each official two-word object as one token (True), other words as is."""
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        if pair in DOUBLE_WORDS:
            out.append((DOUBLE_WORDS[pair], True))
            i += 2
        else:
            out.append((words[i], False))
            i += 1
    return out


def drop_toilet_seat(words: list[str]) -> list[str]:
    """'the seat of the toilet' is not a chair (the official special case)."""
    if "toilet" in words and "seat" in words:
        return [w for w in words if w != "seat"]
    return words


def merge_double_words(words: list[str]) -> list[str]:
    """Replace the official two-word objects (and qualifier pairs) by one token, left to right."""
    return drop_toilet_seat([word for word, _ in _read_pairs(words)])


def double_words_only(words: list[str]) -> list[str]:
    """Only the two-word objects among the words, read as `merge_double_words` reads them
    (RLHF-V's get_double_words_only: 'toilet seat' is a toilet, 'baby bird' a bird)."""
    return [word for word, double in _read_pairs(words) if double]


def caption_words_rule(caption: str) -> list[str]:
    """Tokenised, singularised and merged words of a caption (vocabulary-independent)."""
    return merge_double_words([singularize_pattern(w) for w in tokenize_rule(caption)])


@dataclass(frozen=True)
class Vocabulary:
    """The CHAIR synonym list: every synonym mapped to its canonical class."""

    canonical: dict[str, str]
    source: str

    @property
    def classes(self) -> frozenset[str]:
        """The canonical classes (first word of each line)."""
        return frozenset(self.canonical.values())

    def mentions(self, words: list[str]) -> list[str]:
        """The canonical class of every word that is an object synonym, in order."""
        return [self.canonical[w] for w in words if w in self.canonical]


def parse_synonyms(text: str, source: str = "<text>") -> Vocabulary:
    """Synonym lines 'class, synonym, ...'; as the official code, split on ', ' and strip."""
    canonical: dict[str, str] = {}
    for line in text.splitlines():
        names = [n for n in line.strip().split(", ") if n]
        for name in names:
            # Official quirk kept: a synonym on two lines maps to the later line's class.
            canonical[name] = names[0]
    if not canonical:
        raise DataError(f"no synonyms in {source}", "one line per class: 'class, synonym, ...'")
    return Vocabulary(canonical, source)


@lru_cache(maxsize=8)
def load_synonyms(path: str) -> Vocabulary:
    """The synonym list of a file (cached: every scored caption of a run looks it up)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read the synonym list {path}: {exc}", "check --data") from exc
    return parse_synonyms(text, path)
