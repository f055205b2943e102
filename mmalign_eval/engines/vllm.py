"""vLLM engine: offline `vllm.LLM` with the model's chat template, on one or more GPUs.

`--engine vllm --model <id|folder|tiny>` (or `--model vllm:<id|folder|tiny>`). vLLM is an
optional extra (`pip install 'mmalign-eval[vllm]'`) imported only here, when the engine
loads. Prompts are rendered with the same chat template as the Hugging Face engine; images
go as `multi_modal_data` with `multi_modal_uuids` taken from their content hash, so an image
that several requests share (POPE asks six questions per image) is encoded once. The
`vllm.LLM` is built at the first call, when the largest number of images per prompt is
known (`limit_mm_per_prompt`).
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmalign_eval.contracts import ChoiceScore, Request, Response
from mmalign_eval.distributed import current_rank
from mmalign_eval.engines.base import EngineConfig, EngineInfo
from mmalign_eval.engines.hf import chat_messages, sampling_seed
from mmalign_eval.errors import ModelLoadError, UsageError
from mmalign_eval.fingerprint import model_fingerprint
from mmalign_eval.hashing import stable_hash
from mmalign_eval.media import MediaError, load_image

PREFIX = "vllm:"
INSTALL = "pip install 'mmalign-eval[vllm]'"
# Requests handed to vLLM at once: vLLM batches continuously inside a chunk, and the journal
# keeps every finished chunk, so a kill loses at most one chunk.
CHUNK = 256


def check_vllm(config: EngineConfig) -> None:
    """One-line errors, before any data loads, for a machine that cannot run vLLM."""
    if importlib.util.find_spec("vllm") is None:
        raise UsageError("the vllm engine needs vLLM, which is not installed", INSTALL)
    if config.device == "cpu":
        raise UsageError("the vllm engine runs on CUDA GPUs only", "drop --device cpu")
    import torch

    if not torch.cuda.is_available():
        raise UsageError(
            "the vllm engine needs a CUDA GPU and none is visible",
            "run on a GPU machine, or use the default hf engine",
        )


@dataclass(frozen=True)
class Sampling:
    """The vLLM SamplingParams arguments of one request (greedy is temperature 0)."""

    max_tokens: int
    temperature: float
    top_p: float
    seed: int | None
    stop: tuple[str, ...]


def sampling(request: Request) -> Sampling:
    """A request's generation parameters as vLLM sampling arguments."""
    params = request.generation
    if not params.do_sample:
        return Sampling(params.max_new_tokens, 0.0, 1.0, None, tuple(params.stop))
    return Sampling(
        max_tokens=params.max_new_tokens,
        temperature=params.temperature,
        top_p=params.top_p,
        seed=sampling_seed(request),
        stop=tuple(params.stop),
    )


def media_uuids(request: Request) -> list[str]:
    """Stable ids of a request's images: their content hashes, in prompt order."""
    return [ref.key_part for ref in request.media()]


def image_limit(requests: Sequence[Request]) -> int:
    """The most images any one request carries (vLLM's limit_mm_per_prompt)."""
    return max((len(r.media()) for r in requests), default=0)


def option_logprob(
    prompt_token_ids: Sequence[int], prompt_logprobs: Sequence[Any], n: int
) -> float:
    """Sum of the log-probabilities vLLM gives the last n prompt tokens (the option's)."""
    total = 0.0
    for position in range(len(prompt_token_ids) - n, len(prompt_token_ids)):
        total += float(prompt_logprobs[position][prompt_token_ids[position]].logprob)
    return total


