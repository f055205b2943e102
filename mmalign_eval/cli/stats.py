"""`mmalign-eval compare A B` and `mmalign-eval check` (the CI gate).

check exit codes: 0 passed, 1 regression, 2 usage error, 3 inconclusive (subset too small
to detect the margin).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mmalign_eval.cli.console import err, out
from mmalign_eval.cli.engine import check_model, load_engine
from mmalign_eval.cli.groups import OptionGroup, option_groups
from mmalign_eval.cli.options import cache_path
from mmalign_eval.errors import UsageError

if TYPE_CHECKING:
    from mmalign_eval.metrics.base import MetricSpec
    from mmalign_eval.plan import RunConfig
    from mmalign_eval.runner import RunManifest
    from mmalign_eval.stats.comparable import SettingDifference
    from mmalign_eval.stats.gate import GatePolicy, GateReport
    from mmalign_eval.stats.paired import Alignment, RunRecords
    from mmalign_eval.task import GroupMetric

AllowOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-difference",
        help="Accept a setting that differs between the runs on purpose: data, ids, "
        "task_version, prompt, protocol, generation or judge (repeatable).",
    ),
]


@dataclass(frozen=True)
class _Definitions:
    """What compare and check read from the registry: task metrics, group combinations."""

    metrics: dict[str, Sequence[MetricSpec]]
    combinations: dict[str, Sequence[GroupMetric]]


def _definitions() -> _Definitions:
    from mmalign_eval.registry import build_registry

    registry = build_registry()  # once: building it imports and calls every task factory
    return _Definitions(
        metrics={name: task.metrics for name, task in registry.tasks.items()},
        combinations={name: group.combine for name, group in registry.groups.items()},
    )


def compare(
    a: Annotated[Path, typer.Argument(help="Run folder or results.json (with samples.jsonl).")],
    b: Annotated[Path, typer.Argument(help="The run to compare against A.")],
    level: Annotated[float, typer.Option(min=0.5, max=0.999, help="Interval level.")] = 0.95,
    resamples: Annotated[int, typer.Option(min=100, help="Paired bootstrap resamples.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the comparison as JSON.")
    ] = None,
    allow_difference: AllowOpt = None,
) -> None:
    """Paired comparison B - A per task and metric: interval, p-value, Holm correction.

    Tasks whose settings differ (data, ids, version, prompt, protocol, generation, judge)
    are listed above the table and their rows marked ≠, unless the difference is allowed.
    """
    from mmalign_eval.metrics.bootstrap import BootstrapConfig
    from mmalign_eval.results import write_json
    from mmalign_eval.stats.comparable import parse_allowed, run_differences
    from mmalign_eval.stats.compare import compare_runs
    from mmalign_eval.stats.paired import load_run
    from mmalign_eval.stats.report import comparison_table, mismatch_lines

    allowed = parse_allowed(allow_difference or [])
    run_a, run_b = load_run(a), load_run(b)
    config = BootstrapConfig(resamples=resamples, level=level, seed=seed)
    differences = run_differences(run_a, run_b, allowed)
    defs = _definitions()
    comparison = compare_runs(run_a, run_b, defs.metrics, config, differences, defs.combinations)
    if not comparison.metrics:
        raise UsageError(f"{a} and {b} share no scored items", "compare runs of the same tasks")
    _print_differences(differences)
    for line in mismatch_lines(
        comparison.mismatches, comparison.tasks_only_in_a, comparison.tasks_only_in_b
    ):
        err.print(f"[yellow]not compared: {line}[/]", highlight=False, soft_wrap=True)
    out.print(comparison_table(comparison))
    err.print(
        f"p-values: exact McNemar for 0/1 per-item scores on independent items, else a paired "
        f"{config.resamples:,}-resample bootstrap (by image where items share one); Holm "
        f"over {len(comparison.metrics)} metrics; marked at alpha {1 - level:.2g}",
        highlight=False,
        soft_wrap=True,
    )
    if json_out is not None:
        write_json(json_out, comparison)


def _print_differences(differences: Sequence[SettingDifference]) -> None:
    """The settings that differ between compared runs; a warning if any is not allowed."""
    for difference in differences:
        style = "dim" if difference.allowed else "yellow"
        err.print(f"[{style}]settings: {difference.line()}[/]", highlight=False, soft_wrap=True)
    if any(not d.allowed for d in differences):
        err.print(
            "[yellow]rows marked ≠ compare runs whose settings differ: their changes are not "
            "only the model's (--allow-difference FIELD accepts a difference on purpose)[/]",
            highlight=False,
            soft_wrap=True,
        )


def _margins(metric: list[str] | None) -> list[dict[str, Any]]:
    """--metric task:metric[=margin] options as policy entries."""
    entries: list[dict[str, Any]] = []
    for text in metric or []:
        name, _, margin = text.partition("=")
        target, _, metric_name = name.partition(":")
        if not target or not metric_name:
            raise UsageError(f"bad --metric {text!r}", "use task:metric or task:metric=margin")
        try:
            entry: dict[str, Any] = {"target": target, "metric": metric_name}
            if margin:
                entry["margin"] = float(margin)
        except ValueError as exc:
            raise UsageError(f"bad margin in --metric {text!r}") from exc
        entries.append(entry)
    return entries


def build_policy(path: Path | None, overrides: Mapping[str, Any]) -> GatePolicy:
    """The policy file's settings (if any) with the command-line options on top."""
    from pydantic import ValidationError

    from mmalign_eval.stats.gate import GatePolicy, find_policy, load_policy

    found = find_policy(path, Path.cwd())
    base = load_policy(found).model_dump() if found else {}
    given = {key: value for key, value in overrides.items() if value not in (None, [], ())}
    try:
        return GatePolicy.model_validate({**base, **given})
    except ValidationError as exc:
        raise UsageError(f"bad gate option: {exc.errors()[0]['msg']}") from exc


