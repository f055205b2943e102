"""Renderings of comparisons and gate reports: rich tables, markdown, JUnit XML."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from rich import box
from rich.table import Table

from mmalign_eval.results import write_json
from mmalign_eval.stats.compare import Comparison, MetricComparison
from mmalign_eval.stats.gate import GateReport, MetricGate, required_items_note
from mmalign_eval.stats.paired import TaskMismatch

_ARROWS = {"higher": "↑", "lower": "↓", "neither": ""}
_MARKS = {"better": "▲ better", "worse": "▼ worse", "changed": "◆ changed"}
_GATE_MARKS = {
    "pass": "✅ pass",
    "regression": "❌ regression",
    "inconclusive": "⚠️ inconclusive",
    "missing": "❌ missing",
}


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.4f}" if signed else f"{value:.4f}"


def _p(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"


def _narrow(title: str, headers: tuple[str, ...]) -> Table:
    """A table for an 80-column CI log: two values stacked per cell, no vertical rules."""
    table = Table(
        title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1, 0, 0)
    )
    for header in headers:
        table.add_column(header, no_wrap=True, justify="left" if "task" in header else "right")
    return table


def comparison_table(comparison: Comparison) -> Table:
    """One row per task/group metric; significant changes marked by the metric's direction.

    Each cell stacks two values (A over B, the difference over its interval, p over Holm's
    p), so the table fits 80 columns without cutting a name or a number.
    """
    level = f"{comparison.level:.0%}"
    headers = ("task\nmetric", "A\nB", f"B - A\n{level} CI", "p\np (Holm)", "test", "")
    table = _narrow(f"B - A  (A: {comparison.a}, B: {comparison.b})", headers)
    for row in comparison.metrics:
        table.add_row(
            f"{row.target}\n{row.metric} {_ARROWS[row.direction]}".strip(),
            f"{_num(row.a)}\n{_num(row.b)}",
            f"{_num(row.diff, signed=True)}\n{_ci(row)}",
            f"{_p(row.p_value)}\n{_p(row.p_holm)}",
            row.test,
            _mark(row),
            end_section=True,
        )
    return table


def _ci(row: MetricComparison) -> str:
    if row.ci_low is None or row.ci_high is None:
        return ""
    return f"[{row.ci_low:+.4f}, {row.ci_high:+.4f}]"


def _mark(row: MetricComparison) -> str:
    mark = _MARKS.get(row.verdict, "")
    style = {"better": "green", "worse": "red", "changed": "yellow"}.get(row.verdict)
    shown = f"[{style}]{mark}[/]" if style else mark
    # The settings differ: whatever changed is not only the model.
    return f"{shown} [yellow]≠[/]".strip() if row.settings_differ else shown


def mismatch_lines(
    mismatches: list[TaskMismatch], a_only: list[str], b_only: list[str]
) -> list[str]:
    """Human-readable lines about items and tasks found on one side only."""
    lines = []
    for m in mismatches:
        if m.only_in_a or m.only_in_b:
            lines.append(
                f"{m.task}: {m.matched} items matched, {m.only_in_a} only in A "
                f"(e.g. {', '.join(m.only_in_a_examples[:3]) or '-'}), {m.only_in_b} only in B "
                f"(e.g. {', '.join(m.only_in_b_examples[:3]) or '-'})"
            )
    lines += [f"task {t} only in A" for t in a_only] + [f"task {t} only in B" for t in b_only]
    return lines


def gate_table(report: GateReport) -> Table:
    """The gate's verdict per metric, two values stacked per cell (fits 80 columns)."""
    title = f"gate: {report.verdict}  (alpha {report.alpha:g}, power {report.power:g})"
    headers = ("task\nmetric", "base\ncand", "Δ\nbounds", "margin\nMDE", "verdict")
    table = _narrow(title, headers)
    for m in report.metrics:
        table.add_row(
            f"{m.target}\n{m.metric} {_ARROWS[m.direction]}".strip(),
            f"{_num(m.baseline)}\n{_num(m.candidate)}",
            f"{_num(m.delta, signed=True)}\n{_bounds(m)}",
            f"{m.margin:g}\n{_num(m.mde)}",
            m.verdict,
            end_section=True,
        )
    return table


def _bounds(m: MetricGate) -> str:
    if m.lower is None or m.upper is None:
        return ""
    return f"[{m.lower:+.4f}, {m.upper:+.4f}]"


def markdown(report: GateReport) -> str:
    """A summary for a CI job page (e.g. $GITHUB_STEP_SUMMARY)."""
    lines = [
        f"## mmalign-eval gate: {_GATE_MARKS[report.verdict]}",
        "",
        f"Baseline `{report.baseline}`, candidate `{report.candidate}`; alpha {report.alpha:g}, "
        f"power {report.power:g}, {report.resamples:,} paired bootstrap resamples "
        f"(seed {report.seed}). Δ is candidate - baseline with the sign set so that "
        "positive is better; bounds are one-sided.",
        "",
        "| task | metric | baseline | candidate | Δ | bounds | margin | MDE | verdict |",
        "|---|---|---:|---:|---:|---|---:|---:|---|",
    ]
    for m in report.metrics:
        lines.append(
            f"| {m.target} | {m.metric} {_ARROWS[m.direction]} | {_num(m.baseline)} | "
            f"{_num(m.candidate)} | {_num(m.delta, signed=True)} | {_bounds(m)} | {m.margin:g} | "
            f"{_num(m.mde)} | {_GATE_MARKS[m.verdict]} |"
        )
    lines.append("")
    lines += [
        f"- **{m.target}:{m.metric}**: {m.reason}. {required_items_note(m)}" for m in report.metrics
    ]
    if report.failing_tasks:
        lines += [
            "",
            f"❌ Candidate failure rate above the threshold: {', '.join(report.failing_tasks)}",
        ]
    if report.differences:
        lines += ["", "Settings that differ, accepted on purpose:"]
        lines += [f"- {d.line()}" for d in report.differences]
    mismatch = mismatch_lines(report.mismatches, [], [])
    if mismatch:
        lines += ["", "Items not in both runs (not compared):", *[f"- {line}" for line in mismatch]]
    return "\n".join(lines).rstrip() + "\n"


def junit(report: GateReport) -> str:
    """JUnit XML: one test case per gated metric; inconclusive ones are skipped."""
    failures = sum(m.verdict in ("regression", "missing") for m in report.metrics)
    skipped = sum(m.verdict == "inconclusive" for m in report.metrics)
    suite = ElementTree.Element(
        "testsuite",
        name="mmalign-eval gate",
        tests=str(len(report.metrics)),
        failures=str(failures),
        skipped=str(skipped),
        errors="0",
    )
    for m in report.metrics:
        case = ElementTree.SubElement(suite, "testcase", classname=m.target, name=m.metric)
        if m.verdict in ("regression", "missing"):
            ElementTree.SubElement(case, "failure", message=m.reason, type=m.verdict)
        elif m.verdict == "inconclusive":
            note = required_items_note(m)
            ElementTree.SubElement(case, "skipped", message=f"inconclusive: {m.reason}. {note}")
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def write_reports(report: GateReport, folder: Path) -> list[Path]:
    """report.json, summary.md and junit.xml in the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "report.json", report)
    (folder / "summary.md").write_text(markdown(report), encoding="utf-8")
    (folder / "junit.xml").write_text(junit(report), encoding="utf-8")
    return [folder / "report.json", folder / "summary.md", folder / "junit.xml"]
