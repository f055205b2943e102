"""Model resolution: tiny, local folders, and Hub ids served from a local Hub cache."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from mmalign_eval.engines.resolve import check_model_argument, resolve_model
from mmalign_eval.engines.tiny import ensure_tiny_model
from mmalign_eval.errors import ModelLoadError, UsageError
from mmalign_eval.fingerprint import model_fingerprint

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _hub_cache(root: Path, repo: str, source: Path) -> Path:
    """Lay out a model as the Hugging Face cache does: content-named blobs + snapshot links."""
    folder = root / f"models--{repo.replace('/', '--')}"
    snapshot = folder / "snapshots" / COMMIT
    (folder / "blobs").mkdir(parents=True)
    snapshot.mkdir(parents=True)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text(COMMIT)
    for file in source.iterdir():
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        shutil.copy(file, folder / "blobs" / digest)
        os.symlink(Path("..", "..", "blobs", digest), snapshot / file.name)
    return snapshot


@pytest.fixture
def hub_cache(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "hub"
    snapshot = _hub_cache(root, "tiny-org/tiny-llava", ensure_tiny_model(cache_dir / "models"))
    monkeypatch.setenv("HF_HUB_CACHE", str(root))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(root))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    return snapshot


def test_hub_id_resolves_to_the_cached_snapshot(hub_cache: Path, cache_dir: Path) -> None:
    resolved = resolve_model("tiny-org/tiny-llava", cache_dir)
    assert resolved.local_dir == hub_cache
    assert (resolved.local_dir / "config.json").is_file()


def test_hub_fingerprint_uses_blob_names_and_matches_content(
    hub_cache: Path, cache_dir: Path
) -> None:
    # Cache blobs are named by their sha256, so the fingerprint needs no re-hashing and
    # equals the fingerprint of the same files in a plain folder.
    plain = ensure_tiny_model(cache_dir / "models")
    assert model_fingerprint(hub_cache) == model_fingerprint(plain)


def test_unknown_hub_id_offline_is_a_clear_error(hub_cache: Path, cache_dir: Path) -> None:
    with pytest.raises(ModelLoadError) as info:
        resolve_model("nobody/not-a-model", cache_dir)
    assert "not in the local cache" in info.value.message
    assert info.value.hint


def test_local_folder_and_tiny(tmp_path: Path, cache_dir: Path) -> None:
    assert resolve_model("tiny", cache_dir).local_dir == ensure_tiny_model(cache_dir / "models")
    folder = shutil.copytree(ensure_tiny_model(cache_dir / "models"), tmp_path / "ckpt")
    assert resolve_model(str(folder), cache_dir).local_dir == folder.resolve()
    (folder / "config.json").unlink()
    with pytest.raises(UsageError, match=r"no config\.json"):
        resolve_model(str(folder), cache_dir)


@pytest.mark.parametrize("name", ["./missing-ckpt", "/no/such/dir", "a/b/c"])
def test_paths_that_do_not_exist_fail_before_any_work(name: str) -> None:
    with pytest.raises(UsageError, match="not found"):
        check_model_argument(name)


@pytest.mark.parametrize("name", ["tiny", "llava-hf/llava-1.5-7b-hf"])
def test_names_that_may_exist_pass_the_early_check(name: str) -> None:
    check_model_argument(name)


def test_every_built_model_name_has_a_builder() -> None:
    from mmalign_eval.engines import tiny
    from mmalign_eval.engines.resolve import BUILT_MODELS, check_model_argument

    assert set(tiny._BUILDERS) == set(BUILT_MODELS)
    for name in BUILT_MODELS:
        check_model_argument(name)  # never taken for a missing folder
