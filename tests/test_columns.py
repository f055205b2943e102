"""Declared columns: metrics may only read, and items may only write, declared columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from mmalign_eval.columns import Columns, check_metrics, columns_read
from mmalign_eval.contracts import Response, Sample
from mmalign_eval.evidence import Evidence
from mmalign_eval.metrics.base import FloatArray, MetricSpec, Totals, ratio
from mmalign_eval.protocols import Protocol, Reading
from mmalign_eval.task import TaskSpec


def _share(numerator: str, denominator: str, primary: bool = True) -> MetricSpec:
    return MetricSpec(
        f"{numerator}_per_{denominator}",
        lambda t: ratio(t[numerator], t[denominator]),
        "higher",
        primary=primary,
    )


def _task(
    columns: Columns,
    metrics: tuple[MetricSpec, ...] = (),
    values: Mapping[str, float] | None = None,
) -> TaskSpec[Any]:
    written = dict(values or {"hit": 1.0, "n": 1.0})
    return TaskSpec(
        name="t",
        family="test",
        version="1",
        description="",
        prompt_template="{question}",
        loader=lambda request: None,  # type: ignore[arg-type,return-value]
        protocols=(Protocol("p", "as is", Reading, default=True),),
        metrics=metrics or (_share("hit", "n"),),
        columns=columns,
        score_values=lambda sample, value: written,
    )


# -- Columns.declares --------------------------------------------------------------------

DECLARES = [
    (Columns.of("n", "hit"), "n", True),
    (Columns.of("n", "hit"), "hit", True),
    (Columns.of("n", "hit"), "miss", False),
    (Columns.of("n", "hit"), "", False),
    (Columns.of("n"), "n_adversarial", False),  # a name is not a prefix
    (Columns.of("n", prefixes=("n_",)), "n_adversarial", True),
    (Columns.of("n", prefixes=("n_",)), "n_", True),
    (Columns.of(prefixes=("n_", "score_")), "score_attribute", True),
    (Columns.of(prefixes=("n_", "score_")), "xscore_attribute", False),  # a prefix, not a part
    (Columns.of(prefixes=("n_",)), "n", False),
    (Columns.of(), "n", False),
]


@pytest.mark.parametrize(
    ("columns", "name", "expected"),
    DECLARES,
    ids=[f"{sorted(c.names)}-{list(c.prefixes)}-{n!r}" for c, n, _ in DECLARES],
)
def test_declares(columns: Columns, name: str, expected: bool) -> None:
    assert columns.declares(name) is expected


def test_of_builds_names_and_prefixes() -> None:
    columns = Columns.of("b", "a", "a", prefixes=["x_", "y_"])
    assert columns.names == frozenset({"a", "b"})
    assert columns.prefixes == ("x_", "y_")


def test_union_combines_names_and_prefixes() -> None:
    left = Columns.of("n", "hit", prefixes=("n_",))
    right = Columns.of("miss", prefixes=("score_",))
    both = left | right
    assert both.names == frozenset({"n", "hit", "miss"})
    assert both.prefixes == ("n_", "score_")
    for name in ("n", "hit", "miss", "n_a", "score_b"):
        assert both.declares(name)
    assert not both.declares("other")
    # The operands are unchanged (frozen records).
    assert left.names == frozenset({"n", "hit"}) and right.prefixes == ("score_",)


# -- Columns.check_written ---------------------------------------------------------------

WRITTEN: list[tuple[dict[str, float], list[str]]] = [
    ({}, []),
    ({"n": 1.0, "hit": 0.0}, []),
    ({"n": 1.0, "n_popular": 1.0}, []),
    ({"n": 1.0, "hti": 1.0}, ["hti"]),
    ({"zz": 1.0, "aa": 1.0, "n": 1.0}, ["aa", "zz"]),  # all named, sorted
]


@pytest.mark.parametrize(("values", "undeclared"), WRITTEN, ids=repr)
def test_check_written(values: dict[str, float], undeclared: list[str]) -> None:
    columns = Columns.of("n", "hit", prefixes=("n_",))
    if not undeclared:
        columns.check_written(values)
        return
    with pytest.raises(ValueError, match="not declared") as caught:
        columns.check_written(values)
    assert str(undeclared) in str(caught.value)


# -- columns a metric reads --------------------------------------------------------------


def _grouped(t: Totals) -> FloatArray:
    # Run-time columns are found by iterating: the recording totals have none.
    groups = [k for k in t if k.startswith("n_")]
    return np.asarray(float(len(groups)))


READS: list[tuple[MetricSpec, set[str]]] = [
    (_share("hit", "n"), {"hit", "n"}),
    (
        MetricSpec("f1", lambda t: 2 * t["tp"] / (2 * t["tp"] + t["fp"] + t["fn"]), "higher"),
        {
            "tp",
            "fp",
            "fn",
        },
    ),
    (MetricSpec("constant", lambda t: np.asarray(1.0), "higher"), set()),
    (MetricSpec("groups", _grouped, "higher"), set()),
]


@pytest.mark.parametrize(("metric", "read"), READS, ids=lambda v: getattr(v, "name", ""))
def test_columns_read(metric: MetricSpec, read: set[str]) -> None:
    assert columns_read(metric) == read


def test_check_metrics_accepts_declared_columns() -> None:
    check_metrics(
        "t",
        [_share("hit", "n"), _share("score_x", "n_x")],
        Columns.of("hit", "n", prefixes=("score_", "n_")),
    )


@pytest.mark.parametrize(
    ("metric", "columns", "undeclared"),
    [
        (_share("hti", "n"), Columns.of("hit", "n"), ["hti"]),
        (_share("hit", "total"), Columns.of("hit", "n"), ["total"]),
        (_share("b", "a"), Columns.of("n"), ["a", "b"]),
        (_share("score_x", "n_x"), Columns.of(prefixes=("score_",)), ["n_x"]),
    ],
    ids=["numerator", "denominator", "both-sorted", "prefix-missing"],
)
def test_metric_reading_undeclared_column_fails_task_construction(
    metric: MetricSpec, columns: Columns, undeclared: list[str]
) -> None:
    with pytest.raises(ValueError) as caught:
        _task(columns, (metric,))
    message = str(caught.value)
    assert "task t" in message
    assert f"metric {metric.name}" in message
    assert str(undeclared) in message


def test_only_the_offending_metric_is_named() -> None:
    good = _share("hit", "n")
    bad = MetricSpec("recall", lambda t: ratio(t["tp"], t["n"]), "higher")
    with pytest.raises(ValueError, match=r"metric recall reads undeclared columns \['tp'\]"):
        _task(Columns.of("hit", "n"), (good, bad))


def test_prefix_declares_run_time_columns_for_metrics_and_items() -> None:
    metric = _share("score_attribute", "n_attribute")
    task = _task(
        Columns.of("n", prefixes=("n_", "score_")),
        (metric,),
        values={"n": 1.0, "n_attribute": 1.0, "score_attribute": 4.0},
    )
    sample = Sample(id="1", task="t", question="q")
    response = Response(key="k", text="x", finish_reason="stop")
    item = task.score(Evidence(sample, {"answer": response}), task.protocol(None))
    assert item.status == "ok"
    assert item.values == {"n": 1.0, "n_attribute": 1.0, "score_attribute": 4.0}


@pytest.mark.parametrize(
    ("values", "undeclared"),
    [({"hit": 1.0, "n": 1.0, "hti": 1.0}, "hti"), ({"n": 1.0, "n_x": 1.0}, "n_x")],
    ids=["misspelt", "prefix-not-declared"],
)
def test_item_writing_undeclared_column_fails_at_scoring(
    values: dict[str, float], undeclared: str
) -> None:
    task = _task(Columns.of("hit", "n"), values=values)  # construction is fine
    sample = Sample(id="1", task="t", question="q")
    response = Response(key="k", text="x", finish_reason="stop")
    with pytest.raises(ValueError, match="not declared") as caught:
        task.score(Evidence(sample, {"answer": response}), task.protocol(None))
    assert undeclared in str(caught.value)
