"""OpenAI-compatible chat-completions judge, on the shared HTTP layer (chat_api.py).

Works with OpenAI itself and with local vLLM / SGLang servers (`--judge-base-url`).
The API key is read from the environment when the backend is built, sent only in the
Authorization header, and redacted from every reason string the backend returns.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from mmalign_eval.chat_api import ChatClient, ChatSettings, Failure, Outcome
from mmalign_eval.chat_content import message_payloads
from mmalign_eval.errors import UsageError
from mmalign_eval.judges.records import JudgeConfig, JudgeIdentity, JudgeInput, JudgeReply
from mmalign_eval.media import MediaError


def api_key(variable: str, who: str, option: str) -> str:
    """The API key in an environment variable; a missing one is a usage error."""
    key = os.environ.get(variable, "")
    if not key:
        raise UsageError(
            f"the {who} needs an API key in the environment variable {variable}",
            f"export {variable}=... (or name another variable with {option}; local servers "
            "accept any non-empty value)",
        )
    return key


class OpenAIJudge:
    """A judge behind an OpenAI-compatible `/chat/completions` endpoint."""

    def __init__(self, config: JudgeConfig, identity: JudgeIdentity) -> None:
        key = api_key(config.api_key_env, "judge", "--judge-api-key-env")
        settings = ChatSettings(
            base_url=identity.base_url or config.base_url,
            concurrency=config.concurrency,
            timeout_s=config.timeout_s,
            max_retries=config.max_retries,
            retry_base_s=config.retry_base_s,
        )
        self._client = ChatClient(settings, key)
        self._config = config
        self._identity = identity

    @property
    def calls(self) -> int:
        """HTTP requests sent, retries included."""
        return self._client.calls

    @property
    def identity(self) -> JudgeIdentity:
        """Backend, model, endpoint and decoding."""
        return self._identity

    @property
    def chunk_size(self) -> int:
        """A few rounds of the concurrency limit per chunk."""
        return self._config.concurrency * 4

    def judge(self, inputs: Sequence[JudgeInput], keys: Sequence[str]) -> Iterator[JudgeReply]:
        """Send all inputs concurrently (at most `concurrency` in flight); yield each reply
        as it arrives."""
        payloads: list[dict[str, Any]] = []
        sent: list[int] = []
        for index, item in enumerate(inputs):
            try:
                payloads.append(self._payload(item))
                sent.append(index)
            except MediaError as exc:  # an unreadable image fails its own call only
                yield JudgeReply(key=keys[index], error=str(exc))
        for position, outcome in self._client.as_completed(payloads):
            yield _reply(outcome, keys[sent[position]])

    def close(self) -> None:
        """Nothing to release: each call of `judge` uses its own connection pool."""

    def _payload(self, item: JudgeInput) -> dict[str, Any]:
        messages = message_payloads(item.messages, plain_text=True)
        payload: dict[str, Any] = {
            "model": self._identity.model,
            "messages": messages,
            "temperature": self._identity.decoding.temperature
            if item.temperature is None
            else item.temperature,
        }
        if self._identity.decoding.max_tokens is not None:
            payload["max_tokens"] = self._identity.decoding.max_tokens
        return payload


def _reply(outcome: Outcome, key: str) -> JudgeReply:
    if isinstance(outcome, Failure):
        return JudgeReply(key=key, error=outcome.reason, attempts=outcome.attempts)
    return JudgeReply(
        key=key,
        text=outcome.text,
        model=outcome.model,
        prompt_tokens=outcome.prompt_tokens,
        completion_tokens=outcome.completion_tokens,
        latency_s=outcome.latency_s,
        attempts=outcome.attempts,
    )
