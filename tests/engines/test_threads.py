"""CPU threads of in-process models: --threads, then OMP_NUM_THREADS, then the affinity."""

from __future__ import annotations

import pytest
import torch

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
    assert cpu_threads(requested) == (available_cores() if expected is None else expected)


def test_apply_threads_sets_torch() -> None:
    before = torch.get_num_threads()
    try:
        assert apply_threads(1) == 1 and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
