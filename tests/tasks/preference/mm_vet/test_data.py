"""MM-Vet data sources (official folder, local Hub copies, synthetic) and the grader prompt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.hashing import sha256_file, sha256_text
from mmalign_eval.registry import build_registry
from mmalign_eval.task import DataRequest, LoadedData
from mmalign_eval_tasks.preference.mm_vet.capabilities import INTEGRATIONS
from mmalign_eval_tasks.preference.mm_vet.data import HUB_REPO, MMVetInfo
from mmalign_eval_tasks.preference.mm_vet.judge import TEMPLATE, grader_prompt, render
from mmalign_eval_tasks.preference.mm_vet.synthetic import OFFICIAL_FILE, ensure_synthetic_mmvet

# sha256 of the `prompt` string of mm-vet_evaluator.py @ c7ff270 (instructions + 7 examples).
OFFICIAL_PROMPT_SHA256 = "d1b3e0a5b4e72c888b77164489d705bba4dd149934fff564dfba6443d81afe3f"


def _load(source: str | Path | None, cache: Path, **extra: Any) -> LoadedData[MMVetInfo]:
    task = build_registry().tasks["mm_vet"]
    request = DataRequest(source=None if source is None else str(source),
                          cache_dir=str(cache), **extra)  # fmt: skip
    return task.loader(request)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the synthetic official-layout folder that tests may edit."""
    return Path(shutil.copytree(ensure_synthetic_mmvet(tmp_path / "built", 8), tmp_path / "copy"))


def _edit(folder: Path, qid: str, **fields: Any) -> None:
    path = folder / OFFICIAL_FILE
    entries = json.loads(path.read_text())
    entries[qid].update(fields)
    path.write_text(json.dumps(entries))


def test_synthetic_items_in_the_official_layout(tmp_path: Path) -> None:
    loaded = _load("synthetic", tmp_path)
    assert loaded.provenance.kind == "synthetic" and loaded.provenance.num_items == 8
    assert [s.id for s in loaded.samples] == [f"v1_{i}" for i in range(8)]
    assert [s.category for s in loaded.samples] == ["rec", "rec_spat", "rec_know",
                                                    "rec_know_gen"] * 2  # fmt: skip
    first = loaded.samples[0]
    assert first.target == str(first.target).strip() and first.target.isdigit()
    assert "<OR>" in (loaded.samples[2].target or "") and "<AND>" in (
        loaded.samples[3].target or ""
    )
    assert all(s.media[0].state == "ready" for s in loaded.samples)
    assert loaded.samples[2].info.capabilities == ("rec", "know")  # written ["know", "rec"]


def test_official_folder_and_its_json_file(folder: Path, tmp_path: Path) -> None:
    by_folder = _load(folder, tmp_path / "c1")
    by_file = _load(folder / OFFICIAL_FILE, tmp_path / "c2", need_media=False)
    assert by_folder.provenance.kind == by_file.provenance.kind == "official_files"
    assert by_folder.provenance.sha256 == sha256_file(folder / OFFICIAL_FILE)
    assert [s.id for s in by_folder.samples] == [s.id for s in by_file.samples]
    assert all(s.media[0].state == "unread" for s in by_file.samples)
    (folder / "images" / "synth_000000.png").unlink()
    states = [s.media[0].state for s in _load(folder, tmp_path / "c3").samples]
    assert states[:4] == ["missing"] * 4 and states[4:] == ["ready"] * 4  # one image, 4 items


def test_capabilities_are_a_set_in_a_fixed_order(folder: Path, tmp_path: Path) -> None:
    _edit(folder, "v1_0", capability=["spat", "rec", "ocr", "rec"])  # repeated: counted once
    _edit(folder, "v1_1", capability="math, ocr")  # lmms-lab/VLMEvalKit write a string
    samples = _load(folder, tmp_path / "c", need_media=False).samples
    assert samples[0].info.capabilities == ("rec", "ocr", "spat")
    assert samples[0].info.integration == "rec_ocr_spat" and samples[0].category == "rec_ocr_spat"
    assert samples[1].info.integration == "ocr_math"


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"capability": ["rec", "seq"]}, "capabilities"),  # MM-Vet v2's capability
        ({"capability": []}, "capabilities"),
        ({"capability": ["math"]}, "integration math"),  # not one of v1's 16
        ({"capability": 3}, "not a list"),
    ],
)  # fmt: skip
def test_capabilities_outside_mm_vet_v1_are_data_errors(
    folder: Path, tmp_path: Path, fields: dict[str, Any], match: str
) -> None:
    _edit(folder, "v1_3", **fields)
    with pytest.raises(DataError, match=match):
        _load(folder, tmp_path / "c", need_media=False)


