"""The judge cache: judge replies in the run folder, keyed by judge identity, template and input.

Re-scoring a run after a metric or parser fix finds every reply here (zero judge calls);
an interrupted judge stage finds the replies it already got. Errors are not stored, so a
rerun retries them.
"""

from __future__ import annotations

from pathlib import Path

from mmalign_eval.journal import KeyedJournal
from mmalign_eval.judges.records import JudgeReply

CACHE_FILE = "judge_cache.jsonl"


class JudgeCache(KeyedJournal[JudgeReply]):
    """Crash-safe store of judge replies (one JSON line each)."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__(run_dir / CACHE_FILE, JudgeReply.model_validate_json)

    def __enter__(self) -> JudgeCache:
        return self
