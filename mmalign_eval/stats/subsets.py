"""Deterministic, stratified smoke subsets: never "the first N".

A subset is generated from the loaded data, so the same dataset always gives the same ids
on any machine: items are stratified by the benchmark's own category (the sample's `category`,
when a task has one) and label (the sample's target), each stratum gets its proportional
share (largest remainders), and within a stratum items are ranked by a seeded hash of
their id. Adding items to a dataset keeps most of an existing subset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from mmalign_eval.contracts import Record, Sample
from mmalign_eval.errors import UsageError
from mmalign_eval.hashing import sha256_text

SMOKE_SIZE = 300


class SubsetSpec(Record):
    """Which subset a run evaluates; recorded in the manifest so `check` can replay it."""

    name: Literal["smoke"] = "smoke"
    size: int = Field(default=SMOKE_SIZE, ge=1, description="Items per task.")
    seed: int = 0


def stratum(sample: Sample) -> str:
    """The stratum of an item: benchmark category (if any) and label."""
    return f"{sample.category or ''}|{sample.target}"


def allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Proportional allocation of `total` over strata by largest remainders."""
    population = sum(sizes.values())
    exact = {key: total * size / population for key, size in sizes.items()}
    out = {key: math.floor(value) for key, value in exact.items()}
    by_remainder = sorted(exact, key=lambda key: (out[key] - exact[key], key))
    for key in by_remainder[: total - sum(out.values())]:
        out[key] += 1
    return {key: min(count, sizes[key]) for key, count in out.items()}


def stratified_subset(samples: Sequence[Sample], spec: SubsetSpec) -> list[Sample]:
    """The subset's samples, in the dataset's order."""
    if spec.size >= len(samples):
        return list(samples)
    strata: dict[str, list[Sample]] = {}
    for sample in samples:
        strata.setdefault(stratum(sample), []).append(sample)
    quota = allocate({key: len(items) for key, items in strata.items()}, spec.size)
    chosen: set[str] = set()
    for key, items in strata.items():
        ranked = sorted(items, key=lambda s: sha256_text(f"{spec.seed}:{s.task}:{s.id}"))
        chosen.update(s.id for s in ranked[: quota[key]])
    return [s for s in samples if s.id in chosen]


def strata_counts(samples: Sequence[Sample]) -> dict[str, int]:
    """Items per stratum, for reports."""
    counts: dict[str, int] = {}
    for sample in samples:
        counts[stratum(sample)] = counts.get(stratum(sample), 0) + 1
    return dict(sorted(counts.items()))


def parse_subset(name: str | None, size: int | None, seed: int = 0) -> SubsetSpec | None:
    """The subset the options ask for; 'full' or no name means every item."""
    if name is None or name == "full":
        if size is not None and name is None:
            raise UsageError("--subset-size needs --subset smoke")
        return None
    if name != "smoke":
        raise UsageError(f"unknown subset '{name}'", "use --subset smoke (or full)")
    return SubsetSpec(size=size or SMOKE_SIZE, seed=seed)
