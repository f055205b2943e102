"""HFEngine on the tiny model: batching, media failures, keys, finish reasons, log-likelihoods."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import torch
from PIL import Image
from transformers import AutoModelForImageTextToText, AutoProcessor

from mmalign_eval.contracts import (
    GenerationParams,
    ImagePart,
    MediaRef,
    Message,
    Request,
    Response,
    TextPart,
)
from mmalign_eval.engines.base import EngineConfig
from mmalign_eval.engines.hf import HFEngine, chat_messages
from mmalign_eval.engines.tiny import ensure_tiny_model
from mmalign_eval.media import media_from_file
from mmalign_eval.plans import sampled
from mmalign_eval.registry import build_registry
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.hallucination.pope.synthetic import ensure_synthetic_pope

MAX_NEW_TOKENS = 6
PARAMS = GenerationParams(max_new_tokens=MAX_NEW_TOKENS)


@pytest.fixture(scope="module")
def model_dir(cache_dir: Path) -> Path:
    return ensure_tiny_model(cache_dir / "models")


@pytest.fixture(scope="module")
def engine1(model_dir: Path) -> HFEngine:
    return HFEngine(EngineConfig(model="tiny", batch_size=1, device="cpu"), model_dir)


@pytest.fixture(scope="module")
def engine4(model_dir: Path) -> HFEngine:
    return HFEngine(EngineConfig(model="tiny", batch_size=4, device="cpu"), model_dir)


@pytest.fixture(scope="module")
def images(cache_dir: Path) -> list[MediaRef]:
    folder = ensure_synthetic_pope(cache_dir / "data", 4)
    return [media_from_file(p) for p in sorted((folder / "images").glob("*.png"))]


def _request(
    *parts: ImagePart | TextPart, params: GenerationParams = PARAMS, sample_index: int = 0
) -> Request:
    message = Message(role="user", content=tuple(parts))
    return Request(messages=(message,), generation=params, sample_index=sample_index)


def _ask(media: MediaRef | None, text: str, params: GenerationParams = PARAMS) -> Request:
    parts = ([ImagePart(media=media)] if media is not None else []) + [TextPart(text=text)]
    return _request(*parts, params=params)


@pytest.fixture(scope="module")
def mixed_requests(cache_dir: Path, images: list[MediaRef]) -> list[Request]:
    """POPE requests plus hand-made ones of very different prompt lengths and image counts."""
    task = build_registry().tasks["pope_random"]
    loaded = task.loader(DataRequest(source="synthetic:4", cache_dir=str(cache_dir)))
    protocol = task.protocol(None)
    pope = [task.plan(s, PARAMS, protocol)[0].request for s in loaded.samples[:3]]
    return [
        *pope,
        _ask(images[0], "Yes"),
        _ask(
            images[1],
            "A man is sitting at a table next to a window with a cup. "
            "Is there a person in the picture? Answer yes or no. " * 3,
        ),
        _ask(None, "Describe the image."),
        _request(ImagePart(media=images[2]), ImagePart(media=images[3]), TextPart(text="Same?")),
    ]


def _generate(engine: HFEngine, requests: Sequence[Request]) -> dict[str, Response]:
    out: dict[str, Response] = {}
    for batch in engine.generate(requests):
        for response in batch:
            assert response.key not in out, "one response per request key"
            out[response.key] = response
    return out


def test_namespace_ignores_batch_size(engine1: HFEngine, engine4: HFEngine) -> None:
    assert engine1.response_namespace == engine4.response_namespace
    assert engine1.info.model_fingerprint == engine4.info.model_fingerprint
    assert engine4.info.batch_size == 4
    assert engine4.info.dtype == "float32"


def test_batched_generation_equals_one_by_one(
    engine1: HFEngine, engine4: HFEngine, mixed_requests: list[Request]
) -> None:
    one = _generate(engine1, mixed_requests)
    batched = _generate(engine4, mixed_requests)
    namespace = engine4.response_namespace
    keys = [r.key(namespace) for r in mixed_requests]
    assert set(one) == set(batched) == set(keys)
    # The batch really mixes lengths, so left padding is exercised.
    assert len({batched[k].prompt_tokens for k in keys}) >= 4
    for key in keys:
        a, b = one[key], batched[key]
        assert a.error is None and b.error is None
        assert (a.text, a.finish_reason, a.completion_tokens, a.prompt_tokens) == (
            b.text,
            b.finish_reason,
            b.completion_tokens,
            b.prompt_tokens,
        )
        assert b.completion_tokens > 0


def test_sampled_answers_do_not_depend_on_their_batch(
    engine4: HFEngine, images: list[MediaRef]
) -> None:
    sampling = GenerationParams(max_new_tokens=8, temperature=1.0, do_sample=True)
    base = _ask(images[0], "Describe the image.", sampling)
    calls = sampled(base, 3, seed=5)
    alone = _generate(engine4, [calls[1].request])
    torch.manual_seed(123)  # whatever the global state, each request brings its own seed
    together = _generate(engine4, [c.request for c in calls])
    key = calls[1].request.key(engine4.response_namespace)
    assert alone[key].text == together[key].text
    # An unseeded sampled request derives its seed from its content: reruns agree.
    unseeded = _ask(images[1], "Describe the image.", sampling)
    unseeded_key = unseeded.key(engine4.response_namespace)
    first = _generate(engine4, [unseeded])[unseeded_key].text
    torch.manual_seed(7)
    assert _generate(engine4, [base, unseeded])[unseeded_key].text == first


def test_prefetch_thread_gives_the_same_responses(
    engine4: HFEngine, mixed_requests: list[Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    # CPU runs decode inline; GPU runs decode the next batch in a thread. Same answers.
    assert engine4.prefetch is False
    inline = _generate(engine4, mixed_requests)
    monkeypatch.setattr(engine4, "prefetch", True)
    threaded = _generate(engine4, mixed_requests)

    def strip(responses: dict[str, Response]) -> dict[str, Response]:
        return {k: r.model_copy(update={"latency_s": 0.0}) for k, r in responses.items()}

    assert strip(inline) == strip(threaded)


def test_batches_are_yielded_per_batch_size(
    engine4: HFEngine, mixed_requests: list[Request]
) -> None:
    sizes = [len(batch) for batch in engine4.generate(mixed_requests)]
    assert sum(sizes) == len(mixed_requests)
    assert max(sizes) == 4
    assert len(sizes) == -(-len(mixed_requests) // 4)


def test_response_keys_are_request_keys(engine4: HFEngine, images: list[MediaRef]) -> None:
    request = _ask(images[0], "Is there a red circle in the image?")
    sampled = request.model_copy(update={"sample_index": 1})
    responses = _generate(engine4, [request, sampled])
    namespace = engine4.response_namespace
    assert set(responses) == {request.key(namespace), sampled.key(namespace)}
    assert request.key(namespace) != sampled.key(namespace)
    assert request.key(namespace) != request.key("another-model")


def test_finish_reason_length_without_eos(engine4: HFEngine, images: list[MediaRef]) -> None:
    params = GenerationParams(max_new_tokens=4)
    requests = [_ask(m, "Is there a blue square in the image?", params) for m in images]
    responses = _generate(engine4, requests)
    eos = engine4.tokenizer.eos_token_id
    for response in responses.values():
        assert response.finish_reason == "length"
        assert response.completion_tokens == 4
        assert response.error is None
        assert response.prompt_tokens > 0
        assert engine4.tokenizer.decode([eos]) not in response.text


def test_stop_string_cuts_text(engine1: HFEngine, images: list[MediaRef]) -> None:
    plain = _ask(images[0], "Describe the image.")
    text = _generate(engine1, [plain])[plain.key(engine1.response_namespace)].text
    assert len(text) >= 3
    stop = text[1:3]
    stopped = _ask(images[0], "Describe the image.", PARAMS.model_copy(update={"stop": (stop,)}))
    response = _generate(engine1, [stopped])[stopped.key(engine1.response_namespace)]
    assert response.finish_reason == "stop"
    assert response.text == text[: text.index(stop)]


@pytest.fixture
def bad_media(tmp_path: Path) -> tuple[MediaRef, MediaRef]:
    corrupt_path = tmp_path / "corrupt.png"
    corrupt_path.write_bytes(b"\x89PNG\r\n\x1a\n this is not an image at all" * 4)
    corrupt = media_from_file(corrupt_path)
    missing = MediaRef(sha256="0" * 64, path=str(tmp_path / "missing.png"), source="missing.png")
    return corrupt, missing


def test_bad_images_fail_only_their_requests(
    engine1: HFEngine,
    engine4: HFEngine,
    images: list[MediaRef],
    bad_media: tuple[MediaRef, MediaRef],
) -> None:
    corrupt, missing = bad_media
    good_a = _ask(images[0], "Is there a red circle in the image?")
    bad_a = _ask(corrupt, "Is there a red circle in the image?")
    bad_b = _ask(missing, "Is there a green triangle in the image?")
    good_b = _ask(images[1], "Describe the image.")
    requests = [good_a, bad_a, bad_b, good_b]
    batches = list(engine4.generate(requests))
    assert len(batches) == 1, "all four requests share one batch"
    namespace = engine4.response_namespace
    got = {r.key: r for r in batches[0]}
    assert set(got) == {r.key(namespace) for r in requests}

    corrupt_response = got[bad_a.key(namespace)]
    assert corrupt_response.finish_reason == "error"
    assert corrupt_response.text == ""
    assert corrupt_response.error is not None
    assert "corrupt" in corrupt_response.error and "corrupt.png" in corrupt_response.error

    missing_response = got[bad_b.key(namespace)]
    assert missing_response.finish_reason == "error"
    assert missing_response.error is not None
    assert "not found" in missing_response.error and "missing.png" in missing_response.error

    alone = _generate(engine1, [good_a, good_b])
    for request in (good_a, good_b):
        key = request.key(namespace)
        assert got[key].error is None
        assert got[key].finish_reason != "error"
        assert got[key].text == alone[key].text
        assert got[key].prompt_tokens == alone[key].prompt_tokens


def test_batch_of_only_bad_images(engine4: HFEngine, bad_media: tuple[MediaRef, MediaRef]) -> None:
    corrupt, missing = bad_media
    requests = [_ask(corrupt, "Yes"), _ask(missing, "No")]
    responses = _generate(engine4, requests)
    assert len(responses) == 2
    assert all(r.finish_reason == "error" and r.error for r in responses.values())


def test_generate_nothing(engine4: HFEngine) -> None:
    assert list(engine4.generate([])) == []


# -- log-likelihood ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def ll_inputs(mixed_requests: list[Request]) -> tuple[list[Request], list[list[str]]]:
    requests = mixed_requests[:5]
    options = [
        ["Yes", "No"],
        ["yes", "no", "There is no object in the image."],
        ["A red circle."],
        ["No", "Yes", "one two three four five"],
        ["no"],
    ]
    return requests, options


def test_loglikelihood_batched_equals_one_by_one(
    engine1: HFEngine, engine4: HFEngine, ll_inputs: tuple[list[Request], list[list[str]]]
) -> None:
    requests, options = ll_inputs
    one = engine1.loglikelihood(requests, options)
    batched = engine4.loglikelihood(requests, options)
    assert [[s.option for s in row] for row in batched] == options
    for row_one, row_batched in zip(one, batched, strict=True):
        for a, b in zip(row_one, row_batched, strict=True):
            assert a.option == b.option
            assert a.num_tokens == b.num_tokens
            assert b.logprob == pytest.approx(a.logprob, abs=1e-4)
            assert b.logprob <= 0.0
    for row, opts in zip(batched, options, strict=True):
        for score, option in zip(row, opts, strict=True):
            ids = engine4.tokenizer(option, add_special_tokens=False)["input_ids"]
            assert score.num_tokens == len(ids)
    # A longer option is a product of more probabilities: strictly less likely here.
    long_option = batched[1][2]
    assert long_option.num_tokens > 1
    assert long_option.logprob < min(batched[1][0].logprob, batched[1][1].logprob)


@pytest.fixture(scope="module")
def reference(model_dir: Path) -> tuple[Any, Any]:
    processor = AutoProcessor.from_pretrained(model_dir)  # type: ignore[no-untyped-call]
    model = AutoModelForImageTextToText.from_pretrained(model_dir, dtype=torch.float32)
    assert not model.training
    return processor, model


def _prompt_inputs(processor: Any, request: Request) -> Any:
    """The request's prompt for one unpadded sequence, built without the engine."""
    text = processor.apply_chat_template(
        chat_messages(request), tokenize=False, add_generation_prompt=True
    )
    pictures = []
    for ref in request.media():
        assert ref.path is not None
        with Image.open(ref.path) as image:
            pictures.append(image.convert("RGB"))
    return processor(text=[text], images=pictures or None, return_tensors="pt")


