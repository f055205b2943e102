"""MIA-Bench data: the instruction file (local, or fetched over HTTP), images fetched from
their URLs into the cache on first use or read from --image-dir, and synthetic data.

A loopback HTTP server plays the web: nothing here touches the network.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.registry import build_registry
from mmalign_eval.task import DataRequest, LoadedData
from mmalign_eval_tasks.preference.mia_bench.data import OFFICIAL_COMMIT, MiaInfo, official_url
from mmalign_eval_tasks.preference.mia_bench.download import with_scheme
from mmalign_eval_tasks.preference.mia_bench.images import UNREACHABLE, cache_name, file_name


def _png(colour: tuple[int, int, int]) -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


def _load(source: str | Path | None, cache: Path, **extra: Any) -> LoadedData[MiaInfo]:
    task = build_registry().tasks["mia_bench"]
    request = DataRequest(source=None if source is None else str(source), cache_dir=str(cache),
                          **extra)  # fmt: skip
    return task.loader(request)


def _row(image: str, index: int) -> dict[str, Any]:
    return {"image": image, "instruction": f"Describe it in {index + 2} words.", "type": "basic",
            "num_of_component": 2, "components": ["Describe it", f"in {index + 2} words"],
            "component_weight": [5, 5], "component_type": ["describe", "length_limit"]}  # fmt: skip


@pytest.fixture
def web(file_server: Any) -> tuple[Any, list[str]]:
    """Four items: two images served, one 404, one body that is not an image; the file too."""
    file_server.files["/a/one.jpg"] = _png((200, 0, 0))
    file_server.files["/b/two.png"] = _png((0, 200, 0))
    file_server.files["/d/page.jpg"] = b"<html>moved</html>"
    urls = [file_server.url(p) for p in ("/a/one.jpg", "/b/two.png", "/c/gone.jpg", "/d/page.jpg")]
    rows = [_row(u, i) for i, u in enumerate(urls)]
    file_server.files["/instruction_benchmark_all.json"] = json.dumps(rows).encode()
    return file_server, urls


def test_file_and_images_are_fetched_once_and_failures_recorded(
    web: tuple[Any, list[str]], tmp_path: Path
) -> None:
    server, urls = web
    source = server.url("/instruction_benchmark_all.json")
    loaded = _load(source, tmp_path)
    assert [s.id for s in loaded.samples] == urls  # named by image URL, as officially
    assert [s.media[0].state for s in loaded.samples] == ["ready", "ready", "missing", "missing"]
    first = Path(loaded.samples[0].media[0].path or "")
    assert first.name == cache_name(urls[0]) and first.read_bytes() == _png((200, 0, 0))
    reasons = json.loads((tmp_path / "mia_bench" / "images" / UNREACHABLE).read_text())
    assert reasons == {urls[2]: "HTTP 404", urls[3]: "not an image (UnidentifiedImageError)"}
    assert loaded.provenance.location == source and loaded.provenance.kind == "official_files"
    assert "2 images could not be had" in (loaded.provenance.version_note or "")
    # A second load asks only for what the cache lacks: the two failures, not the file.
    again = _load(source, tmp_path)
    assert [s.media[0].state for s in again.samples] == ["ready", "ready", "missing", "missing"]
    assert server.hits["/instruction_benchmark_all.json"] == 1
    assert server.hits["/a/one.jpg"] == 1 and server.hits["/c/gone.jpg"] == 2


def test_scoring_reads_no_image(web: tuple[Any, list[str]], tmp_path: Path) -> None:
    server, _ = web
    loaded = _load(server.url("/instruction_benchmark_all.json"), tmp_path, need_media=False)
    assert all(s.media[0].state == "unread" for s in loaded.samples)
    assert not any(p.endswith((".jpg", ".png")) for p in server.hits)


def test_an_unreachable_host_fails_only_its_items(tmp_path: Path) -> None:
    rows = [_row("http://127.0.0.1:9/x.jpg", 0)]  # the discard port: connection refused
    (tmp_path / "instruction_benchmark_all.json").write_text(json.dumps(rows))
    loaded = _load(tmp_path / "instruction_benchmark_all.json", tmp_path / "cache")
    assert loaded.samples[0].media[0].state == "missing"


def test_image_dir_is_read_by_cache_name_or_unique_file_name(tmp_path: Path) -> None:
    urls = ["https://h.example/p/a.jpg", "https://h.example/q/same.jpg",
            "https://h.example/r/same.jpg", "live.staticflickr.com/74/b.jpg"]  # fmt: skip
    (tmp_path / "instruction_benchmark_all.json").write_text(
        json.dumps([_row(u, i) for i, u in enumerate(urls)])
    )
    images = tmp_path / "local"
    images.mkdir()
    (images / "a.jpg").write_bytes(_png((1, 2, 3)))
    (images / "same.jpg").write_bytes(_png((4, 5, 6)))  # shared name: used for neither item
    (images / cache_name(urls[2])).write_bytes(_png((7, 8, 9)))
    (images / "b.jpg").write_bytes(_png((9, 9, 9)))
    loaded = _load(tmp_path / "instruction_benchmark_all.json", tmp_path / "c",
                   image_dir=str(images))  # fmt: skip
    assert [s.media[0].state for s in loaded.samples] == ["ready", "missing", "ready", "ready"]
    assert Path(loaded.samples[2].media[0].path or "").name == cache_name(urls[2])
    with pytest.raises(DataError, match="image folder"):
        _load(tmp_path / "instruction_benchmark_all.json", tmp_path / "c",
              image_dir=str(tmp_path / "absent"))  # fmt: skip


def test_url_helpers() -> None:
    assert with_scheme("live.staticflickr.com/74/x.jpg") == "https://live.staticflickr.com/74/x.jpg"
    assert with_scheme("http://a/b.jpg") == "http://a/b.jpg"
    assert file_name("https://m.example/id/1/photo.jpg?b=1&s=612x612") == "photo.jpg"
    assert file_name("https://m.example/dir/") == "" and file_name("synth_1.png") == "synth_1.png"
    assert cache_name("https://m.example/x.JPG?s=1").endswith(".jpg")
    assert cache_name("https://m.example/x").endswith(".img")
    assert official_url("apple/ml-mia-bench", None).endswith(
        f"apple/ml-mia-bench/{OFFICIAL_COMMIT}/instruction_benchmark_all.json"
    )
    with pytest.raises(UsageError):
        official_url("someone/else", None)


def test_a_download_that_is_not_the_file_is_not_cached(file_server: Any, tmp_path: Path) -> None:
    file_server.files["/f.json"] = b"<html>not json</html>"
    with pytest.raises(DataError, match="cannot read"):
        _load(file_server.url("/f.json"), tmp_path)
    with pytest.raises(DataError, match="HTTP 404"):
        _load(file_server.url("/missing.json"), tmp_path)
    file_server.files["/f.json"] = json.dumps([_row("x.jpg", 0)]).encode()
    assert len(_load(file_server.url("/f.json"), tmp_path, need_media=False).samples) == 1


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda r: r.pop("components"), "lacks"),
        (lambda r: r["component_weight"].append(1), "differ in length"),
        (lambda r: r.update(component_type=["describe", "poetry"]), "poetry"),
    ],
    ids=["field missing", "lengths differ", "unknown type"],
)
def test_bad_rows_are_data_errors(tmp_path: Path, edit: Callable[..., Any], match: str) -> None:
    row = _row("https://h.example/a.jpg", 0)
    edit(row)
    (tmp_path / "instruction_benchmark_all.json").write_text(json.dumps([row]))
    with pytest.raises(DataError, match=match):
        _load(tmp_path, tmp_path / "c", need_media=False)


def test_real_file_loads_400_items(shared_file: Callable[..., Path], tmp_path: Path) -> None:
    path = shared_file("mia_bench", "instruction_benchmark_all.json")
    loaded = _load(path, tmp_path, need_media=False)
    assert loaded.provenance.num_items == 400 and len({s.id for s in loaded.samples}) == 400
    first = loaded.samples[0]
    assert first.id == "http://images.cocodataset.org/val2017/000000397133.jpg"
    assert first.info.weights == (4, 3, 3) and first.category == "advanced"
    assert first.info.component_types == ("describe", "length_limit", "linguistics")


def test_synthetic_items_use_local_images(tmp_path: Path) -> None:
    loaded = _load("synthetic:5", tmp_path)
    assert loaded.provenance.kind == "synthetic" and len(loaded.samples) == 5
    assert all(s.media[0].state == "ready" for s in loaded.samples)
    assert {s.category for s in loaded.samples} == {
        "basic", "creative", "intermediate", "advanced", "complex"
    }  # fmt: skip
    for sample in loaded.samples:
        assert sum(sample.info.weights) == 10
        assert len(sample.info.components) == len(sample.info.component_types)
