"""`mmalign-eval run`: evaluate a model on tasks; rerunning the same command resumes.

Also the check, before any model loads, that every judged task has a usable judge.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mmalign_eval.cli.console import err, out
from mmalign_eval.cli.engine import check_model, load_engine
from mmalign_eval.cli.groups import OptionGroup, option_groups
from mmalign_eval.cli.options import (
    AllMetricsOpt,
    RunJudgeOptions,
    ScoringOptions,
    cache_path,
    judge_config,
    split_list,
)
from mmalign_eval.distributed import current_rank
from mmalign_eval.errors import EXIT_FAILURE, UsageError

if TYPE_CHECKING:
    from mmalign_eval.engines.base import EngineConfig
    from mmalign_eval.judges.records import JudgeConfig
    from mmalign_eval.plan import GenerationOverrides, RunConfig
    from mmalign_eval.registry import Registry
    from mmalign_eval.stats.subsets import SubsetSpec
    from mmalign_eval.task_options import OptionValues


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


class RewardModeChoice(str, Enum):
    """How reward benchmarks use the model: as a judge that writes verdicts, or its rewards."""

    auto = "auto"
    generative = "generative"
    scalar = "scalar"


class PairwiseChoice(str, Enum):
    """Which orders a pairwise judge sees the two answers in."""

    official = "official"
    both = "both"


@dataclass(frozen=True)
class TaskSelection(OptionGroup):
    """Which tasks run, on which data, with which answer protocol."""

    tasks: Annotated[
        list[str] | None,
        typer.Option(
            "--tasks", "-t", help="Tasks, groups or suites (comma-separated or repeated)."
        ),
    ] = None
    suite: Annotated[list[str] | None, typer.Option(help="Suites to run (same as --tasks).")] = None
    data: Annotated[
        list[str] | None,
        typer.Option(
            help="'synthetic[:N]', a local path or a HF dataset id; TASK=VALUE for one task "
            "or group (repeatable)."
        ),
    ] = None
    image_dir: Annotated[
        list[str] | None,
        typer.Option(help="Image folder for official label files; TASK=FOLDER for one task."),
    ] = None
    revision: Annotated[str | None, typer.Option(help="Dataset revision on the Hub.")] = None
    protocol: Annotated[
        list[str] | None,
        typer.Option(
            help="Answer protocol (default: each task's own, listed by `mmalign-eval tasks`); "
            "TASK=NAME for one task."
        ),
    ] = None
    pairwise: Annotated[
        PairwiseChoice,
        typer.Option(
            help="Pairwise judging: 'official', the default (each benchmark's own order), or "
            "'both' (both orders, position_consistency reported, inconsistent pairs are ties).",
            show_default=False,
        ),
    ] = PairwiseChoice.official
    reward_mode: Annotated[
        RewardModeChoice,
        typer.Option(
            help="Reward benchmarks: 'generative' (the model judges the pair in text), "
            "'scalar' (a reward model's scores), 'auto' (scalar when the model has a reward "
            "head)."
        ),
    ] = RewardModeChoice.auto
    sample_count: Annotated[
        int | None,
        typer.Option(
            "--samples",
            min=1,
            help="Sampled answers per item where a protocol samples several (VL-RewardBench: "
            "10 officially).",
        ),
    ] = None

    def names(self) -> list[str]:
        """The task, group and suite names given (--tasks, then --suite); at least one."""
        names = split_list(self.tasks) + split_list(self.suite)
        if not names:
            raise UsageError("no tasks given", "pass --tasks pope (see `mmalign-eval tasks`)")
        return names


class EngineChoice(str, Enum):
    """Which engine answers the model's calls."""

    auto = "auto"
    hf = "hf"
    hf_reward = "hf-reward"
    vllm = "vllm"
    openai = "openai"


class ImageDetailChoice(str, Enum):
    """How much of each image an OpenAI-compatible server should look at."""

    auto = "auto"
    low = "low"
    high = "high"


