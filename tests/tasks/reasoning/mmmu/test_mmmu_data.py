"""MMMU data sources on small local copies built here: the Hub snapshot layout (parquet per
subject), save_to_disk per config, one dataset of all subjects, the Hub loader (patched),
the official answer file; the official prompt and image order; errors."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from mmalign_eval import DataError, DataRequest, UsageError
from mmalign_eval.hashing import sha256_bytes
from mmalign_eval_tasks.reasoning.mmmu import data as mmmu_data
from mmalign_eval_tasks.reasoning.mmmu.data import SOURCES
from mmalign_eval_tasks.reasoning.mmmu.prompt import official_prompt, referenced_images
from mmalign_eval_tasks.reasoning.mmmu.subjects import SUBJECTS

datasets = pytest.importorskip("datasets")

COLUMNS = ("id", "question", "options", "answer", "question_type", "subfield", "topic_difficulty")
ORDER = ["validation_Accounting_1", "validation_Art_2", "validation_Art_1", "validation_Math_1",
         "validation_Math_2"]  # fmt: skip


def _png(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (shade, shade, shade)).save(buffer, format="PNG")
    return buffer.getvalue()


def _row(item_id: str, question: str, options: str, answer: str, kind: str, images: int) -> Any:
    row: dict[str, Any] = dict(
        zip(COLUMNS, (item_id, question, options, answer, kind, "sub", "Easy"), strict=True)
    )
    for k in range(1, 8):
        row[f"image_{k}"] = {"bytes": _png(10 * k), "path": None} if k <= images else None
    return row


# Dataset order on purpose not the official one: Math before Art before Accounting, and Art's
# second item before its first (the dataset's own order within a subject is kept).
ROWS = [
    _row("validation_Math_1", "Compute <image 2> minus <image 1>.", "[]", "['24/7', '3.429']",
         "open", 2),
    _row("validation_Math_2", "How many sides?", "[]", "6", "open", 1),
    _row("validation_Art_2", "Which is by Monet?", "['<image 1>', '<image 3>', '<image 2>']", "C",
         "multiple-choice", 3),
    _row("validation_Art_1", "Who painted <image 1>?", "['Monet', 'Manet']", "A",
         "multiple-choice", 1),
    _row("validation_Accounting_1", "What is the cost in <image 1>?", "['$6', '$7', '$8', '$9']",
         "B", "multiple-choice", 1),
]  # fmt: skip


def _features() -> Any:
    strings = {c: datasets.Value("string") for c in COLUMNS}
    return datasets.Features({**strings, **{f"image_{k}": datasets.Image() for k in range(1, 8)}})


def _table(rows: list[Any]) -> Any:
    if not rows:
        return datasets.Dataset.from_dict({name: [] for name in _features()}, features=_features())
    return datasets.Dataset.from_list(rows, features=_features())


def _by_subject(rows: list[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for row in rows:
        out.setdefault("_".join(row["id"].split("_")[1:-1]), []).append(row)
    return out


def hub_snapshot(root: Path, rows: list[Any] = ROWS) -> Path:
    """`<Subject>/{dev,validation}-00000-of-00001.parquet`, as the Hub repository holds them."""
    for subject, part in _by_subject(rows).items():
        (root / subject).mkdir(parents=True)
        _table(part).to_parquet(str(root / subject / "validation-00000-of-00001.parquet"))
        dev = [{**r, "id": r["id"].replace("validation", "dev")} for r in part]
        _table(dev).to_parquet(str(root / subject / "dev-00000-of-00001.parquet"))
    return root


def per_config(root: Path) -> Path:
    """One save_to_disk DatasetDict per subject config, with dev and validation splits."""
    for subject, part in _by_subject(ROWS).items():
        dev = [{**r, "id": r["id"].replace("validation", "dev")} for r in part]
        splits = {"dev": _table(dev), "validation": _table(part)}
        datasets.DatasetDict(splits).save_to_disk(str(root / subject))
    return root


def one_dataset(root: Path) -> Path:
    """All subjects' validation rows in one save_to_disk dataset."""
    _table(ROWS).save_to_disk(str(root))
    return root


def one_parquet(root: Path) -> Path:
    root.mkdir()
    _table(ROWS).to_parquet(str(root / "validation.parquet"))
    return root / "validation.parquet"


def _request(tmp_path: Path, source: Path | str, need_media: bool = True) -> DataRequest:
    return DataRequest(source=str(source), cache_dir=str(tmp_path / "cache"), need_media=need_media)


@pytest.mark.parametrize("layout", [hub_snapshot, per_config, one_dataset, one_parquet])
def test_local_copies_load_in_the_official_order(tmp_path: Path, layout: Any) -> None:
    loaded = SOURCES.load(_request(tmp_path, layout(tmp_path / "copy")))
    samples = {s.id: s for s in loaded.samples}
    assert [s.id for s in loaded.samples] == ORDER  # subjects in the official order
    assert loaded.provenance.kind == "local" and loaded.provenance.num_items == 5
    art = samples["validation_Art_2"]
    assert art.question == (
        "Which is by Monet?\n(A) <image 1>\n(B) <image 3>\n(C) <image 2>\n\n"
        "Answer with the option's letter from the given choices directly."
    )
    assert art.info.options == {"A": "<image 1>", "B": "<image 3>", "C": "<image 2>"}
    # Images named by the placeholders, in number order, whatever order they are named in.
    assert art.info.images == ("image_1", "image_2", "image_3")
    assert [m.sha256 for m in art.media] == [sha256_bytes(_png(10 * k)) for k in (1, 2, 3)]
    math = samples["validation_Math_1"]
    assert math.question == (
        "Compute <image 2> minus <image 1>.\nAnswer the question using a single word or phrase."
    )
    assert math.info.answer == ("24/7", "3.429")  # a list literal: several accepted answers
    assert math.target == "24/7 | 3.429"
    # No placeholder: every image the item has.
    assert samples["validation_Math_2"].info.images == ("image_1",)
    assert all(s.category == s.info.subject for s in loaded.samples)