def _reference_logprobs(
    reference: tuple[Any, Any], request: Request, option_ids: list[int]
) -> float:
    """Teacher-forced sum of log-probs of option_ids after the prompt, one sequence, no padding."""
    processor, model = reference
    inputs = _prompt_inputs(processor, request)
    prompt_len = inputs["input_ids"].shape[1]
    extra = torch.tensor([option_ids], dtype=inputs["input_ids"].dtype)
    inputs["input_ids"] = torch.cat([inputs["input_ids"], extra], dim=1)
    inputs["attention_mask"] = torch.ones_like(inputs["input_ids"])
    with torch.no_grad():
        logits = model(**inputs).logits[0].float()
    logprobs = torch.log_softmax(logits, dim=-1)
    return float(sum(logprobs[prompt_len - 1 + i, tok].item() for i, tok in enumerate(option_ids)))


def test_loglikelihood_matches_plain_forward_pass(
    engine4: HFEngine,
    reference: tuple[Any, Any],
    ll_inputs: tuple[list[Request], list[list[str]]],
) -> None:
    requests, _ = ll_inputs
    single = ["Yes", "No", "yes", "no"]
    ids = [engine4.tokenizer(o, add_special_tokens=False)["input_ids"] for o in single]
    assert all(len(i) == 1 for i in ids), "the option set must be single tokens"
    scores = engine4.loglikelihood(requests, [single] * len(requests))
    processor, model = reference
    for request, row in zip(requests, scores, strict=True):
        # Single-token options: log-softmax of the last prompt position, read at each option.
        inputs = _prompt_inputs(processor, request)
        with torch.no_grad():
            last = model(**inputs).logits[0, -1].float()
        expected = torch.log_softmax(last, dim=-1)
        for score, (token,) in zip(row, ids, strict=True):
            assert score.num_tokens == 1
            assert score.logprob == pytest.approx(expected[token].item(), abs=1e-4)
        total = sum(torch.exp(torch.tensor(s.logprob)).item() for s in row)
        assert total < 1.0


