"""Model fingerprints: content of the answer-deciding files, nothing else."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mmalign_eval import fingerprint as fingerprint_module
from mmalign_eval.fingerprint import model_fingerprint
from mmalign_eval.hashing import sha256_bytes

FILES = {
    "config.json": b'{"model_type": "llava"}',
    "model.safetensors": b"\x01" * 4096,
    "tokenizer.json": b'{"vocab": {}}',
    "chat_template.jinja": b"{{ messages }}",
    "preprocessor_config.json": b"{}",
    "README.md": b"# a model card",
    "LICENSE": b"Apache-2.0",
    ".cache/huggingface/download/model.safetensors.metadata": b"etag 1",
    ".gitattributes": b"*.safetensors filter=lfs",
}


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    for name, data in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


@pytest.fixture(params=[False, True], ids=["no memo", "memo"])
def memo(request: pytest.FixtureRequest, tmp_path: Path) -> Path | None:
    return tmp_path / "memo" / "fingerprints.json" if request.param else None


def test_deterministic_and_location_independent(model_dir: Path, tmp_path: Path) -> None:
    first = model_fingerprint(model_dir)
    assert first == model_fingerprint(model_dir)
    assert len(first) == 64
    copy = tmp_path / "copy"
    os.rename(model_dir, copy)
    assert model_fingerprint(copy) == first


@pytest.mark.parametrize(
    "change",
    [
        ("model.safetensors", b"\x02" * 4096),  # same size, different bytes
        ("model.safetensors", b"\x01" * 4095),
        ("config.json", b'{"model_type": "llava", "x": 1}'),
        ("tokenizer.json", b'{"vocab": {"a": 0}}'),
        ("chat_template.jinja", b"{{ messages }}\n"),
        ("preprocessor_config.json", b'{"size": 336}'),
        ("generation_config.json", b"{}"),  # a new file
        ("sub/adapter_model.safetensors", b"\x00"),
    ],
    ids=lambda c: c[0] if isinstance(c, tuple) else None,
)
def test_changes_when_answer_deciding_file_changes(
    model_dir: Path, memo: Path | None, change: tuple[str, bytes]
) -> None:
    before = model_fingerprint(model_dir, memo)
    name, data = change
    path = model_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)  # overwritten in place (same inode) or created
    assert model_fingerprint(model_dir, memo) != before


def test_changes_when_weights_are_replaced(model_dir: Path, memo: Path | None) -> None:
    before = model_fingerprint(model_dir, memo)
    tmp = model_dir / "new.tmp"
    tmp.write_bytes(b"\x03" * 4096)
    os.replace(tmp, model_dir / "model.safetensors")  # a new inode, as save_pretrained may do
    after = model_fingerprint(model_dir, memo)
    assert after != before
    (model_dir / "model.safetensors").write_bytes(FILES["model.safetensors"])
    assert model_fingerprint(model_dir, memo) == before  # same bytes, same fingerprint


def test_renaming_a_file_changes_the_fingerprint(model_dir: Path) -> None:
    before = model_fingerprint(model_dir)
    os.rename(model_dir / "tokenizer.json", model_dir / "tokenizer_2.json")
    assert model_fingerprint(model_dir) != before


@pytest.mark.parametrize(
    "change",
    [
        ("README.md", b"# a better model card"),
        ("docs/NOTES.md", b"notes"),
        ("LICENSE", b"MIT"),
        ("LICENSE.txt", b"MIT"),
        (".cache/huggingface/download/model.safetensors.metadata", b"etag 2"),
        (".cache/huggingface/.gitignore", b"*"),
        (".git/HEAD", b"ref: refs/heads/main"),
        (".gitattributes", b"*.bin filter=lfs"),
        ("sub/.hidden/weights.bin", b"x"),
        ("uv.lock", b"lock"),
    ],
    ids=lambda c: c[0] if isinstance(c, tuple) else None,
)
def test_unchanged_by_docs_and_hidden_files(
    model_dir: Path, memo: Path | None, change: tuple[str, bytes]
) -> None:
    before = model_fingerprint(model_dir, memo)
    name, data = change
    path = model_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    assert model_fingerprint(model_dir, memo) == before


def test_memo_file_is_reused(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = tmp_path / "memo.json"
    first = model_fingerprint(model_dir, memo)
    stored = json.loads(memo.read_text())
    weights_digest = sha256_bytes(FILES["model.safetensors"])
    assert weights_digest in stored.values()
    assert not any("README" in key or ".cache" in key for key in stored)

    def no_hashing(path: Path) -> str:
        raise AssertionError(f"re-hashed {path} although the memo knew it")

    monkeypatch.setattr(fingerprint_module, "sha256_file", no_hashing)
    assert model_fingerprint(model_dir, memo) == first
    # An overwritten file is not in the memo, so it is hashed again.
    (model_dir / "config.json").write_bytes(b'{"model_type": "other"}')
    with pytest.raises(AssertionError, match="re-hashed"):
        model_fingerprint(model_dir, memo)


def test_corrupt_memo_is_ignored(model_dir: Path, tmp_path: Path) -> None:
    memo = tmp_path / "memo.json"
    memo.write_text("{not json")
    assert model_fingerprint(model_dir, memo) == model_fingerprint(model_dir)
    assert json.loads(memo.read_text())  # rewritten as valid JSON


def test_hub_cache_blobs_are_not_rehashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Hugging Face cache layout: snapshot files are symlinks to blobs named by content hash.
    repo = tmp_path / "models--org--name"
    blobs, snapshot = repo / "blobs", repo / "snapshots" / ("c" * 40)
    blobs.mkdir(parents=True)
    snapshot.mkdir(parents=True)
    for name, data in [("model.safetensors", b"weights"), ("config.json", b"{}")]:
        digest = sha256_bytes(data)
        (blobs / digest).write_bytes(data)
        (snapshot / name).symlink_to(blobs / digest)

    def no_hashing(path: Path) -> str:
        raise AssertionError(f"hashed blob {path}")

    monkeypatch.setattr(fingerprint_module, "sha256_file", no_hashing)
    from_cache = model_fingerprint(snapshot)
    monkeypatch.undo()
    # A plain folder with the same files gives the same fingerprint.
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "model.safetensors").write_bytes(b"weights")
    (plain / "config.json").write_bytes(b"{}")
    assert model_fingerprint(plain) == from_cache
