"""Arena metrics: verdict parsing, labels, both-order rule, and WildVision's show_results.py
numbers (reward, win rate, Bradley-Terry score) on the published leaderboard's counts."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from mmalign_eval.contracts import ItemScore
from mmalign_eval.metrics.base import ColumnTotals, evaluate
from mmalign_eval.metrics.bootstrap import BootstrapConfig, cluster_sums, resampled_totals
from mmalign_eval.toolkit import arena
from mmalign_eval.toolkit.arena import ArenaOutcome, Label

# (reply, distinct verdicts, get_score's verdict): get_score takes a verdict only when the
# reply holds exactly one distinct [[...]] run of A, B, <, >, =.
REPLIES = [
    ("My final verdict is tie: [[A=B]]", ("A=B",), "A=B"),
    ("[[B>>A]]", ("B>>A",), "B>>A"),
    ("first [[A>B]] and again [[A>B]]", ("A>B",), "A>B"),  # repeated: still one
    ("[[A>B]] no wait [[B>A]]", ("A>B", "B>A"), None),  # two different verdicts: none
    ("Assistant B is better: B>A", (), None),  # without brackets: none
    ("[B>A]", (), None),
    ("[[ B>A ]]", (), None),  # spaces are not in the pattern
    ("[[b>a]]", (), None),  # lowercase is not either
    ("[[A]] is better", ("A",), "A"),  # an odd verdict is still a verdict (no retry)
    ("[[A>B>>A]]", ("A>B>>A",), "A>B>>A"),
    ("$ERROR$", (), None),  # the official scripts' API-error text
    ("", (), None),
]


@pytest.mark.parametrize(("reply", "found", "verdict"), REPLIES)
def test_verdicts_follow_get_score(reply: str, found: tuple[str, ...], verdict: str | None) -> None:
    assert arena.verdicts_in(reply) == found
    assert arena.single_verdict(reply) == verdict


# (verdict, label with the model as B, label with the model as A)
LABELS: list[tuple[str | None, Label | None, Label | None]] = [
    ("A>>B", "much_worse", "much_better"),
    ("A>B", "worse", "better"),
    ("A=B", "tie", "tie"),
    ("B>A", "better", "worse"),
    ("B>>A", "much_better", "much_worse"),
    ("A", None, None),
    ("A<B", None, None),  # not one of the five: unparsed in show_results.py
    (None, None, None),
]


@pytest.mark.parametrize(("verdict", "as_b", "as_a"), LABELS)
def test_labels_from_the_models_side(
    verdict: str | None, as_b: Label | None, as_a: Label | None
) -> None:
    assert arena.label_of(verdict, "B") == as_b
    assert arena.label_of(verdict, "A") == as_a


# (first order, second order, combined label, consistent)
ORDERS: list[tuple[Label | None, Label | None, Label | None, bool | None]] = [
    ("much_better", "much_better", "much_better", True),
    ("much_better", "better", "better", True),  # agree on the side: the weaker label
    ("worse", "much_worse", "worse", True),
    ("tie", "tie", "tie", True),
    ("better", "worse", "tie", False),  # disagree: a tie (MT-Bench)
    ("much_better", "tie", "tie", False),
    ("tie", "much_worse", "tie", False),
    ("better", None, None, None),  # an unparsed order leaves the item unparsed
    (None, None, None, None),
]


@pytest.mark.parametrize(("first", "second", "label", "consistent"), ORDERS)
def test_both_orders(
    first: Label | None, second: Label | None, label: Label | None, consistent: bool | None
) -> None:
    assert arena.combine_orders(first, second) == ArenaOutcome(label=label, consistent=consistent)


def _totals(counts: dict[str, int], outcomes: list[ArenaOutcome] | None = None) -> ColumnTotals:
    """Column totals of items with the given label counts ('unparsed': no label)."""
    items = outcomes or [
        ArenaOutcome.model_validate({"label": None if name == "unparsed" else name})
        for name, count in counts.items()
        for _ in range(count)
    ]
    sums: dict[str, float] = {}
    for outcome in items:
        for key, value in arena.arena_values(outcome).items():
            sums[key] = sums.get(key, 0.0) + value
    return ColumnTotals({k: np.asarray(v) for k, v in sums.items()})


def _metric(totals: ColumnTotals, name: str) -> float:
    spec = next(m for m in arena.arena_metrics("score") if m.name == name)
    return float(spec.compute(totals))


# WildVision-Bench's README leaderboard (vision_bench_0617, judge gpt-4o, @79dacc0): every
# model but the baseline itself (its row is the anchor, printed as 50.0). Vote counts from
# the repository's judgement files, ties and unparsed verdicts apart as show_results.py
# reads them (the published Tie column adds them up), and the published Score, Reward and
# Win Rate.
LEADERBOARD = [
    ("gpt-4o", (255, 148, 14, 72, 11, 0), 89.15, 56.4, 80.6),
    ("gpt-4-vision-preview", (182, 177, 22, 91, 28, 0), 79.78, 39.4, 71.8),
    ("aria", (88, 252, 41, 86, 27, 6), 74.1, 28.8, 68.0),
    ("Reka-Flash", (135, 159, 28, 116, 62, 0), 64.65, 18.9, 58.8),
    ("claude-3-opus-20240229", (103, 162, 48, 141, 46, 0), 62.03, 13.5, 53.0),
    ("yi-vl-plus", (98, 166, 29, 124, 83, 0), 55.05, 7.2, 52.8),
    ("liuhaotian/llava-v1.6-34b", (90, 156, 26, 145, 83, 0), 51.89, 2.5, 49.2),
    ("claude-3-haiku-20240307", (54, 99, 47, 228, 72, 0), 37.83, -16.5, 30.6),
    ("gemini-pro-vision", (80, 83, 27, 167, 143, 0), 35.57, -21.0, 32.6),
    ("liuhaotian/llava-v1.6-vicuna-13b", (62, 107, 25, 167, 139, 0), 33.87, -21.4, 33.8),
    ("deepseek-ai/deepseek-vl-7b-chat", (59, 119, 17, 161, 144, 0), 33.61, -21.2, 35.6),
    ("THUDM/cogvlm-chat-hf", (75, 78, 15, 172, 160, 0), 32.01, -26.4, 30.6),
    ("liuhaotian/llava-v1.6-vicuna-7b", (45, 90, 36, 164, 165, 0), 26.41, -31.4, 27.0),
    ("idefics2-8b-chatty", (44, 88, 19, 164, 185, 0), 23.96, -35.8, 26.4),
    ("Qwen/Qwen-VL-Chat", (42, 56, 15, 155, 232, 0), 18.08, -47.9, 19.6),
    ("llava-1.5-7b-hf", (28, 62, 5, 174, 211, 20), 15.5, -47.8, 18.0),
    ("liuhaotian/llava-v1.5-13b", (28, 56, 19, 157, 240, 0), 14.43, -52.5, 16.8),
    ("BAAI/Bunny-v1_0-3B", (23, 60, 10, 164, 243, 0), 12.98, -54.4, 16.6),
    ("openbmb/MiniCPM-V", (25, 43, 16, 164, 252, 0), 11.95, -57.5, 13.6),
    ("bczhou/tiny-llava-v1-hf", (16, 39, 15, 127, 303, 0), 8.3, -66.2, 11.0),
    ("unum-cloud/uform-gen2-qwen-500m", (16, 38, 11, 115, 320, 0), 7.81, -68.5, 10.8),
]


@pytest.mark.parametrize(("model", "counts", "score", "reward", "win"), LEADERBOARD)
def test_published_leaderboard_numbers(
    model: str, counts: tuple[int, ...], score: float, reward: float, win: float
) -> None:
    names = (*arena.LABELS, "unparsed")
    totals = _totals(dict(zip(names, counts, strict=True)))
    assert round(_metric(totals, "score"), 2) == score
    assert round(_metric(totals, "reward"), 1) == reward
    assert round(_metric(totals, "win_rate") * 100, 2) == win
    # The published Tie column counts unparsed verdicts as ties.
    assert _metric(totals, "tie_rate") * 500 == pytest.approx(counts[2] + counts[5])
    assert _metric(totals, "unparsed_rate") * 500 == pytest.approx(counts[5])


def _official_fit(games: list[tuple[str, str]], baseline: str) -> dict[str, float]:
    """A re-statement of show_results.py's get_battles_from_judgement + compute_mle_elo:
    weighted battles, duplicated, ties a win in the first copy; sklearn's unpenalised fit."""
    from sklearn.linear_model import LogisticRegression

    rows: list[tuple[str, str, str]] = []
    rule = {"A=B": ("tie", 1), "A>B": ("a", 1), "A>>B": ("a", 3), "B>A": ("b", 1),
            "B>>A": ("b", 3)}  # fmt: skip
    for model, score in games:
        if score in rule:
            winner, weight = rule[score]
            rows += [(baseline, model, winner)] * weight
    names = sorted({baseline} | {m for m, _ in games})
    index = {n: i for i, n in enumerate(names)}
    doubled = rows + rows
    x = np.zeros((len(doubled), len(names)))
    y = np.zeros(len(doubled))
    for row, (a, b, winner) in enumerate(doubled):
        x[row, index[a]] += math.log(10)
        x[row, index[b]] -= math.log(10)
        y[row] = winner == "a" or (winner == "tie" and row < len(rows))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's notice about penalty=None
        fit = LogisticRegression(fit_intercept=False, penalty=None, tol=1e-10, max_iter=10_000)
        coef = fit.fit(x, y).coef_[0]
    elo = 400 * coef + 1000
    elo += 1000 - elo[index[baseline]]
    return {n: float(elo[index[n]]) for n in names if n != baseline}


