"""AMBER's offline protocol's lemmas against NLTK's WordNetLemmatizer, on AMBER's own vocabulary.

The official generative metric keeps `WordNetLemmatizer().lemmatize(noun)` when it is a
vocabulary word; the offline protocol keeps the shortest candidate form that is one. This
compares the two for every vocabulary word, its plural spellings, every token whose WordNet
suffix rules reach a vocabulary word, and every noun.exc entry whose lemma is one.

It needs the real WordNet 3.0: nltk's `wordnet` (the harness folder after `mmalign-eval
resources fetch`, or nltk's own folders), else Debian's copy (`apt-get install wordnet-base
wordnet-sense-index`), copied into a temporary nltk data folder. Without either it skips.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import resources
from mmalign_eval.text.lemmas import WORDNET_NOUN_RULES, candidate_groups, resolve_candidates

Lemmatize = Callable[[str], str]

# Plural spellings worth trying beyond the regular endings (irregular and classical ones).
IRREGULAR_PLURALS = {
    "mouse": "mice", "louse": "lice", "goose": "geese", "tooth": "teeth", "foot": "feet",
    "child": "children", "person": "people", "ox": "oxen", "die": "dice", "cow": "kine",
    "money": "monies", "penny": "pence", "bus": "busses", "knife": "knives", "wife": "wives",
    "life": "lives", "leaf": "leaves", "cactus": "cacti", "fungus": "fungi", "datum": "data",
    "medium": "media", "criterion": "criteria", "index": "indices", "potato": "potatoes",
    "tomato": "tomatoes", "hero": "heroes",
}  # fmt: skip

# Why the two disagree, per kind of token (the reasons of KNOWN_DISAGREEMENTS).
NOT_IN_WORDNET = (
    "the vocabulary word is no WordNet noun, so NLTK finds no lemma for the inflected token "
    "and returns it unchanged (a word outside the vocabulary)"
)
SHADOWED = (
    "NLTK's shortest WordNet lemma is a noun outside the vocabulary ('vas' before 'vase', "
    "'leaf' before 'leave'), or the token itself on a tie in length ('men' before 'man')"
)
EXCEPTION_ONLY = "noun.exc maps it; neither morphy's rules nor pattern's singular produce it"
PATTERN_ONLY = (
    "pattern's singular knows it; WordNet has neither a rule nor a noun.exc entry for it "
    "('kine' is a WordNet noun itself)"
)

# Every token of the enumeration below on which they disagree, by reason, with the AMBER
# vocabulary of ../shared/benchmarks/amber (418 words) and WordNet 3.0.
_INFLECTED_NON_WORDNET = (
    "air-conditionings", "baconics", "bedsheets", "canns", "catholes", "chopstickses",
    "chopstickss", "closestools", "cooktops", "dogholes", "e-books", "earings", "earringses",
    "earringss", "ebooks", "electrombiles", "hots", "kiwifruits", "paragliders", "pissoirs",
    "rpoes", "sanitizers", "scoons", "seegulls", "showerpuffs", "showerpufves", "slipperses",
    "slipperss", "streetlamps", "waterfonts",
)  # fmt: skip
_SHADOWED = ("chopsticks", "earrings", "leaves", "men", "slippers", "sunglasses", "vases")
_PATTERN_ONLY = ("bambooes", "kine", "monies", "pianoes", "shampooes")
KNOWN_DISAGREEMENTS: dict[str, str] = {
    **dict.fromkeys(_INFLECTED_NON_WORDNET, NOT_IN_WORDNET),
    **dict.fromkeys(_SHADOWED, SHADOWED),
    "busses": EXCEPTION_ONLY,
    **dict.fromkeys(_PATTERN_ONLY, PATTERN_ONLY),
}


@pytest.fixture(scope="module")
def lemmatize(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lemmatize]:
    """NLTK's WordNetLemmatizer().lemmatize on real WordNet, or a skip saying what is missing."""
    nltk = pytest.importorskip("nltk", reason="nltk is not installed")
    from nltk.corpus.reader.wordnet import WordNetCorpusReader
    from nltk.stem import WordNetLemmatizer

    root, data_dir = _wordnet_root(tmp_path_factory)
    with pytest.MonkeyPatch.context() as patch:
        # nltk's path sandbox only opens corpus files below a folder on its data path.
        patch.setattr(nltk.data, "path", [data_dir, *nltk.data.path])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # no omw reader: multilingual use is warned off
                reader = WordNetCorpusReader(root, None)
        except (OSError, LookupError, ValueError, AssertionError) as exc:
            pytest.skip(f"nltk cannot read the WordNet in {root}: {exc}")
        # The lemmatiser looks nltk.corpus.wordnet up on every call: this reader, for now.
        patch.setattr(nltk.corpus, "wordnet", reader)
        yield WordNetLemmatizer().lemmatize


