"""Multiple-choice scoring: an option letter read from the answer, or the most likely option
by the model's log-likelihood (one forward pass per item, no generated text)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mmalign_eval.columns import Columns
from mmalign_eval.contracts import Record, Sample
from mmalign_eval.evidence import Evidence
from mmalign_eval.metrics.base import MetricSpec, ratio
from mmalign_eval.protocols import Protocol, Reading
from mmalign_eval.toolkit.prompts import Choices
from mmalign_eval.toolkit.readers import option_letter

COLUMNS = Columns.of("n", "correct", "fallback")


class Picked(Record):
    """An option an official script credits: read from the answer, or given by the script's
    fallback when it read none (MMMU's seeded random.choice, MathVista's closest option)."""

    letter: str
    fallback: str | None = None  # how the script picked it when the answer named none


def most_likely(evidence: Evidence[Any]) -> Reading[str]:
    """The option the model finds most likely (the engine ranked the task's options)."""
    scores = evidence.answer().choices
    if not scores:
        return Reading(None, "no option log-likelihoods")
    return Reading(max(scores, key=lambda score: score.logprob).option)


def choice_protocols(letters: str = "ABCD") -> tuple[Protocol[Any, str], ...]:
    """`letter` (default: the letter the answer writes) and `likelihood`."""
    return (
        Protocol(
            "letter",
            "the option letter the answer writes: (B), B., B, Option B, The answer is B; "
            "the last one wins; an answer without one is a counted failure",
            lambda text: option_letter(text, letters),
            default=True,
        ),
        Protocol(
            "likelihood",
            "the option with the highest log-likelihood after the prompt (ranked, not generated)",
            most_likely,
            reads="evidence",
            asks="loglikelihood",
        ),
    )


def correct_values(choices_of: Callable[[Sample[Any]], Choices]) -> Callable[..., dict[str, float]]:
    """Per-item values: the question counted, whether the letter is the answer, and whether
    an official fallback (not the answer) picked it."""

    def values(sample: Sample[Any], picked: str | Picked) -> dict[str, float]:
        chosen = picked if isinstance(picked, Picked) else Picked(letter=picked)
        return {
            "n": 1.0,
            "correct": float(chosen.letter == choices_of(sample).answer),
            "fallback": float(chosen.fallback is not None),
        }

    return values


ACCURACY = MetricSpec(
    "accuracy",
    lambda t: ratio(t["correct"], t["n"]),
    "higher",
    primary=True,
    description="questions answered with the right option",
)

FALLBACK_RATE = MetricSpec(
    "fallback_rate",
    lambda t: ratio(t["fallback"], t["n"]),
    "lower",
    description="answers the official script credited through its fallback (a random or the "
    "closest option) because it could not read them; `strict` makes them failures instead",
)
