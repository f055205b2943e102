"""Arena metrics: a model judged against one baseline with Arena-Hard verdicts, reported as
WildVision-Bench's show_results.py and VLMEvalKit's MM-AlignBench report them.

A judge compares the baseline's answer and the model's as assistants A and B and ends with
one of five verdicts, `[[A>>B]]` .. `[[B>>A]]`. Read from the model's side a verdict is a
label (much better .. much worse); a reply with no label (none, several different ones, or
an odd one such as `[[A]]`) is *unparsed*. Every item writes columns (`arena_values`) and
every metric is a pure function of their sums, so the harness's bootstrap resamples items:

- reward: +100 / +50 / 0 / -50 / -100 per item, averaged; an unparsed verdict is 0;
- win rate: items with a positive reward; an unparsed verdict is not a win;
- Bradley-Terry score (WildVision): show_results.py fits a logistic regression (no
  intercept, no penalty) on battles where a strong verdict is 3 battles, a weak one or a
  tie 1 and an unparsed verdict none; battles are duplicated and a tie is a win in one copy
  and a loss in the other. Against a single baseline the fit has a closed form: the fitted
  probability that the model beats the baseline is its weighted share of wins,
  p = (3 much_better + better + tie / 2) / (3 much_better + better + tie + worse +
  3 much_worse). The leaderboard's Score is 100 p (its win-rate column of the fitted
  ratings) and its Elo 1000 + 400 log10(p / (1 - p)) with the baseline at 1000
  (tests/toolkit/test_arena.py checks both against the official fit).

Both orders (`combine_orders`): the swapped order's verdict is read from the model's side
too; orders that disagree on the side (better, tie, worse) make a tie, as in MT-Bench, and
orders that agree give the weaker of their two labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

from mmalign_eval.columns import Columns
from mmalign_eval.contracts import Record
from mmalign_eval.evidence import Evidence
from mmalign_eval.metrics.base import FloatArray, MetricSpec, Totals, ratio
from mmalign_eval.protocols import Reading

Label = Literal["much_better", "better", "tie", "worse", "much_worse"]
LABELS: tuple[Label, ...] = ("much_better", "better", "tie", "worse", "much_worse")
Position = Literal["A", "B"]  # where the model's answer stands in the judge's prompt
VERDICTS = ("A>>B", "A>B", "A=B", "B>A", "B>>A")
# The official regex: any run of A, B, <, > and = between double brackets.
VERDICT_PATTERN = re.compile(r"\[\[([AB<>=]+)\]\]")
REWARD: dict[Label, float] = {
    "much_better": 100.0, "better": 50.0, "tie": 0.0, "worse": -50.0, "much_worse": -100.0,
}  # fmt: skip
STRONG_WEIGHT = 3  # show_results.py --weight: a strong verdict counts as three battles
# A verdict with the model as B; with the model as A the labels are mirrored.
_AS_B: dict[str, Label] = {
    "A>>B": "much_worse", "A>B": "worse", "A=B": "tie", "B>A": "better", "B>>A": "much_better",
}  # fmt: skip
_MIRROR: dict[Label, Label] = dict(zip(LABELS, reversed(LABELS), strict=True))
_SIDE: dict[Label, int] = {
    "much_better": 1, "better": 1, "tie": 0, "worse": -1, "much_worse": -1,
}  # fmt: skip

COLUMNS = Columns.of(
    "n", *LABELS, "unparsed", "reward", "win", "win_or_tie", "bt_win", "bt_battles",
    "both", "consistent",
)  # fmt: skip
GROUP_N, GROUP_REWARD, GROUP_WIN = "n@", "reward@", "win@"
GROUP_COLUMNS = Columns.of(prefixes=(GROUP_N, GROUP_REWARD, GROUP_WIN))


class ArenaOutcome(Record):
    """One item's verdict from the model's side, and whether both orders agreed."""

    label: Label | None  # None: no verdict label (the official scripts count it as a tie)
    consistent: bool | None = None  # both orders read and on the same side (None: one order)


def verdicts_in(text: str) -> tuple[str, ...]:
    """The distinct verdict-shaped strings of a judge's reply, in order of appearance."""
    return tuple(dict.fromkeys(m for m in VERDICT_PATTERN.findall(text) if m))


