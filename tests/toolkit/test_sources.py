"""Sources.load: one dispatch on --data (synthetic, local copy, Hub) with the same errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.task import DataProvenance, DataRequest, LoadedData
from mmalign_eval.toolkit.sources import Sources

REQUIRED = ("t needs --data", "pass the folder with the benchmark's files")


@dataclass
class Calls:
    """Which loader was called, with what."""

    seen: list[tuple[str, Any]] = field(default_factory=list)

    def _loaded(self, kind: str, argument: Any) -> LoadedData[Any]:
        self.seen.append((kind, argument))
        return LoadedData([], DataProvenance(kind="local", location=str(argument), num_items=0))

    def synthetic(self, request: DataRequest, size: int) -> LoadedData[Any]:
        return self._loaded("synthetic", size)

    def local(self, request: DataRequest, path: Path) -> LoadedData[Any]:
        return self._loaded("local", path)

    def hub(self, request: DataRequest, repo: str) -> LoadedData[Any]:
        return self._loaded("hub", repo)


def _sources(calls: Calls, **overrides: Any) -> Sources[Any]:
    fields: dict[str, Any] = {
        "task": "t",
        "synthetic": calls.synthetic,
        "synthetic_size": 20,
        "synthetic_minimum": 2,
        "local": calls.local,
        "hub": calls.hub,
        "hub_repo": "org/default",
        "required": REQUIRED,
    }
    fields.update(overrides)
    return Sources(**fields)


def _request(source: str | None) -> DataRequest:
    return DataRequest(source=source, cache_dir="/cache")


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    folder.mkdir()
    return folder


DISPATCH: list[tuple[str | None, dict[str, Any], tuple[str, Any]]] = [
    ("synthetic", {}, ("synthetic", 20)),
    ("synthetic:7", {}, ("synthetic", 7)),
    ("synthetic:2", {}, ("synthetic", 2)),  # the minimum itself
    ("synthetic", {"synthetic_size": 5}, ("synthetic", 5)),
    (None, {}, ("hub", "org/default")),
    ("org/other", {}, ("hub", "org/other")),
    ("org/other", {"hub_repo": None}, ("hub", "org/other")),  # a named repo needs no default
]


@pytest.mark.parametrize(("source", "overrides", "expected"), DISPATCH, ids=repr)
def test_dispatch(source: str | None, overrides: dict[str, Any], expected: tuple[str, Any]) -> None:
    calls = Calls()
    _sources(calls, **overrides).load(_request(source))
    assert calls.seen == [expected]


def test_an_existing_path_is_read_locally(existing: Path) -> None:
    calls = Calls()
    _sources(calls).load(_request(str(existing)))
    assert calls.seen == [("local", existing)]


def test_a_home_path_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "pope").mkdir()
    calls = Calls()
    _sources(calls).load(_request("~/pope"))
    assert calls.seen == [("local", tmp_path / "pope")]


def test_a_relative_existing_folder_is_local_even_with_a_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "org" / "other").mkdir(parents=True)
    calls = Calls()
    _sources(calls).load(_request("org/other"))
    assert calls.seen == [("local", Path("org/other"))]


@pytest.mark.parametrize("source", ["./missing", "/no/such/folder", "~/no-such-folder-here"])
def test_a_missing_local_path_is_a_data_error(source: str) -> None:
    calls = Calls()
    with pytest.raises(DataError) as caught:
        _sources(calls).load(_request(source))
    assert caught.value.message == f"data path not found: {Path(source).expanduser()}"
    assert caught.value.hint == "check --data"
    assert caught.value.exit_code == 1
    assert calls.seen == []


def test_without_a_hub_a_plain_value_is_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    calls = Calls()
    sources = _sources(calls, hub=None, hub_repo=None)
    with pytest.raises(DataError, match="data path not found: some-benchmark-copy"):
        sources.load(_request("some-benchmark-copy"))
    (tmp_path / "some-benchmark-copy").mkdir()
    sources.load(_request("some-benchmark-copy"))
    assert calls.seen == [("local", Path("some-benchmark-copy"))]


def test_no_source_and_no_default_gives_the_declared_error() -> None:
    calls = Calls()
    with pytest.raises(UsageError) as caught:
        _sources(calls, hub_repo=None).load(_request(None))
    assert (caught.value.message, caught.value.hint) == REQUIRED
    assert caught.value.exit_code == 2
    assert calls.seen == []


@pytest.mark.parametrize(
    ("source", "overrides", "message"),
    [
        ("synthetic", {"synthetic": None}, "t has no synthetic data"),
        ("synthetic:3", {"synthetic": None}, "t has no synthetic data"),
        ("synthetic:1", {}, "bad synthetic size in --data synthetic:1"),  # below the minimum
        ("synthetic:0", {"synthetic_minimum": 1}, "bad synthetic size"),
        ("synthetic:many", {}, "bad synthetic size"),
        ("/anything", {"local": None}, "t cannot read local data"),
        (None, {"hub": None}, "t has no Hugging Face source"),
    ],
    ids=repr,
)
def test_usage_errors(source: str | None, overrides: dict[str, Any], message: str) -> None:
    calls = Calls()
    with pytest.raises(UsageError, match=message):
        _sources(calls, **overrides).load(_request(source))
    assert calls.seen == []


def test_synthetic_size_hint_names_the_minimum() -> None:
    with pytest.raises(UsageError) as caught:
        _sources(Calls(), synthetic_minimum=4).load(_request("synthetic:3"))
    assert "N >= 4" in (caught.value.hint or "")


def test_the_request_is_passed_through(existing: Path) -> None:
    got: list[DataRequest] = []

    def local(request: DataRequest, path: Path) -> LoadedData[Any]:
        got.append(request)
        return LoadedData([], DataProvenance(kind="local", location=str(path), num_items=0))

    request = DataRequest(source=str(existing), cache_dir="/c", need_media=False, only_ids=("1",))
    loaded = _sources(Calls(), local=local).load(request)
    assert got == [request]
    assert loaded.provenance.location == str(existing)
