"""Typed records that cross the boundaries between stages (see DESIGN.md, data flow).

task adapter -> Sample -> Request -> engine -> Response -> journal -> ItemScore -> results
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any, Generic, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from typing_extensions import TypeVar

from mmalign_eval.hashing import sha256_text, stable_hash


class Record(BaseModel):
    """Base of every boundary record: immutable, and unknown fields are rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# ready: the bytes are at `path` and hash to `sha256`. unread: referenced but never read
# (scoring saved answers needs no pixels). missing: the file is absent or unreadable, which
# fails only the requests that carry it.
MediaState = Literal["ready", "unread", "missing"]


class MediaRef(Record):
    """A piece of media a request carries: where its bytes are and what they hash to."""

    kind: Literal["image"] = "image"
    state: MediaState = "ready"
    sha256: str | None = Field(
        default=None, description="Hash of the media bytes (ready media); part of the request key."
    )
    path: str | None = Field(default=None, description="Local file holding the bytes.")
    source: str | None = Field(default=None, description="Original name or URL, for reports.")

    @property
    def key_part(self) -> str:
        """What stands for the media in a request key: its hash, or its state and name."""
        if self.state == "ready" and self.sha256 is not None:
            return self.sha256
        return f"{self.state}:{self.source}"


def unread_media(source: str) -> MediaRef:
    """Media named but not read (scoring saved answers)."""
    return MediaRef(state="unread", source=source)


def missing_media(source: str, path: str | None = None) -> MediaRef:
    """Media whose file is absent or unreadable; its requests fail, the run goes on."""
    return MediaRef(state="missing", path=path, source=source)


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
    seed: int | None = Field(
        default=None,
        description="Sampling seed of this request (None: derived from the request's content), "
        "so sampled answers never depend on batch composition.",
    )

    def with_overrides(self, **overrides: object) -> GenerationParams:
        """A copy with the non-None overrides applied (and validated)."""
        changes = {key: value for key, value in overrides.items() if value is not None}
        return GenerationParams.model_validate({**self.model_dump(), **changes})


Info = TypeVar("Info", default=Any)


class Sample(Record, Generic[Info]):
    """One benchmark item as a task adapter produces it; `info` is the benchmark's own typed
    record (its labels, annotations, groups), read only by that benchmark's code."""

    id: str = Field(description="The benchmark's own id, as a string.")
    task: str
    question: str
    target: str = Field(default="", description="The gold answer as text, for reports.")
    media: tuple[MediaRef, ...] = ()
    cluster: str | None = Field(
        default=None, description="Items sharing a cluster (e.g. an image) resample together."
    )
    category: str | None = Field(
        default=None,
        description="The benchmark's category of the item; smoke subsets stratify by it.",
    )
    info: Info = None  # type: ignore[assignment]


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
                    else {"image": part.media.key_part}
                    for part in message.content
                ],
            }
            for message in self.messages
        ]
        generation = self.generation.model_dump(mode="json")
        if generation["seed"] is None:
            del generation["seed"]  # keys of unseeded requests predate the field
        return stable_hash(
            {"messages": rendered, "generation": generation, "sample_index": self.sample_index}
        )

    def key(self, model_fingerprint: str) -> str:
        """Content key: model fingerprint plus the request's content hash."""
        return sha256_text(f"{model_fingerprint}:{self.content_hash}")


FinishReason = Literal["stop", "length", "error"]


class ChoiceScore(Record):
    """Log-likelihood of one option continuing a request's prompt."""

    option: str
    logprob: float
    num_tokens: int


class Response(Record):
    """What an engine returns for one call: text, option log-likelihoods or a reward."""

    key: str
    text: str
    finish_reason: FinishReason
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    error: str | None = None
    choices: tuple[ChoiceScore, ...] = Field(
        default=(), description="Log-likelihood calls: each option's score."
    )
    reward: float | None = Field(default=None, description="Reward calls: the scalar reward.")


# missing: the benchmark item has no answer at all (`score` with a predictions file lacking it).
class Component(Record):
    """A named, versioned scoring component (a refusal keyword list, a parser): its content
    hash goes into the results, so numbers say exactly what produced them."""

    kind: str = Field(description="What it is, e.g. 'refusal detector'.")
    name: str
    version: str
    sha256: str = Field(description="Hash of its content (the keyword list, the rule text).")


ItemStatus = Literal["ok", "unparseable", "error", "missing"]
# A parsed answer as recorded: a label, a letter, a number, a list of objects, a verdict.
ParsedValue = str | int | float | bool | tuple[Any, ...] | list[Any] | dict[str, Any] | None


class ItemScore(Record):
    """The per-item outcome of scoring one response; aggregates are functions of these."""

    sample_id: str
    status: ItemStatus
    reason: str | None = None
    parsed: ParsedValue = None
    values: dict[str, float] = Field(default_factory=dict)
    cluster: str | None = None

    @field_validator("parsed", mode="before")
    @classmethod
    def _records_as_objects(cls, value: Any) -> Any:
        # A typed reading (a record such as toolkit.choice.Picked) is written as an object,
        # not as the (field, value) pairs pydantic would make of it for a tuple.
        return value.model_dump(mode="json") if isinstance(value, BaseModel) else value
