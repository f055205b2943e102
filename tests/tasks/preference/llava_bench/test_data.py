"""LLaVA-Bench data sources (official folder, local Hub copies, synthetic) and the prompt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import ANSWER, JUDGE, Response
from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.hashing import sha256_file
from mmalign_eval.registry import build_registry
from mmalign_eval.task import DataRequest, LoadedData
from mmalign_eval_tasks.preference.llava_bench.data import HUB_REPO, LlavaInfo
from mmalign_eval_tasks.preference.llava_bench.judge import RULES, SWAPPED, judge_calls
from mmalign_eval_tasks.preference.llava_bench.synthetic import (
    OFFICIAL_FILES,
    ensure_synthetic_llava,
)


def _load(source: str | Path | None, cache: Path, **extra: Any) -> LoadedData[LlavaInfo]:
    task = build_registry().tasks["llava_bench_wild"]
    request = DataRequest(source=None if source is None else str(source),
                          cache_dir=str(cache), **extra)  # fmt: skip
    return task.loader(request)


def _rows(folder: Path, name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / name).read_text().splitlines()]


def _write(folder: Path, name: str, rows: list[dict[str, Any]]) -> None:
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows))


@pytest.fixture
def official(tmp_path: Path) -> Path:
    """A copy of the synthetic folder (official layout) that tests may edit."""
    return Path(shutil.copytree(ensure_synthetic_llava(tmp_path / "built", 6), tmp_path / "copy"))


def test_synthetic_items_cycle_the_official_categories(tmp_path: Path) -> None:
    loaded = _load("synthetic:6", tmp_path)
    assert loaded.provenance.kind == "synthetic" and loaded.provenance.num_items == 6
    assert [s.category for s in loaded.samples] == ["conv", "detail", "complex"] * 2
    assert [s.id for s in loaded.samples] == [str(i) for i in range(6)]
    first = loaded.samples[0]
    assert first.info.reference == first.target and "green" in first.target
    assert Path(first.media[0].path or "").is_file() and first.cluster == "synth_000000.png"
    assert len({s.cluster for s in loaded.samples}) == 2  # three questions per image


def test_official_folder_matches_answers_by_id_and_joins_caption_lists(official: Path) -> None:
    answers = _rows(official, OFFICIAL_FILES[2])
    _write(official, OFFICIAL_FILES[2], answers[::-1])  # another line order
    contexts = _rows(official, OFFICIAL_FILES[1])
    contexts[0]["caption"] = ["One sentence.", "Another sentence."]  # LLaVA-Bench (COCO) style
    _write(official, OFFICIAL_FILES[1], contexts)
    loaded = _load(official, official / "cache")
    assert loaded.provenance.kind == "official_files"
    assert [s.info.reference for s in loaded.samples] == [a["text"] for a in answers]
    assert loaded.samples[0].info.caption == "One sentence.\nAnother sentence."
    assert all(s.media[0].state == "ready" for s in loaded.samples)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda f: _write(f, OFFICIAL_FILES[2], _rows(f, OFFICIAL_FILES[2])[1:]), "nothing for"),
        (
            lambda f: _write(
                f, OFFICIAL_FILES[0], [{**_rows(f, OFFICIAL_FILES[0])[0], "category": "math"}]
            ),
            "category",
        ),
        (lambda f: _write(f, OFFICIAL_FILES[0], _rows(f, OFFICIAL_FILES[0])[:2] * 2), "twice"),
        (lambda f: _write(f, OFFICIAL_FILES[0], [{"question_id": 0}]), "without"),
        (lambda f: (f / OFFICIAL_FILES[1]).unlink(), "neither"),
    ],
    ids=["answer missing", "unknown category", "repeated id", "field missing", "no context"],
)
def test_bad_official_folders_are_data_errors(official: Path, edit: Any, match: str) -> None:
    edit(official)
    with pytest.raises(DataError, match=match):
        _load(official, official / "cache")


def test_a_missing_image_fails_only_its_items(official: Path) -> None:
    (official / "images" / "synth_000001.png").unlink()
    states = [s.media[0].state for s in _load(official, official / "cache").samples]
    assert states == ["ready"] * 3 + ["missing"] * 3


def _hub_table(folder: Path) -> Any:
    """The lmms-lab/llava-bench-in-the-wild columns, built from an official folder."""
    from datasets import Dataset, Features, Image, Value

    questions = _rows(folder, OFFICIAL_FILES[0])
    captions = {c["image"]: c["caption"] for c in _rows(folder, OFFICIAL_FILES[1])}
    answers = {a["question_id"]: a["text"] for a in _rows(folder, OFFICIAL_FILES[2])}
    features = Features({
        "question_id": Value("int8"), "question": Value("string"), "image": Image(),
        "caption": Value("string"), "gpt_answer": Value("string"),
        "category": Value("string"), "image_id": Value("string"),
    })  # fmt: skip
    return Dataset.from_dict({
        "question_id": [q["question_id"] for q in questions],
        "question": [q["text"] for q in questions],
        "image": [{"bytes": (folder / "images" / q["image"]).read_bytes(), "path": None}
                  for q in questions],
        "caption": [captions[q["image"]] for q in questions],
        "gpt_answer": [answers[q["question_id"]] for q in questions],
        "category": [q["category"] for q in questions],
        "image_id": [q["image"].split(".")[0] for q in questions],
    }, features=features)  # fmt: skip


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-datasets")


@pytest.mark.usefixtures("hf_cache")
@pytest.mark.parametrize("as_parquet", [False, True], ids=["save_to_disk", "parquet"])
def test_local_hub_copy_reads_like_the_official_folder(
    official: Path, tmp_path: Path, as_parquet: bool
) -> None:
    from datasets import DatasetDict

    target = tmp_path / "hub"
    if as_parquet:
        (target / "data").mkdir(parents=True)
        _hub_table(official).to_parquet(str(target / "data" / "train-00000-of-00001.parquet"))
    else:
        DatasetDict({"train": _hub_table(official)}).save_to_disk(str(target))
    loaded = _load(target, tmp_path / "cache")
    expected = _load(official, tmp_path / "cache2").samples
    assert loaded.provenance.kind == "local"
    keep = ("id", "question", "target", "category")
    assert [[getattr(s, k) for k in keep] for s in loaded.samples] == [
        [getattr(s, k) for k in keep] for s in expected
    ]
    assert [s.info.caption for s in loaded.samples] == [s.info.caption for s in expected]
    for got, want in zip(loaded.samples, expected, strict=True):
        assert got.media[0].sha256 == sha256_file(Path(want.media[0].path or ""))
    unread = _load(target, tmp_path / "cache3", need_media=False).samples
    assert all(s.media[0].state == "unread" for s in unread)


@pytest.mark.usefixtures("hf_cache")
def test_hub_copy_without_the_columns_is_a_usage_error(tmp_path: Path) -> None:
    from datasets import Dataset, DatasetDict

    DatasetDict({"train": Dataset.from_dict({"question": ["q"]})}).save_to_disk(str(tmp_path / "x"))
    with pytest.raises(UsageError, match="lacks columns"):
        _load(tmp_path / "x", tmp_path / "cache")


def test_the_hub_default_fails_clearly_offline(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=HUB_REPO):
        _load(None, tmp_path)


def test_judge_prompts_in_both_orders(tmp_path: Path) -> None:
    sample = _load("synthetic:3", tmp_path).samples[1]
    answer = Response(key="k", text="MODEL ANSWER", finish_reason="stop")
    official, swapped = judge_calls(sample, {ANSWER: answer}, False)
    assert (official.role, swapped.role) == (JUDGE, SWAPPED)
    for request, first, second in ((official, sample.info.reference, "MODEL ANSWER"),
                                   (swapped, "MODEL ANSWER", sample.info.reference)):  # fmt: skip
        text = request.text
        assert text.startswith(f"[Context]\n{sample.info.caption}\n\n[Question]\n")
        assert f"[Assistant 1]\n{first}\n\n[End of Assistant 1]" in text
        assert f"[Assistant 2]\n{second}\n\n[End of Assistant 2]" in text
        assert text.endswith(f"[System]\n{RULES['detail']['prompt']}\n\n")
        assert "{" not in text and request.temperature == 0.2 and "8 8" in request.choices
