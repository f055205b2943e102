"""`mmalign-eval judge RUN_DIR`: (re-)run the judge stage of a finished run, then re-score.

Also holds the judge options shared by `run`, `score` and `judge`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mmalign_eval.errors import EXIT_FAILURE, DataError, UsageError
from mmalign_eval.judges.records import DEFAULT_API_KEY_ENV, DEFAULT_BASE_URL, JudgeConfig

if TYPE_CHECKING:
    from mmalign_eval.registry import Registry
    from mmalign_eval.task import TaskSpec

JudgeOpt = Annotated[
    str | None,
    typer.Option(help="Judge: openai:<model>, hf:<model id or folder>, or tiny."),
]
RunJudgeOpt = Annotated[
    list[str] | None,
    typer.Option(
        help="Judge: openai:<model>, hf:<model id or folder>, or tiny; TASK=JUDGE for one task "
        "(repeatable), e.g. object_halbench=openai:gpt-3.5-turbo-0613."
    ),
]
AllMetricsOpt = Annotated[
    bool | None,
    typer.Option(
        "--all-metrics/--summary",
        help="Print every metric, or one primary metric per benchmark (default: summary "
        "above 4 tasks).",
    ),
]
JudgeBaseUrlOpt = Annotated[
    str, typer.Option(help="OpenAI-compatible endpoint (vLLM, SGLang, ...).")
]
JudgeKeyEnvOpt = Annotated[
    str, typer.Option(help="Environment variable holding the judge API key.")
]
JudgeMaxCallsOpt = Annotated[
    int | None, typer.Option(min=0, help="Stop the judge stage after N calls (resumable).")
]
JudgeMaxTokensOpt = Annotated[
    int | None, typer.Option(min=0, help="Stop the judge stage at this many tokens (resumable).")
]
JudgeMaxFailOpt = Annotated[
    float, typer.Option(min=0.0, max=1.0, help="Exit 1 above this share of failed judgements.")
]
JudgeConcurrencyOpt = Annotated[int, typer.Option(min=1, help="Judge requests in flight.")]
JudgeTimeoutOpt = Annotated[float, typer.Option(min=0.001, help="Seconds per judge request.")]
JudgeRetriesOpt = Annotated[int, typer.Option(min=0, help="Retries on 429, 5xx and timeouts.")]
JudgeRetryBaseOpt = Annotated[
    float, typer.Option(min=0.0, help="First backoff delay in seconds (doubles, with jitter).")
]
JudgeModeOpt = Annotated[
    str | None,
    typer.Option(
        help="generate (the judge writes text) or choice (a local judge picks the most likely "
        "verdict, e.g. 'Rating: 4'); default: choice for tiny, generate otherwise."
    ),
]
JudgeNewTokensOpt = Annotated[
    int | None, typer.Option(min=1, help="Judge max tokens (default: server's; local: 512).")
]


def judge_config(
    judge: str | None,
    base_url: str = DEFAULT_BASE_URL,
    api_key_env: str = DEFAULT_API_KEY_ENV,
    max_calls: int | None = None,
    max_tokens: int | None = None,
    max_failure_rate: float = 0.05,
    concurrency: int = 8,
    timeout: float = 60.0,
    max_retries: int = 6,
    retry_base: float = 1.0,
    max_new_tokens: int | None = None,
    mode: str | None = None,
) -> JudgeConfig | None:
    """The judge configuration of the command line (None without --judge)."""
    from mmalign_eval.judges.base import check_judge_mode

    if judge is None:
        return None
    if mode not in (None, "generate", "choice"):
        raise UsageError(f"bad --judge-mode '{mode}'", "use generate or choice")
    config = JudgeConfig(
        spec=judge,
        base_url=base_url,
        api_key_env=api_key_env,
        max_calls=max_calls,
        max_tokens=max_tokens,
        max_failure_rate=max_failure_rate,
        concurrency=concurrency,
        timeout_s=timeout,
        max_retries=max_retries,
        retry_base_s=retry_base,
        max_new_tokens=max_new_tokens,
        mode=mode,  # checked above
    )
    check_judge_mode(config)  # a bad value is a usage error before anything runs
    return config


def _protocol_name(task: TaskSpec, protocol: str | None) -> str:
    # An unknown protocol name is reported later, by the plan, with the task's choices.
    return (
        protocol
        if protocol is not None and protocol in task.protocol_names
        else task.default_protocol
    )


def check_judge(
    registry: Registry,
    names: Iterable[str],
    config: JudgeConfig | None,
    protocol: str | None = None,
    by_task: Mapping[str, str] | None = None,
    judges: Mapping[str, JudgeConfig] | None = None,
    named: Iterable[str] = (),
) -> None:
    """Before any model is loaded: judged tasks need a judge, an API judge needs its key.

    `named`: tasks given their own judge by their own name (`--judge TASK=...`); such a
    task must be judged in this run, or the option is a mistake worth stopping for.
    """
    from mmalign_eval.judges.stage import missing_judge_message

    tasks = [registry.tasks[n] for n in registry.expand(names)]
    chosen = {t.name: (by_task or {}).get(t.name, protocol) for t in tasks}
    judged = [t.name for t in tasks if t.uses_judge(_protocol_name(t, chosen[t.name]))]
    unjudged = [name for name in named if name not in judged]
    if unjudged:
        raise UsageError(
            f"--judge {unjudged[0]}=…: {unjudged[0]} is not scored by a judge in this run",
            "drop the option (or choose the task's judged protocol with --protocol)",
        )
    used = {name: (judges or {}).get(name, config) for name in judged}
    missing = [name for name, chosen_judge in used.items() if chosen_judge is None]
    if missing:
        raise UsageError(*missing_judge_message(missing))
    for chosen_judge in used.values():
        if chosen_judge is not None and chosen_judge.spec.startswith("openai:"):
            _check_api_key(chosen_judge)


def _check_api_key(config: JudgeConfig) -> None:
    if not os.environ.get(config.api_key_env):
        raise UsageError(
            f"the judge needs an API key in the environment variable {config.api_key_env}",
            f"export {config.api_key_env}=... or name another variable with --judge-api-key-env",
        )


def judge(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `mmalign-eval run`.")],
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
    all_metrics: AllMetricsOpt = None,
) -> None:
    """Run or complete the judge stage of a run folder (default: the run's judge), re-score."""
    from mmalign_eval.cli import err, out
    from mmalign_eval.rejudge import rejudge_run
    from mmalign_eval.report import print_results

    config = judge_config(
        judge, judge_base_url, judge_api_key_env, judge_max_calls, judge_max_tokens,
        judge_max_failure_rate, judge_concurrency, judge_timeout, judge_max_retries,
        judge_retry_base, judge_max_new_tokens, judge_mode,
    )  # fmt: skip
    if not (run_dir / "manifest.json").is_file():
        raise DataError(f"{run_dir} has no manifest.json", "pass a folder written by `run`")
    results = rejudge_run(run_dir, config, err)
    print_results(results, out, all_metrics)
    err.print(f"wrote {run_dir}/results.json, samples.jsonl")
    if not results.passed:
        raise typer.Exit(EXIT_FAILURE)
