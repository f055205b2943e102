"""The one HTTP layer for OpenAI-compatible `/chat/completions` servers (judges and models).

Asynchronous with at most `concurrency` requests in flight, a per-request timeout, retries
with exponential backoff and jitter on 429, 408/409, 5xx, timeouts and connection errors,
honouring Retry-After. The API key is read from the environment by the caller, sent only in
the Authorization header, and redacted from every reason string.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from mmalign_eval.errors import UsageError

_RETRY_STATUS = frozenset({408, 409, 429})
_MAX_DELAY_S = 60.0


@dataclass(frozen=True)
class ChatSettings:
    """Where and how to send requests."""

    base_url: str
    concurrency: int = 8
    timeout_s: float = 60.0
    max_retries: int = 6
    retry_base_s: float = 1.0


@dataclass(frozen=True)
class Completion:
    """A server's answer to one request."""

    text: str
    model: str | None
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str | None
    attempts: int
    latency_s: float


@dataclass(frozen=True)
class Failure:
    """Why one request has no answer (after the retries it deserved)."""

    reason: str
    attempts: int


Outcome = Completion | Failure


class _Retryable(Exception):
    """A transient failure worth another attempt, with the server's suggested delay."""

    def __init__(self, reason: str, delay_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay_s = delay_s


class _Fatal(Exception):
    """A failure another attempt would not fix (bad request, malformed body)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_base_url(url: str, option: str) -> None:
    """An http(s) URL with a host, checked before anything loads (not retried for minutes)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UsageError(f"bad {option} {url!r}: {exc}", "use http(s)://host[:port]/v1") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UsageError(f"bad {option} {url!r}", "use http(s)://host[:port]/v1")


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


def read_completion(body: Any) -> tuple[str, str | None, int, int, str | None]:
    """(text, model, prompt tokens, completion tokens, finish reason) of a completions body."""
    if not isinstance(body, dict):
        raise ValueError("response is not a JSON object")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        raise ValueError("response has no choices")
    first = choices[0] if isinstance(choices[0], dict) else {}
    message = first.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise ValueError("first choice has no message content")
    usage = body.get("usage")
    counts: dict[str, Any] = usage if isinstance(usage, dict) else {}
    model = body.get("model") if isinstance(body.get("model"), str) else None
    prompt, completion = counts.get("prompt_tokens", 0), counts.get("completion_tokens", 0)
    finish = first.get("finish_reason") if isinstance(first.get("finish_reason"), str) else None
    return content, model, int(prompt or 0), int(completion or 0), finish


class ChatClient:
    """Sends chat-completions payloads; one client per batch of work."""

    def __init__(self, settings: ChatSettings, api_key: str) -> None:
        self.settings = settings
        self._key = api_key
        self.calls = 0  # HTTP requests sent, retries included

    def redact(self, text: str) -> str:
        """The text with the API key blanked out."""
        return text.replace(self._key, "***") if self._key else text

    def complete_all(self, payloads: Sequence[dict[str, Any]]) -> list[Outcome]:
        """Every payload's outcome, in order (at most `concurrency` in flight)."""
        outcomes: list[Outcome | None] = [None] * len(payloads)
        for index, outcome in self.as_completed(payloads):
            outcomes[index] = outcome
        return [o for o in outcomes if o is not None]

    def as_completed(self, payloads: Sequence[dict[str, Any]]) -> Iterator[tuple[int, Outcome]]:
        """(index, outcome) of each payload as soon as it finishes, so a caller can save each
        answer when it arrives (a kill then loses only the requests still in flight)."""
        if not payloads:
            return
        loop = asyncio.new_event_loop()
        try:
            client = loop.run_until_complete(self._open())
            limit = asyncio.Semaphore(self.settings.concurrency)
            pending = {
                loop.create_task(self._limited(limit, client, i, p)) for i, p in enumerate(payloads)
            }
            try:
                while pending:
                    done, pending = loop.run_until_complete(
                        asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    )
                    for task in done:
                        yield task.result()
            finally:  # the caller stopped early (or was interrupted): stop what is in flight
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.wait(pending))
                loop.run_until_complete(client.aclose())
        finally:
            loop.close()

    async def _open(self) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self._key}"}
        return httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(self.settings.timeout_s))

    async def _limited(
        self,
        limit: asyncio.Semaphore,
        client: httpx.AsyncClient,
        index: int,
        payload: dict[str, Any],
    ) -> tuple[int, Outcome]:
        async with limit:
            return index, await self._with_retries(client, payload)

    async def _with_retries(self, client: httpx.AsyncClient, payload: dict[str, Any]) -> Outcome:
        started = time.perf_counter()
        attempts = self.settings.max_retries + 1
        reason, delay = "", None
        for attempt in range(attempts):
            try:
                text, model, prompt, completion, finish = await self._attempt(client, payload)
                latency = time.perf_counter() - started
                return Completion(text, model, prompt, completion, finish, attempt + 1, latency)
            except _Retryable as exc:
                reason, delay = exc.reason, exc.delay_s
            except _Fatal as exc:
                return Failure(self.redact(exc.reason), attempt + 1)
            if attempt + 1 < attempts:
                await asyncio.sleep(
                    delay if delay is not None else backoff_s(attempt, self.settings.retry_base_s)
                )
        return Failure(self.redact(f"{reason} (gave up after {attempts} attempts)"), attempts)

    async def _attempt(
        self, client: httpx.AsyncClient, payload: dict[str, Any]
    ) -> tuple[str, str | None, int, int, str | None]:
        self.calls += 1
        url = f"{self.settings.base_url}/chat/completions"
        try:
            response = await client.post(url, json=payload)
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timed out after {self.settings.timeout_s:g} s") from exc
        except httpx.TransportError as exc:
            raise _Retryable(f"connection error: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if status in _RETRY_STATUS or status >= 500:
            raise _Retryable(f"HTTP {status}", retry_after_s(response.headers.get("retry-after")))
        if status >= 400:
            raise _Fatal(f"HTTP {status}: {response.text[:200]}")
        try:
            return read_completion(response.json())
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raise _Fatal(f"malformed completion: {str(exc)[:200]}") from exc
