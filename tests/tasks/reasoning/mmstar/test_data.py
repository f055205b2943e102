"""MMStar data sources: synthetic scenes, local Hub-layout copies, the official TSV, the Hub."""

from __future__ import annotations

import base64
import csv
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import DataError, DataRequest, UsageError
from mmalign_eval_tasks.reasoning.mmstar import data as mmstar_data
from mmalign_eval_tasks.reasoning.mmstar.data import SOURCES, make_sample
from mmalign_eval_tasks.reasoning.mmstar.metrics import AXES
from mmalign_eval_tasks.reasoning.mmstar.synthetic import synthetic_rows

SIZE = 6


def _request(source: Path | str, cache: Path, need_media: bool = True) -> DataRequest:
    return DataRequest(source=str(source), cache_dir=str(cache), need_media=need_media)


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-datasets")


def _hub_dataset(cache: Path, size: int = SIZE) -> Any:
    """The synthetic rows as a datasets.Dataset in the Hub's features."""
    from datasets import Dataset, Features, Image, Value

    rows, images = synthetic_rows(cache, size)
    features = Features({
        "index": Value("int64"), "question": Value("string"), "image": Image(),
        "answer": Value("string"), "category": Value("string"), "l2_category": Value("string"),
        "meta_info": {"source": Value("string"), "split": Value("string"),
                      "image_path": Value("string")},
    })  # fmt: skip
    table = {name: [r[name] for r in rows] for name in features if name != "image"}
    table["image"] = [str(images / r["image"]) for r in rows]
    return Dataset.from_dict(table, features=features)


def test_synthetic_items(tmp_path: Path) -> None:
    loaded = SOURCES.load(_request("synthetic:20", tmp_path))
    assert loaded.provenance.kind == "synthetic" and loaded.provenance.num_items == 20
    samples = loaded.samples
    assert [s.id for s in samples] == [str(i) for i in range(20)]
    assert [(s.info.capability, s.info.axis) for s in samples[:18]] == list(AXES)
    assert all(s.info.letters == "ABCD" and s.target in "ABCD" for s in samples)
    assert all(s.media[0].state == "ready" for s in samples)
    assert "Options: A: " in samples[0].question and "(A) " in samples[1].question
    again = SOURCES.load(_request("synthetic:20", tmp_path / "other"))
    assert [(s.question, s.target) for s in again.samples] == [
        (s.question, s.target) for s in samples
    ]


def test_synthetic_answers_are_true(tmp_path: Path) -> None:
    rows, _ = synthetic_rows(tmp_path, 9)
    from mmalign_eval.toolkit.shapes import read_manifest

    manifest = read_manifest(tmp_path / "synthetic-shapes-v1-n9-s0")["images"]
    for row, entry in zip(rows, manifest, strict=True):
        letters = "ABCD"
        question = row["question"]
        options = question.split("Options: ")[-1] if "Options: " in question else question
        text = _option_text(options, letters.index(row["answer"]), "Options: " in question)
        first = str(entry["objects"][0])
        expected = {0: first.split()[1], 1: str(len(entry["objects"])), 2: first.split()[0]}
        assert text == expected[row["index"] % 3], row


def _option_text(listed: str, position: int, inline: bool) -> str:
    if inline:
        return listed.split(", ")[position].split(": ", 1)[1]
    return listed.split("\n")[-4 + position].split(") ", 1)[1]


