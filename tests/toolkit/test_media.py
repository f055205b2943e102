"""Item media by name: ready (hashed once), unread without a folder, missing when unreadable."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmalign_eval.hashing import sha256_bytes
from mmalign_eval.toolkit import media as toolkit_media
from mmalign_eval.toolkit.media import ImageFolder, file_media

PNG = b"\x89PNG\r\n\x1a\nnot really an image, but bytes to hash"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    (folder / "VS" / "chart").mkdir(parents=True)
    (folder / "a.png").write_bytes(PNG)
    (folder / "b.png").write_bytes(PNG + b"b")
    (folder / "VS" / "chart" / "0_0.png").write_bytes(PNG + b"nested")
    (folder / "a_folder.png").mkdir()  # a name that is not a readable file
    return folder


@pytest.mark.parametrize(
    ("name", "state"),
    [("a.png", "ready"), ("VS/chart/0_0.png", "ready"), ("gone.png", "missing"),
     ("a_folder.png", "missing"), ("VS/gone.png", "missing")],
)  # fmt: skip
def test_file_media_states(root: Path, name: str, state: str) -> None:
    ref = file_media(root / name, name)
    assert ref.state == state
    assert ref.path == str(root / name)
    if state == "ready":
        assert ref.sha256 == sha256_bytes((root / name).read_bytes())
        assert ref.key_part == ref.sha256
    else:
        assert ref.sha256 is None
        assert ref.key_part == f"missing:{name}"


@pytest.mark.parametrize("name", ["a.png", "VS/chart/0_0.png", "gone.png", "VS/gone.png"])
def test_file_media_source_is_the_name_given(root: Path, name: str) -> None:
    """The source (for reports) is the benchmark's name of the image in every state."""
    assert file_media(root / name, name).source == name
    assert file_media(None, name).source == name


def test_file_media_without_a_folder_is_unread() -> None:
    ref = file_media(None, "COCO_val2014_000000000042.jpg")
    assert (ref.state, ref.path, ref.sha256) == ("unread", None, None)
    assert ref.key_part == "unread:COCO_val2014_000000000042.jpg"


def test_image_folder_reads_each_name_once(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Path | None] = []
    original = toolkit_media.file_media

    def counting(path: Path | None, source: str):  # type: ignore[no-untyped-def]
        reads.append(path)
        return original(path, source)

    monkeypatch.setattr(toolkit_media, "file_media", counting)
    folder = ImageFolder(root)
    refs = [
        folder.ref(name) for name in ("a.png", "b.png", "a.png", "gone.png", "a.png", "gone.png")
    ]
    assert reads == [root / "a.png", root / "b.png", root / "gone.png"]
    assert refs[0] is refs[2] is refs[4]
    assert refs[3] is refs[5]
    assert [r.state for r in refs[:4]] == ["ready", "ready", "ready", "missing"]
    assert refs[0].sha256 != refs[1].sha256


def test_image_folder_keeps_the_first_read(root: Path) -> None:
    folder = ImageFolder(root)
    first = folder.ref("a.png")
    (root / "a.png").write_bytes(b"changed")  # one run sees one version of each image
    assert folder.ref("a.png") == first
    assert ImageFolder(root).ref("a.png").sha256 != first.sha256


def test_image_folder_without_a_root_reads_nothing() -> None:
    folder = ImageFolder(None)
    refs = [folder.ref("a.png"), folder.ref("b.png"), folder.ref("a.png")]
    assert [r.state for r in refs] == ["unread"] * 3
    assert [r.source for r in refs] == ["a.png", "b.png", "a.png"]
    assert refs[0] is refs[2]
    assert all(r.path is None and r.sha256 is None for r in refs)


def test_image_folder_missing_file_fails_only_that_name(root: Path) -> None:
    folder = ImageFolder(root)
    gone = folder.ref("gone.png")
    assert (gone.state, gone.source, gone.path) == ("missing", "gone.png", str(root / "gone.png"))
    assert folder.ref("a.png").state == "ready"
