"""The judge backend contract and `--judge` parsing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from mmalign_eval.errors import UsageError
from mmalign_eval.judges.records import (
    BackendName,
    JudgeConfig,
    JudgeDecoding,
    JudgeIdentity,
    JudgeInput,
    JudgeReply,
)


class JudgeBackend(Protocol):
    """Anything that answers judge inputs; each reply is yielded as soon as it is known, so
    the stage writes it to the cache at once (a kill or Ctrl-C never pays for it again)."""

    @property
    def identity(self) -> JudgeIdentity:
        """Who judges, with the settings that change its answers."""
        ...

    @property
    def chunk_size(self) -> int:
        """How many inputs to hand over at once (budgets are checked between chunks)."""
        ...

    def judge(self, inputs: Sequence[JudgeInput], keys: Sequence[str]) -> Iterator[JudgeReply]:
        """One reply per input, keyed by the given cache keys, in any order."""
        ...

    def close(self) -> None:
        """Release connections or models."""
        ...


def parse_judge_spec(spec: str) -> tuple[BackendName, str]:
    """`openai:<model>`, `hf:<model>` or `tiny` as (backend, model)."""
    if spec == "tiny":
        return "tiny", "tiny"
    backend, sep, model = spec.partition(":")
    if not sep or not model or backend not in ("openai", "hf"):
        raise UsageError(
            f"bad --judge value '{spec}'",
            "use openai:<model> (with --judge-base-url for other servers), hf:<model id or "
            "folder>, or tiny",
        )
    return ("openai" if backend == "openai" else "hf"), model


def check_judge_mode(config: JudgeConfig) -> tuple[BackendName, str]:
    """The parsed --judge value; choice mode is refused for API judges."""
    backend, model = parse_judge_spec(config.spec)
    if backend == "openai" and config.mode == "choice":
        raise UsageError(
            "--judge-mode choice needs a local judge (hf:<model> or tiny)",
            "an API judge returns text, not the log-likelihoods of the verdicts",
        )
    return backend, model


def judge_identity(config: JudgeConfig, cache_dir: Path) -> JudgeIdentity:
    """The identity (and so the cache keys) of the configured judge, without loading it."""
    backend, model = check_judge_mode(config)
    if backend == "openai":
        return JudgeIdentity(
            backend="openai",
            model=model,
            base_url=config.base_url.rstrip("/"),
            decoding=JudgeDecoding(max_tokens=config.max_new_tokens),
        )
    from mmalign_eval.judges.hf_backend import hf_identity

    return hf_identity(config, backend, model, cache_dir)[0]


def load_backend(config: JudgeConfig, identity: JudgeIdentity, cache_dir: Path) -> JudgeBackend:
    """Build the backend of an identity (reads the API key from the environment)."""
    if identity.backend == "openai":
        from mmalign_eval.judges.openai_backend import OpenAIJudge

        return OpenAIJudge(config, identity)
    from mmalign_eval.judges.hf_backend import HFJudge, hf_identity

    _, model_dir = hf_identity(config, identity.backend, identity.model, cache_dir)
    return HFJudge(config, identity, model_dir, cache_dir)
