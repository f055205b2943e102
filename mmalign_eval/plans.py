"""Request plans: what a task asks the evaluated model for one sample.

A sample expands into any number of calls, each with a role the scorer looks it up by:
one generation ("answer"), K seeded samples ("sample-0" ...), both orders of a pairwise
prompt ("AB", "BA"), the log-likelihood of each option, or a scalar reward. Calls are keyed
by content (model, rendered request, sample index, kind and options), so a rerun resumes,
equal calls across tasks are made once, and the world size never changes a key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from mmalign_eval.contracts import (
    GenerationParams,
    ImagePart,
    MediaRef,
    Message,
    Record,
    Request,
    TextPart,
)
from mmalign_eval.hashing import sha256_text, stable_hash

CallKind = Literal["generate", "loglikelihood", "reward"]
Order = Literal["AB", "BA"]


class ModelCall(Record):
    """One call to the evaluated model within a sample's plan."""

    role: str = "answer"
    kind: CallKind = "generate"
    request: Request
    options: tuple[str, ...] = Field(
        default=(), description="loglikelihood: the continuations whose log-likelihood is asked."
    )

    def key(self, namespace: str) -> str:
        """Content key; a generation's key is its request's key."""
        base = self.request.key(namespace)
        if self.kind == "generate":
            return base
        return sha256_text(f"{base}:{self.kind}:{stable_hash(list(self.options))}")


def user_request(
    media: Sequence[MediaRef], text: str, generation: GenerationParams, sample_index: int = 0
) -> Request:
    """A single-turn chat request: the images first, then the text."""
    parts: list[ImagePart | TextPart] = [ImagePart(media=m) for m in media]
    parts.append(TextPart(text=text))
    message = Message(role="user", content=tuple(parts))
    return Request(messages=(message,), generation=generation, sample_index=sample_index)


def text_first_request(
    text: str, media: Sequence[MediaRef], generation: GenerationParams, sample_index: int = 0
) -> Request:
    """A single-turn chat request with the text first, then the images (scripts that send
    the prompt before the image: WildVision, VLMEvalKit's judges, VL-RewardBench)."""
    parts: list[ImagePart | TextPart] = [TextPart(text=text)]
    parts.extend(ImagePart(media=m) for m in media)
    message = Message(role="user", content=tuple(parts))
    return Request(messages=(message,), generation=generation, sample_index=sample_index)


def reply_request(
    media: Sequence[MediaRef], text: str, response: str, generation: GenerationParams
) -> Request:
    """A conversation a reward model scores: the images and the prompt, then `response` as
    the assistant's turn."""
    prompt = user_request(media, text, generation)
    reply = Message(role="assistant", content=(TextPart(text=response),))
    return Request(messages=(*prompt.messages, reply), generation=generation)


def generate(request: Request, role: str = "answer") -> ModelCall:
    """One generation."""
    return ModelCall(role=role, request=request)


def rank_options(request: Request, options: Sequence[str], role: str = "answer") -> ModelCall:
    """The log-likelihood of each option continuing the request's prompt."""
    return ModelCall(role=role, kind="loglikelihood", request=request, options=tuple(options))


def reward(request: Request, role: str = "answer") -> ModelCall:
    """A scalar reward for the request's conversation (the last turn is the response)."""
    return ModelCall(role=role, kind="reward", request=request)


def sampled(request: Request, k: int, seed: int = 0, role: str = "sample") -> tuple[ModelCall, ...]:
    """K sampled generations, each with its own index and seed (roles sample-0 ... k-1).

    The seed is part of each request, so an answer depends only on its request, never on
    which other requests shared its batch.
    """
    calls = []
    for index in range(k):
        params = request.generation.model_copy(update={"seed": seed * 1_000_003 + index})
        # A new record, not model_copy: the copy would carry the cached content hash along.
        one = Request(messages=request.messages, generation=params, sample_index=index)
        calls.append(ModelCall(role=f"{role}-{index}", request=one))
    return tuple(calls)


def pairwise(requests: dict[Order, Request]) -> tuple[ModelCall, ...]:
    """One generation per order of a pairwise prompt (roles "AB" and "BA")."""
    return tuple(ModelCall(role=order, request=request) for order, request in requests.items())
