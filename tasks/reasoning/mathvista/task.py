"""MathVista testmini (Lu et al., ICLR 2024): 1,000 math problems on images, 540 multiple
choice and 460 free form (integer, float with one or two decimals, list).

Data: the Hugging Face dataset AI4Math/MathVista, split testmini (default), a local copy in
its layout, the official testmini.json with images/, or `synthetic[:N]` (see data.py).
The prompt is the official `query` (hint, question, unit, choices). Scoring, officially
(lupantech/MathVista evaluation/): a judge extracts the answer from the reply with a
5-shot prompt (extract_answer.py; replies it settles itself skip the judge), and
calculate_score.py normalises the extraction to the answer's type and compares strings.
"""

from __future__ import annotations

from mmalign_eval import (
    Evidence,
    GenerationParams,
    ModelCall,
    Protocol,
    Reading,
    Sample,
    TaskSpec,
    generate,
    rank_options,
    register,
    user_request,
)

from .data import SOURCES, TASK
from .extract import rule_extraction
from .judge import JUDGE_SPEC
from .metrics import COLUMNS, item_values, mathvista_metrics
from .normalize import Graded, normalize
from .predictions import IDS, read_mathvista_predictions
from .problem import MathVistaInfo

Info = MathVistaInfo
_OFFICIAL = (
    "extract_answer.py then calculate_score.py: the judge extracts the answer (the official "
    "shortcuts settle empty, exact-choice and number-only replies without it); multiple "
    "choice takes '(X)' or a letter, else the closest choice by edit distance (a fallback, "
    "counted); numbers int(float(x)) or round(float(x), precision); strings compared"
)
_STRICT = (
    "the judge's extraction as under `judge`, but one that names no option or is not a "
    "number is an unparseable failure instead of the closest choice or a wrong answer"
)


def _judged(strict: bool) -> Protocol[Info, Graded]:
    def read(evidence: Evidence[Info]) -> Reading[Graded]:
        graded = normalize(str(evidence.verdict()), evidence.sample.info)
        reason = graded.fallback or graded.unreadable
        return Reading(None, reason) if strict and reason else Reading(graded, reason)

    if strict:
        return Protocol("strict", _STRICT, read, reads="evidence", uses_judge=True)
    return Protocol(
        "judge", _OFFICIAL, read, reads="evidence", uses_judge=True, official=True, default=True
    )


def read_rule(evidence: Evidence[Info]) -> Reading[Graded]:
    """No judge: the rule extraction, normalised; nothing is credited by a fallback."""
    extraction = rule_extraction(evidence.answer().text, evidence.sample.info)
    if extraction.value is None:
        return Reading(None, extraction.reason)
    graded = normalize(extraction.value, evidence.sample.info)
    reason = graded.fallback or graded.unreadable
    return Reading(None, reason) if reason else Reading(graded)


def read_likelihood(evidence: Evidence[Info]) -> Reading[Graded]:
    """Multiple choice: the most likely option letter; free form: the rule on the reply."""
    if evidence.sample.info.question_type != "multi_choice":
        return read_rule(evidence)
    scores = evidence.answer().choices
    if not scores:
        return Reading(None, "no option log-likelihoods")
    letter = max(scores, key=lambda score: score.logprob).option
    return Reading(normalize(letter, evidence.sample.info))


_RULE = (
    "no judge: the official shortcuts, --quick_extract's 'The answer is \"X\".', then the "
    "option letter or choice text, the last number, or the last [...] list of the reply, "
    "normalised as calculate_score.py; a reply without one, or one that would need a "
    "fallback, is an unparseable failure"
)
_LIKELIHOOD = (
    "multiple choice: the option letter the model finds most likely after the query "
    "(ranked, not generated); free-form problems are generated and read as under `rule`"
)
PROTOCOLS: tuple[Protocol[Info, Graded], ...] = (
    _judged(strict=False),
    _judged(strict=True),
    Protocol("rule", _RULE, read_rule, reads="evidence"),
    Protocol("likelihood", _LIKELIHOOD, read_likelihood, reads="evidence", asks="loglikelihood"),
)


def plan(
    sample: Sample[Info], generation: GenerationParams, protocol: Protocol[Info, Graded]
) -> tuple[ModelCall, ...]:
    """One generation of the query; under `likelihood`, multiple choice ranks its letters."""
    request = user_request(sample.media, sample.question, generation)
    if protocol.asks == "loglikelihood" and sample.info.question_type == "multi_choice":
        return (rank_options(request, sample.info.letters),)
    return (generate(request),)


@register
def mathvista_testmini() -> TaskSpec[Info]:
    """MathVista testmini: accuracy overall and by question type, answer type, task, skill."""
    return TaskSpec(
        name=TASK,
        family="reasoning",
        version="1",
        description="MathVista testmini: 1,000 math problems in visual contexts (multiple "
        "choice and free form), answers extracted by a judge as the official scripts do",
        prompt_template="{question}",
        loader=SOURCES.load,
        protocols=PROTOCOLS,
        metrics=mathvista_metrics(),
        columns=COLUMNS,
        score_values=lambda sample, graded: item_values(sample.info, graded),
        generation=GenerationParams(max_new_tokens=512),
        judge=JUDGE_SPEC,
        planner=plan,
        options=lambda sample: sample.info.letters,
        prediction_ids=IDS,
        prediction_reader=read_mathvista_predictions,
    )
