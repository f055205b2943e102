"""AMBER (Wang et al., 2023): generative and discriminative hallucination, scored officially.

Ids 1-1004 are generative ("Describe this image."), 1005-15220 yes/no questions; data in
data.py, the official counters and printout arithmetic in metrics.py, nouns in nouns.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from mmalign_eval import (
    GenerationParams,
    GroupMetric,
    GroupSpec,
    MetricSpec,
    Protocol,
    Reading,
    Sample,
    TaskSpec,
    register,
)
from mmalign_eval.metrics.base import FloatArray
from mmalign_eval.text.lemmas import Candidates, resolve_candidates

from . import metrics as m
from .data import DescriptionInfo, QuestionInfo, sources
from .nouns import (
    OFFICIAL_NEEDS,
    exact_synonym,
    extract_nouns,
    offline_candidates,
    spacy_similar,
)

GENERATIVE_PROMPT = "{question}"
# The official repository leaves the yes/no instruction to the model's own evaluation
# script; this LLaVA-style suffix is what most AMBER numbers in papers were produced with.
DISCRIMINATIVE_PROMPT = "{question}\nAnswer the question using a single word or phrase."


def parse_official_yes_no(text: str) -> Reading[str]:
    """inference.py: only the exact strings 'Yes' and 'No' count; anything else is wrong."""
    if text in ("Yes", "No"):
        return Reading(text.lower())
    return Reading(
        "other", f"not exactly 'Yes' or 'No' (scored wrong, as officially): {text[:40]!r}"
    )


def parse_lenient_yes_no(text: str) -> Reading[str]:
    """Case and punctuation normalised; the first word must be yes or no, else a failure."""
    words = re.sub(r"[^a-z\s]", " ", text.lower()).split()
    if words and words[0] in ("yes", "no"):
        return Reading(words[0])
    return Reading(None, f"no leading yes/no in {text[:60]!r}")


YES_NO_PROTOCOLS: tuple[Protocol[QuestionInfo, str], ...] = (
    Protocol(
        "official",
        "AMBER inference.py: an answer counts only if it is exactly 'Yes' or 'No'; anything "
        "else stays in the denominators and is never correct (not a failure)",
        parse_official_yes_no,
        official=True,
        default=True,
    ),
    Protocol(
        "lenient",
        "case and punctuation normalised, first word yes/no ('yes.', 'NO,', 'No, there is "
        "not'); answers without one are recorded as unparseable and not scored",
        parse_lenient_yes_no,
    ),
)


@lru_cache(maxsize=4)
def load_vocabulary(relation: str, safe_words: str) -> m.Vocabulary:
    """relation.json and safe_words.txt (read the way the official script reads them)."""
    import json

    association = json.loads(Path(relation).read_text(encoding="utf-8"))
    lines = Path(safe_words).read_text(encoding="utf-8").split("\n")
    return m.Vocabulary(
        association={k: tuple(v) for k, v in association.items()},
        safe_words=frozenset(line for line in lines if line),
    )


def _vocabulary(sample: Sample[DescriptionInfo]) -> m.Vocabulary:
    return load_vocabulary(sample.info.relation_file, sample.info.safe_words_file)


def _counts(
    sample: Sample[DescriptionInfo], nouns: Sequence[str], similar: m.Similar
) -> dict[str, float]:
    truth = m.GenerativeTruth(truth=sample.info.truth, hallu=sample.info.hallu)
    return m.generative_counts(nouns, truth, _vocabulary(sample), similar).values()


def generative_values(
    sample: Sample[DescriptionInfo], nouns: Sequence[str], similar: m.Similar = spacy_similar
) -> dict[str, float]:
    """Counters of one description from its nouns and the sample's annotation."""
    return _counts(sample, nouns, similar)


def offline_values(
    sample: Sample[DescriptionInfo], groups: Sequence[Candidates]
) -> dict[str, float]:
    """Counters of one description under the offline protocol."""
    nouns = resolve_candidates(groups, _vocabulary(sample).words)
    return _counts(sample, nouns, exact_synonym)


GENERATIVE_PROTOCOLS: tuple[Protocol[DescriptionInfo, Any], ...] = (
    Protocol(
        "official",
        "AMBER inference.py: NLTK nouns (tokenise, POS tag, WordNet lemmatise) in the "
        "relation.json vocabulary; synonyms by en_core_web_lg similarity > 0.8",
        lambda text: Reading(tuple(extract_nouns(text))),
        official=True,
        default=True,
        needs=OFFICIAL_NEEDS,
    ),
    Protocol(
        "offline",
        "no NLP downloads: nouns by pattern's tagger (bundled with TextBlob) instead of "
        "NLTK's, lemmas the WordNet way (shortest form in the relation.json vocabulary), "
        "synonyms by exact match only (no word vectors); otherwise the official counting",
        lambda text: Reading(offline_candidates(text)),
        synthetic_default=True,
        score=offline_values,
    ),
)


