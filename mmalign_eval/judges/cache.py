"""The judge cache: judge replies in the run folder, keyed by judge identity, template and input.

Re-scoring a run after a metric or parser fix finds every reply here (zero judge calls);
an interrupted judge stage finds the replies it already got. Errors are not stored, so a
rerun retries them.

The caches of sibling run folders (the other folders of the same output folder) are read
too: a key names the judge, its template and its whole input, so a reply found there is the
reply this run would get. It is copied into this run's cache when used, so every run folder
still holds all of its own replies (judging both orders after an official-order run pays
only for the swapped half).
"""

from __future__ import annotations

from pathlib import Path

from mmalign_eval.journal import KeyedJournal, read_records
from mmalign_eval.judges.records import JudgeReply

CACHE_FILE = "judge_cache.jsonl"


class JudgeCache(KeyedJournal[JudgeReply]):
    """Crash-safe store of judge replies (one JSON line each), reading its siblings' too."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__(run_dir / CACHE_FILE, JudgeReply.model_validate_json)
        self._borrowed: dict[str, JudgeReply] = {}
        self._borrow(run_dir)

    def _borrow(self, run_dir: Path) -> None:
        for other in sorted(run_dir.parent.glob(f"*/{CACHE_FILE}")):
            if other.parent.resolve() == run_dir.resolve():
                continue
            for reply in read_records(other, JudgeReply.model_validate_json):
                if reply.key not in self:
                    self._borrowed.setdefault(reply.key, reply)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or key in self._borrowed

    def get(self, key: str) -> JudgeReply | None:
        """The reply for a key: this run's, else a sibling's (then copied into this run's)."""
        own = super().get(key)
        if own is not None or key not in self._borrowed:
            return own
        reply = self._borrowed.pop(key)
        self.append([reply])
        return reply

    def __enter__(self) -> JudgeCache:
        return self
