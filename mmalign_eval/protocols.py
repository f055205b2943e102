"""Answer protocols: one declared record per way of reading an answer, resolved once.

A protocol says everything about how an answer becomes a value: what it reads (the model's
answer, the judge's verdict, or the whole evidence of a sample), whether it is the official
script's way, what an unreadable answer becomes (a counted failure, or the official script's
fallback value, recorded), which offline resources it needs, and whether it is the default
on real or on synthetic data. Planning resolves a task's protocol once; nothing else
re-derives it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal

from typing_extensions import TypeVar

from mmalign_eval.contracts import Component, Sample
from mmalign_eval.errors import UsageError
from mmalign_eval.resources import Needs
from mmalign_eval.sources import is_synthetic

if TYPE_CHECKING:
    from mmalign_eval.evidence import Evidence

Info = TypeVar("Info", default=Any)
Value = TypeVar("Value", default=Any)
Reads = Literal["answer", "judge", "evidence"]


@dataclass(frozen=True)
class Reading(Generic[Value]):
    """A protocol's reading of an answer: a typed value, or None with the reason it failed.

    A reason beside a value says why a value was given although the answer did not say it
    (e.g. an unreadable judgement scored 0 by the official rule).
    """

    value: Value | None
    reason: str | None = None


@dataclass(frozen=True)
class Fallback(Generic[Value]):
    """What the official script makes of an unreadable answer (e.g. MMHal-Bench's 0)."""

    value: Value
    reason: str


Scorer = Callable[[Sample[Info], Value], Mapping[str, float]]


@dataclass(frozen=True)
class Protocol(Generic[Info, Value]):
    """A named way of turning a sample's answers (and judgements) into a value.

    `read` gets the answer text (reads="answer"), the parsed verdict of the single "judge"
    call (reads="judge"; the judge stage runs for such protocols) or the whole Evidence
    (reads="evidence": several calls, option scores, several judge verdicts).
    """

    name: str
    description: str
    read: Callable[[Any], Reading[Value]]
    reads: Reads = "answer"
    official: bool = False
    default: bool = False
    # The default on synthetic data when no protocol is named: one that needs no downloaded
    # resources, so the offline demo completes (e.g. AMBER's offline noun matching).
    synthetic_default: bool = False
    fallback: Fallback[Value] | None = None
    # Offline resources (NLTK data, word vectors), checked before any model loads and fetched
    # ahead by `mmalign-eval resources fetch`.
    needs: Needs | None = None
    # Per-item values when they differ from the task's (e.g. exact instead of vector synonyms).
    score: Scorer[Info, Value] | None = None
    # What the model is asked: "generate" answers in text; "loglikelihood" ranks the
    # task's options by the model's log-likelihood (multiple choice).
    # "reward" asks a scalar reward model for each response's reward (reward benchmarks).
    asks: Literal["generate", "loglikelihood", "reward"] = "generate"
    # Judged protocols: the judge calls they read, by role (None: all the judge declares),
    # e.g. one pairwise order or both. Calls of other roles are never made or paid for.
    judge_roles: tuple[str, ...] | None = None
    # An evidence reader that reads judge verdicts (several judge calls per sample) needs the
    # judge stage too; reads="judge" implies it.
    uses_judge: bool = False
    # Named, versioned components the reading depends on (a refusal keyword list), recorded
    # with their hashes in the results.
    components: tuple[Component, ...] = ()
    # Protocols that sample K generations per item (VL-RewardBench's majority of K): the
    # official K; `--samples K` replaces it (recorded in the results). None: not sampled.
    samples: int | None = None

    @property
    def judged(self) -> bool:
        """Whether scoring needs the judge stage."""
        return self.reads == "judge" or self.uses_judge

    @property
    def unparseable_policy(self) -> Literal["failure", "zero"]:
        """How an unreadable judgement counts, as recorded in the results."""
        return "failure" if self.fallback is None else "zero"

    def apply(self, evidence: Evidence[Info]) -> Reading[Value]:
        """The reading of one sample's evidence, with the fallback where declared."""
        if self.reads == "answer":
            reading = self.read(evidence.answer().text)
        elif self.reads == "judge":
            reading = self.read(evidence.verdict())
        else:
            reading = self.read(evidence)
        if reading.value is None and self.fallback is not None:
            reason = f"{reading.reason}; {self.fallback.reason}" if reading.reason else None
            return Reading(self.fallback.value, reason or self.fallback.reason)
        return reading


def check_protocols(task: str, protocols: Sequence[Protocol[Any, Any]]) -> None:
    """Exactly one default, at most one official and one synthetic default, unique names."""
    names = [p.name for p in protocols]
    if len(set(names)) != len(names):
        raise ValueError(f"task {task} declares a protocol name twice: {names}")
    for flag in ("default", "official", "synthetic_default"):
        count = sum(bool(getattr(p, flag)) for p in protocols)
        if count > 1 or (flag == "default" and count != 1):
            wanted = "one" if flag == "default" else "at most one"
            raise ValueError(f"task {task} must have {wanted} {flag} protocol, has {count}")


def resolve_protocol(
    task: str, protocols: Sequence[Protocol[Any, Any]], name: str | None, source: str | None
) -> Protocol[Any, Any]:
    """The named protocol; unnamed, the synthetic default on synthetic data, else the default.

    An unknown name is a usage error listing the task's protocols.
    """
    by_name = {p.name: p for p in protocols}
    if name is not None:
        if name not in by_name:
            known = ", ".join(sorted(by_name))
            raise UsageError(f"task {task} has no protocol '{name}'", f"choose one of: {known}")
        return by_name[name]
    if is_synthetic(source):
        offline = [p for p in protocols if p.synthetic_default]
        if offline:
            return offline[0]
    return next(p for p in protocols if p.default)
