"""Caption -> COCO object mentions, following the official CHAIR code (LisaAnne/Hallucination).

Pipeline (utils/chair.py, `caption_to_words`): lowercase, tokenise, singularise every token,
merge the hard-coded two-word objects, drop 'seat' when 'toilet' is present, keep tokens in
the synonym list and map each to its line's first word (the canonical class).
The official code singularises with pattern.en; this module's rule-based tokeniser and
singulariser are a documented approximation (protocol `rule`), not a byte-exact copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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
_IRREGULAR = {
    "men": "man", "women": "woman", "children": "child", "mice": "mouse", "geese": "goose",
    "feet": "foot", "teeth": "tooth", "knives": "knife", "wolves": "wolf", "leaves": "leaf",
    "shelves": "shelf", "calves": "calf", "halves": "half", "loaves": "loaf", "buses": "bus",
    "ties": "tie", "pies": "pie", "skies": "sky", "oxen": "oxen", "people": "people",
    "scissors": "scissors", "skis": "skis", "glasses": "glass", "species": "species",
}  # fmt: skip
_ES_ENDINGS = ("ches", "shes", "xes", "sses", "zzes")
_KEEP_S = ("ss", "us", "is", "ous")


def tokenize_rule(text: str) -> list[str]:
    """Lowercased word and punctuation tokens (an approximation of nltk.word_tokenize)."""
    return _TOKEN.findall(text.lower())


def singularize_rule(word: str) -> str:
    """English plural -> singular by suffix rules and a list of irregular forms."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_KEEP_S):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(_ES_ENDINGS):
        return word[:-2]
    return word[:-1]


def merge_double_words(words: list[str]) -> list[str]:
    """Replace the official two-word objects (and qualifier pairs) by one token, left to right."""
    merged: list[str] = []
    i = 0
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        if pair in DOUBLE_WORDS:
            merged.append(DOUBLE_WORDS[pair])
            i += 2
        else:
            merged.append(words[i])
            i += 1
    if "toilet" in merged and "seat" in merged:
        # 'the seat of the toilet' is not a chair (the official special case).
        merged = [w for w in merged if w != "seat"]
    return merged


def caption_words_rule(caption: str) -> list[str]:
    """Tokenised, singularised and merged words of a caption (vocabulary-independent)."""
    return merge_double_words([singularize_rule(w) for w in tokenize_rule(caption)])


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
