"""Hugging Face engine: AutoProcessor + AutoModelForImageTextToText, batched, left-padded."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from mmalign_eval.contracts import ChoiceScore, ImagePart, Request, Response
from mmalign_eval.distributed import current_rank
from mmalign_eval.engines.base import EngineConfig, EngineInfo
from mmalign_eval.engines.batching import plan_batches
from mmalign_eval.engines.threads import apply_threads
from mmalign_eval.errors import ModelLoadError
from mmalign_eval.fingerprint import model_fingerprint
from mmalign_eval.hashing import stable_hash
from mmalign_eval.media import MediaError, load_image

_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def chat_messages(request: Request) -> list[dict[str, Any]]:
    """The request's messages in the structure HF chat templates expect."""
    return [
        {
            "role": message.role,
            "content": [
                {"type": "image"}
                if isinstance(part, ImagePart)
                else {"type": "text", "text": part.text}
                for part in message.content
            ],
        }
        for message in request.messages
    ]


@dataclass
class _Prepared:
    """A batch decoded and tokenised off the main thread, plus the requests that failed."""

    requests: list[Request]
    inputs: dict[str, torch.Tensor] | None
    failed: list[tuple[Request, str]]
    prompt_texts: list[str]


def _pick_device(device: str) -> torch.device:
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError(
            "--device cuda was asked for but no CUDA GPU is visible", "use --device cpu"
        )
    if device == "cuda":
        # One GPU per rank of a data-parallel run (LOCAL_RANK), as torchrun intends.
        return torch.device("cuda", current_rank().local % torch.cuda.device_count())
    return torch.device(device)


def _pick_dtype(dtype: str, device: torch.device) -> torch.dtype:
    if dtype != "auto":
        return _DTYPES[dtype]
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float32


@dataclass(frozen=True)
class _Weights:
    """A loaded checkpoint: processor, model, tokenizer and its end-of-sequence ids."""

    processor: Any
    model: Any
    tokenizer: Any
    eos_ids: set[int]


def _load_weights(
    config: EngineConfig, model_dir: Path, device: torch.device, dtype: Any
) -> _Weights:
    from transformers import AutoModelForImageTextToText, AutoProcessor
    from transformers.utils import logging as hf_logging

    # The harness draws its own progress; per-shard loading bars would interleave with it.
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        processor = AutoProcessor.from_pretrained(  # type: ignore[no-untyped-call]
            model_dir, trust_remote_code=config.trust_remote_code
        )
        model = AutoModelForImageTextToText.from_pretrained(
            model_dir, dtype=dtype, trust_remote_code=config.trust_remote_code
        )
        model = model.to(device)  # type: ignore[arg-type]
    except Exception as exc:  # any loader fault (a SafetensorError too) means it cannot load
        raise ModelLoadError(
            f"cannot load {config.model} as an image-text-to-text model: {_first_line(exc)}",
            f"check the checkpoint files in {model_dir} (a truncated download?); the model "
            "needs a processor with a chat template; for custom code add --trust-remote-code",
        ) from exc
    model.eval()
    tokenizer = processor.tokenizer
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return _Weights(processor, model, tokenizer, _eos_ids(model, tokenizer))