@dataclass(frozen=True)
class ServerOptions(OptionGroup):
    """Models behind an OpenAI-compatible server (`--model openai:<name>`)."""

    base_url: Annotated[
        str, typer.Option(help="OpenAI-compatible endpoint of --model openai:<name>.")
    ] = "https://api.openai.com/v1"
    api_key_env: Annotated[
        str, typer.Option(help="Environment variable holding the server's API key.")
    ] = "OPENAI_API_KEY"
    concurrency: Annotated[int, typer.Option(min=1, help="Requests in flight (servers).")] = 8
    request_timeout: Annotated[
        float, typer.Option(min=0.001, help="Seconds per request (servers).")
    ] = 60.0
    max_retries: Annotated[
        int, typer.Option(min=0, help="Retries on 429, 5xx and timeouts (servers).")
    ] = 6
    image_detail: Annotated[
        ImageDetailChoice | None, typer.Option(help="Image detail sent to the server.")
    ] = None

    def settings(self) -> dict[str, object]:
        """The EngineConfig fields these options set."""
        return {
            "base_url": self.base_url,
            "api_key_env": self.api_key_env,
            "concurrency": self.concurrency,
            "request_timeout_s": self.request_timeout,
            "max_retries": self.max_retries,
            "image_detail": self.image_detail.value if self.image_detail else None,
        }


@dataclass(frozen=True)
class VLLMOptions(OptionGroup):
    """Offline vLLM (`--engine vllm`)."""

    tensor_parallel_size: Annotated[
        int, typer.Option(min=1, help="GPUs one vLLM model is split over.")
    ] = 1
    gpu_memory_utilization: Annotated[
        float, typer.Option(min=0.01, max=1.0, help="Share of GPU memory vLLM may take.")
    ] = 0.9
    max_model_len: Annotated[
        int | None, typer.Option(min=1, help="vLLM context length (default: the model's).")
    ] = None

    def settings(self) -> dict[str, object]:
        """The EngineConfig fields these options set."""
        return {
            "tensor_parallel_size": self.tensor_parallel_size,
            "gpu_memory_utilization": self.gpu_memory_utilization,
            "max_model_len": self.max_model_len,
        }


@dataclass(frozen=True)
class EngineOptions(OptionGroup):
    """How the model runs."""

    engine: Annotated[
        EngineChoice,
        typer.Option(
            help="auto: openai:<name> is a server, vllm:<model> vLLM, a folder with "
            "reward_head.json (or tiny-rm) hf-reward, else hf."
        ),
    ] = EngineChoice.auto
    batch_size: Annotated[
        int, typer.Option(min=1, help="Requests per forward pass of an in-process model.")
    ] = 8
    dtype: Annotated[DTypeChoice, typer.Option(help="Model weights dtype.")] = DTypeChoice.auto
    device: Annotated[DeviceChoice, typer.Option(help="Where to run the model.")] = (
        DeviceChoice.auto
    )
    trust_remote_code: Annotated[bool, typer.Option(help="Run code shipped with the model.")] = (
        False
    )
    threads: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="CPU threads of an in-process model (default: OMP_NUM_THREADS, else the cores "
            "this process may use).",
        ),
    ] = None
    server: ServerOptions = field(default_factory=lambda: ServerOptions())
    vllm: VLLMOptions = field(default_factory=lambda: VLLMOptions())
    data_parallel: Annotated[
        int,
        typer.Option(
            min=1,
            help="Start N data-parallel ranks on this machine (as torchrun does); the calls "
            "are shared by content key.",
        ),
    ] = 1

    def config(self, model: str) -> EngineConfig:
        """The engine configuration of the model with these options."""
        from mmalign_eval.engines.base import EngineConfig

        return EngineConfig(
            model=model,
            engine=self.engine.value,
            dtype=self.dtype.value,
            device=self.device.value,
            batch_size=self.batch_size,
            trust_remote_code=self.trust_remote_code,
            threads=self.threads,
            **self.server.settings(),
            **self.vllm.settings(),
        )


