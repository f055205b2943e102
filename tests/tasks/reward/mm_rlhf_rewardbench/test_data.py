"""MM-RLHF-RewardBench data: the official layout (ids, prompts, categories, images), video
pairs left out when the model is asked, the synthetic set, and the loaders' errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from mmalign_eval import DataError, LoadedData
from mmalign_eval.registry import build_registry
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.reward.mm_rlhf_rewardbench.hub import image_patterns
from mmalign_eval_tasks.reward.mm_rlhf_rewardbench.synthetic import CATEGORIES

TASK = build_registry().tasks["mm_rlhf_rewardbench"]


def _line(group: str, media: dict[str, Any], k: int) -> dict[str, Any]:
    return {"id": group, **media, "prompt": f"question {group}", "chosen": f"good {k}",
            "rejected": f"bad {k}", "chosen_reason": "", "rejected_reason": ""}  # fmt: skip


LINES = [
    _line("073712_6205145", {"image": "mcq/073712.png"}, 0),
    _line("073712_6205145", {"image": "mcq/073712.png"}, 1),
    _line("lnO2W7cq1DA_241269", {"video": "video/lnO2W7cq1DA"}, 2),
    _line("lnO2W7cq1DA_241269", {"video": "video/lnO2W7cq1DA"}, 3),
    _line("62849_unsafeimg", {"image": "safety/62849.png"}, 4),
]


def official_folder(tmp_path: Path, lines: list[dict[str, Any]] = LINES) -> Path:
    """mm_reward_bench.jsonl with images/ beside it (the dataset repository's layout)."""
    folder = tmp_path / "bench"
    for line in lines:
        if line.get("image"):
            path = folder / "images" / line["image"]
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (8, 8), (10, 20, 30)).save(path)
    folder.mkdir(exist_ok=True)
    text = "".join(json.dumps(line) + "\n" for line in lines)
    (folder / "mm_reward_bench.jsonl").write_text(text, encoding="utf-8")
    return folder


def load(
    tmp_path: Path, source: str | None, need_media: bool = True, image_dir: str | None = None
) -> LoadedData[Any]:
    """The task's loaded data."""
    request = DataRequest(source=source, cache_dir=str(tmp_path / "cache"),
                          need_media=need_media, image_dir=image_dir)  # fmt: skip
    return TASK.loader(request)


def test_official_layout_ids_groups_and_categories(tmp_path: Path) -> None:
    loaded = load(tmp_path, str(official_folder(tmp_path)), need_media=False)
    ids = [s.id for s in loaded.samples]
    assert ids == ["073712_6205145:0", "073712_6205145:1", "lnO2W7cq1DA_241269:0",
                   "lnO2W7cq1DA_241269:1", "62849_unsafeimg:0"]  # fmt: skip
    first = loaded.samples[0]
    assert first.cluster == "073712_6205145" and first.question == "question 073712_6205145"
    assert (first.info.chosen, first.info.rejected, first.info.group_size) == ("good 0", "bad 0", 2)
    assert [s.category for s in loaded.samples] == ["mcq", "mcq", "video", "video", "safety"]
    assert all(m.state == "unread" for s in loaded.samples for m in s.media)
    assert loaded.provenance.kind == "official_files" and loaded.provenance.num_items == 5


def test_videos_are_left_out_and_counted_when_the_model_is_asked(tmp_path: Path) -> None:
    loaded = load(tmp_path, str(official_folder(tmp_path)))
    assert [s.id for s in loaded.samples] == [
        "073712_6205145:0",
        "073712_6205145:1",
        "62849_unsafeimg:0",
    ]  # the same ids as when scoring: positions count the left-out pairs too
    assert loaded.provenance.num_items == 3
    assert "2 video pairs (1 prompt) left out" in (loaded.provenance.version_note or "")
    media = loaded.samples[0].media[0]
    assert media.state == "ready" and media.source == "mcq/073712.png"


def test_image_dir_and_missing_images(tmp_path: Path) -> None:
    folder = official_folder(tmp_path)
    (folder / "images").rename(tmp_path / "elsewhere")
    with pytest.raises(DataError, match="none of the 3 images"):
        load(tmp_path, str(folder / "mm_reward_bench.jsonl"))
    loaded = load(tmp_path, str(folder), image_dir=str(tmp_path / "elsewhere"))
    assert all(s.media[0].state == "ready" for s in loaded.samples)
    (tmp_path / "elsewhere" / "safety" / "62849.png").unlink()  # one missing: its pair only
    again = load(tmp_path, str(folder), image_dir=str(tmp_path / "elsewhere"))
    assert [s.media[0].state for s in again.samples] == ["ready", "ready", "missing"]


