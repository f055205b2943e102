"""MMBench's answer protocols: the official CircularEval (rule, judge, seeded random pick),
strict (no random credit), exact (the rule alone), single (the original order only) and
likelihood (each rotation's options ranked by log-likelihood)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mmalign_eval import Evidence, Protocol, Reading

from .circular import CircularReading, read_exact, read_judged, read_ranked
from .fallback import OfficialDraws
from .items import MMBenchInfo, Rotation
from .judge import role

SINGLE = "single"  # the protocol asking the original order only
Reader = Callable[[Evidence[MMBenchInfo]], Reading[CircularReading]]
MMBenchProtocol = Protocol[MMBenchInfo, CircularReading]
DESCRIPTIONS = {
    "official": "VLMEvalKit's CircularEval: every rotation of the options must be right; "
    "replies read by the rule (a letter, or a unique option text), rotations it cannot read "
    "by the judge with the official prompt, and where the judge names no option either, the "
    "official random pick among the options and Z (seed 2680, in the official order; "
    "fallback_rate counts the questions)",
    "strict": "CircularEval as official, but a rotation that only the random pick could "
    "answer makes the question an unparseable failure, left out of the metrics",
    "exact": "CircularEval by the rule alone (VLMEvalKit's exact_matching, its behaviour "
    "without a judge): a question the rule leaves open is wrong; needs no judge",
    SINGLE: "the original option order only (not circular; VLMEvalKit's vanilla evaluation "
    "of copy 0): rule, judge, then the official random pick (seed 2680); one call per question",
    "likelihood": "CircularEval on log-likelihoods: in every rotation the most likely option "
    "letter must be the answer (ranked, not generated; not the official protocol)",
}


def asked(info: MMBenchInfo, protocol: MMBenchProtocol) -> Sequence[Rotation]:
    """The rotations a protocol asks: all of them, or the original order only."""
    return info.rotations[:1] if protocol.name == SINGLE else info.rotations


def _replies(evidence: Evidence[MMBenchInfo], count: int) -> list[str]:
    return [evidence.answer(role(k)).text for k in range(count)]


def _judgements(evidence: Evidence[MMBenchInfo], count: int) -> list[str | None]:
    verdicts = evidence.verdicts
    return [verdicts[role(k)].value if role(k) in verdicts else None for k in range(count)]


def judged_reader(single: bool, draws: OfficialDraws | None) -> Reader:
    """Rule, then judge, then (draws given) the official random pick; strict without."""

    def read(evidence: Evidence[MMBenchInfo]) -> Reading[CircularReading]:
        info = evidence.sample.info
        rotations = info.rotations[:1] if single else info.rotations
        if draws is not None:
            draws.visit(info.index)
        replies, judged = _replies(evidence, len(rotations)), _judgements(evidence, len(rotations))
        return read_judged(rotations, replies, judged, draws.choice if draws else None)

    return read


def read_rule_only(evidence: Evidence[MMBenchInfo]) -> Reading[CircularReading]:
    """The rule alone (VLMEvalKit's exact_matching)."""
    rotations = evidence.sample.info.rotations
    return read_exact(rotations, _replies(evidence, len(rotations)))


def read_likelihood(evidence: Evidence[MMBenchInfo]) -> Reading[CircularReading]:
    """Each rotation's most likely option letter."""
    best = []
    for k in range(len(evidence.sample.info.rotations)):
        scores = evidence.answer(role(k)).choices
        best.append(max(scores, key=lambda s: s.logprob).option if scores else None)
    return read_ranked(evidence.sample.info.rotations, best)


def mmbench_protocols() -> tuple[MMBenchProtocol, ...]:
    """The protocols, each judged one with its own fresh random stream."""
    text = DESCRIPTIONS
    return (
        Protocol("official", text["official"], judged_reader(False, OfficialDraws()),
                 reads="evidence", uses_judge=True, official=True, default=True),
        Protocol("strict", text["strict"], judged_reader(False, None), reads="evidence",
                 uses_judge=True),
        Protocol("exact", text["exact"], read_rule_only, reads="evidence"),
        Protocol(SINGLE, text[SINGLE], judged_reader(True, OfficialDraws()), reads="evidence",
                 uses_judge=True, judge_roles=(role(0),)),
        Protocol("likelihood", text["likelihood"], read_likelihood, reads="evidence",
                 asks="loglikelihood"),
    )  # fmt: skip
