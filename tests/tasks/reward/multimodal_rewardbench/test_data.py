"""Multimodal RewardBench data: the official data folder (all_data.json beside images/), the
release file (scoring only), official answers files as labels, synthetic data covering every
category, and errors that say what to fetch and run."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from mmalign_eval import DataError, DataRequest
from mmalign_eval_tasks.reward.multimodal_rewardbench.data import SOURCES, load
from mmalign_eval_tasks.reward.multimodal_rewardbench.official import CATEGORY_METRICS


def _item(n: int, category: str = "vqa", better: str = "Output1", **extra: Any) -> dict[str, Any]:
    return {
        "ID": f"RealworldQA_{n}", "Text": f"question {n}", "Image": f"images/RealworldQA/{n}.jpg",
        "Output1": f"first {n}", "Output2": f"second {n}", "Better": better,
        "Category": category, **extra,
    }  # fmt: skip


def _folder(root: Path, items: list[dict[str, Any]], name: str = "all_data.json") -> Path:
    data = root / "data"
    (data / "images" / "RealworldQA").mkdir(parents=True, exist_ok=True)
    for item in items:
        Image.new("RGB", (4, 4), (200, 0, 0)).save(data / item["Image"], format="JPEG")
    (data / name).write_text(json.dumps(items), encoding="utf-8")
    return data


def _request(source: Path | str | None, tmp: Path, run: bool = True, **kw: Any) -> DataRequest:
    where = None if source is None else str(source)
    return DataRequest(source=where, cache_dir=str(tmp / "cache"), need_media=run, **kw)


def test_no_data_names_the_repository_and_its_script(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        load(_request(None, tmp_path))
    hint = caught.value.hint or ""
    assert "facebookresearch/multimodal_rewardbench" in hint
    assert "scripts/0_download_data.py" in hint and "--data" in hint


@pytest.mark.parametrize("given", ["clone", "data", "file"])
def test_the_data_folder_its_parent_or_the_file(tmp_path: Path, given: str) -> None:
    data = _folder(tmp_path, [_item(1), _item(2, "safety", "Output2")])
    source = {"clone": tmp_path, "data": data, "file": data / "all_data.json"}[given]
    loaded = load(_request(source, tmp_path))
    first, second = loaded.samples
    assert (first.id, first.info.label, first.info.group) == ("RealworldQA_1", "A", "vqa")
    assert (second.info.label, second.info.group) == ("B", "safety/toxicity")
    assert all(s.media[0].state == "ready" for s in loaded.samples)
    assert loaded.provenance.kind == "official_files" and loaded.provenance.num_items == 2


@pytest.mark.parametrize("inner", [False, True])
def test_image_dir_is_the_data_folder_or_its_images(tmp_path: Path, inner: bool) -> None:
    data = _folder(tmp_path / "elsewhere", [_item(1)])
    labels = tmp_path / "all_data.json"
    labels.write_text((data / "all_data.json").read_text())
    images = data / "images" if inner else data
    loaded = load(_request(labels, tmp_path, image_dir=str(images)))
    assert loaded.samples[0].media[0].state == "ready"


def test_a_missing_image_fails_its_item_only(tmp_path: Path) -> None:
    data = _folder(tmp_path, [_item(1), _item(2)])
    (data / "images" / "RealworldQA" / "2.jpg").unlink()
    states = [s.media[0].state for s in load(_request(data, tmp_path)).samples]
    assert states == ["ready", "missing"]


def test_the_release_file_scores_but_does_not_run(tmp_path: Path) -> None:
    data = _folder(tmp_path, [_item(1, Text="")], name="all_data_release.json")
    with pytest.raises(DataError, match="cannot be run") as caught:
        load(_request(data / "all_data_release.json", tmp_path))
    assert "0_download_data.py" in (caught.value.hint or "")
    with pytest.raises(DataError, match=r"only all_data_release\.json"):
        load(_request(data, tmp_path))
    labels = load(_request(data, tmp_path, run=False)).samples
    assert [s.media[0].state for s in labels] == ["unread"]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (_item(1, better="output2"), "Better"),
        (_item(1, category="Safety"), "unknown Category"),
        (_item(1, Output2=None), "'Output2' is NoneType"),
        ({**_item(1), "ID": 7}, "'ID' is int"),
    ],
)
def test_malformed_items_are_refused(tmp_path: Path, item: dict[str, Any], message: str) -> None:
    data = _folder(tmp_path, [item])
    with pytest.raises(DataError, match=message):
        load(_request(data, tmp_path, run=False))


def test_duplicate_ids_and_empty_prompts_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="appears twice"):
        load(_request(_folder(tmp_path / "a", [_item(1), _item(1)]), tmp_path))
    with pytest.raises(DataError, match="have no prompt"):
        load(_request(_folder(tmp_path / "b", [_item(1, Text=" ")]), tmp_path))


def _answers(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_an_answers_file_gives_labels_as_2_get_accuracy_reads_them(tmp_path: Path) -> None:
    # The README's toy format: ID, Image, Label, output and Meta with the Category only.
    lines = [
        {"ID": "pairs_1", "Image": "images/pairs/1.jpg", "Label": "B", "output": "[[B]]",
         "Meta": {"Category": "safety"}},
        {"ID": "mathvista_2", "Image": "images/mathvista/2.jpg", "Label": "A", "output": "",
         "Meta": {"Category": "reasoning"}},
    ]  # fmt: skip
    path = _answers(tmp_path / "gpt4o.jsonl", lines)
    samples = load(_request(path, tmp_path, run=False)).samples
    assert [(s.id, s.info.label, s.info.group) for s in samples] == [
        ("pairs_1", "B", "safety/bias"),
        ("mathvista_2", "A", "reasoning/math"),
    ]
    with pytest.raises(DataError, match="no Text, Output1, Output2"):
        load(_request(path, tmp_path))  # no prompts or responses to run a model on


def test_an_answers_file_whose_label_contradicts_its_meta_is_refused(tmp_path: Path) -> None:
    line = {"ID": "vqa_1", "Label": "A", "output": "", "Meta": {**_item(1), "Better": "Output2"}}
    with pytest.raises(DataError, match="disagrees"):
        load(_request(_answers(tmp_path / "a.jsonl", [line]), tmp_path, run=False))


def test_synthetic_data_covers_every_category_with_both_labels(tmp_path: Path) -> None:
    samples = SOURCES.load(_request("synthetic:16", tmp_path)).samples
    assert Counter(s.info.group for s in samples) == {group: 2 for group in CATEGORY_METRICS}
    for group in CATEGORY_METRICS:
        assert {s.info.label for s in samples if s.info.group == group} == {"A", "B"}
    assert all(s.media[0].state == "ready" for s in samples)
    chosen = {s.id: s.info.chosen for s in samples}
    assert chosen["mathvista_3"].startswith("**") and chosen["RealworldQA_7"] == "Yes."


def test_synthetic_default_size_is_one_item_per_category(tmp_path: Path) -> None:
    samples = load(_request("synthetic", tmp_path, run=False)).samples
    assert sorted(s.info.group for s in samples) == sorted(CATEGORY_METRICS)
