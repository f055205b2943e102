"""The engine registry: which engine answers a `--model`, and what it can be asked.

An engine kind claims `--model` values (a prefix such as `openai:`, or everything else for
the in-process Hugging Face engine), says which call kinds it answers (generation,
option log-likelihoods, rewards) so a plan that needs more is refused before any model
loads, and builds the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mmalign_eval.engines.base import Engine, EngineConfig
from mmalign_eval.errors import UsageError
from mmalign_eval.plans import CallKind


@dataclass(frozen=True)
class EngineKind:
    """One way of answering calls."""

    name: str
    claims: Callable[[str], bool]  # does this kind handle the --model value?
    check: Callable[[EngineConfig], None]  # fail fast, before any data loads, on what cannot work
    load: Callable[[EngineConfig, Path], Engine]  # (config, cache dir) -> engine
    calls: frozenset[CallKind]
    description: str = ""


def _load_hf(config: EngineConfig, cache: Path) -> Engine:
    from mmalign_eval.engines.hf import HFEngine
    from mmalign_eval.engines.resolve import resolve_model

    resolved = resolve_model(config.model, cache)
    return HFEngine(config, resolved.local_dir, cache / "fingerprints.json")


def _check_hf(config: EngineConfig) -> None:
    from mmalign_eval.engines.resolve import check_model_argument

    check_model_argument(config.model)


def _load_openai(config: EngineConfig, cache: Path) -> Engine:
    from mmalign_eval.engines.openai import OpenAIEngine

    return OpenAIEngine(config)


def _check_openai(config: EngineConfig) -> None:
    from mmalign_eval.engines.openai import check_config

    check_config(config)


def _vllm_model(config: EngineConfig) -> str:
    from mmalign_eval.engines.vllm import PREFIX

    return config.model.removeprefix(PREFIX)


def _load_vllm(config: EngineConfig, cache: Path) -> Engine:
    from mmalign_eval.engines.resolve import resolve_model
    from mmalign_eval.engines.vllm import VLLMEngine

    resolved = resolve_model(_vllm_model(config), cache)
    return VLLMEngine(config, resolved.local_dir, cache / "fingerprints.json")


def _check_vllm(config: EngineConfig) -> None:
    from mmalign_eval.engines.resolve import check_model_argument
    from mmalign_eval.engines.vllm import check_vllm

    check_model_argument(_vllm_model(config))
    check_vllm(config)


def _is_reward_model(model: str) -> bool:
    from mmalign_eval.engines.resolve import TINY_RM
    from mmalign_eval.engines.reward import has_reward_head

    return model == TINY_RM or has_reward_head(Path(model).expanduser())


def _load_reward(config: EngineConfig, cache: Path) -> Engine:
    from mmalign_eval.engines.resolve import resolve_model
    from mmalign_eval.engines.reward import RewardEngine

    resolved = resolve_model(config.model, cache)
    return RewardEngine(config, resolved.local_dir, cache / "fingerprints.json")


HF_REWARD = EngineKind(
    name="hf-reward",
    claims=_is_reward_model,
    check=_check_hf,
    load=_load_reward,
    calls=frozenset({"generate", "loglikelihood", "reward"}),
    description="in-process reward model: a folder with reward_head.json, or tiny-rm",
)

HF = EngineKind(
    name="hf",
    claims=lambda model: True,
    check=_check_hf,
    load=_load_hf,
    calls=frozenset({"generate", "loglikelihood"}),
    description="in-process transformers model: a Hub id, a local folder, or tiny",
)

OPENAI = EngineKind(
    name="openai",
    claims=lambda model: model.startswith("openai:"),
    check=_check_openai,
    load=_load_openai,
    calls=frozenset({"generate"}),
    description="an OpenAI-compatible server: openai:<model name> with --base-url",
)

VLLM = EngineKind(
    name="vllm",
    claims=lambda model: model.startswith("vllm:"),
    check=_check_vllm,
    load=_load_vllm,
    calls=frozenset({"generate", "loglikelihood"}),
    description="offline vLLM on CUDA GPUs: --engine vllm, or vllm:<id or folder>",
)

# Most specific first; the Hugging Face engine takes whatever no other kind claims.
ENGINES: tuple[EngineKind, ...] = (OPENAI, VLLM, HF_REWARD, HF)


def engine_kind(
    model: str, kinds: Sequence[EngineKind] = ENGINES, *, engine: str = "auto"
) -> EngineKind:
    """The engine kind that answers a --model value, or the one --engine names."""
    if engine != "auto":
        named = [kind for kind in kinds if kind.name == engine]
        if not named:
            known = ", ".join(kind.name for kind in kinds)
            raise UsageError(f"unknown engine {engine!r}", f"choose one of: auto, {known}")
        return named[0]
    return next(kind for kind in kinds if kind.claims(model))


_HINTS = {
    "reward": "for a chat model pass --reward-mode generative (or the task's generative "
    "protocol); for a reward model pass a folder with reward_head.json, tiny-rm, or "
    "--engine hf-reward",
    "loglikelihood": "choose the task's generating protocol, or an engine with log-likelihoods "
    "(hf, vllm)",
}


def check_calls(
    model: str,
    needed: Mapping[str, Sequence[str]] | Collection[str],
    kinds: Sequence[EngineKind] = ENGINES,
    *,
    engine: str = "auto",
) -> None:
    """Refuse a run whose plans need calls the engine cannot answer (before it loads);
    `needed`: the call kinds, or by kind the tasks (with their protocols) asking for it."""
    kind = engine_kind(model, kinds, engine=engine)
    missing = sorted(set(needed) - kind.calls)
    if missing:
        by = needed if isinstance(needed, Mapping) else {}
        asked = "; ".join(f"{m} by {', '.join(by[m])}" for m in missing if by.get(m))
        hint = "; ".join(_HINTS.get(m, "choose another protocol or engine") for m in missing)
        raise UsageError(
            f"the {kind.name} engine cannot answer {', '.join(missing)} calls, which this run "
            "needs" + (f" (asked: {asked})" if asked else ""),
            f"it answers {', '.join(sorted(kind.calls))}; {hint}",
        )
