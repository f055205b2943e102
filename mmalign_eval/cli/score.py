"""`mmalign-eval score TASK --predictions FILE`: score answers produced elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mmalign_eval.cli.console import err, out
from mmalign_eval.cli.groups import OptionGroup, option_groups
from mmalign_eval.cli.options import JudgeOptions, ScoringOptions, cache_path, split_list
from mmalign_eval.errors import EXIT_FAILURE, UsageError

if TYPE_CHECKING:
    from mmalign_eval.evaluation import TaskEvaluation
    from mmalign_eval.registry import Registry
    from mmalign_eval.results import ResultsFile
    from mmalign_eval.task import DataRequest, TaskSpec


@dataclass(frozen=True)
class ItemSelection(OptionGroup):
    """Which benchmark items are scored (the others are left out, not missing)."""

    ids: Annotated[
        str | None, typer.Option(help="Score only these benchmark ids (comma-separated).")
    ] = None
    limit: Annotated[
        int | None, typer.Option(min=1, help="Score only the first N benchmark items.")
    ] = None


@option_groups
def score(
    *,
    task: Annotated[str, typer.Argument(help="Task name, e.g. pope_adversarial.")],
    predictions: Annotated[
        Path,
        typer.Option(
            help="JSON Lines (question_id/id + text/answer/response), or the benchmark's own "
            "output file or folder where it reads one (see its README section)."
        ),
    ],
    data: Annotated[
        str | None, typer.Option(help="Official label file, local dataset or HF id.")
    ] = None,
    protocol: Annotated[
        str | None,
        typer.Option(help="Answer protocol (default: the task's own, see `mmalign-eval tasks`)."),
    ] = None,
    image_dir: Annotated[
        Path | None,
        typer.Option(
            help="The benchmark's image folder, for benchmarks whose items are their images "
            "(CHAIR, Object HalBench): images without a caption count as missing."
        ),
    ] = None,
    selection: ItemSelection,
    output: Annotated[Path | None, typer.Option(help="Where to write results.json.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    scoring: ScoringOptions,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Cache for synthetic data, models and media.")
    ] = None,
    judging: JudgeOptions,
) -> None:
    """Score answers produced elsewhere against a benchmark's labels, matched by id.

    Benchmark items without an answer are failures (`missing`), unless --ids/--limit leave
    them out. For judged tasks a `judgement` field per line (the judge's raw text) is
    aggregated without calling a judge; lines without one are judged by --judge.
    """
    from mmalign_eval.registry import build_registry
    from mmalign_eval.scoring import ScoreRequest, score_predictions

    spec = _single_task(build_registry(), task)
    judge = judging.config()
    request = ScoreRequest(
        task=spec,
        predictions=predictions,
        data=_data_request(spec, data, image_dir, cache_dir, judge is not None),
        protocol=protocol,
        seed=seed,
        resamples=scoring.bootstrap_resamples,
        max_failure_rate=scoring.max_failure_rate,
        judge=judge,
        output_dir=output.parent if output else None,
        console=err,
        ids=tuple(split_list([selection.ids] if selection.ids else None)),
        limit=selection.limit,
    )
    _write(*score_predictions(request), output)


def _data_request(
    spec: TaskSpec[Any], data: str | None, image_dir: Path | None, cache: Path | None, judged: bool
) -> DataRequest:
    """The labels to load: without the images unless a judge that looks at them is asked."""
    from mmalign_eval.task import DataRequest

    return DataRequest(
        source=data,
        image_dir=str(image_dir) if image_dir else None,
        cache_dir=cache_path(cache),
        need_media=judged and spec.judge is not None and spec.judge.shows_images,
    )


def _single_task(registry: Registry, name: str) -> TaskSpec[Any]:
    """The task of that name; a group or suite name is a usage error."""
    if name not in registry.tasks:
        registry.expand([name])  # raises the unknown-task error with the list of names
        raise UsageError(
            f"score takes a single task, not the group or suite '{name}'",
            f"score one of: {', '.join(registry.expand([name]))}",
        )
    return registry.tasks[name]


def _write(results: ResultsFile, evaluation: TaskEvaluation, output: Path | None) -> None:
    """Report, print and write the scores; exit 1 above the failure threshold."""
    from mmalign_eval.report import print_results
    from mmalign_eval.results import write_json, write_jsonl

    _report_matching(evaluation.result.matching)
    print_results(results, out)
    target = output or Path("results") / results.run_id / "results.json"
    write_json(target, results)
    write_jsonl(target.with_name("samples.jsonl"), evaluation.records)
    err.print(f"wrote {target}")
    if not results.passed:
        raise typer.Exit(EXIT_FAILURE)


def _report_matching(matching: object) -> None:
    from mmalign_eval.results import MatchReport

    if not isinstance(matching, MatchReport):
        return
    if matching.missing_predictions:
        err.print(
            f"[yellow]{matching.missing_predictions} benchmark ids have no prediction "
            f"(e.g. {', '.join(matching.missing_examples[:5])}); they count as failures "
            "(missing)[/]"
        )
    if matching.outside_selection:
        err.print(
            f"[dim]{matching.outside_selection} predictions are for ids that --ids/--limit "
            "left out[/]"
        )
    if matching.unmatched_predictions:
        err.print(
            f"[yellow]{matching.unmatched_predictions} predictions match no benchmark id "
            f"(e.g. {', '.join(matching.unmatched_examples[:5])}); they are ignored[/]"
        )
