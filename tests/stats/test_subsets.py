"""Deterministic stratified smoke subsets."""

from __future__ import annotations

from collections import Counter

import pytest

from mmalign_eval.contracts import Sample
from mmalign_eval.errors import UsageError
from mmalign_eval.plan import select
from mmalign_eval.stats.subsets import (
    SubsetSpec,
    allocate,
    parse_subset,
    strata_counts,
    stratified_subset,
)


def _samples(n: int, task: str = "t") -> list[Sample]:
    # 30% "yes"; categories a/b/c in a 5:3:2 ratio, all interleaved.
    out = []
    for i in range(n):
        category = "a" if i % 10 < 5 else "b" if i % 10 < 8 else "c"
        target = "yes" if i % 10 in (0, 5, 8) else "no"
        out.append(Sample(id=str(i), task=task, question="q", target=target, category=category))
    return out


def test_allocation_is_proportional_and_exact() -> None:
    assert allocate({"x": 50, "y": 30, "z": 20}, 10) == {"x": 5, "y": 3, "z": 2}
    shares = allocate({"x": 1, "y": 1, "z": 1}, 2)
    assert sum(shares.values()) == 2 and max(shares.values()) == 1


def test_subset_is_stratified_deterministic_and_not_the_first_n() -> None:
    samples = _samples(1000)
    spec = SubsetSpec(size=100, seed=0)
    chosen = stratified_subset(samples, spec)
    assert len(chosen) == 100
    assert [s.id for s in chosen] == [s.id for s in stratified_subset(samples, spec)]
    assert [s.id for s in chosen] != [str(i) for i in range(100)]
    full, sub = strata_counts(samples), strata_counts(chosen)
    for key, count in full.items():
        assert sub[key] == pytest.approx(count / 10, abs=1), key
    # Another seed gives another subset with the same strata.
    other = stratified_subset(samples, SubsetSpec(size=100, seed=1))
    assert {s.id for s in other} != {s.id for s in chosen}
    assert strata_counts(other) == sub


def test_subset_is_stable_when_items_are_added() -> None:
    spec = SubsetSpec(size=100)
    before = {s.id for s in stratified_subset(_samples(1000), spec)}
    after = {s.id for s in stratified_subset(_samples(1100), spec)}
    assert len(before & after) >= 80


def test_subset_larger_than_the_data_keeps_everything_in_order() -> None:
    samples = _samples(20)
    assert stratified_subset(samples, SubsetSpec(size=50)) == samples


def test_select_applies_the_subset_before_ids_and_limit() -> None:
    samples = _samples(200)
    spec = SubsetSpec(size=40)
    subset = select(samples, None, (), spec)
    assert len(subset) == 40
    assert select(samples, 5, (), spec) == subset[:5]
    assert Counter(s.target for s in subset) == Counter({"no": 28, "yes": 12})


def test_parse_subset() -> None:
    assert parse_subset(None, None) is None
    assert parse_subset("full", None) is None
    assert parse_subset("smoke", 50) == SubsetSpec(size=50)
    assert parse_subset("smoke", None) == SubsetSpec()
    with pytest.raises(UsageError):
        parse_subset("tiny", None)
    with pytest.raises(UsageError):
        parse_subset(None, 10)