def test_scoring_reads_no_images(tmp_path: Path) -> None:
    loaded = SOURCES.load(_request(tmp_path, hub_snapshot(tmp_path / "copy"), need_media=False))
    assert {m.state for s in loaded.samples for m in s.media} == {"unread"}
    assert len(loaded.samples[1].media) == 3
    assert not (tmp_path / "cache" / "media").exists()


def test_hub_loads_every_subject_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, str | None, str]] = []
    parts = _by_subject(ROWS)

    def fake(repo: str, config: str | None, split: str, revision: str | None) -> Any:
        asked.append((repo, config, split))
        return _table(parts.get(str(config), []))

    monkeypatch.setattr(mmmu_data, "load_hub_split", fake)
    loaded = SOURCES.load(DataRequest(cache_dir=str(tmp_path / "cache")))
    assert asked == [("MMMU/MMMU", subject, "validation") for subject in SUBJECTS]
    assert [s.id for s in loaded.samples] == ORDER
    assert loaded.provenance.kind == "huggingface"
    assert all(m.state == "ready" for s in loaded.samples for m in s.media)


def test_a_hub_repository_in_another_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake(repo: str, config: str | None, split: str, revision: str | None) -> Any:
        raise ValueError(f"BuilderConfig {config!r} not found")

    monkeypatch.setattr(mmmu_data, "load_hub_split", fake)
    with pytest.raises(DataError, match="has no config 'Accounting'"):
        SOURCES.load(DataRequest(source="someone/MMMU", cache_dir=str(tmp_path)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answer": "E"}, "not one of its options"),
        ({"options": "not a list"}, "not a list literal"),
        ({"id": "validation_Astrology_1"}, "names no MMMU subject"),
    ],
)
def test_bad_items_are_data_errors(tmp_path: Path, change: dict[str, str], message: str) -> None:
    path = tmp_path / "copy.parquet"
    _table([{**ROWS[-1], **change}]).to_parquet(str(path))
    with pytest.raises(DataError, match=message):
        SOURCES.load(_request(tmp_path, path))


def test_duplicate_ids_and_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "twice.parquet"
    _table([ROWS[0], ROWS[0]]).to_parquet(str(path))
    with pytest.raises(DataError, match="appears twice"):
        SOURCES.load(_request(tmp_path, path))
    bare = tmp_path / "bare.parquet"
    datasets.Dataset.from_list([{"id": "validation_Math_1"}]).to_parquet(str(bare))
    with pytest.raises(UsageError, match="lacks columns"):
        SOURCES.load(_request(tmp_path, bare))


def test_a_copy_without_the_validation_split(tmp_path: Path) -> None:
    datasets.DatasetDict({"dev": _table(ROWS[:1])}).save_to_disk(str(tmp_path / "dev_only"))
    with pytest.raises(DataError, match="no split 'validation'"):
        SOURCES.load(_request(tmp_path, tmp_path / "dev_only"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="neither an MMMU dataset copy nor an answer file"):
        SOURCES.load(_request(tmp_path, tmp_path / "empty"))


ANSWERS = {
    "validation_Math_2": {"question_type": "short-answer", "ground_truth": "6"},
    "validation_Art_1": {"question_type": "multiple-choice", "ground_truth": "A"},
    "validation_Math_1": {"question_type": "short-answer", "ground_truth": ["24/7", "3.429"]},
}


def test_the_answer_file_serves_scoring_only(tmp_path: Path) -> None:
    path = tmp_path / "answer_dict_val.json"
    path.write_text(json.dumps(ANSWERS))
    loaded = SOURCES.load(_request(tmp_path, path, need_media=False))
    assert [s.id for s in loaded.samples] == ["validation_Art_1", "validation_Math_2",
                                              "validation_Math_1"]  # fmt: skip
    assert loaded.provenance.kind == "official_files"
    assert "unknown version" in str(loaded.provenance.version_note)
    art = loaded.samples[0]
    assert art.info.multiple_choice and art.info.options is None and not art.media
    assert loaded.samples[2].info.answer == ("24/7", "3.429")
    with pytest.raises(UsageError, match="answers only"):
        SOURCES.load(_request(tmp_path, path, need_media=True))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"validation_Art_1": "A"}))
    with pytest.raises(DataError, match="not an MMMU answer file"):
        SOURCES.load(_request(tmp_path, other, need_media=False))


def test_official_prompts() -> None:
    options = {"A": "1", "B": "2"}
    assert official_prompt("Q?", options) == (
        "Q?\n(A) 1\n(B) 2\n\nAnswer with the option's letter from the given choices directly."
    )
    assert official_prompt("Q?", None) == "Q?\nAnswer the question using a single word or phrase."
    assert referenced_images(["<image 3> and <image 1>", "<image 3>"], ["image_1"]) == (
        "image_1",
        "image_3",
    )
    assert referenced_images(["none"], ["image_2", "image_1"]) == ("image_1", "image_2")
    assert referenced_images(["none"], []) == ()
