"""Caption -> COCO object mentions, following the official CHAIR code (LisaAnne/Hallucination).

Pipeline (utils/chair.py, `caption_to_words`): lowercase, tokenise, singularise every token,
merge the hard-coded two-word objects, drop 'seat' when 'toilet' is present, keep tokens in
the synonym list and map each to its line's first word (the canonical class).

Singulariser: pattern.en 3.6's, through TextBlob's port (mmalign_eval.text.inflect).
TextBlob's word lists still differ a little from pattern's ('jeans', 'as'); no COCO word.
Tokens come from a regular expression: `nltk.word_tokenize` needs the punkt data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mmalign_eval.errors import DataError
from mmalign_eval.text.inflect import singularize_pattern, tokenize_rule

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