@dataclass(frozen=True)
class PolicyOptions(OptionGroup):
    """The gate policy: a policy file, and options that override its settings."""

    policy: Annotated[
        Path | None, typer.Option(help="Policy file (default: ./.mmalign-gate.toml or .json).")
    ] = None
    metric: Annotated[
        list[str] | None, typer.Option(help="Gate task:metric[=margin] (repeatable).")
    ] = None
    margin: Annotated[float | None, typer.Option(help="Default margin (0.02).")] = None
    alpha: Annotated[float | None, typer.Option(help="One-sided level (0.05).")] = None
    power: Annotated[float | None, typer.Option(help="Power for the MDE (0.8).")] = None
    subset: Annotated[
        str | None, typer.Option(help="With --model: 'smoke' or 'full' (default: baseline's).")
    ] = None
    subset_size: Annotated[int | None, typer.Option(min=1, help="Items per task.")] = None
    resamples: Annotated[int | None, typer.Option(help="Bootstrap resamples (2000).")] = None
    seed: Annotated[int | None, typer.Option(help="Bootstrap seed (0).")] = None

    def rules(self) -> GatePolicy:
        """The policy file's settings (if any) with these options on top."""
        overrides = {
            "alpha": self.alpha,
            "power": self.power,
            "margin": self.margin,
            "resamples": self.resamples,
            "seed": self.seed,
            "subset": self.subset,
            "subset_size": self.subset_size,
            "gate": _margins(self.metric),
        }
        return build_policy(self.policy, overrides)


@dataclass(frozen=True)
class ReplayOptions(OptionGroup):
    """How `check --model` runs the candidate (None: as the baseline was run)."""

    output_dir: Annotated[
        Path, typer.Option(help="With --model: parent folder of the candidate run.")
    ] = Path("results")
    batch_size: Annotated[int | None, typer.Option(min=1, help="With --model.")] = None
    device: Annotated[str | None, typer.Option(help="With --model: auto, cpu or cuda.")] = None
    cache_dir: Annotated[Path | None, typer.Option(help="Cache for models and data.")] = None

    def engine_changes(self) -> dict[str, Any]:
        """The engine settings given, to replace the baseline's."""
        given = {"batch_size": self.batch_size, "device": self.device}
        return {key: value for key, value in given.items() if value is not None}