@pytest.mark.usefixtures("hf_cache")
@pytest.mark.parametrize("layout", ["save_to_disk", "dataset", "parquet_file", "parquet_folder"])
def test_local_hub_copy(tmp_path: Path, layout: str) -> None:
    from datasets import DatasetDict

    dataset = _hub_dataset(tmp_path / "scenes")
    target = tmp_path / "copy"
    if layout == "save_to_disk":
        DatasetDict({"val": dataset}).save_to_disk(str(target))
    elif layout == "dataset":
        dataset.save_to_disk(str(target))
    else:
        target.mkdir()
        dataset.to_parquet(str(target / "mmstar.parquet"))  # the Hub's own file name
        target = target / "mmstar.parquet" if layout == "parquet_file" else target
    loaded = SOURCES.load(_request(target, tmp_path / "cache"))
    synthetic = SOURCES.load(_request(f"synthetic:{SIZE}", tmp_path / "scenes2"))
    assert loaded.provenance.kind == "local"
    assert [(s.id, s.question, s.target, s.info) for s in loaded.samples] == [
        (s.id, s.question, s.target, s.info) for s in synthetic.samples
    ]
    # The same pixels as the synthetic images, stored once under their hash.
    assert [s.media[0].sha256 for s in loaded.samples] == [
        s.media[0].sha256 for s in synthetic.samples
    ]
    labels = SOURCES.load(_request(target, tmp_path / "cache2", need_media=False))
    assert all(s.media[0].state == "unread" for s in labels.samples)
    assert not (tmp_path / "cache2" / "media").exists()


def test_hub_source_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[Any, ...]] = []

    def fake_hub(repo: str, config: str | None, split: str, revision: str | None) -> Any:
        asked.append((repo, config, split, revision))
        return _hub_dataset(tmp_path / "scenes")

    monkeypatch.setattr(mmstar_data, "load_hub_split", fake_hub)
    loaded = SOURCES.load(DataRequest(cache_dir=str(tmp_path), need_media=False))
    assert asked == [("Lin-Chen/MMStar", None, "val", None)]
    assert loaded.provenance.kind == "huggingface"
    assert loaded.provenance.location == "Lin-Chen/MMStar:val"
    assert len(loaded.samples) == SIZE


def _write_tsv(path: Path, rows: list[dict[str, Any]], images: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(
            ["index", "question", "answer", "category", "l2_category", "bench", "image"]
        )
        for row in rows:
            picture = base64.b64encode((images / row["image"]).read_bytes()).decode()
            # The official loader lets a row name another row's image by its index.
            image = "0" if row["index"] == 3 else picture
            writer.writerow([row["index"], row["question"], row["answer"], row["category"],
                             row["l2_category"], "synthetic", image])  # fmt: skip


def test_official_tsv(tmp_path: Path) -> None:
    rows, images = synthetic_rows(tmp_path / "scenes", SIZE)
    tsv = tmp_path / "MMStar.tsv"
    _write_tsv(tsv, rows, images)
    for source in (tsv, tmp_path):  # the file, or its folder
        loaded = SOURCES.load(_request(source, tmp_path / "cache"))
        assert loaded.provenance.kind == "official_files"
        assert [s.question for s in loaded.samples] == [r["question"] for r in rows]
        assert [s.info.source for s in loaded.samples] == ["synthetic"] * SIZE
        media = [s.media[0] for s in loaded.samples]
        assert media[3].sha256 == media[0].sha256
        assert all(m.state == "ready" for m in media)


def test_bad_data_is_refused(tmp_path: Path) -> None:
    row = {"index": 7, "question": "Q\nOptions: A: x, B: y", "answer": "AB", "category": "math",
           "l2_category": "geometry"}  # fmt: skip
    with pytest.raises(DataError, match="answer"):
        make_sample(row, _unread())
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match="neither"):
        SOURCES.load(_request(tmp_path, tmp_path / "cache"))
    bad = tmp_path / "MMStar.tsv"
    bad.write_text("index\tquestion\n1\tq\n")
    with pytest.raises(DataError, match="lacks columns"):
        SOURCES.load(_request(bad, tmp_path / "cache"))
    with pytest.raises(DataError, match="not found"):
        SOURCES.load(_request(tmp_path / "absent", tmp_path / "cache"))
    with pytest.raises(UsageError):
        SOURCES.load(_request("synthetic:0", tmp_path))


def test_answer_outside_listed_options_is_ranked(tmp_path: Path) -> None:
    row = {"index": 1, "question": "Q\nOptions: A: x, B: y", "answer": "C", "category": "math",
           "l2_category": "geometry"}  # fmt: skip
    assert make_sample(row, _unread()).info.letters == "ABC"
    row["question"] = "No options here"
    assert make_sample(row, _unread()).info.letters == "ABCD"


def _unread() -> Any:
    from mmalign_eval.contracts import unread_media

    return unread_media("x")
