"""The model stage: every planned call answered once, through the journal.

Calls are deduplicated by content key (POPE asks the same question in all three splits),
taken from the journal when a previous run answered them, and otherwise sent to the engine
by kind: generations in the engine's own batches, log-likelihood calls in chunks of the
batch size, rewards likewise. Every answer is journaled as its batch finishes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from rich.console import Console

from mmalign_eval.contracts import Request, Response
from mmalign_eval.engines.base import Engine
from mmalign_eval.journal import Journal
from mmalign_eval.media import MediaError
from mmalign_eval.plans import ModelCall
from mmalign_eval.progress import generation_progress


@runtime_checkable
class RewardEngine(Protocol):
    """An engine that scores conversations with a scalar reward (a reward model)."""

    def reward(self, requests: Sequence[Request]) -> list[float]:
        """One reward per request."""
        ...


def answer_all(
    engine: Engine, journal: Journal, calls: Sequence[ModelCall], console: Console
) -> tuple[dict[str, Response], int]:
    """Responses for all calls by key: from the journal, else computed once per key."""
    namespace = engine.response_namespace
    unique: dict[str, ModelCall] = {}
    for call in calls:
        unique.setdefault(call.key(namespace), call)
    pending = [c for k, c in unique.items() if k not in journal]
    if unique and not pending:
        # The engine never loads its weights: nothing is left to ask it.
        console.print(f"all {len(unique)} answers are in the journal: the model is not loaded")
    errors: dict[str, Response] = {}
    with generation_progress(console, total=len(pending)) as advance:
        for batch in _answer(engine, pending, namespace):
            journal.append(batch)
            errors.update((r.key, r) for r in batch if r.error is not None)
            advance(len(batch))
    out = {}
    for key in unique:
        stored = journal.get(key)
        out[key] = stored if stored is not None else errors[key]
    return out, len(pending)


def _answer(engine: Engine, calls: Sequence[ModelCall], namespace: str) -> Iterator[list[Response]]:
    generations = [c.request for c in calls if c.kind == "generate"]
    if generations:
        yield from engine.generate(generations)
    ranked = [c for c in calls if c.kind == "loglikelihood"]
    size = max(1, engine.info.batch_size)
    for start in range(0, len(ranked), size):
        yield rank_chunk(engine, ranked[start : start + size], namespace)
    rewarded = [c for c in calls if c.kind == "reward"]
    for start in range(0, len(rewarded), size):
        yield reward_chunk(engine, rewarded[start : start + size], namespace)


def rank_chunk(engine: Engine, calls: Sequence[ModelCall], namespace: str) -> list[Response]:
    """Option log-likelihoods of a chunk of calls; the most likely option is the text.

    An unreadable image fails only its own call: the chunk is retried one call at a time.
    """
    try:
        scores = engine.loglikelihood([c.request for c in calls], [c.options for c in calls])
    except MediaError as exc:
        if len(calls) == 1:
            return [_failed(calls[0], namespace, str(exc))]
        return [r for call in calls for r in rank_chunk(engine, [call], namespace)]
    out = []
    for call, options in zip(calls, scores, strict=True):
        best = max(options, key=lambda option: option.logprob)
        out.append(
            Response(
                key=call.key(namespace),
                text=best.option,
                finish_reason="stop",
                completion_tokens=best.num_tokens,
                choices=tuple(options),
            )
        )
    return out


def reward_chunk(engine: Engine, calls: Sequence[ModelCall], namespace: str) -> list[Response]:
    """Scalar rewards of a chunk of calls (engines that declare the reward kind)."""
    if not isinstance(engine, RewardEngine):
        return [_failed(c, namespace, "this engine computes no rewards") for c in calls]
    try:
        values = engine.reward([c.request for c in calls])
    except MediaError as exc:
        if len(calls) == 1:
            return [_failed(calls[0], namespace, str(exc))]
        return [r for call in calls for r in reward_chunk(engine, [call], namespace)]
    return [
        Response(key=call.key(namespace), text="", finish_reason="stop", reward=value)
        for call, value in zip(calls, values, strict=True)
    ]


def _failed(call: ModelCall, namespace: str, reason: str) -> Response:
    return Response(key=call.key(namespace), text="", finish_reason="error", error=reason)
