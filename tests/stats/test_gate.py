"""Gate decisions, policy files and the report formats."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

from mmalign_eval.errors import UsageError
from mmalign_eval.stats.compare import MetricDiff
from mmalign_eval.stats.gate import (
    EXIT_INCONCLUSIVE,
    EXIT_PASS,
    EXIT_REGRESSION,
    GatePolicy,
    GateReport,
    decide,
    gated_metrics,
    load_policy,
    overall,
)
from mmalign_eval.stats.report import junit, markdown, write_reports


def _diff(
    a: float,
    b: float,
    se: float,
    direction: str = "higher",
    metric: str = "f1",
    primary: bool = True,
    n: int = 1000,
) -> MetricDiff:
    # Normal resamples centred on the observed difference.
    resamples = (b - a) + se * np.random.default_rng(0).standard_normal(4000)
    return MetricDiff(
        target="pope_random",
        metric=metric,
        direction=direction,  # type: ignore[arg-type]
        scale="fraction",
        primary=primary,
        a=a,
        b=b,
        resamples=resamples,
        test="paired-bootstrap",
        p_value=None,
        n_items=n,
        n_units=n,
        unit="item",
    )


@pytest.mark.parametrize(
    ("a", "b", "se", "margin", "expected"),
    [
        (0.85, 0.85, 0.004, 0.02, "pass"),  # unchanged, well powered: non-inferior
        (0.85, 0.80, 0.004, 0.02, "regression"),  # drop of 0.05, clearly real
        (0.85, 0.835, 0.004, 0.02, "regression"),  # real drop, may exceed the margin
        (0.85, 0.845, 0.001, 0.02, "pass"),  # real but tiny drop, within the margin
        (0.85, 0.84, 0.02, 0.02, "inconclusive"),  # too noisy to detect the margin
        (0.85, 0.95, 0.02, 0.02, "pass"),  # improvement: non-inferior even when noisy
    ],
)
def test_decide(a: float, b: float, se: float, margin: float, expected: str) -> None:
    gate = decide(_diff(a, b, se), margin, 0.05, 0.8)
    assert gate.verdict == expected, gate.reason
    assert gate.delta == pytest.approx(b - a)
    if expected == "inconclusive":
        assert gate.required_items is not None and gate.required_items > gate.n_items
        assert gate.mde is not None and gate.mde > margin


def test_lower_is_better_metrics_are_sign_adjusted() -> None:
    # CHAIR-like: lower is better, so an increase is a regression.
    gate = decide(_diff(0.10, 0.15, 0.004, direction="lower"), 0.02, 0.05, 0.8)
    assert gate.verdict == "regression" and gate.delta == pytest.approx(-0.05)
    assert decide(_diff(0.15, 0.10, 0.004, direction="lower"), 0.02, 0.05, 0.8).verdict == "pass"


def test_undefined_metric_is_inconclusive() -> None:
    diff = _diff(0.5, 0.5, 0.01)
    undefined = MetricDiff(**{**diff.__dict__, "b": None})
    assert decide(undefined, 0.02, 0.05, 0.8).verdict == "inconclusive"


def test_overall_exit_codes() -> None:
    passed = decide(_diff(0.85, 0.85, 0.004), 0.02, 0.05, 0.8)
    failed = decide(_diff(0.85, 0.80, 0.004), 0.02, 0.05, 0.8)
    unsure = decide(_diff(0.85, 0.84, 0.02), 0.02, 0.05, 0.8)
    assert overall([passed]) == ("pass", EXIT_PASS)
    assert overall([passed, unsure]) == ("inconclusive", EXIT_INCONCLUSIVE)
    assert overall([unsure, failed, passed]) == ("regression", EXIT_REGRESSION)
    # A candidate that fails to answer beyond the threshold is a regression.
    assert overall([passed], failing_tasks=1) == ("regression", EXIT_REGRESSION)


def test_gated_metrics_default_to_primary_and_respect_the_policy() -> None:
    diffs = [
        _diff(0.8, 0.8, 0.01),
        _diff(0.8, 0.8, 0.01, metric="accuracy", primary=False),
        _diff(0.5, 0.6, 0.01, metric="yes_ratio", primary=False, direction="neither"),
    ]
    default = gated_metrics(diffs, GatePolicy(margin=0.03))
    assert [(d.metric, m) for d, m in default] == [("f1", 0.03)]
    policy = GatePolicy.model_validate(
        {"gate": [{"target": "pope_random", "metric": "accuracy", "margin": 0.01}]}
    )
    assert [(d.metric, m) for d, m in gated_metrics(diffs, policy)] == [("accuracy", 0.01)]
    with pytest.raises(UsageError, match="no metric"):
        gated_metrics(diffs, GatePolicy.model_validate({"gate": [{"target": "x", "metric": "f1"}]}))
    with pytest.raises(UsageError, match="never gated"):
        gated_metrics(
            diffs,
            GatePolicy.model_validate({"gate": [{"target": "pope_random", "metric": "yes_ratio"}]}),
        )


def test_policy_files(tmp_path: Path) -> None:
    toml = tmp_path / ".mmalign-gate.toml"
    toml.write_text(
        'alpha = 0.01\nmargin = 0.03\nsubset = "smoke"\nsubset_size = 500\n\n'
        '[[gate]]\ntarget = "pope"\nmetric = "mean_f1"\nmargin = 0.015\n'
    )
    policy = load_policy(toml)
    assert (policy.alpha, policy.margin, policy.subset, policy.subset_size) == (
        0.01,
        0.03,
        "smoke",
        500,
    )
    assert policy.gate[0].margin == 0.015
    as_json = tmp_path / "gate.json"
    as_json.write_text('{"alpha": 0.1}')
    assert load_policy(as_json).alpha == 0.1
    bad = tmp_path / "bad.json"
    bad.write_text('{"alpha": 2}')
    with pytest.raises(UsageError):
        load_policy(bad)


def test_reports(tmp_path: Path) -> None:
    gates = [
        decide(_diff(0.85, 0.85, 0.004), 0.02, 0.05, 0.8),
        decide(_diff(0.85, 0.80, 0.004), 0.02, 0.05, 0.8),
        decide(_diff(0.85, 0.84, 0.02), 0.02, 0.05, 0.8),
    ]
    verdict, code = overall(gates)
    report = GateReport(
        baseline="base",
        candidate="cand",
        verdict=verdict,
        exit_code=code,
        alpha=0.05,
        power=0.8,
        resamples=4000,
        seed=0,
        mismatches=[],
        metrics=gates,
    )
    text = markdown(report)
    assert "regression" in text and "| pope_random | f1 ↑ |" in text and "need about" in text
    suite = ElementTree.fromstring(junit(report))
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    written = write_reports(report, tmp_path / "r")
    assert [p.name for p in written] == ["report.json", "summary.md", "junit.xml"]
    assert GateReport.model_validate_json(written[0].read_text()) == report
