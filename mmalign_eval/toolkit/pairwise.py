"""Pairwise judging: a judge compares the model's answer with a reference answer.

The comparison is asked in order AB (reference as A, model as B) and BA (swapped), each its
own judge call and cache entry. A protocol reads one order, or both: the swapped verdict is
mapped back to the model's side, and a pair whose orders disagree counts as a tie (the
MT-Bench convention), with position consistency reported. Verdicts are letters: "A", "B" or
"tie".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from mmalign_eval.columns import Columns
from mmalign_eval.contracts import Record
from mmalign_eval.evidence import Evidence
from mmalign_eval.judges.records import JudgeRequest
from mmalign_eval.metrics.base import MetricSpec, ratio
from mmalign_eval.protocols import Protocol, Reading

Order = Literal["AB", "BA"]
ORDERS: tuple[Order, Order] = ("AB", "BA")
Side = Literal["model", "reference", "tie"]
# Who each letter is in each order.
_SIDES: dict[str, dict[str, Side]] = {
    "AB": {"A": "reference", "B": "model"},
    "BA": {"A": "model", "B": "reference"},
}
COLUMNS = Columns.of("n", "win", "tie", "loss", "both", "consistent")


class Preference(Record):
    """One item's preference, from the model's side."""

    preferred: Side
    consistent: bool | None = None  # both orders agree (None: one order was judged)


def order_requests(
    render: Callable[[str, str], str], answer: str, reference: str, choices: tuple[str, ...]
) -> tuple[JudgeRequest, ...]:
    """Both orders of one comparison; `render(answer_a, answer_b)` writes the prompt."""
    pairs = {"AB": (reference, answer), "BA": (answer, reference)}
    return tuple(JudgeRequest(o, render(*pairs[o]), choices) for o in ORDERS)


def side(order: str, verdict: str) -> Side:
    """The model's side of a verdict letter in one order."""
    return "tie" if verdict == "tie" else _SIDES[order][verdict]


def read_orders(orders: Sequence[str]) -> Callable[[Evidence[Any]], Reading[Preference]]:
    """A reader of the verdicts of the given orders (one, or both with ties on disagreement)."""

    def read(evidence: Evidence[Any]) -> Reading[Preference]:
        verdicts = [evidence.verdict(order) for order in orders]
        if None in verdicts:
            return Reading(None, "a judge verdict names no preference")
        sides = [side(order, v) for order, v in zip(orders, verdicts, strict=True)]
        if len(sides) == 1:
            return Reading(Preference(preferred=sides[0]))
        agree = len(set(sides)) == 1
        return Reading(Preference(preferred=sides[0] if agree else "tie", consistent=agree))

    return read


def pairwise_protocols(official: str = "both") -> tuple[Protocol[Any, Preference], ...]:
    """`both` orders and `ab` (one order, reference as A); `official` names the default."""
    both = Protocol(
        "both",
        "judged in both orders (AB, BA); the swapped verdict is mapped back; pairs whose "
        "orders disagree count as ties; position_consistency reports how often they agree",
        read_orders(ORDERS),
        reads="evidence",
        uses_judge=True,
        default=official == "both",
    )
    ab = Protocol(
        "ab",
        "judged once, the reference as A and the model's answer as B",
        read_orders(("AB",)),
        reads="evidence",
        uses_judge=True,
        default=official == "ab",
        judge_roles=("AB",),
    )
    return both, ab


def preference_values(preference: Preference) -> dict[str, float]:
    """Win, tie or loss of the model, and whether both orders agreed."""
    return {
        "n": 1.0,
        "win": float(preference.preferred == "model"),
        "tie": float(preference.preferred == "tie"),
        "loss": float(preference.preferred == "reference"),
        "both": float(preference.consistent is not None),
        "consistent": float(bool(preference.consistent)),
    }


def preference_metrics() -> tuple[MetricSpec, ...]:
    """win_rate (primary), tie_rate, loss_rate and position_consistency."""

    def share(column: str, of: str = "n") -> Callable[[Any], Any]:
        return lambda t: ratio(t[column], t[of])

    return (
        MetricSpec(
            "win_rate",
            share("win"),
            "higher",
            primary=True,
            description="items where the judge prefers the model's answer",
        ),
        MetricSpec("tie_rate", share("tie"), "neither", description="ties and split orders"),
        MetricSpec("loss_rate", share("loss"), "lower", description="items lost to the reference"),
        MetricSpec(
            "position_consistency",
            share("consistent", "both"),
            "higher",
            description="pairs whose two orders agree (both-order protocol)",
        ),
    )