@option_groups
def check(
    *,
    baseline: Annotated[Path, typer.Option(help="Baseline run folder (or results.json).")],
    candidate: Annotated[
        Path | None, typer.Option(help="Candidate run folder (or results.json).")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Evaluate this checkpoint exactly as the baseline was.")
    ] = None,
    gate_policy: PolicyOptions,
    report_dir: Annotated[
        Path, typer.Option(help="Where report.json, summary.md, junit.xml go.")
    ] = Path("results") / "gate-report",
    replay: ReplayOptions,
    allow_difference: AllowOpt = None,
) -> None:
    """CI gate: fail (exit 1) on a real drop that may exceed the margin or on a gated metric
    the candidate lacks; 2: runs not comparable; 3: inconclusive."""
    from mmalign_eval.stats.comparable import parse_allowed, run_differences
    from mmalign_eval.stats.paired import load_run

    allowed = parse_allowed(allow_difference or [])
    if (candidate is None) == (model is None):
        raise UsageError("pass exactly one of --candidate RUN and --model CHECKPOINT")
    rules = gate_policy.rules()
    base = load_run(baseline)
    subset_asked = False
    if model is not None:
        candidate, subset_asked = _evaluate_candidate(base, model, rules, replay)
    assert candidate is not None
    cand = load_run(candidate)
    differences = run_differences(base, cand, allowed, subset_asked)
    raise typer.Exit(_gate(base, cand, rules, report_dir, differences))


def _refuse_incomparable(differences: Sequence[SettingDifference]) -> None:
    from mmalign_eval.stats.comparable import blocking

    refused = blocking(differences)
    if not refused:
        return
    for difference in refused:
        err.print(f"settings: {difference.line()}", highlight=False, soft_wrap=True)
    fields = sorted({d.field for d in refused})
    raise UsageError(
        f"baseline and candidate are not comparable: {len(refused)} task settings differ "
        f"({', '.join(fields)})",
        "evaluate the candidate as the baseline was (`check --model` replays it), or accept "
        f"a difference on purpose with --allow-difference {fields[0]}",
    )


def _gate(
    base: RunRecords,
    cand: RunRecords,
    rules: GatePolicy,
    report_dir: Path,
    differences: Sequence[SettingDifference],
) -> int:
    """Decide every gated metric, print and write the report; the exit code."""
    from mmalign_eval.metrics.bootstrap import BootstrapConfig
    from mmalign_eval.stats.compare import diff_runs
    from mmalign_eval.stats.gate import GateReport, decide, gated_metrics, missing_gate, overall
    from mmalign_eval.stats.report import write_reports

    _refuse_incomparable(differences)
    config = BootstrapConfig(resamples=rules.resamples, seed=rules.seed)
    defs = _definitions()
    alignment, diffs = diff_runs(base, cand, defs.metrics, config, defs.combinations)
    choices = gated_metrics(base.results, diffs, rules)
    if not choices:
        raise UsageError("no metric to gate", "name one with --metric task:metric")
    gates = [
        decide(c.diff, c.margin, rules.alpha, rules.power)
        if c.diff is not None
        else missing_gate(c, base.results, cand.results)
        for c in choices
    ]
    failing = [t.task for t in cand.results.tasks if t.failure_rate > cand.results.max_failure_rate]
    verdict, code = overall(gates, len(failing))
    report = GateReport(
        baseline=str(base.source),
        candidate=str(cand.source),
        verdict=verdict,
        exit_code=code,
        alpha=rules.alpha,
        power=rules.power,
        resamples=rules.resamples,
        seed=rules.seed,
        mismatches=alignment.mismatches,
        metrics=gates,
        failing_tasks=failing,
        differences=list(differences),
    )
    _print_gate(report, alignment)
    written = write_reports(report, report_dir)
    err.print(f"gate {verdict} (exit {code}); wrote {', '.join(str(p) for p in written)}")
    return code


