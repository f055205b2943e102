"""Group combinations (AMBER score, VLGuard's shown rates, the safety overview) in compare
and check: paired differences through the declared affine functions."""

from __future__ import annotations

import numpy as np
import pytest

from mmalign_eval.registry import build_registry
from mmalign_eval.results import GroupResult, MetricResult
from mmalign_eval.stats.compare import MetricDiff, combined_diffs

COMBINATIONS = [
    (group.name, spec) for group in build_registry().groups.values() for spec in group.combine
]


@pytest.mark.parametrize(
    ("group", "spec"), COMBINATIONS, ids=[f"{g}:{s.name}" for g, s in COMBINATIONS]
)
def test_declared_affine_combinations_are_affine(group: str, spec: object) -> None:
    rng = np.random.default_rng(0)
    k = len(spec.inputs)  # type: ignore[attr-defined]
    x, y = rng.normal(size=(k, 50)), rng.normal(size=(k, 50))
    fn = spec.fn  # type: ignore[attr-defined]
    zero = fn([np.zeros(50)] * k)
    assert spec.affine  # type: ignore[attr-defined]
    np.testing.assert_allclose(fn(list(x + y)) - fn(list(y)), fn(list(x)) - zero, atol=1e-9)


def _diff(task: str, metric: str, a: float, b: float, resamples: list[float]) -> MetricDiff:
    return MetricDiff(
        target=task, metric=metric, direction="lower" if metric.startswith("chair") else "higher",
        scale="percent", primary=True, a=a, b=b, resamples=np.asarray(resamples),
        test="paired-bootstrap", p_value=0.5, n_items=10, n_units=5, unit="image",
    )  # fmt: skip


def test_amber_score_difference_comes_from_its_inputs() -> None:
    spec = build_registry().groups["amber"].combine[0]
    by_task = {
        ("amber_generative", "chair_unrounded"): _diff(
            "amber_generative", "chair_unrounded", 10.0, 5.0, [-5.0, -4.0, -6.0]
        ),
        ("amber_discriminative", "f1_unrounded"): _diff(
            "amber_discriminative", "f1_unrounded", 20.0, 30.0, [10.0, 8.0, 12.0]
        ),
    }
    group = GroupResult(
        group="amber", tasks=["amber_generative", "amber_discriminative"],
        metrics=[MetricResult(name="amber_score", value=55.0, direction="higher",
                              scale="percent", primary=True)],
    )  # fmt: skip
    (row,) = combined_diffs(group, [spec], by_task)
    # ((100 - 10) + 20) / 2 = 55 and ((100 - 5) + 30) / 2 = 62.5; each resample is
    # (-dchair + df1) / 2.
    assert (row.a, row.b, row.diff) == (55.0, 62.5, 7.5)
    np.testing.assert_allclose(row.resamples, [7.5, 6.0, 9.0])
    # A combination whose input is missing is not compared (check then says "missing").
    del by_task[("amber_discriminative", "f1_unrounded")]
    assert combined_diffs(group, [spec], by_task) == []
