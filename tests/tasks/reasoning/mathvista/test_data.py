"""MathVista data: the query builder, testmini.json, local Hub-layout copies, synthetic data."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.errors import DataError
from mmalign_eval.hashing import sha256_file
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.reasoning.mathvista.data import SOURCES, load_label_file, sample_from_row
from mmalign_eval_tasks.reasoning.mathvista.normalize import normalize
from mmalign_eval_tasks.reasoning.mathvista.problem import (
    ANSWER_TYPES,
    SKILLS,
    TASKS,
    build_query,
)
from mmalign_eval_tasks.reasoning.mathvista.synthetic import LABEL_FILE, ensure_synthetic_mathvista

SharedFile = Callable[..., Path]
SIZE = 12
MC_HINT = (
    "Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, "
    "at the end."
)
INT_HINT = (
    "Hint: Please answer the question requiring an integer answer and provide the final value, "
    "e.g., 1, 2, 3, at the end."
)

# Released queries (data/query.json at lupantech/MathVista@53d5258), spelled out.
QUERIES = [
    (("what is the total volume of the measuring cup?", "g", None, "integer", None),  # pid 2
     f"{INT_HINT}\nQuestion: what is the total volume of the measuring cup? (Unit: g)"),
    (("What percent of the stands are full?", None, ["15", "100", "50", "50"], "text", None),
     f"{MC_HINT}\nQuestion: What percent of the stands are full?\nChoices:\n(A) 15\n(B) 100\n"
     "(C) 50\n(D) 50"),  # pid 740
    (("If the Red squirrel and deer mouse population were to decrease, what would happen to "
      "the deer tick population?", None,
      ["increase", "fluctuate", "it would decrease", "stay the same "], "text", None),
     f"{MC_HINT}\nQuestion: If the Red squirrel and deer mouse population were to decrease, "
     "what would happen to the deer tick population?\nChoices:\n(A) increase\n(B) fluctuate\n"
     "(C) it would decrease\n(D) stay the same"),  # pid 237: the query is stripped
    (("What is x?", None, None, "float", 1),
     "Hint: Please answer the question requiring a floating-point number with one decimal "
     "place and provide the final value, e.g., 1.2, 1.3, 1.4, at the end.\nQuestion: What is x?"),
    (("What is x?", "$", None, "float", 2),
     "Hint: Please answer the question requiring a floating-point number with two decimal "
     "places and provide the final value, e.g., 1.23, 1.34, 1.45, at the end.\nQuestion: What "
     "is x? (Unit: $)"),
    (("Which years?", None, None, "list", None),
     "Hint: Please answer the question requiring a Python list as an answer and provide the "
     "final list, e.g., [1, 2, 3], [1.2, 1.3, 1.4], at the end.\nQuestion: Which years?"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "query"), QUERIES, ids=[q[0][3] for q in QUERIES])
def test_query_is_the_released_layout(fields: tuple[Any, ...], query: str) -> None:
    assert build_query(*fields) == query


def test_no_hint_without_precision() -> None:
    assert build_query("q", None, None, "float", 3) is None


def _request(source: Path | str, cache: Path, **extra: Any) -> DataRequest:
    return DataRequest(source=str(source), cache_dir=str(cache), **extra)


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    folder: Path = ensure_synthetic_mathvista(tmp_path / "data", SIZE)
    return folder


def _problems(folder: Path) -> dict[str, Any]:
    problems: dict[str, Any] = json.loads((folder / LABEL_FILE).read_text())
    return problems


def test_synthetic_covers_every_type_task_and_skill(synthetic: Path, tmp_path: Path) -> None:
    loaded = SOURCES.load(_request("synthetic:12", tmp_path))
    infos = [s.info for s in loaded.samples]
    assert len(infos) == SIZE and loaded.provenance.kind == "synthetic"
    assert {i.answer_type for i in infos} == set(ANSWER_TYPES)
    assert {i.precision for i in infos if i.answer_type == "float"} == {1, 2}
    assert {i.task for i in infos} == set(TASKS)
    assert {s for i in infos for s in i.skills} == set(SKILLS)
    assert any(i.unit for i in infos)
    for sample in loaded.samples:
        assert normalize(sample.target, sample.info).correct(sample.info)  # stored as printed
        assert sample.question.startswith("Hint: ")
        assert sample.media[0].state == "ready"
    mc = next(s for s in loaded.samples if s.info.question_type == "multi_choice")
    assert mc.info.answer in (mc.info.choices or ())
    lettered = [f"({k}) {c}" for k, c in zip("ABCD", mc.info.choices, strict=True)]
    assert mc.question.endswith("\n".join(lettered))


def test_synthetic_is_deterministic(tmp_path: Path) -> None:
    first = _problems(ensure_synthetic_mathvista(tmp_path / "a", SIZE))
    assert first == _problems(ensure_synthetic_mathvista(tmp_path / "b", SIZE))


def test_label_file_with_images(synthetic: Path, tmp_path: Path) -> None:
    loaded = SOURCES.load(_request(synthetic / LABEL_FILE, tmp_path))
    problems = _problems(synthetic)
    assert [s.id for s in loaded.samples] == list(problems)
    assert loaded.provenance.kind == "official_files"
    assert loaded.provenance.version_note == "not an official testmini.json hash"
    for sample in loaded.samples:
        image = synthetic / problems[sample.id]["image"]
        assert sample.media[0].sha256 == sha256_file(image)


def test_image_dir_of_the_images_themselves(synthetic: Path, tmp_path: Path) -> None:
    loaded = SOURCES.load(_request(synthetic, tmp_path, image_dir=str(synthetic / "images")))
    assert all(s.media[0].state == "ready" for s in loaded.samples)


def test_missing_image_fails_only_its_problem(synthetic: Path, tmp_path: Path) -> None:
    problems = _problems(synthetic)
    (synthetic / problems["3"]["image"]).unlink()
    loaded = SOURCES.load(_request(synthetic, tmp_path))
    states = {s.id: s.media[0].state for s in loaded.samples}
    assert states.pop("3") == "missing" and set(states.values()) == {"ready"}


def test_labels_only_read_no_image(synthetic: Path, tmp_path: Path) -> None:
    shutil.rmtree(synthetic / "images")
    loaded = SOURCES.load(_request(synthetic, tmp_path, need_media=False))
    assert {s.media[0].state for s in loaded.samples} == {"unread"}


def test_a_list_of_records_is_read_too(synthetic: Path, tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps(list(_problems(synthetic).values())))
    samples = load_label_file(path, None)
    assert [s.id for s in samples] == [str(i) for i in range(1, SIZE + 1)]


def _row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "question": "q", "choices": ["a", "b"], "unit": None, "precision": None,
        "answer": "a", "question_type": "multi_choice", "answer_type": "text",
        "metadata": {"task": "math word problem", "skills": ["logical reasoning"]},
    }  # fmt: skip
    row.update(changes)
    return row


BAD_ROWS = [
    ({"question_type": "yes_no"}, "question/answer type"),
    ({"answer_type": "fraction"}, "question/answer type"),
    ({"choices": None}, "choices"),  # multiple choice needs choices
    ({"question_type": "free_form"}, "free_form with answer type text"),
    ({"answer": 5}, "not a string"),
    ({"metadata": {"skills": []}}, "lacks"),
    ({"metadata": None}, "lacks"),
    ({"precision": 1.5}, "not a whole number"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_ROWS, ids=[m for _, m in BAD_ROWS])
def test_bad_records_are_data_errors(changes: dict[str, Any], message: str) -> None:
    from mmalign_eval.contracts import unread_media

    with pytest.raises(DataError, match=message):
        sample_from_row("7", _row(**changes), unread_media("7.jpg"))


def test_query_field_is_the_prompt_when_present() -> None:
    from mmalign_eval.contracts import unread_media

    sample = sample_from_row("7", _row(query="Given query"), unread_media("7.jpg"))
    assert sample.question == "Given query"
    built = sample_from_row("7", _row(), unread_media("7.jpg"))
    assert built.question == f"{MC_HINT}\nQuestion: q\nChoices:\n(A) a\n(B) b"


def test_unknown_local_folder_is_data_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="neither"):
        SOURCES.load(_request(tmp_path / "empty", tmp_path))


# -- local copies in the Hub layout ----------------------------------------------------------


def _hub_format(folder: Path) -> Any:
    from datasets import Dataset, Features, Image, Sequence, Value

    problems = list(_problems(folder).values())
    meta = {k: Value("string") for k in ("split", "language", "source", "category", "task",
                                           "context", "grade")}  # fmt: skip
    meta.update(
        img_width=Value("int64"), img_height=Value("int64"), skills=Sequence(Value("string"))
    )
    features = Features(
        {
            "pid": Value("string"), "question": Value("string"), "image": Value("string"),
            "decoded_image": Image(), "choices": Sequence(Value("string")),
            "unit": Value("string"), "precision": Value("float64"), "answer": Value("string"),
            "question_type": Value("string"), "answer_type": Value("string"),
            "metadata": meta, "query": Value("string"),
        }
    )  # fmt: skip
    columns: dict[str, list[Any]] = {name: [] for name in features}
    for p in problems:
        for name in ("pid", "question", "image", "choices", "unit", "precision", "answer",
                     "question_type", "answer_type", "metadata"):  # fmt: skip
            columns[name].append(p[name])
        columns["decoded_image"].append({"bytes": (folder / p["image"]).read_bytes(), "path": None})
        columns["query"].append(f"QUERY {p['pid']}")
    return Dataset.from_dict(columns, features=features)


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-datasets")


def _save_to_disk(folder: Path, target: Path) -> Path:
    from datasets import DatasetDict

    DatasetDict({"testmini": _hub_format(folder)}).save_to_disk(str(target))
    return target


def _parquet(folder: Path, target: Path) -> Path:
    (target / "data").mkdir(parents=True)
    _hub_format(folder).to_parquet(str(target / "data" / "testmini-00000-of-00001.parquet"))
    return target


@pytest.mark.usefixtures("hf_cache")
@pytest.mark.parametrize("layout", [_save_to_disk, _parquet], ids=["save_to_disk", "parquet"])
def test_local_hub_copy(synthetic: Path, tmp_path: Path, layout: Callable[..., Path]) -> None:
    source = layout(synthetic, tmp_path / "copy")
    cache = tmp_path / "cache"
    loaded = SOURCES.load(_request(source, cache))
    problems = _problems(synthetic)
    assert loaded.provenance.kind == "local" and loaded.provenance.num_items == SIZE
    for sample in loaded.samples:
        row = problems[sample.id]
        assert sample.question == f"QUERY {sample.id}"  # the query column is the prompt
        assert sample.target == row["answer"]
        assert sample.info.precision == row["precision"]  # 1.0 on the Hub -> 1
        assert sample.info.choices == (tuple(row["choices"]) if row["choices"] else None)
        media = sample.media[0]
        assert media.sha256 == sha256_file(synthetic / row["image"])
        assert Path(str(media.path)).is_relative_to(cache / "media")
    labels_only = SOURCES.load(_request(source, cache, need_media=False))
    assert {s.media[0].state for s in labels_only.samples} == {"unread"}


@pytest.mark.usefixtures("hf_cache")
def test_local_hub_copy_without_a_column(synthetic: Path, tmp_path: Path) -> None:
    from datasets import DatasetDict

    from mmalign_eval.errors import UsageError

    table = _hub_format(synthetic).remove_columns("answer_type")
    DatasetDict({"testmini": table}).save_to_disk(str(tmp_path / "copy"))
    with pytest.raises(UsageError, match="answer_type"):
        SOURCES.load(_request(tmp_path / "copy", tmp_path / "cache"))


# -- the real label file ---------------------------------------------------------------------


def test_real_label_file(shared_file: SharedFile, tmp_path: Path) -> None:
    path = shared_file("mathvista", "testmini.json")
    loaded = SOURCES.load(_request(path, tmp_path, need_media=False))
    assert loaded.provenance.num_items == 1000
    assert loaded.provenance.version_note == (
        "lupantech/MathVista@452b0f8 data/testmini.json (1,000 problems)"
    )
    by_id = {s.id: s for s in loaded.samples}
    assert by_id["2"].question == QUERIES[0][1]
    assert by_id["237"].question == QUERIES[2][1]
    assert by_id["740"].question == QUERIES[1][1]
    assert all(s.question.startswith("Hint: Please answer the question ") for s in by_id.values())
