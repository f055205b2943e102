"""VL-RewardBench data: synthetic pairs with known preferences, local copies of the Hub
dataset (save_to_disk, parquet), the official data.jsonl with an image folder, and errors."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as PILImage

from mmalign_eval import DataError, DataRequest, UsageError
from mmalign_eval.hashing import sha256_bytes
from mmalign_eval.toolkit.shapes import OBJECTS, ensure_scenes, read_manifest
from mmalign_eval_tasks.reward.vl_rewardbench.data import SOURCES

ROWS: list[dict[str, Any]] = [
    {"id": "RLAIF-V-14", "query": "q0", "response": ["good", "bad"], "human_ranking": [0, 1],
     "models": ["m", "m"], "judge": "human", "rationale": None, "query_source": "COCO"},
    {"id": "mmmu_pro_test_Art_3", "query": "q1", "response": ["bad", "good"],
     "human_ranking": [1, 0], "models": ["m", "n"], "judge": "gpt-4o", "rationale": "r",
     "query_source": None},
]  # fmt: skip


def _png(red: int) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 4), (red, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def _request(source: Path | str, cache: Path, media: bool = True, **extra: Any) -> DataRequest:
    return DataRequest(source=str(source), cache_dir=str(cache), need_media=media, **extra)


def test_synthetic_pairs_prefer_the_true_response(tmp_path: Path) -> None:
    loaded = SOURCES.load(_request("synthetic:6", tmp_path))
    samples = loaded.samples
    assert [s.category for s in samples] == ["general", "hallucination", "reasoning"] * 2
    assert [s.info.chosen for s in samples] == [0, 1] * 3
    assert [s.info.dataset for s in samples[:3]] == ["wildvision-battle", "rlaif-v",
                                                     "reasoning_tasks"]  # fmt: skip
    scenes = read_manifest(ensure_scenes(tmp_path / "data", 6))["images"]
    for sample, scene in zip(samples, scenes, strict=True):
        chosen = sample.info.responses[sample.info.chosen]
        rejected = sample.info.responses[sample.info.rejected]
        drawn = [str(o) for o in scene["objects"]]
        absent = [o for o in OBJECTS if o not in drawn]
        if sample.category == "reasoning":
            assert f"answer is {len(drawn)}." in chosen and f"is {len(drawn) + 1}." in rejected
        elif sample.category == "general":
            assert all(o in chosen for o in drawn) and not any(o in rejected for o in drawn)
        else:  # the rejected list invents a shape that is not drawn
            assert all(o in chosen and o in rejected for o in drawn)
            assert any(o in rejected for o in absent) and not any(o in chosen for o in absent)
        assert sample.media[0].state == "ready"
    assert loaded.provenance.kind == "synthetic"


def _official_copy(folder: Path, rows: list[dict[str, Any]] = ROWS) -> Path:
    lines = []
    for n, row in enumerate(rows):
        image_path = f"images/set/{row['id']}.png"
        (folder / image_path).parent.mkdir(parents=True, exist_ok=True)
        (folder / image_path).write_bytes(_png(n))
        lines.append(json.dumps({**row, "image_path": image_path}) + "\n")
    (folder / "data.jsonl").write_text("".join(lines), encoding="utf-8")
    return folder


def test_official_data_file(tmp_path: Path) -> None:
    folder = _official_copy(tmp_path / "repo")
    loaded = SOURCES.load(_request(folder, tmp_path / "cache"))
    first, second = loaded.samples
    assert (first.id, first.info.chosen, first.category) == ("RLAIF-V-14", 0, "hallucination")
    assert (second.info.chosen, second.category, second.target) == (1, "reasoning", "response 2")
    assert first.info.query_source == "COCO" and second.info.query_source is None
    assert second.media[0].sha256 == sha256_bytes(_png(1))
    assert loaded.provenance.kind == "official_files"
    moved = SOURCES.load(_request(folder / "data.jsonl", tmp_path / "c", image_dir=str(tmp_path)))
    assert all(s.media[0].state == "missing" for s in moved.samples)  # not below --image-dir
    labels = SOURCES.load(_request(folder, tmp_path / "cache", media=False))
    assert all(s.media[0].state == "unread" for s in labels.samples)


def _hub_copy(target: Path, parquet: bool, rows: list[dict[str, Any]] = ROWS) -> Path:
    from datasets import Dataset, DatasetDict, Features, Image, Sequence, Value

    columns = {key: [row[key] for row in rows] for key in rows[0]}
    columns["image"] = [{"bytes": _png(n), "path": None} for n in range(len(rows))]
    features = Features({
        "id": Value("string"), "query": Value("string"), "response": Sequence(Value("string")),
        "human_ranking": Sequence(Value("int64")), "models": Sequence(Value("string")),
        "judge": Value("string"), "rationale": Value("string"),
        "query_source": Value("string"), "image": Image(),
    })  # fmt: skip
    features = Features({name: kind for name, kind in features.items() if name in columns})
    table = Dataset.from_dict(columns, features=features)
    if parquet:
        target.mkdir(parents=True)
        table.to_parquet(str(target / "test-00000-of-00001.parquet"))
    else:
        DatasetDict({"test": table}).save_to_disk(str(target))
    return target


@pytest.mark.parametrize("parquet", [False, True], ids=["save_to_disk", "parquet"])
def test_local_hub_copy(tmp_path: Path, parquet: bool) -> None:
    loaded = SOURCES.load(_request(_hub_copy(tmp_path / "copy", parquet), tmp_path / "cache"))
    assert [(s.id, s.info.chosen, s.category) for s in loaded.samples] == [
        ("RLAIF-V-14", 0, "hallucination"), ("mmmu_pro_test_Art_3", 1, "reasoning"),
    ]  # fmt: skip
    assert loaded.samples[1].info.responses == ("bad", "good")
    assert loaded.samples[1].media[0].sha256 == sha256_bytes(_png(1))
    assert loaded.provenance.kind == "local"
    labels = SOURCES.load(_request(tmp_path / "copy", tmp_path / "cache", media=False))
    assert all(s.media[0].state == "unread" for s in labels.samples)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"human_ranking": [0, 0]}, "does not rank two"),
        ({"human_ranking": [1, 2]}, "does not rank two"),
        ({"response": ["only one"]}, "no pair of responses"),
        ({"response": ["a", None]}, "not text"),
        ({"id": "mmmu_pro_test_Art_3"}, "appears twice"),
    ],
)
def test_bad_rows(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    folder = _official_copy(tmp_path, [ROWS[0] | change, ROWS[1]])
    with pytest.raises(DataError, match=message):
        SOURCES.load(_request(folder, tmp_path / "cache"))


def test_missing_fields_and_columns(tmp_path: Path) -> None:
    (tmp_path / "data.jsonl").write_text('{"id": "x", "query": "q"}\n', encoding="utf-8")
    with pytest.raises(DataError, match="lacks fields"):
        SOURCES.load(_request(tmp_path, tmp_path / "cache"))
    rows = [{k: v for k, v in row.items() if k != "human_ranking"} for row in ROWS]
    copy = _hub_copy(tmp_path / "copy", parquet=True, rows=rows)
    with pytest.raises(UsageError, match="lacks columns"):
        SOURCES.load(_request(copy, tmp_path / "cache"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="neither"):
        SOURCES.load(_request(empty, tmp_path / "cache"))
