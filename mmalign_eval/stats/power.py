"""Power and minimum detectable effects for paired differences (normal approximation)."""

from __future__ import annotations

import math
from statistics import NormalDist

_NORMAL = NormalDist()


def z(probability: float) -> float:
    """Standard normal quantile."""
    return _NORMAL.inv_cdf(probability)


def mde(se: float, alpha: float, power: float) -> float:
    """Smallest drop a one-sided level-alpha test detects with the given power."""
    return (z(1.0 - alpha) + z(power)) * se


def required_size(n: int, se: float, margin: float, alpha: float, power: float) -> int:
    """Items needed for the MDE to reach the margin (the standard error shrinks as 1/sqrt(n))."""
    if margin <= 0:
        raise ValueError("margin must be positive")
    return max(n, math.ceil(n * (mde(se, alpha, power) / margin) ** 2))


def gate_power(drop: float, se: float, margin: float, alpha: float) -> float:
    """Probability the gate fails a candidate whose true drop is `drop` (see gate.decide).

    The gate fails when the one-sided upper bound is below 0 and the lower bound below
    -margin, i.e. when the observed difference is below min(-z se, z se - margin).
    """
    if se == 0:
        return 1.0 if drop > margin else 0.0
    threshold = max(z(1.0 - alpha), margin / se - z(1.0 - alpha))
    return _NORMAL.cdf(drop / se - threshold)


def binary_paired_se(n: int, discordance: float, shift: float = 0.0) -> float:
    """Standard error of a paired difference of proportions over n independent items.

    discordance: share of items whose outcome differs between the two runs; shift: the
    true difference. Var = (p10 + p01 - (p01 - p10)^2) / n.
    """
    return math.sqrt(max(discordance - shift**2, 0.0) / n)