def test_multi_token_loglikelihood_matches_teacher_forcing(
    engine4: HFEngine,
    reference: tuple[Any, Any],
    ll_inputs: tuple[list[Request], list[list[str]]],
) -> None:
    requests, options = ll_inputs
    scores = engine4.loglikelihood(requests, options)
    for request, opts, row in zip(requests, options, scores, strict=True):
        for option, score in zip(opts, row, strict=True):
            ids = engine4.tokenizer(option, add_special_tokens=False)["input_ids"]
            expected = _reference_logprobs(reference, request, ids)
            assert score.logprob == pytest.approx(expected, abs=1e-4)


def test_weights_load_only_when_a_call_needs_them(
    model_dir: Path, images: list[MediaRef], tmp_path: Path
) -> None:
    from rich.console import Console

    from mmalign_eval.generation import answer_all
    from mmalign_eval.journal import Journal
    from mmalign_eval.plans import generate

    calls = [generate(_ask(images[0], "Is there a cat?")), generate(_ask(images[1], "A dog?"))]
    quiet = Console(file=open(tmp_path / "log.txt", "w"))  # noqa: SIM115
    first = HFEngine(EngineConfig(model="tiny", device="cpu"), model_dir)
    assert not first.loaded  # building the engine (fingerprint, dtype) reads no weights
    with Journal(tmp_path / "journal.jsonl") as journal:
        answered, generated = answer_all(first, journal, calls, quiet)
    assert first.loaded and generated == 2
    resumed = HFEngine(EngineConfig(model="tiny", device="cpu"), model_dir)
    with Journal(tmp_path / "journal.jsonl") as journal:
        again, generated = answer_all(resumed, journal, calls, quiet)
    assert not resumed.loaded and generated == 0 and again == answered


def test_a_truncated_checkpoint_is_a_load_error_naming_its_folder(
    model_dir: Path, images: list[MediaRef], tmp_path: Path
) -> None:
    import shutil

    from mmalign_eval.errors import ModelLoadError

    copy = tmp_path / "ckpt"
    shutil.copytree(model_dir, copy)
    weights = copy / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    engine = HFEngine(EngineConfig(model=str(copy), device="cpu"), copy)
    with pytest.raises(ModelLoadError, match="cannot load") as caught:
        list(engine.generate([_ask(images[0], "Is there a cat?")]))
    assert caught.value.hint is not None and str(copy) in caught.value.hint
