"""build_once: a generated folder is built once and only ever appears complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmalign_eval.toolkit.build import build_once


class Builder:
    """Counts builds; can fail halfway through, after writing a file."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[Path] = []
        self.fail = fail

    def __call__(self, out: Path) -> None:
        self.calls.append(out)
        (out / "part.txt").write_text("half")
        if self.fail:
            raise RuntimeError("build failed halfway")
        (out / "done.txt").write_text("done")


def _leftovers(cache: Path) -> list[str]:
    """What a build left besides its lock file."""
    return sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock"))


def test_builds_once(tmp_path: Path) -> None:
    cache = tmp_path / "cache"  # created on demand
    build = Builder()
    first = build_once(cache, "thing-v1", build)
    second = build_once(cache, "thing-v1", build)
    assert first == second == cache / "thing-v1"
    assert len(build.calls) == 1
    assert build.calls[0] != first  # built elsewhere, then renamed into place
    assert (first / "done.txt").read_text() == "done"
    assert _leftovers(cache) == ["thing-v1"]


def test_names_are_separate_builds(tmp_path: Path) -> None:
    build = Builder()
    a = build_once(tmp_path, "a", build)
    b = build_once(tmp_path, "b", build)
    assert a != b and len(build.calls) == 2
    assert _leftovers(tmp_path) == ["a", "b"]


def test_an_existing_folder_is_not_rebuilt(tmp_path: Path) -> None:
    (tmp_path / "ready").mkdir()
    build = Builder()
    assert build_once(tmp_path, "ready", build) == tmp_path / "ready"
    assert build.calls == []


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failed_build_leaves_no_folder(tmp_path: Path, error: type[BaseException]) -> None:
    def build(out: Path) -> None:
        (out / "part.txt").write_text("half")
        raise error("stopped")

    with pytest.raises(error):
        build_once(tmp_path, "thing", build)
    assert not (tmp_path / "thing").exists()
    assert _leftovers(tmp_path) == []


def test_a_build_after_a_failure_starts_afresh(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="halfway"):
        build_once(tmp_path, "thing", Builder(fail=True))
    build = Builder()
    folder = build_once(tmp_path, "thing", build)
    assert len(build.calls) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["done.txt", "part.txt"]
    assert _leftovers(tmp_path) == ["thing"]
