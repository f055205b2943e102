"""Request plans: calls, their roles, and content keys that stay journal-compatible."""

from __future__ import annotations

from typing import Any

import pytest

from mmalign_eval.contracts import (
    GenerationParams,
    ImagePart,
    MediaRef,
    Request,
    TextPart,
    missing_media,
    unread_media,
)
from mmalign_eval.hashing import sha256_text, stable_hash
from mmalign_eval.plans import (
    ModelCall,
    generate,
    pairwise,
    rank_options,
    reply_request,
    reward,
    sampled,
    text_first_request,
    user_request,
)

NS = "model-fingerprint"
IMAGE = MediaRef(sha256="ab" * 32, path="/images/a.png", source="a.png")
GREEDY = GenerationParams()
SAMPLING = GenerationParams(do_sample=True, temperature=0.7, top_p=0.9, max_new_tokens=64)


def _request(text: str = "Is there a dog?", generation: GenerationParams = GREEDY) -> Request:
    return user_request([IMAGE], text, generation)


def _old_key(request: Request, namespace: str) -> str:
    """The request key as computed before GenerationParams had a seed field."""
    rendered = [
        {
            "role": m.role,
            "content": [
                {"text": p.text} if isinstance(p, TextPart) else {"image": p.media.key_part}
                for p in m.content
            ],
        }
        for m in request.messages
    ]
    g = request.generation
    generation = {
        "max_new_tokens": g.max_new_tokens,
        "temperature": g.temperature,
        "top_p": g.top_p,
        "do_sample": g.do_sample,
        "stop": list(g.stop),
    }
    content = stable_hash(
        {"messages": rendered, "generation": generation, "sample_index": request.sample_index}
    )
    return sha256_text(f"{namespace}:{content}")


# -- user_request ------------------------------------------------------------------------


def test_user_request_puts_images_first_then_the_text() -> None:
    other = MediaRef(sha256="cd" * 32, source="b.png")
    request = user_request([IMAGE, other], "Describe.", SAMPLING, sample_index=2)
    (message,) = request.messages
    assert message.role == "user"
    assert message.content == (
        ImagePart(media=IMAGE),
        ImagePart(media=other),
        TextPart(text="Describe."),
    )
    assert request.generation == SAMPLING
    assert request.sample_index == 2
    assert request.media() == (IMAGE, other)


def test_user_request_without_media_is_text_only() -> None:
    request = user_request([], "Hello", GREEDY)
    assert request.messages[0].content == (TextPart(text="Hello"),)


# -- media in keys -----------------------------------------------------------------------

KEY_PARTS = [
    (MediaRef(sha256="ff" * 32, path="/x.png", source="x.png"), "ff" * 32),
    (unread_media("COCO_1.jpg"), "unread:COCO_1.jpg"),
    (missing_media("COCO_1.jpg", "/imgs/COCO_1.jpg"), "missing:COCO_1.jpg"),
    (MediaRef(state="ready", source="y.png"), "ready:y.png"),  # ready without a hash
    (MediaRef(state="missing", sha256="ff" * 32, source="z.png"), "missing:z.png"),
]


@pytest.mark.parametrize(("media", "part"), KEY_PARTS, ids=lambda v: getattr(v, "state", v))
def test_media_key_part(media: MediaRef, part: str) -> None:
    assert media.key_part == part


def test_unread_and_missing_media_of_one_image_have_different_keys() -> None:
    unread = user_request([unread_media("a.png")], "q", GREEDY).key(NS)
    missing = user_request([missing_media("a.png")], "q", GREEDY).key(NS)
    ready = user_request([IMAGE], "q", GREEDY).key(NS)
    assert len({unread, missing, ready}) == 3


# -- keys --------------------------------------------------------------------------------


@pytest.mark.parametrize("generation", [GREEDY, SAMPLING], ids=["greedy", "sampling"])
def test_generate_key_is_the_request_key(generation: GenerationParams) -> None:
    """Journals written before plans existed hold responses under the request key."""
    request = _request(generation=generation)
    call = generate(request)
    assert call.role == "answer" and call.kind == "generate" and call.options == ()
    assert call.key(NS) == request.key(NS)
    assert generate(request, role="caption").key(NS) == request.key(NS)  # role is no key part


@pytest.mark.parametrize(
    "request_",
    [
        _request(),
        _request(generation=SAMPLING),
        user_request([unread_media("COCO_1.jpg")], "Describe.", GREEDY),
        user_request([], "text only", GenerationParams(stop=("\n", "###")), sample_index=3),
    ],
    ids=["greedy", "sampling", "unread-media", "stop-and-index"],
)
def test_unseeded_request_key_predates_the_seed_field(request_: Request) -> None:
    assert request_.generation.seed is None
    assert request_.key(NS) == _old_key(request_, NS)
    assert generate(request_).key(NS) == _old_key(request_, NS)


def test_seeded_request_key_differs_from_the_unseeded_one() -> None:
    unseeded = _request(generation=SAMPLING)
    seeded = _request(generation=SAMPLING.model_copy(update={"seed": 7}))
    assert seeded.key(NS) != unseeded.key(NS)
    assert seeded.key(NS) != _request(generation=SAMPLING.model_copy(update={"seed": 8})).key(NS)


