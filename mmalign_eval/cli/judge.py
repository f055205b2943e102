"""`mmalign-eval judge RUN_DIR`: (re-)run the judge stage of a finished run, then re-score."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mmalign_eval.cli.console import err, out
from mmalign_eval.cli.groups import option_groups
from mmalign_eval.cli.options import AllMetricsOpt, JudgeOptions
from mmalign_eval.errors import EXIT_FAILURE, DataError


@option_groups
def judge(
    *,
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `mmalign-eval run`.")],
    judging: JudgeOptions,
    all_metrics: AllMetricsOpt = None,
) -> None:
    """Run or complete the judge stage of a run folder (default: the run's judge), re-score."""
    from mmalign_eval.locks import exclusive
    from mmalign_eval.rejudge import rejudge_run
    from mmalign_eval.report import print_results
    from mmalign_eval.runner import run_lock

    config = judging.config()
    if not (run_dir / "manifest.json").is_file():
        raise DataError(f"{run_dir} has no manifest.json", "pass a folder written by `run`")
    with exclusive(run_lock(run_dir, 0), f"run folder {run_dir}"):
        done = rejudge_run(run_dir, config, err)
    print_results(done.results, out, all_metrics)
    if done.written.name != "results.json":
        err.print(
            f"[yellow]the judge stage failed: {run_dir}/results.json and the run's judge are "
            f"kept; the new results are in {done.written.name} beside them[/]"
        )
        raise typer.Exit(EXIT_FAILURE)
    err.print(f"wrote {run_dir}/results.json, samples.jsonl")
    if not done.results.passed:
        raise typer.Exit(EXIT_FAILURE)
