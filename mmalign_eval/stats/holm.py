"""Holm's step-down correction for a family of p-values (controls the family-wise error)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm-adjusted p-values in input order; None (no test) stays None and is not counted."""
    tested = sorted((p, i) for i, p in enumerate(pvalues) if p is not None and math.isfinite(p))
    m = len(tested)
    adjusted: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, index) in enumerate(tested):
        # Monotone step-down: an adjusted p-value never falls below an earlier (smaller) one.
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[index] = running
    return adjusted
