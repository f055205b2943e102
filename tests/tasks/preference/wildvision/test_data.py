"""WildVision-Bench data: local Hub-layout copies (with the baseline's answers as a column or
as the official answer file), the pinned official answer file, synthetic data, errors."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import pytest
from PIL import Image as PILImage

from mmalign_eval import DataError, DataRequest
from mmalign_eval.hashing import sha256_bytes
from mmalign_eval_tasks.preference.wildvision import baseline as baseline_module
from mmalign_eval_tasks.preference.wildvision.baseline import (
    BASELINE,
    BASELINE_FILE,
    official_copy,
    read_answers,
)
from mmalign_eval_tasks.preference.wildvision.data import SOURCES
from mmalign_eval_tasks.preference.wildvision.synthetic import INSTRUCTIONS, question_id


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 4), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _hub_copy(
    target: Path, rows: Sequence[tuple[str, str]], with_baseline: bool, parquet: bool
) -> Path:
    """A local copy in the Hub split's layout (question_id, instruction, image[, baseline])."""
    from datasets import Dataset, DatasetDict, Features, Image, Value

    data: dict[str, list[object]] = {
        "question_id": [q for q, _ in rows], "instruction": [i for _, i in rows],
        "image": [{"bytes": _png((i, 0, 0)), "path": None} for i in range(len(rows))],
    }  # fmt: skip
    features = {"question_id": Value("string"), "instruction": Value("string"), "image": Image()}
    if with_baseline:
        data[BASELINE] = [f"baseline {q}" for q, _ in rows]
        features[BASELINE] = Value("string")
    table = Dataset.from_dict(data, features=Features(features))
    if parquet:
        target.mkdir(parents=True)
        table.to_parquet(str(target / "test-00000-of-00001.parquet"))
    else:
        DatasetDict({"test": table}).save_to_disk(str(target))
    return target


def _answers(path: Path, rows: Sequence[tuple[str, str]], output: Callable[[str], object]) -> None:
    lines = [{"question_id": q, "instruction": i, "output": output(q), "model": BASELINE}
             for q, i in rows]  # fmt: skip
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")


def _request(source: Path | str, cache: Path, media: bool = True) -> DataRequest:
    return DataRequest(source=str(source), cache_dir=str(cache), need_media=media)


ROWS = [("a" * 32, "What is this?"), ("b" * 32, "Read the sign."), ("c" * 32, "Count them.")]


@pytest.mark.parametrize("parquet", [False, True], ids=["save_to_disk", "parquet"])
def test_local_copy_with_a_baseline_column(tmp_path: Path, parquet: bool) -> None:
    copy = _hub_copy(tmp_path / "copy", ROWS, with_baseline=True, parquet=parquet)
    loaded = SOURCES.load(_request(copy, tmp_path / "cache"))
    assert [s.id for s in loaded.samples] == [q for q, _ in ROWS]
    assert [s.question for s in loaded.samples] == [i for _, i in ROWS]
    assert loaded.samples[1].info.baseline == f"baseline {'b' * 32}"
    media = loaded.samples[0].media[0]
    assert media.state == "ready" and media.sha256 == sha256_bytes(_png((0, 0, 0)))
    assert loaded.provenance.kind == "local" and BASELINE in (loaded.provenance.version_note or "")


@pytest.mark.parametrize("where", [".", "model_answers"])
def test_baseline_answer_file_beside_the_copy(tmp_path: Path, where: str) -> None:
    copy = _hub_copy(tmp_path / "copy", ROWS, with_baseline=False, parquet=True)
    (copy / where).mkdir(exist_ok=True)
    _answers(copy / where / BASELINE_FILE, ROWS, lambda q: f"from file {q[:1]}")
    loaded = SOURCES.load(_request(copy, tmp_path / "cache", media=False))
    assert [s.info.baseline for s in loaded.samples] == [
        "from file a",
        "from file b",
        "from file c",
    ]
    assert all(s.media[0].state == "unread" for s in loaded.samples)  # scoring reads no pixels
    assert BASELINE_FILE in (loaded.provenance.version_note or "")


def test_missing_or_null_baseline_answers_are_data_errors(tmp_path: Path) -> None:
    copy = _hub_copy(tmp_path / "copy", ROWS, with_baseline=False, parquet=True)
    _answers(copy / BASELINE_FILE, ROWS[:2], lambda q: "x")
    with pytest.raises(DataError, match="1 WildVision-Bench questions have no"):
        SOURCES.load(_request(copy, tmp_path / "cache"))
    _answers(copy / BASELINE_FILE, ROWS, lambda q: None)  # the example file's null outputs
    with pytest.raises(DataError, match="no text output"):
        SOURCES.load(_request(copy, tmp_path / "cache"))


def test_a_folder_without_a_copy_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no WildVision-Bench copy"):
        SOURCES.load(_request(tmp_path / "empty", tmp_path / "cache"))


def _transport(status: int, body: bytes) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, content=body))


def test_official_answer_file_is_fetched_once_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = b'{"question_id": "q", "output": "hi"}\n'
    monkeypatch.setattr(baseline_module, "BASELINE_SHA256", sha256_bytes(body))
    path = official_copy(tmp_path, _transport(200, body))
    assert read_answers(path) == {"q": "hi"}
    # Cached: a second call makes no request (the transport would fail).
    assert official_copy(tmp_path, _transport(500, b"")) == path


def test_official_answer_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot fetch the baseline answers") as failed:
        official_copy(tmp_path, _transport(404, b"not found"))
    assert failed.value.hint is not None and BASELINE_FILE in failed.value.hint
    with pytest.raises(DataError, match="do not match"):
        official_copy(tmp_path, _transport(200, b"something else"))
    assert not list((tmp_path / "data").rglob("*.jsonl"))  # nothing half-checked is kept


def test_synthetic_data(tmp_path: Path) -> None:
    loaded = SOURCES.load(_request("synthetic:5", tmp_path / "cache"))
    assert [s.id for s in loaded.samples] == [question_id(i) for i in range(5)]
    assert loaded.samples[1].question == INSTRUCTIONS[1]
    assert loaded.samples[0].info.baseline.startswith("The image shows a ")
    assert loaded.provenance.kind == "synthetic"
    assert all(s.media[0].state == "ready" for s in loaded.samples)


def test_the_real_question_ids_load_from_a_local_copy(
    tmp_path: Path, shared_file: Callable[..., Path]
) -> None:
    # The 500 real ids and instructions, with stand-in images, in the Hub layout.
    path = shared_file(
        "preference", "wildvision", "vision_bench_0617", "example_model_answers.jsonl"
    )
    rows = [(r["question_id"], r["instruction"]) for r in map(json.loads, path.open())]
    copy = _hub_copy(tmp_path / "copy", rows, with_baseline=False, parquet=True)
    _answers(copy / BASELINE_FILE, rows, lambda q: f"answer {q}")
    loaded = SOURCES.load(_request(copy, tmp_path / "cache", media=False))
    assert len(loaded.samples) == 500 == len({s.id for s in loaded.samples})
    assert all(len(s.id) == 32 for s in loaded.samples)