@dataclass(frozen=True)
class GenerationOptions(OptionGroup):
    """Generation settings that override each task's own."""

    max_new_tokens: Annotated[
        int | None, typer.Option(min=1, help="Override the task's value.")
    ] = None
    temperature: Annotated[float | None, typer.Option(min=0.0, help="Override (0 = greedy).")] = (
        None
    )

    def overrides(self) -> GenerationOverrides:
        """The overrides as the run configuration records them."""
        from mmalign_eval.plan import GenerationOverrides

        return GenerationOverrides(max_new_tokens=self.max_new_tokens, temperature=self.temperature)


@dataclass(frozen=True)
class SampleOptions(OptionGroup):
    """Which samples of each task run (debugging, smoke subsets)."""

    limit: Annotated[
        int | None, typer.Option(min=1, help="First N samples per task (debugging).")
    ] = None
    ids: Annotated[str | None, typer.Option(help="Comma-separated sample ids (debugging).")] = None
    subset: Annotated[
        str | None, typer.Option(help="'smoke': a deterministic stratified subset per task.")
    ] = None
    subset_size: Annotated[
        int | None, typer.Option(min=1, help="Items per task in the subset (default 300).")
    ] = None

    def settings(self) -> dict[str, object]:
        """The sample selection as RunConfig fields."""
        return {"limit": self.limit, "ids": self.id_list(), "subset": self.subset_spec()}

    def id_list(self) -> tuple[str, ...]:
        """The --ids, split at commas."""
        return tuple(split_list([self.ids] if self.ids else None))

    def subset_spec(self) -> SubsetSpec | None:
        """The --subset with its --subset-size (None without --subset)."""
        from mmalign_eval.stats.subsets import parse_subset

        return parse_subset(self.subset, self.subset_size)


@dataclass(frozen=True)
class _TaskSettings:
    """The per-task options of a run, split into run-wide and per-task values."""

    data: OptionValues
    images: OptionValues
    protocols: OptionValues
    judge: JudgeConfig | None
    judges: dict[str, JudgeConfig]
    named: list[str]  # tasks given their own judge by their own name


