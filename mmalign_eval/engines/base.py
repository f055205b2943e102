"""The engine contract: generate(requests) -> responses, and optional log-likelihoods."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal, Protocol

from pydantic import Field

from mmalign_eval.contracts import ChoiceScore, Record, Request, Response

DType = Literal["auto", "float32", "bfloat16", "float16"]
Device = Literal["auto", "cpu", "cuda"]


ImageDetail = Literal["auto", "low", "high"]
EngineName = Literal["auto", "hf", "vllm", "openai"]


class EngineConfig(Record):
    """How to load and run a model; what the user chose on the command line (never a key)."""

    model: str
    engine: EngineName = Field(default="auto", description="auto: chosen from --model's prefix.")
    dtype: DType = "auto"
    device: Device = "auto"
    batch_size: int = Field(default=8, ge=1)
    trust_remote_code: bool = False
    threads: int | None = Field(
        default=None, ge=1, description="CPU threads of an in-process model (None: automatic)."
    )
    # OpenAI-compatible servers (`--model openai:<name>`).
    base_url: str = "https://api.openai.com/v1"
    api_key_env: str = Field(default="OPENAI_API_KEY", description="Name of the key's variable.")
    concurrency: int = Field(default=8, ge=1)
    request_timeout_s: float = Field(default=60.0, gt=0.0)
    max_retries: int = Field(default=6, ge=0)
    retry_base_s: float = Field(default=1.0, ge=0.0)
    image_detail: ImageDetail | None = None
    # vLLM (`--engine vllm`).
    tensor_parallel_size: int = Field(default=1, ge=1)
    gpu_memory_utilization: float = Field(default=0.9, gt=0.0, le=1.0)
    max_model_len: int | None = Field(default=None, ge=1)


class EngineInfo(Record):
    """What produced the responses, recorded in the manifest and results."""

    engine: str
    model: str
    model_dir: str
    model_fingerprint: str
    dtype: str
    device: str
    batch_size: int
    trust_remote_code: bool
    versions: dict[str, str]
    response_namespace: str | None = Field(
        default=None, description="Prefix of the run's response keys (re-scoring finds them)."
    )
    note: str | None = Field(
        default=None, description="What the fingerprint does not cover (e.g. remote weights)."
    )


class Engine(Protocol):
    """Anything that can answer requests in batches."""

    @property
    def info(self) -> EngineInfo:
        """Identity and settings of the engine."""
        ...

    @property
    def response_namespace(self) -> str:
        """Prefix of response keys: the model fingerprint plus settings that change answers."""
        ...

    def generate(self, requests: Sequence[Request]) -> Iterator[list[Response]]:
        """Yield responses batch by batch (in any order) as soon as each batch is done."""
        ...

    def loglikelihood(
        self, requests: Sequence[Request], options: Sequence[Sequence[str]]
    ) -> list[list[ChoiceScore]]:
        """Log-probability of each option continuing each request's prompt."""
        ...