class VLLMEngine:
    """Generation and option log-likelihoods with an offline vLLM engine."""

    def __init__(self, config: EngineConfig, model_dir: Path, fingerprint_memo: Path | None = None):
        from transformers import AutoProcessor

        self.config = config
        self._model_dir = model_dir
        self._fingerprint = model_fingerprint(model_dir, fingerprint_memo)
        # The processor renders the chat template exactly as the hf engine does.
        self.processor = AutoProcessor.from_pretrained(  # type: ignore[no-untyped-call]
            model_dir, trust_remote_code=config.trust_remote_code
        )
        self.tokenizer = self.processor.tokenizer
        self._llm: Any = None
        self._limit = 0

    @property
    def info(self) -> EngineInfo:
        """Identity and settings of the engine."""
        import torch
        import transformers
        import vllm

        return EngineInfo(
            engine="vllm",
            model=self.config.model,
            model_dir=str(self._model_dir),
            model_fingerprint=self._fingerprint,
            dtype=self.config.dtype,
            device=f"cuda x{self.config.tensor_parallel_size} (tensor parallel)",
            batch_size=CHUNK,
            trust_remote_code=self.config.trust_remote_code,
            versions={
                "torch": torch.__version__,
                "transformers": transformers.__version__,
                "vllm": vllm.__version__,
            },
            response_namespace=self.response_namespace,
        )

    @property
    def response_namespace(self) -> str:
        """Engine, fingerprint, dtype and tensor-parallel size: kernels differ between them."""
        return stable_hash(
            {
                "engine": "vllm",
                "model": self._fingerprint,
                "dtype": self.config.dtype,
                "tp": self.config.tensor_parallel_size,
            }
        )

    def _engine(self, requests: Sequence[Request]) -> Any:
        limit = image_limit(requests)
        if self._llm is not None and limit <= self._limit:
            return self._llm
        if self._llm is not None:
            raise ModelLoadError(
                f"a request carries {limit} images but vLLM was started for {self._limit}",
                "run the tasks with more images per prompt in their own run",
            )
        rank = current_rank()
        if rank.parallel:  # one GPU per data-parallel rank, before CUDA initialises
            os.environ.setdefault("CUDA_VISIBLE_DEVICES", str(rank.local))
        from vllm import LLM

        self._limit = max(limit, 1)
        self._llm = LLM(
            model=str(self._model_dir),
            dtype=self.config.dtype,
            tensor_parallel_size=self.config.tensor_parallel_size,
            gpu_memory_utilization=self.config.gpu_memory_utilization,
            max_model_len=self.config.max_model_len,
            limit_mm_per_prompt={"image": self._limit},
            trust_remote_code=self.config.trust_remote_code,
            seed=0,
        )
        return self._llm

    def _prompt(self, request: Request, suffix: Sequence[int] = ()) -> dict[str, Any]:
        """vLLM prompt input: rendered text (or token ids plus an option), images, uuids."""
        text: str = self.processor.apply_chat_template(
            chat_messages(request), tokenize=False, add_generation_prompt=True
        )
        prompt: dict[str, Any] = {"prompt": text}
        if suffix:
            prompt = {"prompt_token_ids": self.tokenizer(text)["input_ids"] + list(suffix)}
        images = [load_image(ref) for ref in request.media()]
        if images:
            prompt["multi_modal_data"] = {"image": images}
            prompt["multi_modal_uuids"] = {"image": media_uuids(request)}
        return prompt

    # -- generation ---------------------------------------------------------------------

    def generate(self, requests: Sequence[Request]) -> Iterator[list[Response]]:
        """Yield responses chunk by chunk; a request whose image fails is answered an error."""
        for start in range(0, len(requests), CHUNK):
            yield self._run_chunk(requests[start : start + CHUNK])

    def _run_chunk(self, chunk: Sequence[Request]) -> list[Response]:
        out: list[Response] = []
        good: list[Request] = []
        prompts: list[dict[str, Any]] = []
        for request in chunk:
            try:
                prompts.append(self._prompt(request))
                good.append(request)
            except MediaError as exc:
                out.append(self._error(request, str(exc)))
        if not good:
            return out
        llm = self._engine(good)
        started = time.perf_counter()
        try:
            results = llm.generate(prompts, [self._params(r) for r in good], use_tqdm=False)
        except ValueError:  # one bad prompt (too long, say) fails vLLM's whole call
            return out + [self._one(llm, r, p) for r, p in zip(good, prompts, strict=True)]
        share = (time.perf_counter() - started) / len(good)
        return out + [self._response(r, o, share) for r, o in zip(good, results, strict=True)]

    def _one(self, llm: Any, request: Request, prompt: dict[str, Any]) -> Response:
        started = time.perf_counter()
        try:
            (result,) = llm.generate([prompt], [self._params(request)], use_tqdm=False)
        except ValueError as exc:
            return self._error(request, f"vLLM refused the request: {exc}")
        return self._response(request, result, time.perf_counter() - started)

    def _params(self, request: Request, **extra: Any) -> Any:
        from vllm import SamplingParams

        s = sampling(request)
        return SamplingParams(
            max_tokens=s.max_tokens,
            temperature=s.temperature,
            top_p=s.top_p,
            seed=s.seed,
            stop=list(s.stop) or None,
            **extra,
        )

    def _response(self, request: Request, result: Any, latency: float) -> Response:
        output = result.outputs[0]
        return Response(
            key=request.key(self.response_namespace),
            text=output.text,
            finish_reason="length" if output.finish_reason == "length" else "stop",
            prompt_tokens=len(result.prompt_token_ids or ()),
            completion_tokens=len(output.token_ids),
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
        llm = self._engine(requests)
        prompts: list[dict[str, Any]] = []
        params: list[Any] = []
        counted: list[tuple[int, str, int]] = []
        for index, (request, opts) in enumerate(zip(requests, options, strict=True)):
            for option in opts:
                ids = self.tokenizer(option, add_special_tokens=False)["input_ids"]
                prompts.append(self._prompt(request, ids))
                params.append(self._params(request, prompt_logprobs=0))
                counted.append((index, option, len(ids)))
        scores: list[list[ChoiceScore]] = [[] for _ in requests]
        results = llm.generate(prompts, params, use_tqdm=False)
        for (index, option, n), result in zip(counted, results, strict=True):
            value = option_logprob(result.prompt_token_ids, result.prompt_logprobs, n)
            scores[index].append(ChoiceScore(option=option, logprob=value, num_tokens=n))
        return scores
