"""VLGuard data sources: synthetic, a local test.json with images, the gated Hub dataset."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.errors import DataError
from mmalign_eval.registry import build_registry
from mmalign_eval.task import DataRequest
from mmalign_eval.toolkit.shapes import ensure_scenes

ENTRIES = [
    {"id": "U0", "image": "HOD/u0.png", "safe": False, "harmful_category": "privacy",
     "harmful_subcategory": "personal data",
     "instr-resp": [{"instruction": "unsafe q", "response": "No."}]},
    {"id": "S0", "image": "bad_ads/s0.png", "safe": True,
     "instr-resp": [{"safe_instruction": "safe q", "response": "ref"},
                    {"unsafe_instruction": "unsafe on safe", "response": "No."}]},
]  # fmt: skip


def _load(task: str, source: str | None, cache: Path, **kw: Any) -> Any:
    request = DataRequest(source=source, cache_dir=str(cache), **kw)
    return build_registry().tasks[task].loader(request)


def _images(root: Path, cache: Path) -> None:
    scene = ensure_scenes(cache, 1) / "images" / "synth_000000.png"
    for entry in ENTRIES:
        target = root / str(entry["image"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(scene.read_bytes())


def test_synthetic_subsets(tmp_path: Path) -> None:
    unsafes = _load("vlguard_unsafes", "synthetic:4", tmp_path)
    safes = _load("vlguard_safe_safes", "synthetic:4", tmp_path)
    assert len(unsafes.samples) == len(safes.samples) == 4
    assert unsafes.provenance.kind == "synthetic"
    assert all(s.media[0].state == "ready" for s in unsafes.samples + safes.samples)
    assert all("[SYNTHETIC" in s.question for s in unsafes.samples + safes.samples)
    assert all(s.info.reference for s in safes.samples)
    assert unsafes.samples[0].info.category == "risky behavior"


@pytest.mark.parametrize("layout", ["flat", "test", "image-dir"])
def test_local_copy_with_images(tmp_path: Path, layout: str) -> None:
    labels = tmp_path / "data" / "test.json"
    labels.parent.mkdir()
    labels.write_text(json.dumps(ENTRIES))
    root = {"flat": labels.parent, "test": labels.parent / "test",
            "image-dir": tmp_path / "elsewhere"}[layout]  # fmt: skip
    _images(root, tmp_path / "cache")
    extra = {"image_dir": str(tmp_path / "elsewhere")} if layout == "image-dir" else {}
    loaded = _load("vlguard_safe_unsafes", str(labels), tmp_path / "cache", **extra)
    (sample,) = loaded.samples
    assert sample.id == "S0" and sample.question == "unsafe on safe"
    assert sample.media[0].state == "ready"
    assert loaded.provenance.kind == "local"


def test_local_copy_without_images_says_how_to_get_them(tmp_path: Path) -> None:
    labels = tmp_path / "test.json"
    labels.write_text(json.dumps(ENTRIES))
    with pytest.raises(DataError) as err:
        _load("vlguard_unsafes", str(labels), tmp_path / "cache")
    hint = err.value.hint or ""
    assert "huggingface.co/datasets/ys-zong/VLGuard" in hint and "--image-dir" in hint
    labels_only = _load("vlguard_unsafes", str(labels), tmp_path / "c", need_media=False)
    assert labels_only.samples[0].media[0].state == "unread"


def test_entry_without_its_instruction_is_a_data_error(tmp_path: Path) -> None:
    broken = [{**ENTRIES[1], "instr-resp": [{"safe_instruction": "q", "response": "r"}]}]
    labels = tmp_path / "test.json"
    labels.write_text(json.dumps(broken))
    with pytest.raises(DataError, match="unsafe_instruction"):
        _load("vlguard_safe_unsafes", str(labels), tmp_path, need_media=False)


def _fake_hub(monkeypatch: pytest.MonkeyPatch, files: dict[str, Path] | Exception) -> list[str]:
    import huggingface_hub

    asked: list[str] = []

    def download(repo: str, name: str, **kw: Any) -> str:
        asked.append(name)
        if isinstance(files, Exception):
            raise files
        return str(files[name])

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", download)
    return asked


def test_hub_gated_dataset_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from huggingface_hub.errors import GatedRepoError

    # Built without __init__: its constructor wants a live HTTP response object.
    gated = GatedRepoError.__new__(GatedRepoError)
    Exception.__init__(gated, "403 gated")
    _fake_hub(monkeypatch, gated)
    with pytest.raises(DataError) as err:
        _load("vlguard_unsafes", None, tmp_path)
    assert "gated" in err.value.message
    assert "accept its terms" in (err.value.hint or "") and "login" in (err.value.hint or "")


def test_hub_download_unzips_images_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    src = tmp_path / "src"
    _images(src / "test", tmp_path / "cache")
    labels = src / "test.json"
    labels.write_text(json.dumps(ENTRIES))
    archive = src / "test.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for entry in ENTRIES:
            handle.write(src / "test" / str(entry["image"]), f"test/{entry['image']}")
    asked = _fake_hub(monkeypatch, {"test.json": labels, "test.zip": archive})
    loaded = _load("vlguard_unsafes", None, tmp_path / "cache")
    assert loaded.provenance.kind == "huggingface" and asked == ["test.json", "test.zip"]
    assert loaded.samples[0].media[0].state == "ready"
    again = _load("vlguard_safe_safes", None, tmp_path / "cache")
    assert again.samples[0].media[0].state == "ready"
    labels_only = _load("vlguard_unsafes", None, tmp_path / "cache", need_media=False)
    assert labels_only.samples[0].media[0].state == "unread"
    assert asked[-1] == "test.json"  # scoring saved answers downloads no images
