"""Benchmark files: errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_a_file_that_is_not_utf8_is_an_error_naming_it_and_its_line(tmp_path: Path) -> None:
    from mmalign_eval.errors import DataError
    from mmalign_eval.toolkit.files import read_json, read_jsonl

    path = tmp_path / "answers.jsonl"
    path.write_bytes(b'{"id": "1", "answer": "yes"}\n{"id": "2", "answer": "caf\xe9"}\n')
    with pytest.raises(DataError, match=r"answers.jsonl:2 is not UTF-8 text"):
        read_jsonl(path)
    with pytest.raises(DataError, match="is not UTF-8 text"):
        read_json(path, "label file")