def test_closed_form_is_the_official_bradley_terry_fit() -> None:
    # Two models against the baseline, fitted together as show_results.py does (one fit for
    # all models): each model's rating depends on its own battles only.
    first = {"B>>A": 7, "B>A": 11, "A=B": 5, "A>B": 9, "A>>B": 4, "[[A]]": 2}
    second = {"B>>A": 1, "B>A": 6, "A=B": 9, "A>B": 13, "A>>B": 8}
    games = [("m1", s) for s, k in first.items() for _ in range(k)]
    games += [("m2", s) for s, k in second.items() for _ in range(k)]
    fitted = _official_fit(games, "base")
    for model, counts in (("m1", first), ("m2", second)):
        outcomes = [ArenaOutcome(label=arena.label_of(s, "B")) for s, k in counts.items()
                    for _ in range(k)]  # fmt: skip
        totals = _totals({}, outcomes)
        assert _metric(totals, "elo") == pytest.approx(fitted[model], abs=1e-3)
        win_rate = 100 / (1 + 10 ** ((1000 - fitted[model]) / 400))  # predict_win_rate
        assert _metric(totals, "score") == pytest.approx(win_rate, abs=1e-4)


def test_unparsed_verdicts_are_ties_in_reward_and_out_of_the_fit() -> None:
    with_unparsed = _totals({"much_better": 2, "worse": 2, "unparsed": 4})
    without = _totals({"much_better": 2, "worse": 2})
    assert _metric(with_unparsed, "score") == _metric(without, "score") == 75.0
    assert _metric(with_unparsed, "reward") == (200 - 100) / 8
    assert _metric(with_unparsed, "win_rate") == 2 / 8
    assert _metric(with_unparsed, "win_or_tie_rate") == 6 / 8  # reward 0 is not a loss


