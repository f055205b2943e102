"""Gate decisions, policy files and the report formats."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

from mmalign_eval.errors import UsageError
from mmalign_eval.results import GroupResult, ResultsFile
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
    missing_gate,
    overall,
)
from mmalign_eval.stats.report import junit, markdown, write_reports

from .results_builders import metric, results, task_result


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
    baseline = results(task_result("pope_random"))
    default = gated_metrics(baseline, diffs, GatePolicy(margin=0.03))
    assert [(c.ref.metric, c.margin, c.diff is not None) for c in default] == [("f1", 0.03, True)]
    policy = GatePolicy.model_validate(
        {"gate": [{"target": "pope_random", "metric": "accuracy", "margin": 0.01}]}
    )
    chosen = gated_metrics(baseline, diffs, policy)
    assert [(c.ref.metric, c.margin) for c in chosen] == [("accuracy", 0.01)]
    with pytest.raises(UsageError, match="no metric x:f1 in the baseline"):
        gated_metrics(
            baseline, diffs, GatePolicy.model_validate({"gate": [{"target": "x", "metric": "f1"}]})
        )
    with pytest.raises(UsageError, match="never gated"):
        gated_metrics(
            baseline,
            diffs,
            GatePolicy.model_validate({"gate": [{"target": "pope_random", "metric": "yes_ratio"}]}),
        )


SPLITS = ("pope_adversarial", "pope_popular", "pope_random")


def _pope_results(*splits: str) -> ResultsFile:
    group = GroupResult(group="pope", tasks=list(SPLITS), metrics=[metric("mean_f1", primary=True)])
    return results(*(task_result(s) for s in splits), groups=(group,) if len(splits) == 3 else ())


def test_a_gated_task_missing_from_the_candidate_fails() -> None:
    # The baseline has all three splits and the group; the candidate only pope_random.
    baseline, candidate = _pope_results(*SPLITS), _pope_results("pope_random")
    diffs = [_diff(0.8, 0.8, 0.004)]  # pope_random:f1 is the only paired metric
    choices = gated_metrics(baseline, diffs, GatePolicy())
    assert [(c.ref.target, c.ref.metric) for c in choices] == [
        *((s, "f1") for s in SPLITS),
        ("pope", "mean_f1"),
    ]
    gates = [
        decide(c.diff, c.margin, 0.05, 0.8) if c.diff else missing_gate(c, baseline, candidate)
        for c in choices
    ]
    assert [g.verdict for g in gates] == ["missing", "missing", "pass", "missing"]
    assert "the candidate has no pope_adversarial" in gates[0].reason
    assert gates[0].baseline == 0.5 and gates[0].candidate is None
    assert overall(gates) == ("regression", EXIT_REGRESSION)


def test_a_gated_metric_without_shared_items_is_missing() -> None:
    baseline = results(task_result("pope_random"))
    (choice,) = gated_metrics(baseline, [], GatePolicy())
    gate = missing_gate(choice, baseline, baseline)
    assert gate.verdict == "missing" and "no item of pope_random is in both runs" in gate.reason


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
    baseline = results(task_result("pope_popular"))
    (lost,) = gated_metrics(baseline, [], GatePolicy())
    gates.append(missing_gate(lost, baseline, results()))
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
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "2", "1")
    assert "❌ missing" in text and "the candidate has no pope_popular" in text
    written = write_reports(report, tmp_path / "r")
    assert [p.name for p in written] == ["report.json", "summary.md", "junit.xml"]
    assert GateReport.model_validate_json(written[0].read_text()) == report