def single_verdict(text: str) -> str | None:
    """The official get_score: the verdict when the reply holds exactly one distinct one
    (repeated is fine), None when it holds none or several."""
    found = verdicts_in(text)
    return found[0] if len(found) == 1 else None


def label_of(verdict: str | None, model: Position) -> Label | None:
    """The model's label for a verdict string; None for no verdict or an odd one ('A')."""
    label = _AS_B.get(verdict) if verdict is not None else None
    if label is None:
        return None
    return label if model == "B" else _MIRROR[label]


def combine_orders(first: Label | None, second: Label | None) -> ArenaOutcome:
    """Both orders of one item: unparsed if either is; a tie when their sides differ; else
    the weaker of the two labels."""
    if first is None or second is None:
        return ArenaOutcome(label=None)
    if _SIDE[first] != _SIDE[second]:
        return ArenaOutcome(label="tie", consistent=False)
    weaker = first if abs(REWARD[first]) <= abs(REWARD[second]) else second
    return ArenaOutcome(label=weaker, consistent=True)


def read_order(evidence: Evidence[Any], role: str, model: Position) -> Reading[ArenaOutcome]:
    """One order's verdict (the judge call `role`) from the side of the model seated at
    `model`; a reply without a label names what it held."""
    verdict = evidence.verdict(role)
    label = label_of(verdict, model)
    if label is None:
        found = "no single verdict" if verdict is None else f"verdict {verdict!r}"
        return Reading(None, f"{found}: not one of {', '.join(VERDICTS)}")
    return Reading(ArenaOutcome(label=label))


def read_both_orders(evidence: Evidence[Any], official: str, swapped: str) -> Reading[ArenaOutcome]:
    """Both orders from the model's side (B in the official call, A in the swapped one),
    combined by the MT-Bench tie rule."""
    first = label_of(evidence.verdict(official), "B")
    second = label_of(evidence.verdict(swapped), "A")
    outcome = combine_orders(first, second)
    if outcome.label is None:
        order = "official" if first is None else "swapped"
        return Reading(None, f"the {order} order's verdict names no label")
    return Reading(outcome)


def battles(label: Label | None) -> tuple[float, float]:
    """(model's weighted wins, weighted battles) of one verdict in the Bradley-Terry fit."""
    if label is None:
        return 0.0, 0.0  # show_results.py adds no battle for an unparsed verdict
    weight = float(STRONG_WEIGHT if label in ("much_better", "much_worse") else 1)
    share = {1: 1.0, 0: 0.5, -1: 0.0}[_SIDE[label]]
    return weight * share, weight


def arena_values(outcome: ArenaOutcome) -> dict[str, float]:
    """One item's arena columns; an unparsed verdict counts as a tie in the label counts,
    the reward and the win rate (the official counters) and adds no battle."""
    counted: Label = outcome.label or "tie"
    reward = REWARD[counted]
    bt_win, bt_battles = battles(outcome.label)
    values = {label: float(label == counted) for label in LABELS}
    return values | {
        "n": 1.0,
        "unparsed": float(outcome.label is None),
        "reward": reward,
        "win": float(reward > 0),
        "win_or_tie": float(reward >= 0),
        "bt_win": bt_win,
        "bt_battles": bt_battles,
        "both": float(outcome.consistent is not None),
        "consistent": float(bool(outcome.consistent)),
    }


