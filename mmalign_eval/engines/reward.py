"""Scalar reward models: a vision-language backbone with a reward head.

A reward checkpoint is a `save_pretrained` image-text-to-text folder plus `reward_head.json`,
which says how the reward is read from the backbone's output at the conversation's last
token:

- `{"format": "mmalign-reward-head", "version": 1, "kind": "linear"}` with
  `reward_head.safetensors` (`weight` [1, hidden], `bias` [1]): a linear head on the last
  layer's hidden state (the usual reward-model head);
- `{"format": "mmalign-reward-head", "version": 1, "kind": "token_logit", "token": "Yes"}`:
  the logit of one token (model cards that define the reward as a token's logit).

A folder without `reward_head.json` is not a reward model: asking it for rewards is a clear
error, never a randomly initialised head.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import torch
from pydantic import ValidationError

from mmalign_eval.contracts import Record, Request
from mmalign_eval.engines.base import EngineConfig
from mmalign_eval.engines.hf import HFEngine
from mmalign_eval.errors import ModelLoadError
from mmalign_eval.hashing import sha256_file
from mmalign_eval.media import MediaError

HEAD_CONFIG = "reward_head.json"
HEAD_WEIGHTS = "reward_head.safetensors"
HEAD_FORMAT = "mmalign-reward-head"


class RewardHeadSpec(Record):
    """What reward_head.json declares."""

    format: Literal["mmalign-reward-head"]
    version: Literal[1]
    kind: Literal["linear", "token_logit"]
    token: str | None = None  # token_logit: the token whose logit is the reward


def write_linear_head(folder: Path, weight: torch.Tensor, bias: torch.Tensor) -> None:
    """Save a linear head (weight [1, hidden], bias [1]) and its declaration into folder."""
    from safetensors.torch import save_file

    tensors = {"weight": weight.detach().float().contiguous(), "bias": bias.detach().float()}
    save_file(tensors, str(folder / HEAD_WEIGHTS))
    spec = RewardHeadSpec(format=HEAD_FORMAT, version=1, kind="linear")
    declared = spec.model_dump(exclude_none=True)
    (folder / HEAD_CONFIG).write_text(json.dumps(declared, indent=2) + "\n", encoding="utf-8")


def has_reward_head(folder: Path) -> bool:
    """Whether a model folder declares a reward head."""
    return (folder / HEAD_CONFIG).is_file()


def read_head_spec(folder: Path) -> RewardHeadSpec:
    """The folder's reward_head.json, validated; a malformed one names the file."""
    path = folder / HEAD_CONFIG
    try:
        spec = RewardHeadSpec.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        raise ModelLoadError(
            f"{path} is not a valid reward head declaration: {str(exc).splitlines()[0]}",
            f'write {{"format": "{HEAD_FORMAT}", "version": 1, "kind": "linear"}} beside '
            f"{HEAD_WEIGHTS} (or kind token_logit with a token)",
        ) from exc
    if spec.kind == "token_logit" and not spec.token:
        raise ModelLoadError(f"{path}: kind token_logit needs a 'token'", "name the token")
    if spec.kind == "linear" and not (folder / HEAD_WEIGHTS).is_file():
        raise ModelLoadError(
            f"{folder} declares a linear reward head but has no {HEAD_WEIGHTS}",
            "save the head's weight [1, hidden] and bias [1] there (safetensors)",
        )
    return spec


class _Head:
    """The reward read from a forward pass at each row's last position."""

    def __init__(self, spec: RewardHeadSpec, folder: Path, engine: HFEngine) -> None:
        self.spec = spec
        self.weight: torch.Tensor | None = None
        self.bias: torch.Tensor | None = None
        self.token_id: int | None = None
        if spec.kind == "linear":
            from safetensors.torch import load_file

            tensors = load_file(str(folder / HEAD_WEIGHTS))
            self.weight, self.bias = tensors["weight"].float(), tensors["bias"].float()
        else:
            assert spec.token is not None
            ids = engine.tokenizer(spec.token, add_special_tokens=False)["input_ids"]
            if len(ids) != 1:
                raise ModelLoadError(
                    f"reward token {spec.token!r} is {len(ids)} tokens for this tokenizer",
                    "name a token that encodes to exactly one id",
                )
            self.token_id = int(ids[0])

    def rewards(self, outputs: object) -> list[float]:
        """One reward per row, from the last position (inputs are left-padded)."""
        if self.token_id is not None:
            logits = outputs.logits[:, -1, :].float()  # type: ignore[attr-defined]
            return [float(v) for v in logits[:, self.token_id].tolist()]
        assert self.weight is not None and self.bias is not None
        hidden = outputs.hidden_states[-1][:, -1, :].float()  # type: ignore[attr-defined]
        values = hidden @ self.weight.to(hidden.device).T + self.bias.to(hidden.device)
        return [float(v) for v in values[:, 0].tolist()]


class RewardEngine(HFEngine):
    """The HF engine plus `reward(requests)`: batched scalar rewards of whole conversations."""

    def __init__(
        self, config: EngineConfig, model_dir: Path, fingerprint_memo: Path | None = None
    ) -> None:
        super().__init__(config, model_dir, fingerprint_memo)
        self._spec = read_head_spec(model_dir)
        self._head_dir = model_dir
        self._head: _Head | None = None
        # The head is part of what decides the rewards, so part of the fingerprint.
        head_files = [model_dir / HEAD_CONFIG] + (
            [model_dir / HEAD_WEIGHTS] if (model_dir / HEAD_WEIGHTS).is_file() else []
        )
        self._fingerprint = f"{self._fingerprint}+head:" + "".join(
            sha256_file(f)[:16] for f in head_files
        )

    def reward(self, requests: Sequence[Request]) -> list[float]:
        """One reward per request (its conversation ends with the response to score)."""
        out: list[float] = []
        size = self.config.batch_size
        for start in range(0, len(requests), size):
            batch = list(requests[start : start + size])
            prepared = self._prepare(batch, list(range(len(batch))), generation_prompt=False)
            if prepared.failed:
                raise MediaError(prepared.failed[0][1])
            assert prepared.inputs is not None
            out.extend(self._rewards(prepared.inputs))
        return out

    def _rewards(self, inputs: dict[str, torch.Tensor]) -> list[float]:
        if self._head is None:
            self._head = _Head(self._spec, self._head_dir, self)
        full = dict(inputs)
        # Left padding shifts absolute positions; derive them from the mask, so a padded
        # row's reward equals the reward of the same conversation alone.
        full["position_ids"] = (full["attention_mask"].cumsum(dim=1) - 1).clamp(min=0)
        with torch.inference_mode():
            outputs = self.model(**self._to_device(full), output_hidden_states=True)
        return self._head.rewards(outputs)
