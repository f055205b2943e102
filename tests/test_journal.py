"""The response journal: durable appends, repair of a torn last line, no stored errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmalign_eval.contracts import Response
from mmalign_eval.journal import Journal


def _ok(i: int, text: str | None = None) -> Response:
    return Response(
        key=f"key-{i}",
        text=text if text is not None else f"answer {i}",
        finish_reason="stop",
        prompt_tokens=10 + i,
        completion_tokens=i,
        latency_s=0.5,
    )


def _error(i: int) -> Response:
    return Response(key=f"key-{i}", text="", finish_reason="error", error="CUDA out of memory")


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


def test_appends_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "journal.jsonl"
    with Journal(path) as journal:
        assert len(journal) == 0
        journal.append([_ok(0), _ok(1)])
        journal.append([_ok(2, text="multi\nline \u00e9 answer")])
        assert "key-1" in journal
    with Journal(path) as reopened:
        assert len(reopened) == 3
        for i in range(2):
            assert reopened.get(f"key-{i}") == _ok(i)
        assert reopened.get("key-2") == _ok(2, text="multi\nline \u00e9 answer")
        assert reopened.get("key-9") is None
        assert "key-9" not in reopened
    assert len(_lines(path)) == 3


def test_appends_are_on_disk_before_close(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.append([_ok(0)])
    # Another reader sees the line while the writer is still open (flushed per batch).
    assert len(Journal(path)) == 1
    journal.close()


@pytest.mark.parametrize(
    "torn",
    [b'{"key":"key-9","text":"half', b"{", b'{"key":"key-9"}', b"\x00\x00\x00"],
    ids=["half line", "one byte", "complete json without newline", "zeros"],
)
def test_torn_last_line_is_truncated(tmp_path: Path, torn: bytes) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        journal.append([_ok(0), _ok(1)])
    intact = path.read_bytes()
    with path.open("ab") as handle:
        handle.write(torn)  # what a SIGKILL in the middle of a write leaves
    with Journal(path) as reopened:
        assert len(reopened) == 2
        assert path.read_bytes() == intact
        reopened.append([_ok(2)])
    with Journal(path) as again:
        assert sorted(r.key for r in map(again.get, ["key-0", "key-1", "key-2"]) if r) == [
            "key-0",
            "key-1",
            "key-2",
        ]
        assert "key-9" not in again
    lines = _lines(path)
    assert len(lines) == 3
    assert all(Response.model_validate_json(line) for line in lines)


def test_file_with_only_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(b'{"key": "k", "te')
    with Journal(path) as journal:
        assert len(journal) == 0
        assert path.read_bytes() == b""
        journal.append([_ok(5)])
    with Journal(path) as reopened:
        assert reopened.get("key-5") == _ok(5)


def test_unreadable_complete_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        journal.append([_ok(0)])
    with path.open("ab") as handle:
        handle.write(b'{"key": "old", "answer": "schema v0"}\nnot json at all\n')
    with Journal(path) as reopened:
        reopened.append([_ok(1)])
        assert len(reopened) == 2
    with Journal(path) as again:
        assert len(again) == 2
        assert "old" not in again
        assert again.get("key-1") == _ok(1)


def test_error_responses_are_not_stored(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        journal.append([_ok(0), _error(1), _ok(2)])
        assert "key-1" not in journal
        assert len(journal) == 2
        journal.append([_error(3)])
    assert len(_lines(path)) == 2
    assert b"out of memory" not in path.read_bytes()
    with Journal(path) as reopened:
        assert "key-1" not in reopened
        assert "key-3" not in reopened
        assert len(reopened) == 2


def test_retry_after_error_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        journal.append([_error(1)])
        journal.append([_ok(1)])
    with Journal(path) as reopened:
        assert reopened.get("key-1") == _ok(1)


def test_fsync_is_rate_limited_but_always_runs_at_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr("mmalign_eval.journal.os.fsync", lambda fd: calls.append(fd))
    journal = Journal(tmp_path / "j.jsonl", fsync_interval_s=3600.0)
    for i in range(20):
        journal.append([_ok(i)])
    assert calls == []  # flushed to the OS (survives SIGKILL) but not yet synced
    assert len(_lines(tmp_path / "j.jsonl")) == 20
    journal.close()
    assert len(calls) == 1
    eager = Journal(tmp_path / "k.jsonl", fsync_interval_s=0.0)
    eager.append([_ok(1)])
    eager.append([_ok(2)])
    assert len(calls) == 3
    eager.close()
