"""Console tables of results."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from mmalign_eval.registry import Registry
from mmalign_eval.results import MetricResult, ResultsFile, TaskResult
from mmalign_eval.task import TaskSpec

_ARROWS = {"higher": "↑", "lower": "↓", "neither": ""}
SUMMARY_ABOVE = 4  # runs with more tasks print one row per benchmark unless asked for all


def format_value(metric: MetricResult, digits: int = 4) -> str:
    """Metric value for display; undefined values show as an em dash, never 'N/A' in data.

    A value with a caveat (e.g. a non-official judge) is marked with † and explained below.
    """
    if metric.value is None:
        return "—"
    return f"{metric.value:.{digits}f}{' †' if metric.note else ''}"


def format_ci(metric: MetricResult, digits: int = 4) -> str:
    """Interval for display."""
    if metric.ci is None:
        return ""
    return f"[{metric.ci.low:.{digits}f}, {metric.ci.high:.{digits}f}]"


def _failures(task: TaskResult) -> str:
    counts = task.failures
    if counts.total == 0:
        return "0"
    missing = f", {counts.missing} missing" if counts.missing else ""
    return f"{counts.total} ({counts.unparseable} unparseable, {counts.error} error{missing})"


def _judge_counts(task: TaskResult) -> str:
    if task.judge is None:
        return ""
    c = task.judge.counts
    text = f"judge: {c.ok} ok, {c.unparseable} unparseable, {c.error} error"
    return text + (f", {c.not_judged} not judged" if c.not_judged else "")


def results_table(results: ResultsFile) -> Table:
    """One row per task metric and per group metric, primary metrics marked with ★.

    Laid out like the summary (protocol under the task, interval under the value, no
    vertical rules) so that names, values and intervals are never cut at 80 columns.
    """
    table = _narrow_table(results, ("task / protocol", "metric", "value / 95% CI", "n", "failed"))
    for task in results.tasks:
        for index, metric in enumerate(task.metrics):
            first = index == 0
            table.add_row(
                _task_cell(task) if first else "",
                _metric_label(metric),
                f"{format_value(metric)}\n{format_ci(metric)}",
                str(task.n_scored) if first else "",
                _failures(task) if first else "",
                end_section=index == len(task.metrics) - 1,
            )
    for group in results.groups:
        for index, metric in enumerate(group.metrics):
            table.add_row(
                f"{group.group}\n[dim](group)[/]" if index == 0 else "",
                _metric_label(metric),
                f"{format_value(metric)}\n{format_ci(metric)}",
            )
    return table


def _task_cell(task: TaskResult) -> str:
    """The task's name with its protocol on a second, dim line."""
    official = "" if task.protocol.official else " (unofficial)"
    return f"{task.task}\n[dim]{task.protocol.name}{official}[/]"


def _narrow_table(results: ResultsFile, headers: tuple[str, ...]) -> Table:
    table = Table(
        title=f"mmalign-eval results: {results.run_id}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        padding=(0, 1, 0, 0),  # one space between columns keeps the table inside 80
    )
    # Metric labels may wrap at the space before their arrow; the longest metric name sets
    # the column's minimum, so a name itself is never cut.
    names = [m.name for t in results.tasks for m in t.metrics]
    names += [m.name for g in results.groups for m in g.metrics]
    for header in headers:
        metric = "metric" in header
        table.add_column(
            header,
            justify="right" if header == "n" else "left",
            no_wrap=header != "failed" and not metric,
            # 'failed' fits the word 'unparseable' of its breakdown, which never folds.
            min_width=max(
                [len(header), *(map(len, names) if metric else [])]
                + ([len("unparseable")] if header == "failed" else [])
            ),
        )
    return table


def summary_table(results: ResultsFile) -> Table:
    """One row per benchmark: its primary metric with direction, interval and failures.

    Narrow enough for an 80-column CI log: protocol and interval sit on a second line of
    their cells and the table has no vertical rules, so values and intervals are never cut.
    """
    headers = ("benchmark / protocol", "primary metric", "value / 95% CI", "n", "failed")
    table = _narrow_table(results, headers)
    for task in results.tasks:
        metric = next((m for m in task.metrics if m.primary), task.metrics[0])
        judge = _judge_failures(task)
        table.add_row(
            _task_cell(task),
            _metric_label(metric, mark_primary=False),
            _value_and_ci(metric),
            str(task.n_scored),
            _failures(task) + (f"; {judge}" if judge else ""),
        )
    for group in results.groups:
        metric = next((m for m in group.metrics if m.primary), group.metrics[0])
        label = _metric_label(metric, mark_primary=False)
        table.add_row(f"{group.group}\n[dim](group)[/]", label, _value_and_ci(metric))
    return table


def _value_and_ci(metric: MetricResult) -> str:
    digits = 1 if metric.scale == "percent" else 3  # percentages print as 41.9, not 41.9000
    return f"{format_value(metric, digits)}\n{format_ci(metric, digits)}"


def _judge_failures(task: TaskResult) -> str:
    if task.judge is None or task.judge.failed == 0:
        return ""
    return f"judge {task.judge.failed} failed"


