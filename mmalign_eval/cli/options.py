"""Option types and option groups shared by several commands, each declared once here.

Groups (see groups.py): `JudgeOptions` (score, judge) and `RunJudgeOptions` (run) share
`JudgeSettings`; `ScoringOptions` belongs to run and score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from mmalign_eval.cli.groups import OptionGroup
from mmalign_eval.errors import UsageError
from mmalign_eval.judges.records import DEFAULT_API_KEY_ENV, DEFAULT_BASE_URL, JudgeConfig
from mmalign_eval.paths import default_cache_dir

JUDGE_SPEC_HELP = "Judge: openai:<model>, hf:<model id or folder>, or tiny"

AllMetricsOpt = Annotated[
    bool | None,
    typer.Option(
        "--all-metrics/--summary",
        help="Print every metric, or one primary metric per benchmark (default: summary "
        "above 4 tasks).",
    ),
]


@dataclass(frozen=True)
class JudgeSettings(OptionGroup):
    """What every judge a command builds shares: all judge options but --judge itself."""

    judge_base_url: Annotated[
        str, typer.Option(help="OpenAI-compatible endpoint (vLLM, SGLang, ...).")
    ] = DEFAULT_BASE_URL
    judge_api_key_env: Annotated[
        str, typer.Option(help="Environment variable holding the judge API key.")
    ] = DEFAULT_API_KEY_ENV
    judge_max_calls: Annotated[
        int | None, typer.Option(min=0, help="Stop the judge stage after N calls (resumable).")
    ] = None
    judge_max_tokens: Annotated[
        int | None,
        typer.Option(min=0, help="Stop the judge stage at this many tokens (resumable)."),
    ] = None
    judge_max_failure_rate: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Exit 1 above this share of failed judgements."),
    ] = 0.05
    judge_concurrency: Annotated[int, typer.Option(min=1, help="Judge requests in flight.")] = 8
    judge_timeout: Annotated[float, typer.Option(min=0.001, help="Seconds per judge request.")] = (
        60.0
    )
    judge_max_retries: Annotated[
        int, typer.Option(min=0, help="Retries on 429, 5xx and timeouts.")
    ] = 6
    judge_retry_base: Annotated[
        float,
        typer.Option(min=0.0, help="First backoff delay in seconds (doubles, with jitter)."),
    ] = 1.0
    judge_max_new_tokens: Annotated[
        int | None,
        typer.Option(min=1, help="Judge max tokens (default: server's; local: 512)."),
    ] = None
    judge_mode: Annotated[
        str | None,
        typer.Option(
            help="generate (the judge writes text) or choice (a local judge picks the most "
            "likely verdict, e.g. 'Rating: 4'); default: choice for tiny, generate otherwise."
        ),
    ] = None
    judge_runs: Annotated[
        int,
        typer.Option(
            min=1, help="Independent judgements of every judge call (MM-Vet reports mean/std)."
        ),
    ] = 1


@dataclass(frozen=True)
class JudgeOptions(OptionGroup):
    """One judge for the whole command (score, judge): --judge SPEC and its settings."""

    judge: Annotated[str | None, typer.Option(help=f"{JUDGE_SPEC_HELP}.")] = None
    settings: JudgeSettings = field(default_factory=JudgeSettings)

    def config(self) -> JudgeConfig | None:
        """The judge configuration (None without --judge)."""
        return judge_config(self.judge, self.settings)


@dataclass(frozen=True)
class RunJudgeOptions(OptionGroup):
    """Judges of a run: --judge [TASK=]SPEC (repeatable), all with the same settings."""

    judge: Annotated[
        list[str] | None,
        typer.Option(
            help=f"{JUDGE_SPEC_HELP}; TASK=JUDGE for one task (repeatable), e.g. "
            "object_halbench=openai:gpt-3.5-turbo-0613."
        ),
    ] = None
    settings: JudgeSettings = field(default_factory=JudgeSettings)


@dataclass(frozen=True)
class ScoringOptions(OptionGroup):
    """How run and score turn per-item scores into results."""

    bootstrap_resamples: Annotated[
        int, typer.Option(min=10, help="Bootstrap resamples behind each 95% interval.")
    ] = 1000
    max_failure_rate: Annotated[
        float,
        typer.Option(
            min=0.0, max=1.0, help="Share of failed items above which a task fails (exit 1)."
        ),
    ] = 0.05

    def settings(self) -> dict[str, object]:
        """The scoring options as RunConfig fields."""
        return {
            "bootstrap_resamples": self.bootstrap_resamples,
            "max_failure_rate": self.max_failure_rate,
        }


def judge_config(spec: str | None, settings: JudgeSettings) -> JudgeConfig | None:
    """The judge configuration of a --judge SPEC and the judge settings (None without one)."""
    from mmalign_eval.judges.base import check_judge_mode

    if spec is None:
        return None
    mode = settings.judge_mode
    if mode not in (None, "generate", "choice"):
        raise UsageError(f"bad --judge-mode '{mode}'", "use generate or choice")
    config = JudgeConfig(
        spec=spec,
        base_url=settings.judge_base_url,
        api_key_env=settings.judge_api_key_env,
        max_calls=settings.judge_max_calls,
        max_tokens=settings.judge_max_tokens,
        max_failure_rate=settings.judge_max_failure_rate,
        concurrency=settings.judge_concurrency,
        timeout_s=settings.judge_timeout,
        max_retries=settings.judge_max_retries,
        retry_base_s=settings.judge_retry_base,
        max_new_tokens=settings.judge_max_new_tokens,
        mode=mode,  # checked above
        runs=settings.judge_runs,
    )
    backend, _ = check_judge_mode(config)  # a bad value is a usage error before anything runs
    if backend == "openai":
        from mmalign_eval.chat_api import check_base_url

        check_base_url(config.base_url, "--judge-base-url")
    return config


def split_list(values: list[str] | None) -> list[str]:
    """Values of a repeatable, comma-separated option, flattened and stripped."""
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def cache_path(cache_dir: Path | None) -> str:
    """The --cache-dir, else the default cache (MMALIGN_EVAL_CACHE or ~/.cache)."""
    return str(cache_dir or default_cache_dir())