def _wordnet_root(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    """nltk's own wordnet (harness folder first), else a copy of Debian's; skips without one."""
    import nltk

    harness = str(resources.nltk_data_dir())
    try:
        found = nltk.data.find(resources.NLTK_RESOURCE_PATHS["wordnet"], [harness, *nltk.data.path])
    except LookupError:
        pass
    else:
        return found, harness  # found there or in a folder already on nltk's path
    debian = resources.DEBIAN_WORDNET_DIR
    if not debian.is_dir():
        pytest.skip(
            "WordNet unavailable: no nltk wordnet and no Debian WordNet in "
            f"{debian} (apt-get install {resources.DEBIAN_WORDNET_PACKAGES})"
        )
    data_dir = tmp_path_factory.mktemp("nltk_data")
    try:
        target = resources.install_wordnet_dict(debian, data_dir)
    except resources.ResourceError as exc:
        pytest.skip(f"WordNet unavailable: {exc.message} ({exc.hint})")
    return str(target), str(data_dir)


def amber_vocabulary(shared_file: Callable[..., Path]) -> frozenset[str]:
    """relation.json's objects and associated words, and safe_words.txt."""
    relation = json.loads(shared_file("amber", "relation.json").read_text(encoding="utf-8"))
    safe = shared_file("amber", "safe_words.txt").read_text(encoding="utf-8").split("\n")
    words = set(relation) | {w for related in relation.values() for w in related}
    return frozenset(words | {w for w in safe if w})


def plural_spellings(word: str) -> set[str]:
    """Regular, classical and irregular plural spellings of a noun (some are no words)."""
    out = {word + "s", word + "es", IRREGULAR_PLURALS.get(word, word)}
    endings = {
        "y": "ies", "f": "ves", "fe": "ves", "man": "men", "us": "i", "um": "a", "is": "es",
        "on": "a",
    }  # fmt: skip
    out |= {word[: -len(end)] + new for end, new in endings.items() if word.endswith(end)}
    return out


def rule_sources(word: str) -> set[str]:
    """Every token that one of morphy's noun suffix rules turns into the word."""
    return {
        word[: len(word) - len(new)] + old for old, new in WORDNET_NOUN_RULES if word.endswith(new)
    }


def exception_sources(vocabulary: frozenset[str]) -> set[str]:
    """Every noun.exc inflection listing a vocabulary word among its lemmas."""
    import nltk

    out = set()
    with nltk.corpus.wordnet.open("noun.exc") as lines:  # the reader the fixture installed
        for line in lines:
            inflected, *lemmas = line.split()
            if vocabulary.intersection(lemmas):
                out.add(inflected)
    return out


def tokens_to_compare(vocabulary: frozenset[str]) -> set[str]:
    """Vocabulary words, their plurals and the sources of rules and exceptions, as typed."""
    tokens = set(vocabulary)
    for word in vocabulary:
        tokens |= plural_spellings(word) | rule_sources(word)
    tokens |= set(IRREGULAR_PLURALS.values()) | exception_sources(vocabulary)
    return tokens | {t.capitalize() for t in tokens}  # a sentence's first word


def disagreements(
    lemmatize: Lemmatize, vocabulary: frozenset[str], tokens: set[str]
) -> dict[str, tuple[list[str], list[str]]]:
    """Token -> (ours, NLTK's), where the vocabulary nouns they yield differ."""
    out = {}
    for token in sorted(tokens):
        lemma = lemmatize(token)
        expected = [lemma] if lemma in vocabulary else []
        ours = resolve_candidates(candidate_groups(token), vocabulary)
        if ours != expected:
            out[token] = (ours, expected)
    return out


def test_offline_lemmas_agree_with_wordnet_lemmatizer(
    lemmatize: Lemmatize, shared_file: Callable[..., Path]
) -> None:
    vocabulary = amber_vocabulary(shared_file)
    tokens = tokens_to_compare(vocabulary)
    found = disagreements(lemmatize, vocabulary, tokens)
    rate = 1 - len(found) / len(tokens)
    new = {t: found[t] for t in sorted(set(found) - set(KNOWN_DISAGREEMENTS))}
    assert not new, f"agreement {rate:.2%} of {len(tokens)}; new (ours, NLTK's): {new}"
    fixed = sorted(set(KNOWN_DISAGREEMENTS) - set(found))
    assert not fixed, f"these now agree: remove them from KNOWN_DISAGREEMENTS: {fixed}"


def test_the_lemmatizer_is_wordnet_30(lemmatize: Lemmatize) -> None:
    # NLTK's own doctests: the comparison above means something only on the real database.
    assert [lemmatize(w) for w in ("dogs", "churches", "aardwolves", "abaci", "hardrock")] == [
        "dog", "church", "aardwolf", "abacus", "hardrock",
    ]  # fmt: skip
    assert lemmatize("Trees") == "Trees"  # case is kept: no lemma
