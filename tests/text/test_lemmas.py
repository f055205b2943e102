"""Vocabulary-bound lemma candidates (AMBER's offline protocol), against WordNet's rules."""

from __future__ import annotations

import pytest

from mmalign_eval.text.lemmas import candidate_groups, lemma_candidates, resolve_candidates

VOCABULARY = frozenset(
    {"dog", "glass", "glasses", "knife", "leaf", "berry", "bus", "box", "woman", "mouse",
     "child", "grass", "sheep", "tree", "church"}
)  # fmt: skip


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("dogs", "dog"),
        ("glasses", "glass"),  # both are words: the shortest wins, as in WordNetLemmatizer
        ("knives", "knife"),  # irregular: the rule-based singular, standing in for noun.exc
        ("leaves", "leaf"),  # morphy's ves -> f
        ("berries", "berry"),  # ies -> y
        ("buses", "bus"),  # ses -> s
        ("boxes", "box"),  # xes -> x
        ("churches", "church"),  # ches -> ch
        ("women", "woman"),  # men -> man
        ("mice", "mouse"),
        ("children", "child"),
        ("grass", "grass"),  # 'gras' is not in the vocabulary
        ("sheep", "sheep"),
        ("Trees", None),  # NLTK keeps case: a capitalised noun matches no vocabulary word
        ("quickly", None),
    ],
)
def test_resolved_lemma(token: str, expected: str | None) -> None:
    assert lemma_candidates(token)[0] == token
    assert resolve_candidates(candidate_groups(token), VOCABULARY) == (
        [expected] if expected else []
    )


def test_a_sentence_keeps_order_and_repeats() -> None:
    groups = candidate_groups("Two dogs, a box; another dog's glasses (and the Trees).")
    assert resolve_candidates(groups, VOCABULARY) == ["dog", "box", "dog", "glass"]
