"""Model fingerprints: a hash over the files that decide a checkpoint's answers."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from mmalign_eval.hashing import sha256_file, stable_hash

# Files that do not change what a model answers (hidden folders hold download metadata).
_IGNORED = re.compile(r"(^|/)\.|(^|/)(LICENSE[^/]*|[^/]*\.md|[^/]*\.lock)$")
# The Hugging Face cache stores files as blobs named by their content hash (sha256 for LFS).
_HF_BLOB = re.compile(r"/blobs/([0-9a-f]{40,64})$")


def _file_digest(path: Path, memo: dict[str, str]) -> str:
    target = os.path.realpath(path)
    blob = _HF_BLOB.search(target)
    if blob:
        return blob.group(1)
    stat = os.stat(target)
    # Re-hashing multi-GB weights on every run is slow; reuse a digest while the file's
    # identity (inode, size, mtime and ctime in ns) is unchanged. ctime moves on every write
    # and cannot be set back by tools, so an overwrite always re-hashes.
    memo_key = f"{target}:{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"
    if memo_key not in memo:
        memo[memo_key] = sha256_file(Path(target))
    return memo[memo_key]


def model_fingerprint(model_dir: Path, memo_file: Path | None = None) -> str:
    """Hash of every weight, config, processor, tokenizer and chat-template file in a folder."""
    memo: dict[str, str] = {}
    if memo_file is not None and memo_file.exists():
        try:
            memo = json.loads(memo_file.read_text())
        except (OSError, json.JSONDecodeError):
            memo = {}
    files = {}
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(model_dir).as_posix()
        if not _IGNORED.search(relative):
            files[relative] = _file_digest(path, memo)
    if memo_file is not None:
        # Forget digests of files that no longer exist, so the memo does not grow forever.
        memo = {k: v for k, v in memo.items() if os.path.exists(k.rsplit(":", 4)[0])}
        memo_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(memo))
        os.replace(tmp, memo_file)
    return stable_hash(files)
