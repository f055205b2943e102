"""The engine behind `--model`, chosen by the engine registry (mmalign_eval.engines.registry).

Commands check the model argument before any data loads and hand `load_engine` to the
runner as its EngineLoader; neither knows which engine kinds exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mmalign_eval.cli.console import err

if TYPE_CHECKING:
    from mmalign_eval.engines.base import Engine, EngineConfig
    from mmalign_eval.plan import RunConfig


def check_model(config: EngineConfig) -> None:
    """Fail fast on an engine configuration that cannot work (a missing model folder, a bad
    endpoint, an API key that is not set)."""
    from mmalign_eval.engines.registry import engine_kind

    engine_kind(config.model, engine=config.engine).check(config)


def load_engine(config: RunConfig) -> Engine:
    """The runner's EngineLoader: build the engine the registry picks for the run's model."""
    from mmalign_eval.engines.registry import engine_kind
    from mmalign_eval.engines.resolve import BUILT_MODELS, TINY

    kind = engine_kind(config.engine.model, engine=config.engine.engine)
    err.print(f"model {config.engine.model} ({kind.name} engine)")
    if config.engine.model == TINY:
        err.print(
            f"[yellow]{TINY} is an untrained test model with random weights: its answers are "
            "noise and so are its scores; it shows the harness working, not a model "
            "(tiny-sft and tiny-dpo are trained demo models)[/]"
        )
    elif config.engine.model in BUILT_MODELS:
        err.print(
            f"[yellow]{config.engine.model} is a tiny demo model trained offline on synthetic "
            "shape scenes: its differences from the other tiny models are real, its scores say "
            "nothing about real checkpoints[/]"
        )
    return kind.load(config.engine, Path(config.cache_dir))