class HFEngine:
    """Batched greedy/sampled generation and option log-likelihoods with transformers.

    The weights load at the first call, not when the engine is built: a resumed run whose
    journal already holds every answer never loads them.
    """

    def __init__(self, config: EngineConfig, model_dir: Path, fingerprint_memo: Path | None = None):
        self.config = config
        self.device = _pick_device(config.device)
        self.dtype = _pick_dtype(config.dtype, self.device)
        self._fingerprint = model_fingerprint(model_dir, fingerprint_memo)
        self._model_dir = model_dir
        self._weights: _Weights | None = None
        # Overlapping decoding with generation pays off when an accelerator computes and the
        # CPU waits; on a CPU-only run both compete for the same cores, so it is inline there.
        self.prefetch = self.device.type != "cpu"
        if self.device.type == "cpu":
            apply_threads(config.threads)

    def _loaded(self) -> _Weights:
        if self._weights is None:
            self._weights = _load_weights(self.config, self._model_dir, self.device, self.dtype)
        return self._weights

    @property
    def loaded(self) -> bool:
        """Whether the weights have been loaded (by a first call)."""
        return self._weights is not None

    @property
    def processor(self) -> Any:
        """The checkpoint's processor (loads the weights on first use)."""
        return self._loaded().processor

    @property
    def model(self) -> Any:
        """The model (loads the weights on first use)."""
        return self._loaded().model

    @property
    def tokenizer(self) -> Any:
        """The processor's tokenizer (loads the weights on first use)."""
        return self._loaded().tokenizer

    @property
    def _eos_ids(self) -> set[int]:
        return self._loaded().eos_ids

    @property
    def info(self) -> EngineInfo:
        """Identity and settings of the engine."""
        import transformers

        return EngineInfo(
            engine="hf",
            model=self.config.model,
            model_dir=str(self._model_dir),
            model_fingerprint=self._fingerprint,
            dtype=str(self.dtype).removeprefix("torch."),
            device=str(self.device),
            batch_size=self.config.batch_size,
            trust_remote_code=self.config.trust_remote_code,
            versions={"torch": torch.__version__, "transformers": transformers.__version__},
            response_namespace=self.response_namespace,
        )

    @property
    def response_namespace(self) -> str:
        """Fingerprint plus dtype: a bf16 run is never served float32 answers."""
        return stable_hash({"engine": "hf", "model": self._fingerprint, "dtype": str(self.dtype)})

    # -- generation ---------------------------------------------------------------------

    def generate(self, requests: Sequence[Request]) -> Iterator[list[Response]]:
        """Yield responses per batch; the next batch is decoded while this one generates."""
        batches = plan_batches(requests, self.config.batch_size)
        if not batches:
            return
        if not self.prefetch:
            for indices in batches:
                yield self._run_batch(self._prepare(requests, indices))
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch") as pool:
            pending: Future[_Prepared] = pool.submit(self._prepare, requests, batches[0])
            for index in range(len(batches)):
                prepared = pending.result()
                if index + 1 < len(batches):
                    pending = pool.submit(self._prepare, requests, batches[index + 1])
                yield self._run_batch(prepared)

    def _prepare(
        self, requests: Sequence[Request], indices: list[int], generation_prompt: bool = True
    ) -> _Prepared:
        good: list[Request] = []
        images: list[Any] = []
        failed: list[tuple[Request, str]] = []
        for i in indices:
            try:
                decoded = [load_image(ref) for ref in requests[i].media()]
            except MediaError as exc:
                failed.append((requests[i], str(exc)))
                continue
            good.append(requests[i])
            images.extend(decoded)
        texts = [self._render(r, generation_prompt) for r in good]
        inputs = None
        if good:
            encoded = self.processor(
                text=texts, images=images or None, padding=True, return_tensors="pt"
            )
            inputs = dict(encoded.items())
        return _Prepared(good, inputs, failed, texts)

    def _render(self, request: Request, generation_prompt: bool = True) -> str:
        # Without the generation prompt the conversation ends with its last (assistant) turn:
        # what a reward model scores.
        rendered: str = self.processor.apply_chat_template(
            chat_messages(request), tokenize=False, add_generation_prompt=generation_prompt
        )
        return rendered

    def _to_device(self, inputs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        moved = {}
        for name, tensor in inputs.items():
            if tensor.is_floating_point():
                moved[name] = tensor.to(device=self.device, dtype=self.dtype)
            else:
                moved[name] = tensor.to(device=self.device)
        return moved

    def _run_batch(self, prepared: _Prepared) -> list[Response]:
        out = [self._error(r, reason) for r, reason in prepared.failed]
        if prepared.inputs is None:
            return out
        started = time.perf_counter()
        inputs = self._to_device(prepared.inputs)
        params = prepared.requests[0].generation
        if params.do_sample:  # batches of sampled requests hold one request (batching.py)
            torch.manual_seed(sampling_seed(prepared.requests[0]))
        with torch.inference_mode():
            generated = self.model.generate(**inputs, **_generate_kwargs(params))
        elapsed = time.perf_counter() - started
        prompt_len = inputs["input_ids"].shape[1]
        prompt_counts = inputs["attention_mask"].sum(dim=1).tolist()
        for row, request in enumerate(prepared.requests):
            tokens = generated[row, prompt_len:].tolist()
            out.append(self._response(request, tokens, int(prompt_counts[row]), elapsed))
        return out

    def _response(
        self, request: Request, tokens: list[int], prompt_tokens: int, latency: float
    ) -> Response:
        end = next((i for i, t in enumerate(tokens) if t in self._eos_ids), None)
        finish = "length" if end is None else "stop"
        kept = tokens if end is None else tokens[:end]
        text = self.tokenizer.decode(kept, skip_special_tokens=True)
        for stop in request.generation.stop:
            if stop in text:
                text, finish = text[: text.index(stop)], "stop"
        return Response(
            key=request.key(self.response_namespace),
            text=text,
            finish_reason=finish,
            prompt_tokens=prompt_tokens,
            completion_tokens=len(kept) + (0 if end is None else 1),
            latency_s=latency,
        )

    def _error(self, request: Request, reason: str) -> Response:
        return Response(
            key=request.key(self.response_namespace), text="", finish_reason="error", error=reason
        )

    # -- log-likelihood -----------------------------------------------------------------

    def loglikelihood(
        self, requests: Sequence[Request], options: Sequence[Sequence[str]]
    ) -> list[list[ChoiceScore]]:
        """Sum of token log-probabilities of each option after each request's prompt."""
        pairs = [(i, opt) for i, opts in enumerate(options) for opt in opts]
        scores: list[list[ChoiceScore]] = [[] for _ in requests]
        size = self.config.batch_size
        for start in range(0, len(pairs), size):
            chunk = pairs[start : start + size]
            batch = [requests[i] for i, _ in chunk]
            prepared = self._prepare(batch, list(range(len(batch))))
            if prepared.failed:
                raise MediaError(prepared.failed[0][1])
            assert prepared.inputs is not None
            for (i, _), score in zip(
                chunk, self._option_logprobs(prepared.inputs, [o for _, o in chunk]), strict=True
            ):
                scores[i].append(score)
        return scores

    def _option_logprobs(
        self, inputs: dict[str, torch.Tensor], options: list[str]
    ) -> list[ChoiceScore]:
        option_ids = [self.tokenizer(o, add_special_tokens=False)["input_ids"] for o in options]
        width = max(len(ids) for ids in option_ids)
        prompt_ids, prompt_mask = inputs["input_ids"], inputs["attention_mask"]
        pad = self.tokenizer.pad_token_id
        extra = torch.full((len(options), width), pad, dtype=prompt_ids.dtype)
        extra_mask = torch.zeros((len(options), width), dtype=prompt_mask.dtype)
        for row, ids in enumerate(option_ids):
            extra[row, : len(ids)] = torch.tensor(ids, dtype=prompt_ids.dtype)
            extra_mask[row, : len(ids)] = 1
        full = dict(inputs)
        full["input_ids"] = torch.cat([prompt_ids, extra], dim=1)
        full["attention_mask"] = torch.cat([prompt_mask, extra_mask], dim=1)
        # Left padding shifts absolute positions; derive them from the mask as generate() does.
        full["position_ids"] = (full["attention_mask"].cumsum(dim=1) - 1).clamp(min=0)
        with torch.inference_mode():
            logits = self.model(**self._to_device(full)).logits.float()
        logprobs = torch.log_softmax(logits, dim=-1)
        start = prompt_ids.shape[1]
        out = []
        for row, ids in enumerate(option_ids):
            positions = torch.arange(start - 1, start - 1 + len(ids))
            targets = torch.tensor(ids)
            value = logprobs[row, positions, targets].sum().item()
            out.append(ChoiceScore(option=options[row], logprob=value, num_tokens=len(ids)))
        return out


def sampling_seed(request: Request) -> int:
    """The request's own seed, else one derived from its content (so reruns agree)."""
    seed = request.generation.seed
    return seed if seed is not None else int(request.content_hash[:8], 16)


def _generate_kwargs(params: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "max_new_tokens": params.max_new_tokens,
        "do_sample": params.do_sample,
    }
    if params.do_sample:
        kwargs.update(temperature=params.temperature, top_p=params.top_p)
    else:
        # Neutralise sampling knobs a checkpoint's generation_config may set.
        kwargs.update(temperature=None, top_p=None, top_k=None)
    return kwargs


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    ids: set[int] = set()
    configured = getattr(model.generation_config, "eos_token_id", None)
    if isinstance(configured, int):
        ids.add(configured)
    elif configured:
        ids.update(int(i) for i in configured)
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    return ids


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
