"""Evaluated models behind an OpenAI-compatible `/chat/completions` server.

`--model openai:<name> --base-url URL`: OpenAI, vLLM, SGLang, `transformers serve`, hosted
APIs. Images travel as base64 data URLs with their MIME type; requests go out concurrently
through the shared HTTP layer (chat_api.py) and each answer is yielded as soon as it
arrives, so the journal keeps it even if the run is killed a moment later. Remote weights
cannot be fingerprinted: responses are keyed by the endpoint, the model name and the model
id the server reports, and the results say so.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from mmalign_eval.chat_api import ChatClient, ChatSettings, Completion, check_base_url
from mmalign_eval.chat_content import message_payloads
from mmalign_eval.contracts import ChoiceScore, Request, Response
from mmalign_eval.engines.base import EngineConfig, EngineInfo
from mmalign_eval.errors import UsageError
from mmalign_eval.hashing import stable_hash
from mmalign_eval.judges.openai_backend import api_key
from mmalign_eval.media import MediaError

PREFIX = "openai:"
NOT_FINGERPRINTED = (
    "remote weights are not fingerprinted: responses are keyed by the endpoint, the model "
    "name and the model id the server reports"
)


def chat_payload(model: str, request: Request, detail: str | None) -> dict[str, Any]:
    """The chat-completions body of one request (text parts and image_url parts)."""
    messages = message_payloads(request.messages, detail)
    params = request.generation
    payload: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "max_tokens": params.max_new_tokens,
    }
    payload["temperature"] = params.temperature if params.do_sample else 0.0
    if params.do_sample:
        payload["top_p"] = params.top_p
    if params.stop:
        payload["stop"] = list(params.stop)
    if params.seed is not None:
        payload["seed"] = params.seed
    return payload


def check_config(config: EngineConfig) -> None:
    """A model name, an http(s) endpoint and the key's variable set, before anything loads."""
    if not config.model.removeprefix(PREFIX):
        raise UsageError("--model openai: needs a model name", "e.g. --model openai:gpt-4o-mini")
    check_base_url(config.base_url, "--base-url")
    api_key(config.api_key_env, "model server", "--api-key-env")


def reported_model(base_url: str, key: str, name: str, timeout_s: float) -> str | None:
    """The id the server lists for the model (GET /models), when it lists one."""
    try:
        response = httpx.get(
            f"{base_url}/models", headers={"Authorization": f"Bearer {key}"}, timeout=timeout_s
        )
        entries = response.json().get("data", []) if response.status_code == 200 else []
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    ids = [e.get("id") for e in entries if isinstance(e, dict)]
    return name if name in ids else None


class OpenAIEngine:
    """Answers generation requests through an OpenAI-compatible server."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.name = config.model.removeprefix(PREFIX)
        key = api_key(config.api_key_env, "model server", "--api-key-env")
        base_url = config.base_url.rstrip("/")
        settings = ChatSettings(
            base_url,
            config.concurrency,
            config.request_timeout_s,
            config.max_retries,
            config.retry_base_s,
        )
        self._client = ChatClient(settings, key)
        self._server_model = reported_model(base_url, key, self.name, config.request_timeout_s)

    @property
    def response_namespace(self) -> str:
        """Endpoint, model name, reported model id and image detail: what decides answers."""
        return stable_hash(
            {
                "engine": "openai",
                "base_url": self._client.settings.base_url,
                "model": self.name,
                "server_model": self._server_model,
                "image_detail": self.config.image_detail,
            }
        )

    @property
    def info(self) -> EngineInfo:
        """What produced the responses; the weights themselves are not known."""
        return EngineInfo(
            engine="openai",
            model=self.config.model,
            model_dir=self._client.settings.base_url,
            model_fingerprint=self.response_namespace,
            dtype="remote",
            device="remote",
            batch_size=self.config.concurrency,
            trust_remote_code=False,
            versions={
                "httpx": httpx.__version__,
                "server_model": self._server_model or "not listed",
            },
            response_namespace=self.response_namespace,
            note=NOT_FINGERPRINTED,
        )

    def generate(self, requests: Sequence[Request]) -> Iterator[list[Response]]:
        """Each response as soon as it arrives (a request with an unreadable image fails
        alone, without a call)."""
        payloads, sent = [], []
        for request in requests:
            try:
                payloads.append(chat_payload(self.name, request, self.config.image_detail))
                sent.append(request)
            except MediaError as exc:
                yield [self._response(request, None, str(exc))]
        for index, outcome in self._client.as_completed(payloads):
            if isinstance(outcome, Completion):
                yield [self._response(sent[index], outcome, None)]
            else:
                yield [self._response(sent[index], None, outcome.reason)]

    def _response(self, request: Request, done: Completion | None, error: str | None) -> Response:
        key = request.key(self.response_namespace)
        if done is None:
            return Response(key=key, text="", finish_reason="error", error=error)
        finish = "length" if done.finish_reason == "length" else "stop"
        return Response(
            key=key,
            text=done.text,
            finish_reason=finish,
            prompt_tokens=done.prompt_tokens,
            completion_tokens=done.completion_tokens,
            latency_s=done.latency_s,
        )

    def loglikelihood(
        self, requests: Sequence[Request], options: Sequence[Sequence[str]]
    ) -> list[list[ChoiceScore]]:
        """Not answered: the engine registry refuses such plans before any request is sent."""
        raise UsageError(
            "the openai engine returns no log-likelihoods", "use --protocol of a kind it answers"
        )
