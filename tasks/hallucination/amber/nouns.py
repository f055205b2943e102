"""AMBER's noun extraction: the official NLTK pipeline, and an offline stand-in.

Official (inference.py `extract_nouns`): nltk.word_tokenize, nltk.pos_tag, WordNet lemmas
of the NN* tokens; synonyms by spaCy en_core_web_lg similarity > 0.8. Offline: pattern's
Brill tagger as TextBlob bundles it (no NLTK data), each noun with the lemma candidates
WordNet would consider (resolved against the vocabulary at scoring), exact synonyms only.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from mmalign_eval.resources import Needs, configure_nltk
from mmalign_eval.text.lemmas import Candidates, candidate_groups

# nltk >= 3.9 reads the pickle-free punkt_tab and the *_eng tagger instead of punkt and
# averaged_perceptron_tagger. The Open Multilingual Wordnet is not needed: nltk loads it
# only for languages other than English, which the lemmatiser never asks for.
NLTK_PACKAGES: tuple[str, ...] = ("punkt_tab", "averaged_perceptron_tagger_eng", "wordnet")
# The official synonym matching uses this model's word vectors (similarity > 0.8).
SPACY_MODEL = "en_core_web_lg"
SIMILARITY_THRESHOLD = 0.8  # official --similarity_score
OFFICIAL_NEEDS = Needs(
    nltk=NLTK_PACKAGES,
    spacy=(SPACY_MODEL,),
    install_hint="pip install 'mmalign-eval[amber]'",
    alternative="; or, unofficially and with no downloads, the offline protocol (`run`: "
    "--protocol amber_generative=offline; `score`: --protocol offline)",
)


@lru_cache(maxsize=1)
def _lemmatizer() -> Any:
    from nltk.stem import WordNetLemmatizer

    return WordNetLemmatizer()


def extract_nouns(text: str) -> list[str]:
    """inference.py's extract_nouns: word_tokenize, pos_tag, WordNet-lemmatise NN* tokens."""
    import nltk

    configure_nltk()
    tagged = nltk.pos_tag(nltk.word_tokenize(text))
    lemmatizer = _lemmatizer()
    return [str(lemmatizer.lemmatize(word)) for word, pos in tagged if pos.startswith("NN")]


@lru_cache(maxsize=1)
def _pattern_tagger() -> Any:
    # pattern's Brill tagger as TextBlob bundles it (lexicon files inside the package): POS
    # tags with no NLTK data. Imported on first use, since textblob imports nltk.
    from textblob.en.taggers import PatternTagger

    return PatternTagger()


def offline_nouns(text: str) -> list[str]:
    """The NN* tokens of a text by pattern's bundled tagger (NLTK's tagger needs data)."""
    return [str(word) for word, tag in _pattern_tagger().tag(text) if str(tag).startswith("NN")]


def offline_candidates(text: str) -> tuple[Candidates, ...]:
    """Every noun with its candidate lemmas; the vocabulary picks one at scoring."""
    return candidate_groups(" ".join(offline_nouns(text)))


@lru_cache(maxsize=1)
def _spacy_model() -> Any:
    import spacy

    return spacy.load(SPACY_MODEL)


@lru_cache(maxsize=200_000)
def spacy_similar(word1: str, word2: str) -> bool:
    """check_synonyms_word: nlp(word1).similarity(nlp(word2)) > 0.8 (cached per pair)."""
    nlp = _spacy_model()
    return bool(nlp(word1).similarity(nlp(word2)) > SIMILARITY_THRESHOLD)


def exact_synonym(word1: str, word2: str) -> bool:
    """Synonym matching without word vectors: only identical words (similarity 1.0)."""
    return word1 == word2
