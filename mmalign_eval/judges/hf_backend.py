"""Local judge through the same Hugging Face engine that evaluates models (no API needed)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from mmalign_eval.contracts import GenerationParams, Request
from mmalign_eval.engines.base import EngineConfig
from mmalign_eval.hashing import stable_hash
from mmalign_eval.judges.records import (
    BackendName,
    JudgeConfig,
    JudgeDecoding,
    JudgeIdentity,
    JudgeInput,
    JudgeReply,
)

# A local model needs an explicit length; 512 tokens fit an explanation plus "Rating: s".
DEFAULT_MAX_NEW_TOKENS = 512


def hf_identity(
    config: JudgeConfig, backend: BackendName, model: str, cache_dir: Path
) -> tuple[JudgeIdentity, Path]:
    """Identity of a local judge (weights fingerprint and dtype) without loading it."""
    from mmalign_eval.engines.hf import _pick_device, _pick_dtype
    from mmalign_eval.engines.resolve import resolve_model
    from mmalign_eval.fingerprint import model_fingerprint

    resolved = resolve_model(model, cache_dir)
    dtype = _pick_dtype("auto", _pick_device("auto"))
    weights = model_fingerprint(resolved.local_dir, cache_dir / "fingerprints.json")
    decoding = JudgeDecoding(max_tokens=config.max_new_tokens or DEFAULT_MAX_NEW_TOKENS)
    identity = JudgeIdentity(
        backend=backend,
        model=model,
        model_fingerprint=stable_hash({"weights": weights, "dtype": str(dtype)}),
        decoding=decoding,
        # A random tiny model never writes a parseable verdict; it can still pick one.
        mode=config.mode or ("choice" if backend == "tiny" else "generate"),
    )
    return identity, resolved.local_dir


class HFJudge:
    """A judge model loaded with HFEngine; text-only judge inputs are requests without images."""

    def __init__(
        self, config: JudgeConfig, identity: JudgeIdentity, model_dir: Path, cache_dir: Path
    ) -> None:
        from mmalign_eval.engines.hf import HFEngine

        engine_config = EngineConfig(model=identity.model, batch_size=config.batch_size)
        self._engine = HFEngine(engine_config, model_dir, cache_dir / "fingerprints.json")
        self._generation = GenerationParams(max_new_tokens=identity.decoding.max_tokens or 1)
        self._identity = identity
        self._batch = config.batch_size

    @property
    def identity(self) -> JudgeIdentity:
        """Model id, weights fingerprint (with dtype) and decoding."""
        return self._identity

    @property
    def chunk_size(self) -> int:
        """A few batches per chunk."""
        return self._batch * 4

    def judge(self, inputs: Sequence[JudgeInput], keys: Sequence[str]) -> Iterator[JudgeReply]:
        """One reply per input: generated text, or in choice mode the most likely verdict;
        yielded batch by batch."""
        for start in range(0, len(inputs), self._batch):
            chunk, chunk_keys = (
                inputs[start : start + self._batch],
                keys[start : start + self._batch],
            )
            if self._identity.mode == "choice":
                yield from self._choose(chunk, chunk_keys)
            else:
                yield from self._generate(chunk, chunk_keys)

    def _choose(self, inputs: Sequence[JudgeInput], keys: Sequence[str]) -> list[JudgeReply]:
        replies = [
            JudgeReply(
                key=key,
                error=f"task {item.task} has no closed set of verdicts for --judge-mode choice",
                model=self._identity.model,
            )
            for item, key in zip(inputs, keys, strict=True)
        ]
        todo = [i for i, item in enumerate(inputs) if item.choices]
        if not todo:
            return replies
        requests = [Request(messages=inputs[i].messages, generation=self._generation) for i in todo]
        scores = self._engine.loglikelihood(requests, [inputs[i].choices for i in todo])
        for index, options in zip(todo, scores, strict=True):
            best = max(options, key=lambda option: option.logprob)
            replies[index] = JudgeReply(
                key=keys[index],
                text=best.option,
                model=self._identity.model,
                prompt_tokens=0,
                completion_tokens=best.num_tokens,
            )
        return replies

    def _generate(self, inputs: Sequence[JudgeInput], keys: Sequence[str]) -> list[JudgeReply]:
        requests = [Request(messages=i.messages, generation=self._sampling(i)) for i in inputs]
        by_request: dict[str, JudgeReply] = {}
        namespace = self._engine.response_namespace
        for batch in self._engine.generate(requests):
            for response in batch:
                by_request[response.key] = JudgeReply(
                    key="",
                    text=response.text,
                    error=response.error,
                    model=self._identity.model,
                    prompt_tokens=response.prompt_tokens,
                    completion_tokens=response.completion_tokens,
                    latency_s=response.latency_s,
                )
        return [
            by_request[r.key(namespace)].model_copy(update={"key": key})
            for r, key in zip(requests, keys, strict=True)
        ]

    def _sampling(self, item: JudgeInput) -> GenerationParams:
        """The judge's decoding, or the input's own temperature (an official retry's)."""
        if not item.temperature:
            return self._generation
        return self._generation.model_copy(
            update={"do_sample": True, "temperature": item.temperature}
        )

    def close(self) -> None:
        """Nothing to release explicitly: the model goes with the backend object."""
