"""Turn `--model` into a local checkpoint folder (building the tiny model or downloading)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mmalign_eval.errors import ModelLoadError, UsageError

TINY = "tiny"
TINY_RM = "tiny-rm"  # tiny-sft's backbone with a trained reward head (scalar reward path)
TINY_SFT = "tiny-sft"
TINY_DPO = "tiny-dpo"
TINY_DEGRADED = "tiny-degraded"
# Models the project builds itself, offline, into the cache (engines/tiny.py).
BUILT_MODELS = (TINY, TINY_SFT, TINY_DPO, TINY_RM, TINY_DEGRADED)


@dataclass(frozen=True)
class ResolvedModel:
    """A model name as given and the folder holding its files."""

    name: str
    local_dir: Path


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name


def check_model_argument(name: str) -> None:
    """Fail fast, before any data is loaded, on a model path that cannot exist."""
    if name in BUILT_MODELS:
        return
    path = Path(name).expanduser()
    if _looks_like_path(name) and not path.exists():
        raise UsageError(
            f"model folder not found: {name}", "check the path, or pass a Hugging Face model id"
        )


def resolve_model(name: str, cache_dir: Path) -> ResolvedModel:
    """Local folder for `tiny`, a checkpoint folder, or a Hugging Face model id."""
    if name in BUILT_MODELS:
        from mmalign_eval.engines.tiny import ensure_built_model

        return ResolvedModel(name, ensure_built_model(name, cache_dir / "models"))
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise UsageError(
                f"model folder {path} has no config.json",
                "point --model at a folder saved with save_pretrained, or at a Hub id",
            )
        return ResolvedModel(name, path.resolve())
    if _looks_like_path(name) or path.exists():
        raise UsageError(
            f"model folder not found: {name}", "check the path, or pass a Hugging Face model id"
        )
    return ResolvedModel(name, _download(name))


def _download(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
    )

    from mmalign_eval.toolkit.online import hub_online

    hub_online()  # offline: the local cache only, and no retries before the error
    try:
        return Path(snapshot_download(repo_id))
    except GatedRepoError as exc:
        raise ModelLoadError(
            f"model {repo_id} is gated", "accept its licence on the Hub and set HF_TOKEN"
        ) from exc
    except RepositoryNotFoundError as exc:
        raise UsageError(
            f"no model '{repo_id}' on the Hugging Face Hub and no such local folder",
            "check the spelling, or pass a local checkpoint folder",
        ) from exc
    except (LocalEntryNotFoundError, OSError) as exc:
        raise ModelLoadError(
            f"cannot download {repo_id}: the Hub is unreachable and it is not in the local cache",
            "download it on a connected machine (huggingface-cli download) and pass the folder",
        ) from exc
