"""Paying for judge calls: the stage's budgets, and the backend calls made within them.

Every reply is written to the judge cache the moment the backend yields it, so a kill or a
Ctrl-C in the middle of a chunk never pays for a finished call again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from mmalign_eval.judges.base import JudgeBackend
from mmalign_eval.judges.cache import JudgeCache
from mmalign_eval.judges.records import JudgeConfig, JudgeInput, JudgeReply

CHARS_PER_TOKEN = 4  # rough; only used for the estimate and the token budget before usage


def estimate_tokens(text: str) -> int:
    """Rough token count of a text (characters / 4)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


@dataclass
class Budget:
    """Calls and tokens left in this stage (None: unlimited)."""

    calls: int | None
    tokens: int | None
    stopped: str | None = None

    def take(self, items: Sequence[tuple[str, JudgeInput]], out_tokens: int) -> int:
        """How many of the items fit; records why the stage stops when not all do."""
        count = 0
        spent = 0
        for _, item in items:
            if self.calls is not None and count >= self.calls:
                self.stopped = "--judge-max-calls reached"
                break
            cost = estimate_tokens(item.text()) + out_tokens
            if self.tokens is not None and spent + cost > self.tokens:
                self.stopped = "--judge-max-tokens reached"
                break
            count += 1
            spent += cost
        return count

    def spend(self, reply: JudgeReply, item: JudgeInput, out_tokens: int) -> None:
        """Charge one made call, with the server's token counts where it reported them."""
        if self.calls is not None:
            self.calls -= 1
        if self.tokens is not None:
            used = reply.prompt_tokens + reply.completion_tokens
            self.tokens -= used or (estimate_tokens(item.text()) + out_tokens)


class Caller:
    """Sends a stage's uncached calls, round after round, within one budget and one backend
    (built on first need, so a stage served from the cache never loads a judge)."""

    def __init__(
        self, config: JudgeConfig, factory: Callable[[], JudgeBackend], out_tokens: int
    ) -> None:
        self._budget = Budget(config.max_calls, config.max_tokens)
        self._factory = factory
        self._backend: JudgeBackend | None = None
        self._out_tokens = out_tokens
        self.calls = 0

    @property
    def stopped(self) -> str | None:
        """Why the stage stopped early (a budget), or None."""
        return self._budget.stopped

    def call(self, pending: Mapping[str, JudgeInput], cache: JudgeCache) -> dict[str, JudgeReply]:
        """Replies to as many of the pending calls as the budget allows, each cached on arrival."""
        todo = list(pending.items())
        fresh: dict[str, JudgeReply] = {}
        if not todo or self.stopped:
            return fresh
        backend = self._backend = self._backend or self._factory()
        for start in range(0, len(todo), backend.chunk_size):
            chunk = todo[start : start + backend.chunk_size]
            chunk = chunk[: self._budget.take(chunk, self._out_tokens)]
            for reply in backend.judge([item for _, item in chunk], [key for key, _ in chunk]):
                cache.append([reply])
                fresh[reply.key] = reply
                self._budget.spend(reply, pending[reply.key], self._out_tokens)
                self.calls += 1
            if self.stopped:
                break
        return fresh

    def close(self) -> None:
        """Release the backend, if one was built."""
        if self._backend is not None:
            self._backend.close()
