"""MMBench data: rows grouped into questions with their circular copies, from synthetic
scenes, local Hub-layout copies, VLMEvalKit's TSV and the Hub."""

from __future__ import annotations

import base64
import csv
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import DataError, DataRequest
from mmalign_eval.contracts import unread_media
from mmalign_eval_tasks.reasoning.mmbench import data as mmbench_data
from mmalign_eval_tasks.reasoning.mmbench.data import SOURCES
from mmalign_eval_tasks.reasoning.mmbench.items import OFFSET, question_samples
from mmalign_eval_tasks.reasoning.mmbench.metrics import CATEGORIES
from mmalign_eval_tasks.reasoning.mmbench.synthetic import synthetic_rows

SIZE = 6
COLUMNS = ("index", "question", "hint", "A", "B", "C", "D", "answer", "category",
           "L2-category", "source", "split", "comment")  # fmt: skip


def _request(source: Path | str, cache: Path, need_media: bool = True) -> DataRequest:
    return DataRequest(source=str(source), cache_dir=str(cache), need_media=need_media)


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-datasets")


def _hub_dataset(cache: Path, size: int = SIZE) -> Any:
    from datasets import Dataset, Features, Image, Value

    rows, images = synthetic_rows(cache, size)
    features = Features({c: Value("int64" if c == "index" else "string") for c in COLUMNS})
    features["image"] = Image()
    table: dict[str, list[Any]] = {c: [r[c] for r in rows] for c in COLUMNS}
    table["image"] = [str(images / r["image"]) for r in rows]
    return Dataset.from_dict(table, features=features)


def _rows(main: dict[str, Any], copies: int = 0) -> list[dict[str, Any]]:
    base = {"question": "Q?", "hint": "nan", "category": "ocr", "L2-category": "x", **main}
    return [base] + [{**base, "index": base["index"] + k * OFFSET} for k in range(1, copies + 1)]


def test_synthetic_questions(tmp_path: Path) -> None:
    loaded = SOURCES.load(_request("synthetic", tmp_path))
    samples = loaded.samples
    assert len(samples) == 20 and loaded.provenance.kind == "synthetic"
    assert [(s.info.category, s.info.l2_category) for s in samples] == list(CATEGORIES)
    assert [len(s.info.rotations) for s in samples[:6]] == [2, 3, 4, 2, 3, 4]
    for sample in samples:
        rotations = sample.info.rotations
        right = {r.options[r.answer] for r in rotations}
        assert len(right) == 1  # every copy's answer is the same option text
        assert [r.index for r in rotations] == [
            int(sample.id) + k * OFFSET for k in range(len(rotations))
        ]
    assert samples[0].info.hint is None and samples[1].info.hint
    assert samples[1].question.startswith("Hint: ") and "\nOptions:\nA. " in samples[1].question


@pytest.mark.usefixtures("hf_cache")
@pytest.mark.parametrize("layout", ["save_to_disk", "hub_parquet"])
def test_local_hub_copy(tmp_path: Path, layout: str) -> None:
    from datasets import DatasetDict

    dataset = _hub_dataset(tmp_path / "scenes")
    target = tmp_path / "copy"
    if layout == "save_to_disk":
        DatasetDict({"dev": dataset}).save_to_disk(str(target))
    else:  # the Hub's files: en/dev-*.parquet beside other languages' folders
        for config in ("en", "cn"):
            (target / config).mkdir(parents=True)
        dataset.to_parquet(str(target / "en" / "dev-00000-of-00001.parquet"))
        dataset.select(range(2)).to_parquet(str(target / "cn" / "dev-00000-of-00001.parquet"))
    loaded = SOURCES.load(_request(target, tmp_path / "cache"))
    synthetic = SOURCES.load(_request(f"synthetic:{SIZE}", tmp_path / "scenes2"))
    assert loaded.provenance.kind == "local"
    assert [(s.id, s.question, s.info) for s in loaded.samples] == [
        (s.id, s.question, s.info) for s in synthetic.samples
    ]
    assert [s.media[0].sha256 for s in loaded.samples] == [
        s.media[0].sha256 for s in synthetic.samples
    ]
    labels = SOURCES.load(_request(target, tmp_path / "cache2", need_media=False))
    assert all(s.media[0].state == "unread" for s in labels.samples)


