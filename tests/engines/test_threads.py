"""CPU threads of in-process models: --threads, then OMP_NUM_THREADS, then the affinity."""

from __future__ import annotations

import pytest
import torch

from mmalign_eval.engines import threads
from mmalign_eval.engines.threads import apply_threads, available_cores, cpu_threads


@pytest.mark.parametrize(
    ("requested", "omp", "expected"),
    [
        (3, "5", 3),  # --threads wins
        (None, "5", 5),  # torchrun / the launcher's per-rank share
        (None, " 2 ", 2),
        (None, "0", None),  # not a thread count: the available cores
        (None, "lots", None),
        (None, "", None),
    ],
)
def test_cpu_threads(
    monkeypatch: pytest.MonkeyPatch, requested: int | None, omp: str, expected: int | None
) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", omp)
    monkeypatch.setattr(threads, "busy_cores", lambda: 0)
    assert cpu_threads(requested) == (available_cores() if expected is None else expected)


@pytest.mark.parametrize(
    ("cores", "busy", "expected"), [(8, 0, 8), (8, 3, 5), (2, 2, 1), (2, 9, 1)]
)
def test_busy_cores_are_left_alone(
    monkeypatch: pytest.MonkeyPatch, cores: int, busy: int, expected: int
) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "available_cores", lambda: cores)
    monkeypatch.setattr(threads, "busy_cores", lambda: busy)
    assert cpu_threads(None) == expected
    assert cpu_threads(4) == 4  # --threads is taken as given


def test_apply_threads_sets_torch() -> None:
    before = torch.get_num_threads()
    try:
        assert apply_threads(1) == 1 and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