def test_a_missing_field_or_a_wrong_file_is_a_data_error(folder: Path, tmp_path: Path) -> None:
    entries = json.loads((folder / OFFICIAL_FILE).read_text())
    del entries["v1_2"]["answer"]
    (folder / OFFICIAL_FILE).write_text(json.dumps(entries))
    with pytest.raises(DataError, match="v1_2 lacks"):
        _load(folder, tmp_path / "c", need_media=False)
    (folder / OFFICIAL_FILE).write_text("[]")
    with pytest.raises(DataError, match="not a JSON object"):
        _load(folder, tmp_path / "c", need_media=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="neither the official MM-Vet folder"):
        _load(tmp_path / "empty", tmp_path / "c")


def _hub_table(folder: Path, as_string: bool = False) -> Any:
    """The whyu/mm-vet columns (capability a sequence of strings), from an official folder."""
    from datasets import Dataset, Features, Image, Sequence, Value

    entries = json.loads((folder / OFFICIAL_FILE).read_text())
    capability = Value("string") if as_string else Sequence(Value("string"))
    features = Features({"id": Value("string"), "image": Image(), "question": Value("string"),
                         "answer": Value("string"), "capability": capability})  # fmt: skip
    return Dataset.from_dict({
        "id": list(entries),
        "image": [{"bytes": (folder / "images" / e["imagename"]).read_bytes(), "path": None}
                  for e in entries.values()],
        "question": [e["question"] for e in entries.values()],
        "answer": [e["answer"] for e in entries.values()],
        "capability": [",".join(e["capability"]) if as_string else e["capability"]
                       for e in entries.values()],
    }, features=features)  # fmt: skip


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-datasets")


@pytest.mark.usefixtures("hf_cache")
@pytest.mark.parametrize(
    ("as_parquet", "as_string"), [(False, False), (True, False), (True, True)],
    ids=["save_to_disk", "parquet", "parquet-string-capabilities"],
)  # fmt: skip
def test_local_hub_copy_reads_like_the_official_folder(
    folder: Path, tmp_path: Path, as_parquet: bool, as_string: bool
) -> None:
    from datasets import DatasetDict

    target = tmp_path / "hub"
    table = _hub_table(folder, as_string)
    if as_parquet:
        (target / "data").mkdir(parents=True)
        table.to_parquet(str(target / "data" / "test-00000-of-00001.parquet"))
    else:
        DatasetDict({"test": table}).save_to_disk(str(target))
    loaded = _load(target, tmp_path / "cache")
    expected = _load(folder, tmp_path / "cache2").samples
    assert loaded.provenance.kind == "local"
    keep = ("id", "question", "target", "category")
    assert [[getattr(s, k) for k in keep] for s in loaded.samples] == [
        [getattr(s, k) for k in keep] for s in expected
    ]
    assert [s.info.capabilities for s in loaded.samples] == [s.info.capabilities for s in expected]
    for got, want in zip(loaded.samples, expected, strict=True):
        assert got.media[0].sha256 == sha256_file(Path(want.media[0].path or ""))
    unread = _load(target, tmp_path / "cache3", need_media=False).samples
    assert all(s.media[0].state == "unread" for s in unread)


@pytest.mark.usefixtures("hf_cache")
def test_hub_copy_without_the_columns_is_a_usage_error(tmp_path: Path) -> None:
    from datasets import Dataset, DatasetDict

    DatasetDict({"test": Dataset.from_dict({"question": ["q"]})}).save_to_disk(str(tmp_path / "x"))
    with pytest.raises(UsageError, match="lacks columns"):
        _load(tmp_path / "x", tmp_path / "cache")


def test_the_hub_default_fails_clearly_offline(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=HUB_REPO):
        _load(None, tmp_path)


def test_the_grader_prompt_is_the_official_one() -> None:
    # The template is the evaluator's prompt string, one newline, then the item's row.
    assert TEMPLATE.text.endswith("\n{row}")
    assert sha256_text(TEMPLATE.text.removesuffix("\n{row}")) == OFFICIAL_PROMPT_SHA256
    prompt = grader_prompt("What is x?", "-1 <AND> -5", "x = -1")
    # <AND>/<OR> are padded even where spaces are already there; the row ends with "| ".
    assert prompt.endswith("| 1.0\n\nWhat is x? | -1  <AND>  -5 | x = -1 | ")
    assert grader_prompt("Q", "a<OR>b", "{row}").endswith("\nQ | a <OR> b | {row} | ")


def test_render_uses_the_items_ground_truth(tmp_path: Path) -> None:
    sample = _load("synthetic:4", tmp_path).samples[3]
    text = render(sample, "A red circle.")
    assert text.endswith(f"| {sample.target.replace('<AND>', ' <AND> ')} | A red circle. | ")
    assert sample.info.integration in INTEGRATIONS