def group_values(group: str, outcome: ArenaOutcome) -> dict[str, float]:
    """Reward and win columns of the item's group (e.g. MM-AlignBench's question type)."""
    reward = REWARD[outcome.label or "tie"]
    return {
        f"{GROUP_N}{group}": 1.0,
        f"{GROUP_REWARD}{group}": reward,
        f"{GROUP_WIN}{group}": float(reward > 0),
    }


def bt_probability(t: Totals) -> FloatArray:
    """The fitted probability that the model beats the baseline (weighted win share)."""
    return ratio(t["bt_win"], t["bt_battles"])


def bt_score(t: Totals) -> FloatArray:
    """WildVision's Score: the fitted win rate against the baseline, in percent."""
    return bt_probability(t) * 100.0


def bt_elo(t: Totals) -> FloatArray:
    """The fitted Elo rating with the baseline at 1000 (NaN when the model always or never
    wins: the maximum-likelihood rating is then infinite)."""
    p = np.asarray(bt_probability(t), dtype=np.float64)
    inside = (p > 0) & (p < 1)
    safe = np.where(inside, p, 0.5)
    return np.where(inside, 1000.0 + 400.0 * np.log10(safe / (1.0 - safe)), np.nan)


def _mean(column: str, count: str = "n") -> Callable[[Totals], FloatArray]:
    return lambda t: ratio(t[column], t[count])


def _rates() -> list[MetricSpec]:
    names = {"much_better": "much better", "much_worse": "much worse"}
    return [
        MetricSpec(f"{label}_rate", _mean(label), "neither",
                   description=f"items judged {names.get(label, label)} than the baseline "
                   "(unparsed verdicts count as ties, as the official counters do)")
        for label in LABELS
    ]  # fmt: skip


def arena_metrics(primary: Literal["score", "reward"]) -> tuple[MetricSpec, ...]:
    """Reward, win rate, label rates, unparsed rate and position consistency, plus the
    Bradley-Terry score and Elo when the primary metric is the score (WildVision)."""
    specs = [
        MetricSpec("reward", _mean("reward"), "higher", "score", primary=primary == "reward",
                   description="mean reward against the baseline: +100 much better, +50 "
                   "better, 0 tie or unparsed, -50 worse, -100 much worse"),
        MetricSpec("win_rate", _mean("win"), "higher",
                   description="items judged better or much better than the baseline"),
        MetricSpec("win_or_tie_rate", _mean("win_or_tie"), "higher",
                   description="items not judged worse than the baseline"),
        *_rates(),
        MetricSpec("unparsed_rate", _mean("unparsed"), "lower",
                   description="items whose verdict names no label (official: ties in reward "
                   "and win rate, left out of the Bradley-Terry fit)"),
        MetricSpec("position_consistency", _mean("consistent", "both"), "higher",
                   description="items whose two orders agree on the side (both orders)"),
    ]  # fmt: skip
    if primary == "score":
        specs[:0] = [
            MetricSpec("score", bt_score, "higher", "percent", primary=True,
                       description="Bradley-Terry win rate against the baseline (strong "
                       "verdicts x3, ties half, unparsed left out), as show_results.py"),
            MetricSpec("elo", bt_elo, "higher", "score",
                       description="Bradley-Terry Elo with the baseline at 1000 (--show-elo)"),
        ]  # fmt: skip
    return tuple(specs)


def group_metrics(groups: Sequence[str], slug: Callable[[str], str]) -> tuple[MetricSpec, ...]:
    """Reward and win rate of each named group (`slug` makes a metric-name part of it)."""
    return tuple(
        spec
        for group in groups
        for spec in (
            MetricSpec(f"reward_{slug(group)}", _mean(f"{GROUP_REWARD}{group}",
                       f"{GROUP_N}{group}"), "higher", "score",
                       description=f"mean reward of {group} items"),
            MetricSpec(f"win_rate_{slug(group)}", _mean(f"{GROUP_WIN}{group}",
                       f"{GROUP_N}{group}"), "higher",
                       description=f"win rate of {group} items"),
        )
    )  # fmt: skip