def _metric_label(metric: MetricResult, mark_primary: bool = True) -> str:
    star = " ★" if metric.primary and mark_primary else ""
    return f"{metric.name} {_ARROWS[metric.direction]}{star}".strip()


_MARKS = (
    ("↑", "higher is better"),
    ("↓", "lower is better"),
    ("★", "primary metric"),
    ("†", "not comparable with papers (why: below)"),
)


def marks_legend(results: ResultsFile, full: bool) -> str:
    """One line explaining the marks the printed table uses (empty when it uses none)."""
    metrics = [m for t in results.tasks for m in t.metrics]
    metrics += [m for g in results.groups for m in g.metrics]
    if not full:  # the summary shows each benchmark's primary metric only, unstarred
        metrics = [m for m in metrics if m.primary]
    used = {_ARROWS[m.direction] for m in metrics}
    used |= {"★"} if full and any(m.primary for m in metrics) else set()
    used |= {"†"} if any(m.note for m in metrics) else set()
    return "  ".join(f"{mark} {meaning}" for mark, meaning in _MARKS if mark in used)


def print_results(results: ResultsFile, console: Console, all_metrics: bool | None = None) -> None:
    """Print the table (every metric, or the per-benchmark summary) and failure verdicts."""
    full = len(results.tasks) <= SUMMARY_ABOVE if all_metrics is None else all_metrics
    console.print(results_table(results) if full else summary_table(results))
    legend = marks_legend(results, full)
    if legend:
        console.print(f"[dim]{legend}[/]")
    if not full:
        console.print(
            "[dim]primary metrics only; every metric is in results.json (`--all-metrics` "
            "prints them here)[/]"
        )
    for task in results.tasks:
        _print_judge(task, console)
    for group in results.groups:
        notes = dict.fromkeys(m.note for m in group.metrics if m.note)
        for note in notes:
            console.print(f"[yellow]† {group.group}: {note}; not comparable with papers[/]")
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
        f"; {_judge_counts(task)}"
    )
    if not judge.official:
        console.print(f"[yellow]† {task.task}: {judge.note}; not comparable with papers[/]")
    if judge.failure_rate > judge.max_failure_rate:
        console.print(
            f"[red]{task.task}: {judge.failed} of {judge.counts.total} judgements failed "
            f"({judge.failure_rate:.1%} > --judge-max-failure-rate {judge.max_failure_rate:.1%})[/]"
        )


def tasks_table(registry: Registry) -> Table:
    """Tasks by family with their primary metric and protocols (default first).

    Narrow enough for 80 columns: names and metrics never wrap, protocol lists wrap between
    items and nothing is cut; `mmalign-eval tasks NAME` lists every metric (task_details).
    """
    table = _plain_table("mmalign-eval tasks")
    table.add_column("task", no_wrap=True)
    table.add_column("primary metric", no_wrap=True)
    table.add_column("protocols, default first")
    families: dict[str, list[TaskSpec[Any]]] = {}
    for task in registry.tasks.values():
        families.setdefault(task.family, []).append(task)
    for family, tasks in families.items():
        table.add_row(f"[bold]{family}[/]", "", "")
        for index, task in enumerate(tasks):
            table.add_row(
                f"  {task.name}", _primary(task), ", ".join(_protocols(task)),
                end_section=index == len(tasks) - 1,
            )  # fmt: skip
    return table


def groups_table(registry: Registry) -> Table:
    """Groups (reported together, with their own metrics) and suites (run together)."""
    table = _plain_table("groups and suites")
    table.add_column("name", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("members")
    for group in registry.groups.values():
        table.add_row(group.name, "group", ", ".join(group.tasks))
    for suite in registry.suites.values():
        table.add_row(suite.name, "suite", ", ".join(suite.members))
    return table


def _plain_table(title: str) -> Table:
    return Table(
        title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 2, 0, 0)
    )


def _primary(task: TaskSpec[Any]) -> str:
    metric = next((m for m in task.metrics if m.primary), task.metrics[0])
    return f"{metric.name} {_ARROWS[metric.direction]}".strip()


def _protocols(task: TaskSpec[Any]) -> list[str]:
    default = task.default_protocol
    return [default, *(p for p in task.protocol_names if p != default)]


def task_details(registry: Registry, name: str) -> list[str]:
    """Lines describing one task, group or suite: every metric and every protocol."""
    if name in registry.groups or name in registry.suites:
        return [f"{name}: {', '.join(registry.expand([name]))}"]
    task = registry.tasks[name]
    lines = [f"{task.name} ({task.family}, version {task.version}): {task.description}", ""]
    lines.append("metrics (↑ higher is better, ↓ lower is better, ★ primary):")
    lines += [
        f"  {m.name} {_ARROWS[m.direction]}{' ★' if m.primary else ''}".rstrip()
        for m in task.metrics
    ]
    lines.append("protocols:")
    for protocol in task.protocols:
        default = " (default)" if protocol.name == task.default_protocol else ""
        lines.append(f"  {protocol.name}{default}: {protocol.description}")
    return lines