LOGLIKELIHOOD_KEYS: list[tuple[str, ModelCall]] = [
    ("generate", generate(_request())),
    ("yes/no", rank_options(_request(), ["yes", "no"])),
    ("Yes/No", rank_options(_request(), ["Yes", "No"])),
    ("yes/no/maybe", rank_options(_request(), ["yes", "no", "maybe"])),
    ("no options", rank_options(_request(), [])),
    ("reward", reward(_request())),
    ("other request", rank_options(_request("Is there a cat?"), ["yes", "no"])),
]


def test_call_keys_differ_by_kind_options_and_request() -> None:
    keys = {name: call.key(NS) for name, call in LOGLIKELIHOOD_KEYS}
    assert len(set(keys.values())) == len(keys), keys


def test_loglikelihood_key_is_stable_and_namespaced() -> None:
    call = rank_options(_request(), ("yes", "no"))
    assert call.kind == "loglikelihood" and call.options == ("yes", "no")
    assert call.key(NS) == rank_options(_request(), ["yes", "no"]).key(NS)
    assert call.key(NS) != call.key("another-model")
    assert call.key(NS) != _request().key(NS)
    base = _request().key(NS)
    assert call.key(NS) == sha256_text(f"{base}:loglikelihood:{stable_hash(['yes', 'no'])}")


def test_reward_call() -> None:
    call = reward(_request(), role="score")
    assert (call.kind, call.role, call.options) == ("reward", "score", ())
    assert call.key(NS) != call.key("another-model")


# -- sampled -----------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("seed", [0, 3])
def test_sampled_gives_k_calls_with_distinct_indices_seeds_and_keys(k: int, seed: int) -> None:
    request = _request(generation=SAMPLING)
    calls = sampled(request, k, seed=seed)
    assert len(calls) == k
    assert [c.role for c in calls] == [f"sample-{i}" for i in range(k)]
    assert [c.request.sample_index for c in calls] == list(range(k))
    assert all(c.kind == "generate" for c in calls)
    seeds = [c.request.generation.seed for c in calls]
    assert all(s is not None for s in seeds)
    assert len(set(seeds)) == k
    assert len({c.key(NS) for c in calls}) == k
    for call in calls:
        # Only the seed and the index change: the prompt and the decoding are the request's.
        assert call.request.messages == request.messages
        assert call.request.generation.model_copy(update={"seed": None}) == SAMPLING
        # A fresh record: its key is computed from its own content, not copied along.
        assert call.key(NS) == call.request.key(NS)
        assert call.key(NS) == Request.model_validate(call.request.model_dump()).key(NS)
        assert call.key(NS) != request.key(NS)


def test_sampled_keys_are_deterministic_and_depend_on_the_seed() -> None:
    request = _request(generation=SAMPLING)
    once = [c.key(NS) for c in sampled(request, 3, seed=1)]
    again = [c.key(NS) for c in sampled(request, 3, seed=1)]
    other = [c.key(NS) for c in sampled(request, 3, seed=2)]
    assert once == again
    assert not set(once) & set(other)


def test_sampled_role_prefix() -> None:
    calls = sampled(_request(generation=SAMPLING), 2, role="draw")
    assert [c.role for c in calls] == ["draw-0", "draw-1"]


def test_sampled_keys_do_not_depend_on_a_hash_computed_before() -> None:
    request = _request(generation=SAMPLING)
    _ = request.content_hash  # cached on the record
    fresh = _request(generation=SAMPLING)
    assert [c.key(NS) for c in sampled(request, 2)] == [c.key(NS) for c in sampled(fresh, 2)]


# -- pairwise ----------------------------------------------------------------------------


def test_pairwise_roles_follow_the_orders() -> None:
    ab, ba = _request("A then B"), _request("B then A")
    calls = pairwise({"AB": ab, "BA": ba})
    assert [(c.role, c.kind) for c in calls] == [("AB", "generate"), ("BA", "generate")]
    assert calls[0].request == ab and calls[1].request == ba
    assert calls[0].key(NS) == ab.key(NS) and calls[1].key(NS) == ba.key(NS)


def test_model_call_rejects_unknown_kind_and_fields() -> None:
    request: Any = _request()
    with pytest.raises(ValueError):
        ModelCall(request=request, kind="embed")
    with pytest.raises(ValueError):
        ModelCall(request=request, extra=1)  # type: ignore[call-arg]


def test_text_first_and_reply_requests() -> None:
    # The prompt before the image (scripts that send it so), and a reward conversation: the
    # images and the prompt, then the response as the assistant's turn.
    first = text_first_request("Describe it.", [IMAGE], GREEDY, sample_index=3)
    (message,) = first.messages
    assert [type(p) for p in message.content] == [TextPart, ImagePart]
    assert first.sample_index == 3
    conversation = reply_request([IMAGE], "Describe it.", "A dog.", GREEDY)
    user, reply = conversation.messages
    assert user == user_request([IMAGE], "Describe it.", GREEDY).messages[0]
    assert (reply.role, reply.content) == ("assistant", (TextPart(text="A dog."),))
