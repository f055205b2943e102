"""MMStar (Chen et al., 2024): 1,500 vision-indispensable multiple-choice questions, 6 core
capabilities x 3 axes, 250 questions per capability.

Data: HF Lin-Chen/MMStar split val (default), a local copy, the official MMStar.tsv, or
`synthetic[:N]` (data.py). The questions already list their options ('Options: A: ...' or
'(A) ...' lines), so the prompt adds only the 'Question:' header of the official layout and
the letter instruction. Scoring: the official first-character rule (official.py).
"""

from __future__ import annotations

from mmalign_eval import Evidence, GenerationParams, Protocol, Reading, Sample, TaskSpec, register
from mmalign_eval.toolkit.choice import most_likely

from .data import SOURCES, MMStarInfo
from .metrics import COLUMNS, item_values, mmstar_metrics
from .official import read_official, read_strict
from .predictions import read_submission

PROMPT = "Question: {question}\nAnswer with the option's letter from the given choices directly."


def _official(evidence: Evidence[MMStarInfo]) -> Reading[str]:
    return read_official(evidence.answer().text, evidence.sample.info.letters)


def _strict(evidence: Evidence[MMStarInfo]) -> Reading[str]:
    return read_strict(evidence.answer().text, evidence.sample.info.letters)


PROTOCOLS: tuple[Protocol[MMStarInfo, str], ...] = (
    Protocol(
        "official",
        "MMStar_eval: the reply lowercased, stripped, newlines as spaces; right when its first "
        "character, or the one after a leading '(', 'option ' or 'the answer is ', is the "
        "answer letter; a reply read as no option letter is wrong (unread_rate counts them)",
        _official,
        reads="evidence",
        official=True,
        default=True,
    ),
    Protocol(
        "strict",
        "the official rule, but a reply it reads no option letter from is an unparseable "
        "failure, left out of the metrics (not comparable with published numbers)",
        _strict,
        reads="evidence",
    ),
    Protocol(
        "likelihood",
        "the option letter with the highest log-likelihood after the prompt (ranked, not "
        "generated; not the official protocol)",
        most_likely,
        reads="evidence",
        asks="loglikelihood",
    ),
)


def score_values(sample: Sample[MMStarInfo], read: str) -> dict[str, float]:
    """The official comparison: the read character against the lowercased answer."""
    info = sample.info
    # The official rule reads lowercased characters, the likelihood protocol option letters.
    char = read.lower() if read in info.letters else read
    correct = char == sample.target.lower()
    unread = not char or char not in info.letters.lower()
    return item_values(info.capability, info.axis, correct, unread)


@register
def mmstar() -> TaskSpec[MMStarInfo]:
    """MMStar val: accuracy overall, per capability and per axis."""
    return TaskSpec(
        name="mmstar",
        family="reasoning",
        version="1",
        description="MMStar: 1,500 vision-indispensable multiple-choice questions, 6 "
        "capabilities x 3 axes, scored by the official first-character rule",
        prompt_template=PROMPT,
        loader=SOURCES.load,
        protocols=PROTOCOLS,
        metrics=mmstar_metrics(),
        columns=COLUMNS,
        score_values=score_values,
        # The official run.sh generates at most 32 new tokens.
        generation=GenerationParams(max_new_tokens=32),
        options=lambda sample: tuple(sample.info.letters),
        prediction_reader=read_submission,
    )
