"""Holm, exact McNemar and power formulas against hand-computed values."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binomtest

from mmalign_eval.stats.holm import holm
from mmalign_eval.stats.paired import mcnemar_exact
from mmalign_eval.stats.power import binary_paired_se, gate_power, mde, required_size, z


def test_holm_textbook_example() -> None:
    # Sorted 0.005, 0.01, 0.03, 0.04 -> 4x, 3x, 2x, 1x = 0.02, 0.03, 0.06, 0.04 -> monotone 0.06.
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_skips_untested_and_caps_at_one() -> None:
    assert holm([None, 0.5, 0.9, float("nan")]) == [None, pytest.approx(1.0), 1.0, None]
    assert holm([]) == []
    assert holm([0.2]) == [pytest.approx(0.2)]


@pytest.mark.parametrize(
    ("a_only", "b_only", "expected"),
    [
        (1, 9, 2 * (1 + 10) / 1024),  # 2 * P(X <= 1), X ~ Bin(10, 1/2)
        (0, 5, 2 / 32),
        (5, 0, 2 / 32),
        (3, 3, 1.0),
        (0, 0, 1.0),
        (2, 12, 2 * (1 + 14 + 91) / 2**14),
    ],
)
def test_mcnemar_exact_hand_computed(a_only: int, b_only: int, expected: float) -> None:
    assert mcnemar_exact(a_only, b_only) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("a_only", "b_only"), [(7, 19), (40, 61), (120, 90)])
def test_mcnemar_matches_the_binomial_test(a_only: int, b_only: int) -> None:
    reference = binomtest(a_only, a_only + b_only, 0.5).pvalue
    assert mcnemar_exact(a_only, b_only) == pytest.approx(reference, rel=1e-9)


def test_mde_and_required_size() -> None:
    # (z_0.95 + z_0.80) * se = (1.6449 + 0.8416) * 0.01
    assert mde(0.01, 0.05, 0.8) == pytest.approx(0.024865, abs=1e-5)
    # Halving the MDE needs four times the items.
    se = 0.02 / (z(0.95) + z(0.8))
    assert required_size(100, se, 0.01, 0.05, 0.8) == 400
    assert required_size(100, se / 2, 0.02, 0.05, 0.8) == 100  # never fewer than we have
    with pytest.raises(ValueError):
        required_size(100, se, 0.0, 0.05, 0.8)


def test_binary_paired_se() -> None:
    assert binary_paired_se(1000, 0.1) == pytest.approx(math.sqrt(0.1 / 1000))
    # All discordant pairs one way: var = (0.1 - 0.1**2) / n.
    assert binary_paired_se(1000, 0.1, shift=0.1) == pytest.approx(math.sqrt(0.09 / 1000))


def test_gate_power_at_the_design_point() -> None:
    se = 0.01
    margin = mde(se, 0.05, 0.8)
    # At the design point a drop of the margin is caught with the chosen power ...
    assert gate_power(margin, se, margin, 0.05) == pytest.approx(0.8, abs=1e-9)
    # ... and an unchanged model fails with probability alpha.
    assert gate_power(0.0, se, margin, 0.05) == pytest.approx(0.05, abs=1e-9)
    assert gate_power(0.1, 0.0, 0.02, 0.05) == 1.0
