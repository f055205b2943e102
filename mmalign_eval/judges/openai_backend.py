"""OpenAI-compatible chat-completions judge: async, bounded concurrency, retries with backoff.

Works with OpenAI itself and with local vLLM / SGLang servers (`--judge-base-url`).
The API key is read from the environment when the backend is built, sent only in the
Authorization header, and redacted from every reason string the backend returns.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Sequence
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from mmalign_eval.errors import UsageError
from mmalign_eval.judges.records import (
    JudgeConfig,
    JudgeIdentity,
    JudgeInput,
    JudgeReply,
)

_RETRY_STATUS = frozenset({408, 409, 429})
_MAX_DELAY_S = 60.0


class _Retryable(Exception):
    """A transient failure worth another attempt, with the server's suggested delay."""

    def __init__(self, reason: str, delay_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay_s = delay_s


def retry_after_s(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), _MAX_DELAY_S)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return min(max(when - time.time(), 0.0), _MAX_DELAY_S)


def backoff_s(attempt: int, base_s: float) -> float:
    """Exponential backoff with full jitter in [0.5, 1.5) of the nominal delay."""
    return float(min(base_s * 2**attempt, _MAX_DELAY_S) * (0.5 + random.random()))


def read_completion(body: Any) -> tuple[str, str | None, int, int]:
    """(text, model, prompt tokens, completion tokens) of a chat-completions body."""
    if not isinstance(body, dict):
        raise ValueError("response is not a JSON object")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        raise ValueError("response has no choices")
    message = choices[0].get("message") if isinstance(choices[0], dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise ValueError("first choice has no message content")
    usage = body.get("usage")
    counts: dict[str, Any] = usage if isinstance(usage, dict) else {}
    model = body.get("model") if isinstance(body.get("model"), str) else None
    prompt, completion = counts.get("prompt_tokens", 0), counts.get("completion_tokens", 0)
    return content, model, int(prompt or 0), int(completion or 0)


class OpenAIJudge:
    """A judge behind an OpenAI-compatible `/chat/completions` endpoint."""

    def __init__(self, config: JudgeConfig, identity: JudgeIdentity) -> None:
        key = os.environ.get(config.api_key_env, "")
        if not key:
            raise UsageError(
                f"the judge needs an API key in the environment variable {config.api_key_env}",
                f"export {config.api_key_env}=... (or name another variable with "
                "--judge-api-key-env; local servers accept any non-empty value)",
            )
        self._key = key
        self._config = config
        self._identity = identity
        self.calls = 0  # HTTP requests sent, retries included

    @property
    def identity(self) -> JudgeIdentity:
        """Backend, model, endpoint and decoding."""
        return self._identity

    @property
    def chunk_size(self) -> int:
        """A few rounds of the concurrency limit per chunk."""
        return self._config.concurrency * 4

    def judge(self, inputs: Sequence[JudgeInput], keys: Sequence[str]) -> list[JudgeReply]:
        """Send all inputs concurrently (at most `concurrency` in flight)."""
        return asyncio.run(self._judge_all(inputs, keys))

    def close(self) -> None:
        """Nothing to release: each chunk uses its own client."""

    async def _judge_all(
        self, inputs: Sequence[JudgeInput], keys: Sequence[str]
    ) -> list[JudgeReply]:
        limit = asyncio.Semaphore(self._config.concurrency)
        headers = {"Authorization": f"Bearer {self._key}"}
        timeout = httpx.Timeout(self._config.timeout_s)
        url = f"{self._identity.base_url}/chat/completions"
        async with httpx.AsyncClient(headers=headers, timeout=timeout) as client:

            async def one(item: JudgeInput, key: str) -> JudgeReply:
                async with limit:
                    return await self._with_retries(client, url, item, key)

            return list(
                await asyncio.gather(*(one(i, k) for i, k in zip(inputs, keys, strict=True)))
            )

    def _payload(self, item: JudgeInput) -> dict[str, Any]:
        messages = [{"role": m.role, "content": _text(m.content)} for m in item.messages]
        payload: dict[str, Any] = {
            "model": self._identity.model,
            "messages": messages,
            "temperature": self._identity.decoding.temperature,
        }
        if self._identity.decoding.max_tokens is not None:
            payload["max_tokens"] = self._identity.decoding.max_tokens
        return payload

    async def _with_retries(
        self, client: httpx.AsyncClient, url: str, item: JudgeInput, key: str
    ) -> JudgeReply:
        started = time.perf_counter()
        payload = self._payload(item)
        attempts = self._config.max_retries + 1
        for attempt in range(attempts):
            try:
                reply = await self._attempt(client, url, payload, key)
                return reply.model_copy(
                    update={"attempts": attempt + 1, "latency_s": time.perf_counter() - started}
                )
            except _Retryable as exc:
                reason, delay = exc.reason, exc.delay_s
            except _Fatal as exc:
                return JudgeReply(key=key, error=self._redact(exc.reason), attempts=attempt + 1)
            if attempt + 1 < attempts:
                await asyncio.sleep(
                    delay if delay is not None else backoff_s(attempt, self._config.retry_base_s)
                )
        return JudgeReply(
            key=key,
            error=self._redact(f"{reason} (gave up after {attempts} attempts)"),
            attempts=attempts,
        )

    async def _attempt(
        self, client: httpx.AsyncClient, url: str, payload: dict[str, Any], key: str
    ) -> JudgeReply:
        self.calls += 1
        try:
            response = await client.post(url, json=payload)
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timed out after {self._config.timeout_s:g} s") from exc
        except httpx.TransportError as exc:
            raise _Retryable(f"connection error: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if status in _RETRY_STATUS or status >= 500:
            raise _Retryable(f"HTTP {status}", retry_after_s(response.headers.get("retry-after")))
        if status >= 400:
            raise _Fatal(f"HTTP {status}: {response.text[:200]}")
        try:
            text, model, prompt, completion = read_completion(response.json())
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raise _Fatal(f"malformed completion: {str(exc)[:200]}") from exc
        return JudgeReply(
            key=key, text=text, model=model, prompt_tokens=prompt, completion_tokens=completion
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "***")


class _Fatal(Exception):
    """A failure another attempt would not fix (bad request, malformed body)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _text(parts: Sequence[Any]) -> str:
    return "\n".join(p.text for p in parts if getattr(p, "type", None) == "text")
