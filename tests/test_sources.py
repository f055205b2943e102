"""Reading `--data` values: synthetic sizes and local paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmalign_eval.errors import UsageError
from mmalign_eval.sources import is_local_path, is_synthetic, synthetic_size


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("synthetic", True),
        ("synthetic:12", True),
        ("synthetic-data", False),
        ("lmms-lab/POPE", False),
        (None, False),
    ],
)
def test_is_synthetic(source: str | None, expected: bool) -> None:
    assert is_synthetic(source) is expected


@pytest.mark.parametrize(
    ("source", "default", "minimum", "expected"),
    [("synthetic", 20, 1, 20), ("synthetic:7", 20, 1, 7), ("synthetic:2", 20, 2, 2)],
)
def test_synthetic_size(source: str, default: int, minimum: int, expected: int) -> None:
    assert synthetic_size(source, default, minimum) == expected


@pytest.mark.parametrize(
    ("source", "minimum"), [("synthetic:x", 1), ("synthetic:0", 1), ("synthetic:1", 2)]
)
def test_bad_synthetic_sizes_are_usage_errors(source: str, minimum: int) -> None:
    with pytest.raises(UsageError, match="bad synthetic size") as info:
        synthetic_size(source, 20, minimum)
    assert f"N >= {minimum}" in (info.value.hint or "")


def test_local_paths(tmp_path: Path) -> None:
    assert is_local_path(str(tmp_path))
    assert is_local_path("./not-there-yet") and is_local_path("/no/such/file.json")
    assert not is_local_path("lmms-lab/POPE")