@pytest.mark.parametrize(
    ("line", "message"),
    [({"id": "a", "image": "x.png", "prompt": "p", "chosen": "c"}, "line 1 lacks an id"),
     ({"image": "x.png", "prompt": "p", "chosen": "c", "rejected": "r"}, "line 1 lacks an id"),
     ({"id": "a", "image": 3, "prompt": "p", "chosen": "c", "rejected": "r"}, "'image' is int")],
)  # fmt: skip
def test_bad_lines_name_the_line(tmp_path: Path, line: dict[str, Any], message: str) -> None:
    path = tmp_path / "mm_reward_bench.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load(tmp_path, str(path), need_media=False)


def test_null_paths_read_as_absent(tmp_path: Path) -> None:
    # A table copy has both columns, one null: the script's `.get("image", "")` would get None.
    lines = [{**_line("a", {"image": None, "video": "video/v"}, 0)}]
    loaded = load(tmp_path, str(official_folder(tmp_path, lines)), need_media=False)
    assert loaded.samples[0].info.image == "" and loaded.samples[0].category == "video"


def test_parquet_copy_of_the_hub_table(tmp_path: Path) -> None:
    import datasets

    folder = official_folder(tmp_path)
    rows = [{"image": None, "video": None, **line} for line in LINES]
    datasets.Dataset.from_list(rows).to_parquet(str(folder / "train-00000-of-00001.parquet"))
    (folder / "mm_reward_bench.jsonl").unlink()
    loaded = load(tmp_path, str(folder))
    assert [s.id for s in loaded.samples][-1] == "62849_unsafeimg:0"
    assert loaded.provenance.kind == "local" and loaded.samples[0].media[0].state == "ready"


def test_unreadable_sources(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"holds neither mm_reward_bench\.jsonl"):
        load(tmp_path, str(tmp_path / "empty"))
    with pytest.raises(DataError, match=r"cannot download mm_reward_bench\.jsonl"):
        load(tmp_path, None, need_media=False)  # the Hub, offline


def test_hub_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mmalign_eval_tasks.reward.mm_rlhf_rewardbench import data

    # The Hub cache's layout: .../snapshots/<commit>/{mm_reward_bench.jsonl, images/}.
    snapshot = tmp_path / "hub" / "snapshots" / ("c" * 40)
    snapshot.parent.mkdir(parents=True)
    official_folder(tmp_path).rename(snapshot)
    asked: list[list[str]] = []
    monkeypatch.setattr(data, "download_file", lambda *a: snapshot / "mm_reward_bench.jsonl")

    def images(repo: str, revision: str | None, cache: Path, paths: list[str]) -> Path:
        asked.append(image_patterns(paths))
        return snapshot

    monkeypatch.setattr(data, "download_images", images)
    loaded = load(tmp_path, None)
    assert loaded.provenance.kind == "huggingface" and loaded.provenance.revision == "c" * 40
    assert loaded.provenance.location == "yifanzhang114/MM-RLHF-RewardBench/mm_reward_bench.jsonl"
    assert asked == [["images/mcq/*", "images/safety/*"]]  # no video frames
    assert [s.media[0].state for s in loaded.samples] == ["ready"] * 3
    assert len(load(tmp_path, None, need_media=False).samples) == 5 and len(asked) == 1


def test_image_patterns() -> None:
    paths = ["mcq/a.png", "mcq/b.png", "long/c.png", "top.png", ""]
    assert image_patterns(paths) == ["images/long/*", "images/mcq/*", "images/top.png"]


@pytest.mark.parametrize("size", [1, 4, 7])
def test_synthetic_pairs(tmp_path: Path, size: int) -> None:
    loaded = load(tmp_path, f"synthetic:{size}")
    samples = loaded.samples
    assert len(samples) == size and loaded.provenance.kind == "synthetic"
    assert {s.category for s in samples} <= set(CATEGORIES)
    assert all(s.info.chosen != s.info.rejected and s.media[0].state == "ready" for s in samples)
    groups = {s.cluster for s in samples}
    assert len(groups) == (size + 1) // 2  # two pairs per prompt, one in the last when odd
    again = load(tmp_path / "again", f"synthetic:{size}")
    assert again.provenance.sha256 == loaded.provenance.sha256  # deterministic


def test_released_file(tmp_path: Path, shared_file: Any) -> None:
    bench = shared_file("reward", "mm_rlhf_rewardbench", "mm_reward_bench.jsonl")
    loaded = load(tmp_path, str(bench), need_media=False)
    samples = loaded.samples
    assert len(samples) == 170 and len({s.cluster for s in samples}) == 46
    counts = {k: sum(s.category == k for s in samples) for k in (*CATEGORIES, "video")}
    assert counts == {"mcq": 42, "long": 37, "short": 34, "safety": 32, "video": 25}
    assert "170 pairs, 46 prompts" in (loaded.provenance.version_note or "")
