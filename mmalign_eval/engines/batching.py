"""Batch planning: group requests of similar length and equal decoding settings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from mmalign_eval.contracts import GenerationParams, Request, TextPart


def request_size(request: Request) -> tuple[int, int]:
    """Cheap length proxy: number of images, then characters of text."""
    chars = sum(
        len(part.text)
        for message in request.messages
        for part in message.content
        if isinstance(part, TextPart)
    )
    return len(request.media()), chars


def plan_batches(requests: Sequence[Request], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches that share decoding settings, longest first.

    Longest first makes an out-of-memory batch show up at the start of a run, not the end.
    """
    by_params: dict[GenerationParams, list[int]] = defaultdict(list)
    for index, request in enumerate(requests):
        by_params[request.generation].append(index)
    batches: list[list[int]] = []
    for params, indices in by_params.items():
        order = sorted(indices, key=lambda i: request_size(requests[i]), reverse=True)
        # A sampled request runs alone under its own seed: its answer never depends on which
        # other requests shared its batch.
        size = 1 if params.do_sample else batch_size
        batches.extend(order[s : s + size] for s in range(0, len(order), size))
    return batches
