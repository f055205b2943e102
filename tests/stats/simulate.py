"""Vectorised builders of aligned POPE-like runs for the statistical tests."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from mmalign_eval.stats.paired import TaskPair

COLUMNS = ("fn", "fp", "pred_pos", "tn", "tp")


def confusion(pred: npt.NDArray[np.bool_], gold: npt.NDArray[np.bool_]) -> np.ndarray:
    """Items x COLUMNS one-hot confusion cells (the columns POPE writes)."""
    return np.stack([~pred & gold, pred & ~gold, pred, ~pred & ~gold, pred & gold], axis=1).astype(
        np.float64
    )


def pair(
    gold: npt.NDArray[np.bool_],
    correct_a: npt.NDArray[np.bool_],
    correct_b: npt.NDArray[np.bool_],
    cluster: npt.NDArray[np.intp] | None = None,
    task: str = "sim",
) -> TaskPair:
    """An aligned task from per-item correctness of two runs."""
    n = gold.size
    index = np.arange(n, dtype=np.intp) if cluster is None else cluster
    return TaskPair(
        task=task,
        ids=tuple(str(i) for i in range(n)),
        columns=COLUMNS,
        a=confusion(correct_a == gold, gold),
        b=confusion(correct_b == gold, gold),
        ok_a=np.ones(n, dtype=bool),
        ok_b=np.ones(n, dtype=bool),
        cluster=index,
        clustered=cluster is not None,
    )


def paired_outcomes(
    rng: np.random.Generator, n: int, accuracy: float, a_only: float, b_only: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gold labels and correctness of A and B with given discordance rates.

    a_only: share of items A gets right and B wrong; b_only: the reverse. B - A accuracy
    has expectation b_only - a_only.
    """
    gold = rng.random(n) < 0.5
    u = rng.random(n)
    both = accuracy - a_only
    correct_a = u < both + a_only
    correct_b = (u < both) | ((u >= both + a_only) & (u < both + a_only + b_only))
    return gold, correct_a, correct_b
