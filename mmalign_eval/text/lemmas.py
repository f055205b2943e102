"""A resource-free stand-in for NLTK noun lemmas when only a known vocabulary matters.

AMBER's official extraction (word_tokenize, pos_tag, WordNet lemmatiser) needs NLTK data.
Where a response's nouns are only ever compared with a fixed vocabulary, a token can
instead carry the forms WordNet's morphy would consider (the token itself, then its noun
suffix rules, plus pattern.en's singular, standing in for WordNet's list of irregular
plurals such as 'mice' and 'children'), and scoring keeps the
shortest one in the vocabulary, as WordNetLemmatizer keeps the shortest valid lemma.
Case is kept, as NLTK keeps it: a capitalised 'Trees' matches no lowercase vocabulary word.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from mmalign_eval.text.inflect import singularize_pattern

# WordNet morphy's detachment rules for nouns (suffix, replacement), as NLTK applies them.
WORDNET_NOUN_RULES: tuple[tuple[str, str], ...] = (
    ("s", ""),
    ("ses", "s"),
    ("ves", "f"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
)
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
Candidates = tuple[str, ...]  # one token's candidate forms, the token first


def lemma_candidates(token: str) -> Candidates:
    """The token, its morphy noun forms and its pattern.en singular, without repeats."""
    if token != token.lower():
        return (token,)  # WordNet's index is lowercase: NLTK returns such tokens unchanged
    forms = [token]
    forms += [token[: -len(old)] + new for old, new in WORDNET_NOUN_RULES if token.endswith(old)]
    forms.append(singularize_pattern(token))
    return tuple(dict.fromkeys(form for form in forms if form))


def candidate_groups(text: str) -> tuple[Candidates, ...]:
    """Every word token of a text with its candidate forms, in order."""
    return tuple(lemma_candidates(t) for t in _WORD.findall(text))


def resolve_group(group: Sequence[str], vocabulary: Collection[str]) -> str | None:
    """The shortest of one token's candidate forms that is in the vocabulary, else None."""
    known = [form for form in group if form in vocabulary]
    return min(known, key=len) if known else None


def resolve_candidates(groups: Sequence[Sequence[str]], vocabulary: Collection[str]) -> list[str]:
    """Per token, the shortest candidate in the vocabulary; tokens with none are dropped."""
    resolved = (resolve_group(group, vocabulary) for group in groups)
    return [word for word in resolved if word is not None]
