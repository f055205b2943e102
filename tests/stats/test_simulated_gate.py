"""Statistical tests of the statistics: simulated A/A comparisons and true drops, seeded.

Every simulation runs the production path (paired cluster bootstrap -> gate.decide or the
compare p-values) on POPE-like binary items. Tolerances are stated next to each check:
with S simulations a rate p has a standard error sqrt(p (1 - p) / S).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mmalign_eval.metrics.binary import confusion_metrics
from mmalign_eval.metrics.bootstrap import BootstrapConfig
from mmalign_eval.stats.compare import task_diffs
from mmalign_eval.stats.gate import decide
from mmalign_eval.stats.power import binary_paired_se, gate_power, mde

from .simulate import pair, paired_outcomes

ALPHA, POWER = 0.05, 0.8
N_ITEMS, DISCORDANCE = 2100, 0.10  # 2100 = 350 images of 6 questions
METRICS = [m for m in confusion_metrics("yes", primary="f1") if m.name in ("accuracy", "f1")]
# The margin at the design point: a drop of the margin is detectable with POWER.
SE_NULL = binary_paired_se(N_ITEMS, DISCORDANCE)
MARGIN = mde(SE_NULL, ALPHA, POWER)


def _gate_verdicts(
    sims: int, shift: float, seed: int, cluster_size: int = 1, clustered_bootstrap: bool = True
) -> list[str]:
    """Verdicts on accuracy for simulated candidates whose true accuracy moves by `shift`."""
    rng = np.random.default_rng(seed)
    a_only, b_only = (DISCORDANCE - shift) / 2, (DISCORDANCE + shift) / 2
    out = []
    for sim in range(sims):
        gold, ca, cb = _outcomes(rng, a_only, b_only, cluster_size)
        cluster = np.arange(N_ITEMS, dtype=np.intp) // cluster_size if clustered_bootstrap else None
        config = BootstrapConfig(resamples=1000, seed=sim)
        diff = task_diffs(pair(gold, ca, cb, cluster), METRICS[:1], config)[0]
        out.append(decide(diff, MARGIN, ALPHA, POWER).verdict)
    return out


def _outcomes(
    rng: np.random.Generator, a_only: float, b_only: float, cluster_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if cluster_size == 1:
        return paired_outcomes(rng, N_ITEMS, 0.8, a_only, b_only)
    # Clustered: whether the two runs disagree is decided per image, so items of an image
    # disagree together (strong intra-cluster correlation, as for a hard image).
    n_clusters = N_ITEMS // cluster_size
    gold = rng.random(N_ITEMS) < 0.5
    u = np.repeat(rng.random(n_clusters), cluster_size)
    both = 0.8 - a_only
    correct_a = u < both + a_only
    correct_b = (u < both) | ((u >= both + a_only) & (u < both + a_only + b_only))
    return gold, correct_a, correct_b


def _rate(verdicts: list[str], verdict: str) -> float:
    return sum(v == verdict for v in verdicts) / len(verdicts)


def test_aa_false_alarm_rate_is_at_most_alpha() -> None:
    sims = 2000
    rate = _rate(_gate_verdicts(sims, 0.0, seed=10), "regression")
    tolerance = 3 * math.sqrt(ALPHA * (1 - ALPHA) / sims)  # 0.0146
    # At the design point (MDE = margin) the false-alarm rate is alpha itself.
    assert abs(rate - ALPHA) <= tolerance, rate


def test_true_drop_beyond_the_margin_is_caught_with_the_predicted_power() -> None:
    sims = 1000
    drop = 1.1 * MARGIN
    rate = _rate(_gate_verdicts(sims, -drop, seed=11), "regression")
    predicted = gate_power(drop, binary_paired_se(N_ITEMS, DISCORDANCE, drop), MARGIN, ALPHA)
    tolerance = 3 * math.sqrt(predicted * (1 - predicted) / sims) + 0.01  # ~0.043
    assert predicted == pytest.approx(0.86, abs=0.02)
    assert abs(rate - predicted) <= tolerance, (rate, predicted)


def test_clustered_items_need_the_cluster_bootstrap() -> None:
    sims = 600
    clustered = _rate(_gate_verdicts(sims, 0.0, seed=12, cluster_size=6), "regression")
    naive = _rate(
        _gate_verdicts(sims, 0.0, seed=12, cluster_size=6, clustered_bootstrap=False),
        "regression",
    )
    tolerance = 3 * math.sqrt(ALPHA * (1 - ALPHA) / sims)  # 0.027
    assert clustered <= ALPHA + tolerance, clustered
    # Treating the six questions of an image as independent raises the false-alarm rate.
    assert naive > 2 * ALPHA, naive


def test_compare_pvalues_are_calibrated_under_aa() -> None:
    sims = 2000
    rng = np.random.default_rng(13)
    rejected = {"accuracy": 0, "f1": 0}
    for sim in range(sims):
        gold, ca, cb = paired_outcomes(rng, 500, 0.8, DISCORDANCE / 2, DISCORDANCE / 2)
        for diff in task_diffs(pair(gold, ca, cb), METRICS, BootstrapConfig(500, seed=sim)):
            rejected[diff.metric] += diff.p_value is not None and diff.p_value < ALPHA
    tolerance = 3 * math.sqrt(ALPHA * (1 - ALPHA) / sims)
    # Exact McNemar (accuracy) is conservative; the bootstrap test (F1) is close to alpha.
    assert rejected["accuracy"] / sims <= ALPHA + tolerance
    assert abs(rejected["f1"] / sims - ALPHA) <= tolerance, rejected