def test_elo_is_undefined_when_the_model_always_wins() -> None:
    totals = _totals({"much_better": 3, "better": 1})
    assert _metric(totals, "score") == 100.0
    assert math.isnan(_metric(totals, "elo"))


def test_position_consistency_counts_items_judged_in_both_orders() -> None:
    outcomes = [
        arena.combine_orders("better", "better"),
        arena.combine_orders("better", "worse"),
        arena.combine_orders("tie", None),  # unparsed: not counted
        ArenaOutcome(label="better"),  # one order: not counted
    ]
    totals = _totals({}, outcomes)
    assert _metric(totals, "position_consistency") == 0.5
    assert _metric(totals, "tie_rate") == 0.5  # the split pair and the unparsed one


def test_bootstrap_resamples_items_and_refits() -> None:
    # Every resample's score is the fit on the resampled items: the same closed form.
    labels: list[Label | None] = ["much_better", "better", "tie", "worse", "much_worse", None]
    outcomes = [ArenaOutcome(label=labels[i % 6]) for i in range(60)]
    items = [
        ItemScore(sample_id=str(i), status="ok", values=arena.arena_values(o))
        for i, o in enumerate(outcomes)
    ]
    sums, columns = cluster_sums(items)
    resampled = resampled_totals(sums, columns, BootstrapConfig(resamples=50, seed=3))
    scores = next(m for m in arena.arena_metrics("score") if m.name == "score").compute(resampled)
    assert scores.shape == (50,)
    expected = 100 * resampled["bt_win"] / resampled["bt_battles"]
    np.testing.assert_allclose(scores, expected)
    assert evaluate(arena.arena_metrics("score"), items)["score"] == pytest.approx(
        100 * (3 * 10 + 10 + 5) / (3 * 10 + 10 + 10 + 10 + 3 * 10)
    )


def test_group_columns_and_metrics() -> None:
    values = arena.group_values("knowledge", ArenaOutcome(label="much_better"))
    assert values == {"n@knowledge": 1.0, "reward@knowledge": 100.0, "win@knowledge": 1.0}
    assert all(arena.GROUP_COLUMNS.declares(k) for k in values)
    specs = arena.group_metrics(["knowledge"], str.lower)
    totals = ColumnTotals({k: np.asarray(v) for k, v in values.items()})
    assert {s.name: float(s.compute(totals)) for s in specs} == {
        "reward_knowledge": 100.0, "win_rate_knowledge": 1.0,
    }  # fmt: skip


def test_mm_alignbench_primary_is_reward() -> None:
    specs = arena.arena_metrics("reward")
    assert [s.name for s in specs if s.primary] == ["reward"]
    assert "score" not in {s.name for s in specs}
    assert all(arena.COLUMNS.declares(c) for c in arena.arena_values(ArenaOutcome(label=None)))
