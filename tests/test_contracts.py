"""Boundary records: immutable, strict, and keyed by content rather than by location."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mmalign_eval.contracts import (
    GenerationParams,
    ImagePart,
    ItemScore,
    MediaRef,
    Message,
    Request,
    Response,
    Sample,
    TextPart,
)

FINGERPRINT = "model-a"
SHA_A = "a" * 64
SHA_B = "b" * 64


def _request(
    text: str = "Is there a dog in the image?",
    sha: str = SHA_A,
    path: str | None = "/data/one/img.png",
    generation: GenerationParams | None = None,
    sample_index: int = 0,
    source: str | None = "img.png",
) -> Request:
    media = MediaRef(sha256=sha, path=path, source=source)
    message = Message(role="user", content=(ImagePart(media=media), TextPart(text=text)))
    return Request(
        messages=(message,),
        generation=generation or GenerationParams(),
        sample_index=sample_index,
    )


RECORDS: list[tuple[type[Any], dict[str, Any], str]] = [
    (MediaRef, {"sha256": SHA_A}, "sha256"),
    (TextPart, {"text": "hi"}, "text"),
    (GenerationParams, {}, "max_new_tokens"),
    (Sample, {"id": "1", "task": "t", "question": "q"}, "question"),
    (Response, {"key": "k", "text": "yes", "finish_reason": "stop"}, "text"),
    (ItemScore, {"sample_id": "1", "status": "ok"}, "status"),
]


@pytest.mark.parametrize(
    ("cls", "kwargs", "field"), RECORDS, ids=lambda v: getattr(v, "__name__", None)
)
def test_records_are_frozen(cls: type[Any], kwargs: dict[str, Any], field: str) -> None:
    record = cls(**kwargs)
    with pytest.raises(ValidationError, match="frozen"):
        setattr(record, field, getattr(record, field))


@pytest.mark.parametrize(
    ("cls", "kwargs", "field"), RECORDS, ids=lambda v: getattr(v, "__name__", None)
)
def test_records_reject_unknown_fields(cls: type[Any], kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match="unexpected_field"):
        cls(**kwargs, unexpected_field=1)
    # The same arguments without the unknown field are accepted.
    assert getattr(cls(**kwargs), field) is not None


def test_nested_records_reject_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        Request.model_validate(
            {
                "messages": [{"role": "user", "content": [{"type": "text", "text": "q", "x": 1}]}],
                "generation": {},
            }
        )


def test_request_key_is_deterministic_and_depends_on_model() -> None:
    assert _request().key(FINGERPRINT) == _request().key(FINGERPRINT)
    assert len(_request().key(FINGERPRINT)) == 64
    assert _request().key(FINGERPRINT) != _request().key("model-b")


KEY_CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("text", {"text": "Is there a cat in the image?"}),
    ("text whitespace", {"text": "Is there a dog in the image? "}),
    ("image sha256", {"sha": SHA_B}),
    ("max_new_tokens", {"generation": GenerationParams(max_new_tokens=16)}),
    ("temperature", {"generation": GenerationParams(temperature=0.7, do_sample=True)}),
    ("top_p", {"generation": GenerationParams(top_p=0.9)}),
    ("stop", {"generation": GenerationParams(stop=("\n",))}),
    ("sample_index", {"sample_index": 1}),
]


@pytest.mark.parametrize(("what", "change"), KEY_CHANGES, ids=[c[0] for c in KEY_CHANGES])
def test_request_key_changes_with_content(what: str, change: dict[str, Any]) -> None:
    assert _request(**change).key(FINGERPRINT) != _request().key(FINGERPRINT), what


KEY_SAME: list[tuple[str, dict[str, Any]]] = [
    ("media path", {"path": "/somewhere/else/copy.png"}),
    ("no media path", {"path": None}),
    ("media source", {"source": "COCO_val2014_000000000042.jpg"}),
    ("explicit default params", {"generation": GenerationParams(max_new_tokens=128)}),
]


@pytest.mark.parametrize(("what", "change"), KEY_SAME, ids=[c[0] for c in KEY_SAME])
def test_request_key_ignores_location(what: str, change: dict[str, Any]) -> None:
    assert _request(**change).key(FINGERPRINT) == _request().key(FINGERPRINT), what


def test_request_key_depends_on_role_and_part_order() -> None:
    base = _request()
    (message,) = base.messages
    swapped = Message(role="user", content=tuple(reversed(message.content)))
    as_system = Message(role="system", content=message.content)
    key = base.key(FINGERPRINT)
    assert Request(messages=(swapped,), generation=base.generation).key(FINGERPRINT) != key
    assert Request(messages=(as_system,), generation=base.generation).key(FINGERPRINT) != key


def test_request_media_lists_images_in_order() -> None:
    a, b = MediaRef(sha256=SHA_A), MediaRef(sha256=SHA_B)
    message = Message(
        role="user", content=(ImagePart(media=a), TextPart(text="x"), ImagePart(media=b))
    )
    request = Request(messages=(message,), generation=GenerationParams())
    assert request.media() == (a, b)


def test_with_overrides_ignores_none() -> None:
    base = GenerationParams(max_new_tokens=64, temperature=0.5, do_sample=True)
    same = base.with_overrides(max_new_tokens=None, temperature=None, top_p=None)
    assert same == base
    changed = base.with_overrides(max_new_tokens=8, temperature=None)
    assert changed.max_new_tokens == 8
    assert changed.temperature == 0.5
    assert changed.do_sample is True
    assert base.max_new_tokens == 64  # the original is untouched


def test_with_overrides_keeps_falsy_non_none_values() -> None:
    base = GenerationParams(temperature=0.7, do_sample=True)
    changed = base.with_overrides(temperature=0.0, do_sample=False)
    assert changed.temperature == 0.0
    assert changed.do_sample is False


@pytest.mark.parametrize(
    "overrides",
    [
        {"max_new_tokens": 0},
        {"temperature": -0.1},
        {"top_p": 0.0},
        {"top_p": 1.5},
        {"max_new_tokens": "many"},
        {"unknown_param": 3},
    ],
    ids=str,
)
def test_with_overrides_validates(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        GenerationParams().with_overrides(**overrides)
