"""Console tables of results."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from mmalign_eval.registry import Registry
from mmalign_eval.results import MetricResult, ResultsFile, TaskResult

_ARROWS = {"higher": "↑", "lower": "↓", "neither": ""}


def format_value(metric: MetricResult) -> str:
    """Metric value for display; undefined values show as an em dash, never 'N/A' in data.

    A value with a caveat (e.g. a non-official judge) is marked with † and explained below.
    """
    if metric.value is None:
        return "—"
    return f"{metric.value:.4f}{' †' if metric.note else ''}"


def format_ci(metric: MetricResult) -> str:
    """Interval for display."""
    if metric.ci is None:
        return ""
    return f"[{metric.ci.low:.4f}, {metric.ci.high:.4f}]"


def _failures(task: TaskResult) -> str:
    counts = task.failures
    if counts.total == 0:
        return "0"
    return f"{counts.total} ({counts.unparseable} unparseable, {counts.error} error)"


def _judge_counts(task: TaskResult) -> str:
    if task.judge is None:
        return ""
    c = task.judge.counts
    text = f"judge: {c.ok} ok, {c.unparseable} unparseable, {c.error} error"
    return text + (f", {c.not_judged} not judged" if c.not_judged else "")


def results_table(results: ResultsFile) -> Table:
    """One row per task metric and per group metric, primary metrics marked with ★."""
    table = Table(title=f"mmalign-eval results: {results.run_id}", show_lines=False)
    for header in ("task", "protocol", "metric", "value", "95% CI", "n", "failures"):
        # Names never wrap or get cut ("pope_adver…"), even at 80 columns in a pipe or CI log.
        table.add_column(
            header,
            justify="right" if header in ("value", "n") else "left",
            no_wrap=header == "task",
        )
    for task in results.tasks:
        for index, metric in enumerate(task.metrics):
            first = index == 0
            table.add_row(
                task.task if first else "",
                task.protocol.name if first else "",
                _metric_label(metric),
                format_value(metric),
                format_ci(metric),
                str(task.n_scored) if first else "",
                _failures(task) if first else (_judge_counts(task) if index == 1 else ""),
                end_section=index == len(task.metrics) - 1,
            )
    for group in results.groups:
        for index, metric in enumerate(group.metrics):
            table.add_row(
                group.group if index == 0 else "",
                "",
                _metric_label(metric),
                format_value(metric),
                format_ci(metric),
                "",
                "",
            )
    return table


def _metric_label(metric: MetricResult) -> str:
    star = " ★" if metric.primary else ""
    return f"{metric.name} {_ARROWS[metric.direction]}{star}".strip()


def print_results(results: ResultsFile, console: Console) -> None:
    """Print the table and a verdict about failures."""
    console.print(results_table(results))
    for task in results.tasks:
        _print_judge(task, console)
    for task in results.tasks:
        if task.failure_rate > results.max_failure_rate:
            console.print(
                f"[red]{task.task}: {task.failures.total} of {task.n_samples} items failed "
                f"({task.failure_rate:.1%} > --max-failure-rate {results.max_failure_rate:.1%})[/]"
            )
            for example in task.failure_examples:
                console.print(f"  {example.sample_id}: {example.status}: {example.reason}")


def _print_judge(task: TaskResult, console: Console) -> None:
    judge = task.judge
    if judge is None:
        return
    console.print(
        f"{task.task}: judge {judge.judge.label}, template {judge.template.name} "
        f"v{judge.template.version} ({judge.template.sha256[:12]}), unparseable judgements "
        f"{'scored 0 (official script)' if judge.unparseable_policy == 'zero' else 'are failures'}"
    )
    if not judge.official:
        console.print(f"[yellow]† {task.task}: {judge.note}; not comparable with papers[/]")
    if judge.failure_rate > judge.max_failure_rate:
        console.print(
            f"[red]{task.task}: {judge.counts.failed} of {judge.counts.total} judgements failed "
            f"({judge.failure_rate:.1%} > --judge-max-failure-rate {judge.max_failure_rate:.1%})[/]"
        )


def tasks_table(registry: Registry) -> Table:
    """Tasks with their family, groups, metrics (primary ★) and protocols; then suites."""
    table = Table(title="mmalign-eval tasks")
    for header in ("name", "kind", "family / members", "metrics", "protocols"):
        table.add_column(header, no_wrap=header == "name")
    member_of = {t: g.name for g in registry.groups.values() for t in g.tasks}
    for task in registry.tasks.values():
        metrics = ", ".join(
            f"{m.name}{_ARROWS[m.direction]}{' ★' if m.primary else ''}" for m in task.metrics
        )
        group = f" (group {member_of[task.name]})" if task.name in member_of else ""
        protocols = ", ".join(
            f"{p}{' (default)' if p == task.default_protocol else ''}" for p in task.protocols
        )
        table.add_row(task.name, "task", task.family + group, metrics, protocols)
    for spec in registry.groups.values():
        means = ", ".join([*(f"mean_{m}" for m in spec.mean_of), *(c.name for c in spec.combine)])
        table.add_row(spec.name, "group", ", ".join(spec.tasks), means, "")
    for suite in registry.suites.values():
        table.add_row(suite.name, "suite", ", ".join(suite.members), "", "")
    return table