def discriminative_values(sample: Sample[QuestionInfo], answer: str) -> dict[str, float]:
    """The official counters of one yes/no answer, overall and under its sub-type."""
    return m.discriminative_values(sample.info.subtype, sample.target, answer)


_EXISTENCE = m.DiscriminativeBlock(("existence.",), f1_epsilon=0.001)  # the script's 0.001
_ATTRIBUTE = m.DiscriminativeBlock(tuple(f"{s}." for s in m.ATTRIBUTE_SUBTYPES))


def _yes_no_task(
    kind: str, metrics: Sequence[MetricSpec], description: str
) -> TaskSpec[QuestionInfo]:
    return TaskSpec(
        name=f"amber_{kind}", family="hallucination", version="1", description=description,
        prompt_template=DISCRIMINATIVE_PROMPT, loader=sources(kind).load,
        protocols=YES_NO_PROTOCOLS, metrics=tuple(metrics), columns=m.DISCRIMINATIVE_COLUMNS,
        score_values=discriminative_values, generation=GenerationParams(max_new_tokens=32),
    )  # fmt: skip


@register
def amber_generative() -> TaskSpec[DescriptionInfo]:
    """AMBER generative: CHAIR, Cover, Hal and Cog of image descriptions."""
    return TaskSpec(
        name="amber_generative", family="hallucination", version="1",
        description="AMBER 'Describe this image.': CHAIR, Cover, Hal, Cog (official script)",
        prompt_template=GENERATIVE_PROMPT, loader=sources("generative").load,
        protocols=GENERATIVE_PROTOCOLS, metrics=m.generative_metrics(),
        columns=m.GENERATIVE_COLUMNS, score_values=generative_values,
        generation=GenerationParams(max_new_tokens=512),
    )  # fmt: skip


@register
def amber_discriminative() -> TaskSpec[QuestionInfo]:
    """AMBER discriminative: all yes/no questions, 'No' positive."""
    block = m.DiscriminativeBlock(("",))
    return _yes_no_task(
        "discriminative",
        m.discriminative_metrics(block, primary=True),
        "AMBER yes/no questions (existence, attribute, relation); 'No' positive",
    )


@register
def amber_existence() -> TaskSpec[QuestionInfo]:
    """AMBER existence questions."""
    return _yes_no_task(
        "existence",
        m.discriminative_metrics(_EXISTENCE, primary=True),
        "AMBER existence questions (all 'no' in the official set)",
    )


@register
def amber_attribute() -> TaskSpec[QuestionInfo]:
    """AMBER attribute questions, with the state, number and action sub-types."""
    metrics = list(m.discriminative_metrics(_ATTRIBUTE, primary=True))
    for sub in m.ATTRIBUTE_SUBTYPES:
        metrics += m.discriminative_metrics(m.DiscriminativeBlock((f"{sub}.",)), f"{sub}_")
    return _yes_no_task("attribute", metrics, "AMBER attribute questions (state, number, action)")


@register
def amber_relation() -> TaskSpec[QuestionInfo]:
    """AMBER relation questions."""
    block = m.DiscriminativeBlock((f"{m.RELATION}.",))
    return _yes_no_task(
        "relation",
        m.discriminative_metrics(block, primary=True),
        "AMBER relation questions (direct contact between two objects)",
    )


def _amber_score(parts: Sequence[FloatArray]) -> FloatArray:
    chair, f1 = parts
    return m.amber_score(chair, f1)


@register
def amber() -> GroupSpec:
    """AMBER: both tasks, the dimensions, and the AMBER score."""
    return GroupSpec(
        name="amber",
        tasks=(
            "amber_generative",
            "amber_discriminative",
            "amber_existence",
            "amber_attribute",
            "amber_relation",
        ),
        mean_of=(),
        description="AMBER generative and discriminative, with the AMBER score",
        combine=(
            GroupMetric(
                name="amber_score",
                inputs=(
                    ("amber_generative", "chair_unrounded"),
                    ("amber_discriminative", "f1_unrounded"),
                ),
                fn=_amber_score,
                direction="higher",
                scale="percent",
                primary=True,
                description="((100 - CHAIR) + F1) / 2 from unrounded CHAIR and discriminative F1",
            ),
        ),
    )
