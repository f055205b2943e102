"""Command line: `mmalign-eval run | score | tasks | validate`.

Exit codes: 0 done; 1 failures above the threshold or a fatal error; 2 usage error.
"""

from __future__ import annotations

import logging
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer
from rich.console import Console
from rich.markup import escape

from mmalign_eval.cli_judge import (
    AllMetricsOpt,
    JudgeBaseUrlOpt,
    JudgeConcurrencyOpt,
    JudgeKeyEnvOpt,
    JudgeMaxCallsOpt,
    JudgeMaxFailOpt,
    JudgeMaxTokensOpt,
    JudgeModeOpt,
    JudgeNewTokensOpt,
    JudgeOpt,
    JudgeRetriesOpt,
    JudgeRetryBaseOpt,
    JudgeTimeoutOpt,
    RunJudgeOpt,
    check_judge,
    judge,
    judge_config,
)
from mmalign_eval.cli_leaderboard import leaderboard_app
from mmalign_eval.cli_resources import resources_app
from mmalign_eval.cli_stats import check, compare
from mmalign_eval.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, HarnessError, UsageError
from mmalign_eval.judges.records import DEFAULT_API_KEY_ENV, DEFAULT_BASE_URL
from mmalign_eval.paths import default_cache_dir

if TYPE_CHECKING:
    from mmalign_eval.engines.base import Engine
    from mmalign_eval.judges.records import JudgeConfig
    from mmalign_eval.plan import RunConfig
    from mmalign_eval.stats.subsets import SubsetSpec

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Evaluate aligned multimodal LLMs on hallucination, safety, reasoning and preference.",
)
app.add_typer(leaderboard_app, name="leaderboard")
app.add_typer(resources_app, name="resources")
out = Console()
err = Console(stderr=True)


class DTypeChoice(str, Enum):
    """Weights dtype choices (auto: bfloat16 on a capable GPU, else float32)."""

    auto = "auto"
    float32 = "float32"
    bfloat16 = "bfloat16"
    float16 = "float16"


class DeviceChoice(str, Enum):
    """Device choices (auto: CUDA when visible)."""

    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


TasksOpt = Annotated[
    list[str] | None,
    typer.Option("--tasks", "-t", help="Tasks, groups or suites (comma-separated or repeated)."),
]


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _cache(cache_dir: Path | None) -> str:
    return str(cache_dir or default_cache_dir())


