"""Content hashes: a folder hashes its files and their names, not the folder's metadata."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mmalign_eval.hashing import sha256_path


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_file_hashes_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("yes\n")
    assert sha256_path(path) == hashlib.sha256(b"yes\n").hexdigest()


def test_equal_folders_hash_equally_wherever_they_are(tmp_path: Path) -> None:
    files = {"b.txt": "2", "a/c.txt": "3"}
    assert sha256_path(_tree(tmp_path / "x", files)) == sha256_path(_tree(tmp_path / "y", files))


def test_a_folder_hash_changes_with_a_name_or_a_byte(tmp_path: Path) -> None:
    base = sha256_path(_tree(tmp_path / "x", {"a.txt": "1", "b.txt": "2"}))
    renamed = sha256_path(_tree(tmp_path / "y", {"a.txt": "1", "c.txt": "2"}))
    edited = sha256_path(_tree(tmp_path / "z", {"a.txt": "1", "b.txt": "3"}))
    assert len({base, renamed, edited}) == 3
