"""POPE (Li et al., 2023): yes/no object-existence questions on COCO val2014 images.

Data: the Hugging Face dataset lmms-lab/POPE (default), a local save_to_disk/parquet copy,
the official GitHub label files with a COCO image folder, or `synthetic` (see data.py).
"""

from __future__ import annotations

import re

from mmalign_eval import (
    Columns,
    GenerationParams,
    GroupSpec,
    Protocol,
    Reading,
    Sample,
    TaskSpec,
    register,
)
from mmalign_eval.metrics.binary import CONFUSION_COLUMNS, confusion_metrics, confusion_values

from .data import PopeInfo, sources

PROMPT = "{question}\nAnswer the question using a single word or phrase."
SPLITS = ("adversarial", "popular", "random")


def parse_official(text: str) -> Reading[str]:
    """POPE evaluate.py: first sentence, drop commas, split on ' ', 'no' iff No/no/not."""
    if text.find(".") != -1:
        text = text.split(".")[0]
    words = text.replace(",", "").split(" ")
    negative = "No" in words or "not" in words or "no" in words
    return Reading("no" if negative else "yes")


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_NO_WORDS = frozenset({"no", "not", "nope", "nah", "none", "never", "false", "incorrect"})
_YES_WORDS = frozenset({"yes", "yeah", "yep", "yup", "true", "correct", "indeed", "certainly"})
_EXISTENTIAL = re.compile(r"\bthere (?:is|are)\b")


def parse_lenient(text: str) -> Reading[str]:
    """Case-insensitive yes/no reading of the first sentence; no answer found is a failure."""
    sentence = re.split(r"[.!?\n]", text.strip().lower().replace("\u2019", "'"), maxsplit=1)[0]
    words = _WORD.findall(sentence)
    if not words:
        return Reading(None, "empty answer")
    negated = [w in _NO_WORDS or w.endswith("n't") for w in words]
    if words[0] in _YES_WORDS:
        return Reading("yes")
    if any(negated):
        return Reading("no")
    if any(w in _YES_WORDS for w in words) or _EXISTENTIAL.search(sentence):
        return Reading("yes")
    return Reading(None, f"no yes/no answer in {sentence[:60]!r}")


PROTOCOLS: tuple[Protocol[PopeInfo, str], ...] = (
    Protocol(
        "official",
        "POPE evaluate.py: text before the first '.', commas removed, split on single spaces; "
        "'no' if a token is exactly No, no or not, otherwise 'yes' (never a failure)",
        parse_official,
        official=True,
        default=True,
    ),
    Protocol(
        "lenient",
        "case-insensitive: first word yes/no (Nope, NO, leading 'No,'), else any negation "
        "(not, n't, none) means no, any affirmation or 'there is/are' means yes; "
        "anything else is recorded as unparseable",
        parse_lenient,
    ),
)


def item_values(sample: Sample[PopeInfo], answer: str) -> dict[str, float]:
    """Confusion cell with 'yes' as the positive class."""
    return confusion_values(answer == "yes", sample.target == "yes")


def _make_task(split: str) -> TaskSpec[PopeInfo]:
    return TaskSpec(
        name=f"pope_{split}",
        family="hallucination",
        version="1",
        description=f"POPE {split} split: is there a <object> in the image? (yes/no)",
        prompt_template=PROMPT,
        loader=sources(split).load,
        protocols=PROTOCOLS,
        metrics=confusion_metrics("yes", primary="f1"),
        columns=Columns(CONFUSION_COLUMNS),
        score_values=item_values,
        generation=GenerationParams(max_new_tokens=128),
    )


@register
def pope_adversarial() -> TaskSpec[PopeInfo]:
    """POPE adversarial split."""
    return _make_task("adversarial")


@register
def pope_popular() -> TaskSpec[PopeInfo]:
    """POPE popular split."""
    return _make_task("popular")


@register
def pope_random() -> TaskSpec[PopeInfo]:
    """POPE random split."""
    return _make_task("random")


@register
def pope() -> GroupSpec:
    """All three POPE splits; reports the mean F1 LLaVA-style papers quote."""
    return GroupSpec(
        name="pope",
        tasks=tuple(f"pope_{s}" for s in SPLITS),
        mean_of=("f1", "accuracy"),
        description="POPE adversarial, popular and random, with the mean over splits",
    )