@app.command()
def run(
    model: Annotated[str, typer.Option(help="HF model id, local checkpoint folder, or 'tiny'.")],
    tasks: TasksOpt = None,
    suite: Annotated[
        list[str] | None, typer.Option(help="Suites to run (same as --tasks).")
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            help="'synthetic[:N]', a local path or a HF dataset id; TASK=VALUE for one task "
            "or group (repeatable)."
        ),
    ] = None,
    image_dir: Annotated[
        list[str] | None,
        typer.Option(help="Image folder for official label files; TASK=FOLDER for one task."),
    ] = None,
    revision: Annotated[str | None, typer.Option(help="Dataset revision on the Hub.")] = None,
    protocol: Annotated[
        list[str] | None,
        typer.Option(
            help="Answer protocol (default: each task's own, listed by `mmalign-eval tasks`); "
            "TASK=NAME for one task."
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 8,
    dtype: Annotated[DTypeChoice, typer.Option(help="Model weights dtype.")] = DTypeChoice.auto,
    device: Annotated[
        DeviceChoice, typer.Option(help="Where to run the model.")
    ] = DeviceChoice.auto,
    trust_remote_code: Annotated[
        bool, typer.Option(help="Run code shipped with the model.")
    ] = False,
    max_new_tokens: Annotated[
        int | None, typer.Option(min=1, help="Override the task's value.")
    ] = None,
    temperature: Annotated[
        float | None, typer.Option(min=0.0, help="Override (0 = greedy).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="First N samples per task (debugging).")
    ] = None,
    ids: Annotated[str | None, typer.Option(help="Comma-separated sample ids (debugging).")] = None,
    subset: Annotated[
        str | None, typer.Option(help="'smoke': a deterministic stratified subset per task.")
    ] = None,
    subset_size: Annotated[
        int | None, typer.Option(min=1, help="Items per task in the subset (default 300).")
    ] = None,
    output_dir: Annotated[Path, typer.Option(help="Parent folder of run folders.")] = Path(
        "results"
    ),
    run_id: Annotated[str | None, typer.Option(help="Run folder name (default: derived).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    bootstrap_resamples: Annotated[int, typer.Option(min=10)] = 1000,
    max_failure_rate: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.05,
    cache_dir: Annotated[Path | None, typer.Option(help="Cache for models, data, media.")] = None,
    judge: RunJudgeOpt = None,
    judge_base_url: JudgeBaseUrlOpt = DEFAULT_BASE_URL,
    judge_api_key_env: JudgeKeyEnvOpt = DEFAULT_API_KEY_ENV,
    judge_max_calls: JudgeMaxCallsOpt = None,
    judge_max_tokens: JudgeMaxTokensOpt = None,
    judge_max_failure_rate: JudgeMaxFailOpt = 0.05,
    judge_concurrency: JudgeConcurrencyOpt = 8,
    judge_timeout: JudgeTimeoutOpt = 60.0,
    judge_max_retries: JudgeRetriesOpt = 6,
    judge_retry_base: JudgeRetryBaseOpt = 1.0,
    judge_max_new_tokens: JudgeNewTokensOpt = None,
    judge_mode: JudgeModeOpt = None,
    all_metrics: AllMetricsOpt = None,
) -> None:
    """Evaluate a model on tasks; rerunning the same command resumes an interrupted run."""
    from mmalign_eval.engines.base import EngineConfig
    from mmalign_eval.engines.resolve import check_model_argument
    from mmalign_eval.plan import GenerationOverrides, RunConfig
    from mmalign_eval.registry import build_registry
    from mmalign_eval.report import print_results
    from mmalign_eval.runner import run as run_evaluation
    from mmalign_eval.task_options import defined_protocols, per_task_options, split_values

    check_model_argument(model)
    names = _split(tasks) + _split(suite)
    if not names:
        raise UsageError("no tasks given", "pass --tasks pope (see `mmalign-eval tasks`)")

    def judge_of(spec: str | None) -> JudgeConfig | None:
        """One judge with the shared judge options (None without a spec)."""
        return judge_config(
            spec, judge_base_url, judge_api_key_env, judge_max_calls, judge_max_tokens,
            judge_max_failure_rate, judge_concurrency, judge_timeout, judge_max_retries,
            judge_retry_base, judge_max_new_tokens, judge_mode,
        )  # fmt: skip

    registry = build_registry()
    in_run = registry.expand(names)
    datas = split_values("--data", data or [], registry, in_run)
    images = split_values("--image-dir", image_dir or [], registry, in_run)
    protocols = defined_protocols(
        split_values("--protocol", protocol or [], registry, in_run), registry
    )
    judge_values = split_values("--judge", judge or [], registry, in_run)
    judging = judge_of(judge_values.shared)
    own_judges = {t: c for t, spec in judge_values.by_task.items() if (c := judge_of(spec))}
    named = [task for task, name in judge_values.named_as.items() if task == name]
    check_judge(
        registry, names, judging, protocols.shared, protocols.by_task, own_judges, named
    )  # fmt: skip
    config = RunConfig(
        engine=EngineConfig(
            model=model,
            dtype=dtype.value,
            device=device.value,
            batch_size=batch_size,
            trust_remote_code=trust_remote_code,
        ),
        tasks=tuple(names),
        data=datas.shared,
        image_dir=images.shared,
        revision=revision,
        protocol=protocols.shared,
        per_task=per_task_options(datas, images, protocols),
        overrides=GenerationOverrides(max_new_tokens=max_new_tokens, temperature=temperature),
        limit=limit,
        ids=tuple(_split([ids] if ids else None)),
        subset=_subset(subset, subset_size),
        seed=seed,
        bootstrap_resamples=bootstrap_resamples,
        max_failure_rate=max_failure_rate,
        output_dir=str(output_dir),
        run_id=run_id,
        cache_dir=_cache(cache_dir),
        judge=judging,
        judges=own_judges,
    )
    outcome = run_evaluation(config, registry, err, _load_hf_engine)
    print_results(outcome.results, out, all_metrics)
    err.print(f"wrote {outcome.run_dir}/results.json, samples.jsonl, manifest.json")
    if not outcome.results.passed:
        raise typer.Exit(EXIT_FAILURE)


def _subset(name: str | None, size: int | None) -> SubsetSpec | None:
    from mmalign_eval.stats.subsets import parse_subset

    return parse_subset(name, size)


def _load_hf_engine(config: RunConfig) -> Engine:
    from mmalign_eval.engines.hf import HFEngine
    from mmalign_eval.engines.resolve import resolve_model

    cache = Path(config.cache_dir)
    resolved = resolve_model(config.engine.model, cache)
    err.print(f"loading {config.engine.model} from {resolved.local_dir}")
    return HFEngine(config.engine, resolved.local_dir, cache / "fingerprints.json")


@app.command()
def score(
    task: Annotated[str, typer.Argument(help="Task name, e.g. pope_adversarial.")],
    predictions: Annotated[
        Path, typer.Option(help="JSON Lines: question_id/id + text/answer/response.")
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
    ids: Annotated[
        str | None, typer.Option(help="Score only these benchmark ids (comma-separated).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Score only the first N benchmark items.")
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Where to write results.json.")] = None,
    seed: Annotated[int, typer.Option()] = 0,
    bootstrap_resamples: Annotated[int, typer.Option(min=10)] = 1000,
    max_failure_rate: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.05,
    cache_dir: Annotated[Path | None, typer.Option()] = None,
    judge: JudgeOpt = None,
    judge_base_url: JudgeBaseUrlOpt = DEFAULT_BASE_URL,
    judge_api_key_env: JudgeKeyEnvOpt = DEFAULT_API_KEY_ENV,
    judge_max_calls: JudgeMaxCallsOpt = None,
    judge_max_tokens: JudgeMaxTokensOpt = None,
    judge_max_failure_rate: JudgeMaxFailOpt = 0.05,
    judge_concurrency: JudgeConcurrencyOpt = 8,
    judge_timeout: JudgeTimeoutOpt = 60.0,
    judge_max_retries: JudgeRetriesOpt = 6,
    judge_retry_base: JudgeRetryBaseOpt = 1.0,
    judge_max_new_tokens: JudgeNewTokensOpt = None,
    judge_mode: JudgeModeOpt = None,
) -> None:
    """Score answers produced elsewhere against a benchmark's labels, matched by id.

    Benchmark items without an answer are failures (`missing`), unless --ids/--limit leave
    them out. For judged tasks a `judgement` field per line (the judge's raw text) is
    aggregated without calling a judge; lines without one are judged by --judge.
    """
    from mmalign_eval.registry import build_registry
    from mmalign_eval.report import print_results
    from mmalign_eval.results import write_json, write_jsonl
    from mmalign_eval.scoring import ScoreRequest, score_predictions
    from mmalign_eval.task import DataRequest

    registry = build_registry()
    if task not in registry.tasks:
        registry.expand([task])  # raises the unknown-task error with the list of names
        raise UsageError(
            f"score takes a single task, not the group or suite '{task}'",
            f"score one of: {', '.join(registry.expand([task]))}",
        )
    request = ScoreRequest(
        task=registry.tasks[task],
        predictions=predictions,
        data=DataRequest(
            source=data,
            image_dir=str(image_dir) if image_dir else None,
            cache_dir=_cache(cache_dir),
            need_media=False,
        ),
        protocol=protocol,
        seed=seed,
        resamples=bootstrap_resamples,
        max_failure_rate=max_failure_rate,
        judge=judge_config(
            judge,
            judge_base_url,
            judge_api_key_env,
            judge_max_calls,
            judge_max_tokens,
            judge_max_failure_rate,
            judge_concurrency,
            judge_timeout,
            judge_max_retries,
            judge_retry_base,
            judge_max_new_tokens,
            judge_mode,
        ),
        output_dir=output.parent if output else None,
        console=err,
        ids=tuple(_split([ids] if ids else None)),
        limit=limit,
    )
    results, evaluation = score_predictions(request)
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


app.command("judge")(judge)


@app.command("tasks")
def list_tasks() -> None:
    """List tasks, groups, suites, their metrics and answer protocols."""
    from mmalign_eval.registry import build_registry
    from mmalign_eval.report import tasks_table

    out.print(tasks_table(build_registry()))


@app.command()
def validate(path: Annotated[Path, typer.Argument(help="A results.json file.")]) -> None:
    """Check that a results.json file follows the documented schema."""
    from pydantic import ValidationError

    from mmalign_eval.results import SCHEMA_VERSION, ResultsFile

    try:
        parsed = ResultsFile.model_validate_json(path.read_bytes())
    except FileNotFoundError as exc:
        raise UsageError(f"file not found: {path}") from exc
    except ValidationError as exc:
        raise HarnessError(
            f"{path} does not follow the results schema {SCHEMA_VERSION}:\n{exc}"
        ) from exc
    out.print(f"{path}: valid results schema {parsed.schema_version}, {len(parsed.tasks)} tasks")


@app.command()
def schema() -> None:
    """Print the JSON Schema of results.json (docs/results.schema.json is this output)."""
    import json

    from mmalign_eval.results import ResultsFile

    print(json.dumps(ResultsFile.model_json_schema(), indent=2))


app.command()(compare)
app.command()(check)


def _report_error(exc: HarnessError) -> None:
    # soft_wrap: one line each however narrow the terminal (80 columns in a pipe or CI log).
    # escape: messages hold literal brackets, e.g. the extra in pip install 'mmalign-eval[amber]'.
    err.print(f"[red]error:[/] {escape(exc.message)}", highlight=False, soft_wrap=True)
    if exc.hint:
        err.print(f"[dim]hint:[/] {escape(exc.hint)}", highlight=False, soft_wrap=True)


def run_cli() -> int:
    """Run the command line and return its exit code (usable in-process, e.g. by tests)."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    debug = os.environ.get("MMALIGN_EVAL_DEBUG") == "1"
    try:
        code = app(standalone_mode=False)
    except (click.exceptions.ClickException, typer.TyperException) as exc:
        # typer vendors its own click; bad options and unknown commands arrive as either.
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        code = int(getattr(exc, "exit_code", EXIT_USAGE))
    except (click.exceptions.Abort, typer.Abort, KeyboardInterrupt):
        err.print("[red]interrupted[/]")
        code = 130
    except HarnessError as exc:
        _report_error(exc)
        code = exc.exit_code
    except Exception as exc:  # a crash must never exit 0, and users get one line, not a trace
        if debug:
            raise
        err.print(
            f"[red]internal error:[/] {type(exc).__name__}: {exc}", highlight=False, soft_wrap=True
        )
        err.print("[dim]hint:[/] set MMALIGN_EVAL_DEBUG=1 for the traceback and report it")
        code = EXIT_FAILURE
    return code if isinstance(code, int) else EXIT_OK


def main() -> None:
    """Console entry point: run, flush, and exit without the interpreter's teardown.

    Every file the harness writes is closed (atomically renamed, journal fsynced) before
    this point; tearing down torch and thousands of objects only cost ~1 s per command.
    """
    code = run_cli()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
