"""Answer protocols: declared once per task, checked, resolved once, applied to evidence."""

from __future__ import annotations

from typing import Any

import pytest

from mmalign_eval.contracts import Response, Sample
from mmalign_eval.errors import UsageError
from mmalign_eval.evidence import Evidence
from mmalign_eval.judges.records import Verdict
from mmalign_eval.protocols import (
    Fallback,
    Protocol,
    Reading,
    check_protocols,
    resolve_protocol,
)


def _read(text: Any) -> Reading[Any]:
    return Reading(text)


def _p(name: str, **flags: Any) -> Protocol[Any, Any]:
    return Protocol(name, f"protocol {name}", _read, **flags)


# -- check_protocols ---------------------------------------------------------------------

VALID = [
    [_p("a", default=True)],
    [_p("a", default=True, official=True, synthetic_default=True)],
    [_p("a", default=True), _p("b", official=True), _p("c", synthetic_default=True)],
    [_p("a"), _p("b", default=True), _p("c")],
]


@pytest.mark.parametrize("protocols", VALID, ids=lambda ps: ",".join(p.name for p in ps))
def test_valid_protocol_sets(protocols: list[Protocol[Any, Any]]) -> None:
    check_protocols("t", protocols)


INVALID = [
    ([], "must have one default protocol, has 0"),
    ([_p("a"), _p("b")], "must have one default protocol, has 0"),
    ([_p("a", default=True), _p("b", default=True)], "must have one default protocol, has 2"),
    (
        [_p("a", default=True, official=True), _p("b", official=True)],
        "must have at most one official protocol, has 2",
    ),
    (
        [_p("a", default=True, synthetic_default=True), _p("b", synthetic_default=True)],
        "must have at most one synthetic_default protocol, has 2",
    ),
    ([_p("a", default=True), _p("a")], "declares a protocol name twice"),
    ([_p("a"), _p("a", default=True)], "declares a protocol name twice"),
]


@pytest.mark.parametrize(
    ("protocols", "message"),
    INVALID,
    ids=["none", "no-default", "two-defaults", "two-official", "two-synthetic", "dup", "dup2"],
)
def test_invalid_protocol_sets(protocols: list[Protocol[Any, Any]], message: str) -> None:
    with pytest.raises(ValueError, match="task t ") as caught:
        check_protocols("t", protocols)
    assert message in str(caught.value)


# -- resolve_protocol --------------------------------------------------------------------

PROTOCOLS = (
    _p("strict", default=True),
    _p("official", official=True),
    _p("offline", synthetic_default=True),
)
NO_SYNTHETIC_DEFAULT = (_p("strict"), _p("official", default=True, official=True))

RESOLVE = [
    # (protocols, name, source, expected)
    (PROTOCOLS, "official", None, "official"),
    (PROTOCOLS, "strict", "synthetic", "strict"),  # a named protocol wins on synthetic data
    (PROTOCOLS, "official", "synthetic:5", "official"),
    (PROTOCOLS, None, None, "strict"),
    (PROTOCOLS, None, "lmms-lab/POPE", "strict"),
    (PROTOCOLS, None, "/data/pope", "strict"),
    (PROTOCOLS, None, "synthetic", "offline"),
    (PROTOCOLS, None, "synthetic:12", "offline"),
    (PROTOCOLS, None, "synthetic-data", "strict"),  # not the synthetic source
    (PROTOCOLS, None, "./synthetic", "strict"),
    (NO_SYNTHETIC_DEFAULT, None, "synthetic", "official"),  # falls back to the default
    (NO_SYNTHETIC_DEFAULT, None, None, "official"),
]


@pytest.mark.parametrize(
    ("protocols", "name", "source", "expected"),
    RESOLVE,
    ids=[f"{len(ps)}-{name}-{source}" for ps, name, source, _ in RESOLVE],
)
def test_resolve_protocol(
    protocols: tuple[Protocol[Any, Any], ...], name: str | None, source: str | None, expected: str
) -> None:
    assert resolve_protocol("t", protocols, name, source).name == expected


@pytest.mark.parametrize("unknown", ["lenient", "STRICT", "", "offline "])
@pytest.mark.parametrize("source", [None, "synthetic"])
def test_unknown_protocol_is_a_usage_error_listing_the_names(
    unknown: str, source: str | None
) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_protocol("pope_random", PROTOCOLS, unknown, source)
    assert caught.value.message == f"task pope_random has no protocol '{unknown}'"
    assert caught.value.hint == "choose one of: official, offline, strict"
    assert caught.value.exit_code == 2


# -- judged, unparseable policy ----------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "judged", "policy"),
    [
        ({}, False, "failure"),
        ({"reads": "evidence"}, False, "failure"),
        ({"reads": "judge"}, True, "failure"),
        ({"reads": "judge", "fallback": Fallback(0, "scored 0")}, True, "zero"),
        ({"fallback": Fallback("no", "read as no")}, False, "zero"),
        ({"reads": "evidence", "uses_judge": True}, True, "failure"),
    ],
    ids=["answer", "evidence", "judge", "judge-fallback", "answer-fallback", "evidence-judged"],
)
def test_judged_and_unparseable_policy(flags: dict[str, Any], judged: bool, policy: str) -> None:
    protocol = _p("p", default=True, **flags)
    assert protocol.judged is judged
    assert protocol.unparseable_policy == policy


# -- apply -------------------------------------------------------------------------------

SAMPLE = Sample(id="1", task="t", question="q")


def _evidence(text: str = "the answer", verdict: Any = None) -> Evidence[Any]:
    responses = {
        "answer": Response(key="k", text=text, finish_reason="stop"),
        "other": Response(key="k2", text="other text", finish_reason="stop"),
    }
    verdicts = {} if verdict is None else {"judge": Verdict("ok", verdict)}
    return Evidence(SAMPLE, responses, verdicts)


def test_apply_reads_what_the_protocol_declares() -> None:
    seen: list[Any] = []

    def read(value: Any) -> Reading[Any]:
        seen.append(value)
        return Reading("v")

    evidence = _evidence("the answer", verdict=5)
    for reads in ("answer", "judge", "evidence"):
        Protocol("p", "", read, reads=reads).apply(evidence)
    assert seen == ["the answer", 5, evidence]


FALLBACK = Fallback(0, "scored 0 as the official script does")
APPLY = [
    # (reading the reader returns, fallback, expected reading)
    (Reading(3), None, Reading(3)),
    (Reading(3), FALLBACK, Reading(3)),  # a value is never replaced
    (Reading(3, "note"), FALLBACK, Reading(3, "note")),
    (Reading(0), Fallback(5, "five"), Reading(0)),  # a falsy value is still a value
    (Reading(None, "no rating"), None, Reading(None, "no rating")),
    (
        Reading(None, "no rating"),
        FALLBACK,
        Reading(0, "no rating; scored 0 as the official script does"),
    ),
    (Reading(None), FALLBACK, Reading(0, "scored 0 as the official script does")),
    (Reading(None), None, Reading(None)),
]


@pytest.mark.parametrize(("reading", "fallback", "expected"), APPLY, ids=repr)
def test_apply_with_fallback(
    reading: Reading[Any], fallback: Fallback[Any] | None, expected: Reading[Any]
) -> None:
    for reads in ("answer", "judge", "evidence"):
        protocol = Protocol("p", "", lambda _: reading, reads=reads, fallback=fallback)
        assert protocol.apply(_evidence(verdict=None if reads != "judge" else 1)) == expected