def _print_gate(report: GateReport, alignment: Alignment) -> None:
    """The gate's table on stdout; failing tasks, mismatches, settings and reasons on stderr."""
    from mmalign_eval.stats.report import gate_table, mismatch_lines

    if report.failing_tasks:
        failing = ", ".join(report.failing_tasks)
        err.print(f"[red]candidate failure rate above the threshold: {failing}[/]")
    for line in mismatch_lines(
        alignment.mismatches, alignment.tasks_only_in_a, alignment.tasks_only_in_b
    ):
        err.print(f"[yellow]not compared: {line}[/]", highlight=False, soft_wrap=True)
    for difference in report.differences:
        err.print(f"[dim]settings: {difference.line()}[/]", highlight=False, soft_wrap=True)
    out.print(gate_table(report))
    for gate in report.metrics:
        err.print(f"{gate.target}:{gate.metric}: {gate.reason}", highlight=False, soft_wrap=True)


def _evaluate_candidate(
    base: RunRecords, model: str, rules: GatePolicy, replay: ReplayOptions
) -> tuple[Path, bool]:
    """Run the checkpoint with the baseline's tasks, subset, protocols and generation.

    Also says whether the run evaluates a different subset than the baseline's because the
    options or the policy asked for one.
    """
    from pydantic import ValidationError

    from mmalign_eval.engines.base import EngineConfig
    from mmalign_eval.registry import build_registry
    from mmalign_eval.runner import run as run_evaluation

    manifest = baseline_manifest(base.source)
    output_dir, cache_dir = str(replay.output_dir), cache_path(replay.cache_dir)
    config = replay_config(manifest, model, rules, output_dir, cache_dir)
    changes = replay.engine_changes()
    try:
        settings = EngineConfig.model_validate({**config.engine.model_dump(), **changes})
    except ValidationError as exc:
        raise UsageError(f"bad engine option: {exc.errors()[0]['msg']}") from exc
    config = config.model_copy(update={"engine": settings})
    check_model(settings)
    err.print(f"evaluating candidate {model} as the baseline was evaluated")
    outcome = run_evaluation(config, build_registry(), err, load_engine)
    if outcome is None:  # another rank of a data-parallel run: rank 0 gates
        raise typer.Exit(0)
    return outcome.run_dir, config.subset != manifest.config.subset


def baseline_manifest(baseline_dir: Path) -> RunManifest:
    """The baseline's manifest, which `check --model` replays."""
    from pydantic import ValidationError

    from mmalign_eval.runner import RunManifest

    path = baseline_dir / "manifest.json"
    if not path.is_file():
        raise UsageError(
            f"{baseline_dir} has no manifest.json, so it cannot be replayed",
            "--model needs a baseline written by `mmalign-eval run`; else pass --candidate",
        )
    try:
        manifest = RunManifest.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise UsageError(f"unreadable baseline manifest {path}: {exc.errors()[0]['msg']}") from exc
    return manifest


def replay_config(
    manifest: RunManifest, model: str, rules: GatePolicy, output_dir: str, cache_dir: str
) -> RunConfig:
    """The baseline's run configuration with the model (and maybe the subset) replaced."""
    from mmalign_eval.stats.subsets import parse_subset

    config = manifest.config
    update: dict[str, Any] = {
        "engine": config.engine.model_copy(update={"model": model}),
        "run_id": None,
        "output_dir": output_dir,
        "cache_dir": cache_dir,
    }
    base = config.subset
    if rules.subset is not None and (base is None or rules.subset != base.name):
        # Another subset than the baseline's (a smoke subset of a full baseline): as given.
        update["subset"] = parse_subset(rules.subset, rules.subset_size)
    elif rules.subset_size is not None and base is not None:
        update["subset"] = base.model_copy(update={"size": rules.subset_size})
    # Otherwise the baseline's subset exactly (size and seed): `--subset smoke` alone never
    # falls back to the default size.
    return config.model_copy(update=update)
