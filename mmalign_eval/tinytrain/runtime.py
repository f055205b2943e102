"""What makes a build repeatable: one CPU thread, float32, a private seeded RNG."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from rich.console import Console

from mmalign_eval.progress import counted_steps

_CONSOLE = Console(stderr=True)


def steps(label: str, total: int) -> Iterator[int]:
    """The training steps of one stage, with a progress bar on stderr."""
    return counted_steps(_CONSOLE, label, total)


def say(message: str) -> None:
    """One line of build progress on stderr."""
    _CONSOLE.print(message, highlight=False)


@contextmanager
def repeatable(seed: int) -> Iterator[torch.Generator]:
    """Run a build step single-threaded in float32 with torch's RNG seeded (the caller's RNG,
    thread count and default dtype are restored). One thread: reductions then add up in the
    same order on every machine, and a busy machine does not slow the build down further."""
    from transformers.utils import logging as hf_logging

    threads, dtype = torch.get_num_threads(), torch.get_default_dtype()
    # Loading and saving a 1 MB model needs no progress bars of its own.
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    with torch.random.fork_rng(devices=[]):
        torch.set_num_threads(1)
        torch.set_default_dtype(torch.float32)
        torch.manual_seed(seed)
        try:
            yield torch.Generator().manual_seed(seed)
        finally:
            torch.set_num_threads(threads)
            torch.set_default_dtype(dtype)
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


def freeze_vision(model: Any) -> None:
    """Keep the vision tower and projector as they are (LLaVA's recipe freezes the encoder)."""
    for part in (model.model.vision_tower, model.model.multi_modal_projector):
        for parameter in part.parameters():
            parameter.requires_grad_(False)


def trainable(model: Any) -> list[torch.nn.Parameter]:
    """The parameters an optimiser should update."""
    return [p for p in model.parameters() if p.requires_grad]


def optimiser(
    parameters: list[torch.nn.Parameter], learning_rate: float, warmup_steps: int
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """AdamW without weight decay and a linear warm-up to a constant rate."""
    adam = torch.optim.AdamW(parameters, lr=learning_rate, weight_decay=0.0)
    warmup = max(1, warmup_steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(adam, lambda step: min(1.0, (step + 1) / warmup))
    return adam, schedule


def step(
    loss: torch.Tensor,
    adam: torch.optim.Optimizer,
    schedule: torch.optim.lr_scheduler.LRScheduler,
    parameters: list[torch.nn.Parameter],
) -> float:
    """One optimiser step with the gradient norm clipped to 1; returns the loss."""
    loss.backward()  # type: ignore[no-untyped-call]
    torch.nn.utils.clip_grad_norm_(parameters, 1.0)
    adam.step()
    schedule.step()
    adam.zero_grad(set_to_none=True)
    return float(loss.detach())


def draw(generator: torch.Generator, population: int, size: int) -> list[int]:
    """A batch of indices drawn with replacement from the seeded generator."""
    return [int(i) for i in torch.randint(0, population, (size,), generator=generator)]