def test_hub_source_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[Any, ...]] = []

    def fake_hub(repo: str, config: str | None, split: str, revision: str | None) -> Any:
        asked.append((repo, config, split, revision))
        return _hub_dataset(tmp_path / "scenes")

    monkeypatch.setattr(mmbench_data, "load_hub_split", fake_hub)
    loaded = SOURCES.load(DataRequest(cache_dir=str(tmp_path), need_media=False))
    assert asked == [("lmms-lab/MMBench", "en", "dev", None)]
    assert loaded.provenance.location == "lmms-lab/MMBench:en/dev" and len(loaded.samples) == SIZE


def test_vlmevalkit_tsv(tmp_path: Path) -> None:
    rows, images = synthetic_rows(tmp_path / "scenes", SIZE)
    tsv = tmp_path / "MMBench_DEV_EN.tsv"
    with tsv.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow([*COLUMNS, "image"])
        for row in rows:
            copy = row["index"] >= OFFSET  # copies refer to the original's image by index
            picture = base64.b64encode((images / row["image"]).read_bytes()).decode()
            cells = ["" if row[c] == "nan" else row[c] for c in COLUMNS]
            writer.writerow([*cells, row["index"] % OFFSET if copy else picture])
    loaded = SOURCES.load(_request(tmp_path, tmp_path / "cache"))
    synthetic = SOURCES.load(_request(f"synthetic:{SIZE}", tmp_path / "scenes2"))
    assert loaded.provenance.kind == "official_files"
    assert [(s.id, s.info) for s in loaded.samples] == [(s.id, s.info) for s in synthetic.samples]
    assert [s.media[0].sha256 for s in loaded.samples] == [
        s.media[0].sha256 for s in synthetic.samples
    ]


def test_copies_are_made_when_the_source_has_none() -> None:
    rows = [{"index": 3, "A": "x", "B": "y", "C": "z", "D": "nan", "answer": "C"}]
    (sample,) = question_samples(_rows(rows[0]), lambda row: unread_media("i"))
    assert [(r.options, r.answer) for r in sample.info.rotations] == [
        ({"A": "x", "B": "y", "C": "z"}, "C"),
        ({"A": "y", "B": "z", "C": "x"}, "B"),
        ({"A": "z", "B": "x", "C": "y"}, "A"),
    ]


def test_a_question_without_copies_stays_single_when_others_have_them() -> None:
    rows = _rows({"index": 1, "A": "x", "B": "y", "answer": "A"}, copies=1)
    rows[1].update(A="y", B="x", answer="B")
    rows += _rows({"index": 2, "A": "p", "B": "q", "answer": "B"})  # VLMEvalKit's 'abnormal'
    first, second = question_samples(rows, lambda row: unread_media("i"))
    assert len(first.info.rotations) == 2 and len(second.info.rotations) == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (_rows({"index": 1, "A": "x", "B": "y", "answer": "C"}), "answer"),
        (_rows({"index": 1, "A": "x", "B": "y", "answer": "A"}) * 2, "twice"),
        (_rows({"index": 1, "A": "x", "B": "y", "answer": "A"}, copies=1)[1:], "no original"),
    ],
)
def test_bad_rows(rows: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(DataError, match=message):
        question_samples(rows, lambda row: unread_media("i"))


def test_missing_l2_column_and_bad_paths(tmp_path: Path) -> None:
    rows = [{"index": 1, "question": "Q", "A": "x", "B": "y", "answer": "A", "category": "ocr"}]
    with pytest.raises(DataError, match="L2-category"):
        question_samples(rows, lambda row: unread_media("i"))
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DataError, match="neither"):
        SOURCES.load(_request(tmp_path, tmp_path / "cache"))
