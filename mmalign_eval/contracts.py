"""Typed records that cross the boundaries between stages (see DESIGN.md, data flow).

task adapter -> Sample -> Request -> engine -> Response -> journal -> ItemScore -> results
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from mmalign_eval.hashing import sha256_text, stable_hash

Scalar = str | int | float | bool


class Record(BaseModel):
    """Base of every boundary record: immutable, and unknown fields are rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class MediaRef(Record):
    """A piece of media a request carries: where its bytes are and what they hash to."""

    kind: Literal["image"] = "image"
    sha256: str = Field(description="Hash of the media bytes; part of the request key.")
    path: str | None = Field(default=None, description="Local file holding the bytes.")
    source: str | None = Field(default=None, description="Original name or URL, for reports.")


class TextPart(Record):
    """Plain text inside a chat message."""

    type: Literal["text"] = "text"
    text: str


class ImagePart(Record):
    """An image inside a chat message."""

    type: Literal["image"] = "image"
    media: MediaRef


ContentPart = Annotated[TextPart | ImagePart, Field(discriminator="type")]


class Message(Record):
    """One chat turn."""

    role: Literal["system", "user", "assistant"]
    content: tuple[ContentPart, ...]


class GenerationParams(Record):
    """Decoding settings; part of the request key."""

    max_new_tokens: int = Field(default=128, ge=1)
    temperature: float = Field(default=0.0, ge=0.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    do_sample: bool = False
    stop: tuple[str, ...] = ()

    def with_overrides(self, **overrides: object) -> GenerationParams:
        """A copy with the non-None overrides applied (and validated)."""
        changes = {key: value for key, value in overrides.items() if value is not None}
        return GenerationParams.model_validate({**self.model_dump(), **changes})


class Sample(Record):
    """One benchmark item as a task adapter produces it."""

    id: str = Field(description="The benchmark's own id, as a string.")
    task: str
    question: str
    target: str = ""
    media: tuple[MediaRef, ...] = ()
    cluster: str | None = Field(
        default=None, description="Items sharing a cluster (e.g. an image) resample together."
    )
    metadata: dict[str, Scalar] = Field(default_factory=dict)


class Request(Record):
    """Everything an engine needs to produce one response; it never looks anything up."""

    messages: tuple[Message, ...]
    generation: GenerationParams
    sample_index: int = Field(default=0, ge=0, description="Index among sampled generations.")

    def media(self) -> tuple[MediaRef, ...]:
        """All media referenced by the messages, in order."""
        return tuple(
            part.media
            for message in self.messages
            for part in message.content
            if isinstance(part, ImagePart)
        )

    @cached_property
    def content_hash(self) -> str:
        """Hash of the rendered messages (media by hash), parameters and sample index."""
        rendered = [
            {
                "role": message.role,
                "content": [
                    {"text": part.text}
                    if isinstance(part, TextPart)
                    else {"image": part.media.sha256}
                    for part in message.content
                ],
            }
            for message in self.messages
        ]
        return stable_hash(
            {
                "messages": rendered,
                "generation": self.generation.model_dump(mode="json"),
                "sample_index": self.sample_index,
            }
        )

    def key(self, model_fingerprint: str) -> str:
        """Content key: model fingerprint plus the request's content hash."""
        return sha256_text(f"{model_fingerprint}:{self.content_hash}")


FinishReason = Literal["stop", "length", "error"]


class Response(Record):
    """What an engine returns for one request."""

    key: str
    text: str
    finish_reason: FinishReason
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    error: str | None = None


class ChoiceScore(Record):
    """Log-likelihood of one option continuing a request's prompt."""

    option: str
    logprob: float
    num_tokens: int


# missing: the benchmark item has no answer at all (`score` with a predictions file lacking it).
ItemStatus = Literal["ok", "unparseable", "error", "missing"]


class ItemScore(Record):
    """The per-item outcome of scoring one response; aggregates are functions of these."""

    sample_id: str
    status: ItemStatus
    reason: str | None = None
    parsed: str | None = None
    values: dict[str, float] = Field(default_factory=dict)
    cluster: str | None = None