@option_groups
def run(
    *,
    model: Annotated[
        str,
        typer.Option(
            help="HF model id, local checkpoint folder, or a demo model built offline: "
            "tiny (random), tiny-sft, tiny-dpo, tiny-rm, tiny-degraded."
        ),
    ],
    selection: TaskSelection,
    engine: EngineOptions,
    generation: GenerationOptions,
    samples: SampleOptions,
    output_dir: Annotated[Path, typer.Option(help="Parent folder of run folders.")] = Path(
        "results"
    ),
    run_id: Annotated[str | None, typer.Option(help="Run folder name (default: derived).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    scoring: ScoringOptions,
    cache_dir: Annotated[Path | None, typer.Option(help="Cache for models, data, media.")] = None,
    judging: RunJudgeOptions,
    all_metrics: AllMetricsOpt = None,
) -> None:
    """Evaluate a model on tasks; rerunning the same command resumes an interrupted run."""
    from mmalign_eval.plan import RunConfig
    from mmalign_eval.registry import build_registry
    from mmalign_eval.report import print_results
    from mmalign_eval.runner import run as run_evaluation
    from mmalign_eval.task_options import per_task_options

    check_model(engine.config(model))
    names = selection.names()
    registry = build_registry()
    chosen = _task_settings(registry, names, selection, judging, _answers_rewards(engine, model))
    config = RunConfig(
        engine=engine.config(model),
        tasks=tuple(names),
        data=chosen.data.shared,
        image_dir=chosen.images.shared,
        revision=selection.revision,
        protocol=chosen.protocols.shared,
        per_task=per_task_options(chosen.data, chosen.images, chosen.protocols),
        overrides=generation.overrides(),
        samples=selection.sample_count,
        **samples.settings(),
        seed=seed,
        **scoring.settings(),
        output_dir=str(output_dir),
        run_id=run_id,
        cache_dir=cache_path(cache_dir),
        judge=chosen.judge,
        judges=chosen.judges,
    )
    _preflight(registry, config, chosen.named)
    if engine.data_parallel > 1 and not current_rank().parallel:
        from mmalign_eval.launch import launch

        raise typer.Exit(launch(engine.data_parallel, sys.argv[1:]))
    outcome = run_evaluation(config, registry, err, load_engine)
    if outcome is None:  # another rank of a data-parallel run: rank 0 writes the results
        return
    print_results(outcome.results, out, all_metrics)
    err.print(f"wrote {outcome.run_dir}/results.json, samples.jsonl, manifest.json")
    if not outcome.results.passed:
        raise typer.Exit(EXIT_FAILURE)


def _answers_rewards(engine: EngineOptions, model: str) -> bool:
    """Whether the model is a scalar reward model (its engine answers reward calls)."""
    from mmalign_eval.engines.registry import engine_kind

    return "reward" in engine_kind(model, engine=engine.engine.value).calls


def _task_settings(
    registry: Registry,
    names: list[str],
    selection: TaskSelection,
    judging: RunJudgeOptions,
    scalar: bool,
) -> _TaskSettings:
    """Split --data, --image-dir, --protocol and --judge by task; check the judges."""
    from mmalign_eval.task_options import (
        defined_protocols,
        split_values,
        with_pairwise,
        with_reward_mode,
    )

    in_run = registry.expand(names)
    data = split_values("--data", selection.data or [], registry, in_run)
    images = split_values("--image-dir", selection.image_dir or [], registry, in_run)
    given = defined_protocols(
        split_values("--protocol", selection.protocol or [], registry, in_run), registry
    )
    paired = with_pairwise(given, selection.pairwise.value, registry, in_run)
    protocols = with_reward_mode(paired, selection.reward_mode.value, registry, in_run, scalar)
    judge_values = split_values("--judge", judging.judge or [], registry, in_run)
    shared = judge_config(judge_values.shared, judging.settings)
    own = {
        task: config
        for task, spec in judge_values.by_task.items()
        if (config := judge_config(spec, judging.settings))
    }
    named = [task for task, name in judge_values.named_as.items() if task == name]
    return _TaskSettings(data, images, protocols, shared, own, named)


def _preflight(registry: Registry, config: RunConfig, named: Iterable[str]) -> None:
    """What must hold before any data or model loads: judges and a writable output folder."""
    from mmalign_eval.results import check_writable

    check_judge(registry, config, named)
    check_writable(Path(config.output_dir))


def check_judge(registry: Registry, config: RunConfig, named: Iterable[str] = ()) -> None:
    """Before any model is loaded: judged tasks need a judge, an API judge needs its key.

    Protocols are resolved as the plan resolves them (one function), so the check and the
    run never disagree on which tasks are judged. `named`: tasks given their own judge by
    their own name (`--judge TASK=...`); such a task must be judged in this run, or the
    option is a mistake worth stopping for.
    """
    from mmalign_eval.judges.stage import missing_judge_message
    from mmalign_eval.plan import resolve_protocols

    tasks = [registry.tasks[n] for n in registry.expand(config.tasks)]
    protocols = resolve_protocols(tasks, config)
    judged = [t.name for t in tasks if protocols[t.name].judged]
    unjudged = [name for name in named if name not in judged]
    if unjudged:
        raise UsageError(
            f"--judge {unjudged[0]}=…: {unjudged[0]} is not scored by a judge in this run",
            "drop the option (or choose the task's judged protocol with --protocol)",
        )
    missing = [name for name in judged if config.judge_for(name) is None]
    if missing:
        free = {t.name: t.judge_free_protocol for t in tasks}
        raise UsageError(*missing_judge_message(missing, free))
    for name in judged:
        chosen = config.judge_for(name)
        if chosen is not None and chosen.spec.startswith("openai:"):
            _check_api_key(chosen)


def _check_api_key(config: JudgeConfig) -> None:
    if not os.environ.get(config.api_key_env):
        raise UsageError(
            f"the judge needs an API key in the environment variable {config.api_key_env}",
            f"export {config.api_key_env}=... or name another variable with --judge-api-key-env",
        )
