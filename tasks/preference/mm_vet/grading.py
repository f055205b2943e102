"""mm-vet_evaluator.py's grading rules: the score of one reply, and its retries.

One grading (one item, one run) in the official script:

- call 1: the few-shot prompt at temperature 0.0;
- while the reply is no score, ask again with "Predict the correctness of the answer
  (digit): " appended, at the current temperature, then raise it by 0.5: calls 2-6 run at
  0.0, 0.5, 1.0, 1.5 and 2.0;
- the replies of calls 1-5 are read; call 6 is sent but never read: after it the grading
  is 0.0, whatever call 6 said.

A reply is a score when its first space-separated token, stripped, is a float in [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import replace

from mmalign_eval import JudgeRequest, Record
from mmalign_eval.judges.records import Verdict
from mmalign_eval.protocols import Reading

RETRY_SUFFIX = "\nPredict the correctness of the answer (digit): "
TEMPERATURES = (0.0, 0.0, 0.5, 1.0, 1.5, 2.0)  # of calls 1..6
READ_TRIES = 5  # replies the official script reads; it sends one more and ignores it
FALLBACK = 0.0  # the official grading after the last try
FALLBACK_REASON = (
    f"no score in the {READ_TRIES} replies the official script reads: it asks once more, "
    f"ignores that reply and grades {FALLBACK}"
)


def parse_score(text: str) -> float | None:
    """The official reading: float(first token split on ' ', stripped) within [0, 1].

    As the official float(): "1.0 (totally right)", "\\n0.5", "+.5", "5e-1" and "0.1_0" are
    scores; " 0.5" (empty first token), "0.5.", "Score: 0.5" and "0.5\\tok" are not. NaN,
    which the official range check lets through, is refused (it would make every total NaN).
    """
    token = text.split(" ")[0].strip()
    try:
        score = float(token)
    except ValueError:
        return None
    if math.isnan(score) or not 0.0 <= score <= 1.0:
        return None
    return score


def official_retry(request: JudgeRequest, verdict: Verdict, attempt: int) -> JudgeRequest | None:
    """The next call after an unreadable reply (attempt 1 = call 2), None after call 6."""
    if attempt >= len(TEMPERATURES):
        return None
    text = request.text if request.text.endswith(RETRY_SUFFIX) else request.text + RETRY_SUFFIX
    return replace(request, text=text, temperature=TEMPERATURES[attempt])


class RunGrade(Record):
    """One run's grading of an item."""

    score: float
    fallback: bool = False  # the official 0.0 after the last try, not a judge's score
    retries: int | None = None  # calls after the first (None: unknown, e.g. a grade file)


class Grades(Record):
    """An item's gradings, one per judge run (`--judge-runs`, or a grade file's runs)."""

    runs: tuple[RunGrade, ...]


def official_run(verdict: Verdict) -> Reading[RunGrade]:
    """A run's grading from its last call and the calls before it (`verdict.earlier`)."""
    calls = len(verdict.earlier) + 1
    if calls > READ_TRIES:
        return Reading(RunGrade(score=FALLBACK, fallback=True, retries=calls - 1), FALLBACK_REASON)
    if verdict.status == "ok":
        return Reading(RunGrade(score=float(verdict.value), retries=calls - 1))
    # A budget stop, or a judgement given without its retries: the official outcome is unknown.
    return Reading(
        None,
        f"no score after {calls} of the official {len(TEMPERATURES)} calls (the retries were "
        "not made: rerun the judge stage, or give the judge's final reply)",
    )


def strict_run(verdict: Verdict) -> Reading[RunGrade]:
    """As official_run, but the official fallback 0.0 is a failure."""
    reading = official_run(verdict)
    if reading.value is not None and reading.value.fallback:
        return Reading(None, f"no score in the {READ_TRIES} replies the official script reads")
    return reading
