"""MM-AlignBench data: VLMEvalKit's TSV (base64 images, pandas' missing cells), local
Hub-layout copies, synthetic data and clear errors."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from PIL import Image as PILImage

from mmalign_eval import DataError, DataRequest, UsageError
from mmalign_eval.hashing import sha256_bytes
from mmalign_eval_tasks.preference.mm_alignbench.data import SOURCES
from mmalign_eval_tasks.preference.mm_alignbench.synthetic import TYPES


def _png(red: int) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 4), (red, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


# (index, type, gt cell as written in the TSV)
ROWS = [("0", "knowledge", "the key fact"), ("1", "creative", ""), ("2_rev", "chart", "None")]


def _tsv(path: Path, rows: Sequence[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["index", "image", "question", "claude3_sonnet", "type", "gt"])
        for n, (index, kind, gt) in enumerate(rows):
            image = base64.b64encode(_png(n)).decode()
            writer.writerow([index, image, f"question {n}", f"claude {n}", kind, gt])
    return path


def _request(source: Path | str, cache: Path, media: bool = True) -> DataRequest:
    return DataRequest(source=str(source), cache_dir=str(cache), need_media=media)


def test_vlmevalkit_tsv(tmp_path: Path) -> None:
    loaded = SOURCES.load(_request(_tsv(tmp_path / "MMAlignBench.tsv", ROWS), tmp_path))
    assert [s.id for s in loaded.samples] == ["0", "1", "2_rev"]
    # pandas reads an empty cell and the text 'None' as missing: no ground truth, as
    # VLMEvalKit's str(line['gt']) != 'nan' sees them.
    assert [s.info.gt for s in loaded.samples] == ["the key fact", None, None]
    assert [s.category for s in loaded.samples] == ["knowledge", "creative", "chart"]
    assert loaded.samples[1].info.baseline == "claude 1"
    assert loaded.samples[0].media[0].sha256 == sha256_bytes(_png(0))
    assert loaded.provenance.kind == "official_files"


def test_tsv_folder_and_labels_only(tmp_path: Path) -> None:
    _tsv(tmp_path / "MMAlignBench.tsv", ROWS)
    loaded = SOURCES.load(_request(tmp_path, tmp_path / "cache", media=False))
    assert all(s.media[0].state == "unread" for s in loaded.samples)


def test_tsv_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("index\tquestion\n0\tq\n", encoding="utf-8")
    with pytest.raises(DataError, match="lacks columns"):
        SOURCES.load(_request(bad, tmp_path))
    broken = _tsv(tmp_path / "broken.tsv", ROWS)
    broken.write_text(broken.read_text().replace("iVBOR", "!!!!"), encoding="utf-8")
    with pytest.raises(DataError, match="not valid base64"):
        SOURCES.load(_request(broken, tmp_path))


def _hub_copy(target: Path, parquet: bool, with_type: bool = True) -> Path:
    from datasets import Dataset, DatasetDict, Features, Image, Value

    data: dict[str, list[object]] = {
        "index": [0, 1], "question": ["q0", "q1"], "claude3_sonnet": ["c0", "c1"],
        "image": [{"bytes": _png(0), "path": None}, {"bytes": _png(1), "path": None}],
        "gt": ["fact", None],
    }  # fmt: skip
    features = {"index": Value("int64"), "question": Value("string"), "image": Image(),
                "claude3_sonnet": Value("string"), "gt": Value("string")}  # fmt: skip
    if with_type:
        data["type"], features["type"] = ["knowledge", "creative"], Value("string")
    table = Dataset.from_dict(data, features=Features(features))
    if parquet:
        target.mkdir(parents=True)
        table.to_parquet(str(target / "train-00000-of-00001.parquet"))
    else:
        DatasetDict({"train": table}).save_to_disk(str(target))
    return target


@pytest.mark.parametrize("parquet", [False, True], ids=["save_to_disk", "parquet"])
def test_local_hub_copy(tmp_path: Path, parquet: bool) -> None:
    loaded = SOURCES.load(_request(_hub_copy(tmp_path / "copy", parquet), tmp_path / "cache"))
    assert [(s.id, s.info.gt, s.info.type) for s in loaded.samples] == [
        ("0", "fact", "knowledge"), ("1", None, "creative"),
    ]  # fmt: skip
    assert loaded.samples[1].media[0].sha256 == sha256_bytes(_png(1))
    assert loaded.provenance.kind == "local"


def test_hub_copy_without_a_needed_column(tmp_path: Path) -> None:
    copy = _hub_copy(tmp_path / "copy", parquet=True, with_type=False)
    with pytest.raises(UsageError, match="lacks columns"):
        SOURCES.load(_request(copy, tmp_path / "cache"))


def test_synthetic_data(tmp_path: Path) -> None:
    loaded = SOURCES.load(_request("synthetic:6", tmp_path))
    assert [s.info.type for s in loaded.samples] == [*TYPES, *TYPES]
    assert [s.info.gt is not None for s in loaded.samples] == [True, False] * 3
    assert loaded.provenance.kind == "synthetic"
    assert all(s.media[0].state == "ready" for s in loaded.samples)
