"""POPE adapter: official and lenient answer parsing, and every data source it reads."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.hashing import sha256_file
from mmalign_eval.task import DataRequest, LoadedData
from mmalign_eval_tasks.hallucination.pope import task as pope
from mmalign_eval_tasks.hallucination.pope.data import load_official_file, sources
from mmalign_eval_tasks.hallucination.pope.synthetic import (
    SPLITS,
    ensure_synthetic_pope,
    label_file_name,
)
from mmalign_eval_tasks.hallucination.pope.task import parse_lenient, parse_official

SharedFile = Callable[..., Path]
NUM_IMAGES = 4
QUESTIONS = 6 * NUM_IMAGES

# -- official protocol ------------------------------------------------------------------

OFFICIAL = [
    ("No.", "no"),
    ("NO", "yes"),  # case-sensitive: only 'No', 'no' and 'not' count
    ("Not sure", "yes"),
    ("No,there", "yes"),  # the comma is deleted, leaving the token 'Nothere'
    ("There are 2.5 dogs, no cats", "yes"),  # cut at the first '.', before 'no'
    ("", "yes"),
    ("no", "no"),
    ("No", "no"),
    ("not", "no"),
    ("Yes, there is not", "no"),
    ("I do not know.", "no"),
    ("no\n", "yes"),  # split on ' ' only: the token is 'no\n'
    ("There is no dog.", "no"),
    ("Yes.", "yes"),
    ("yes", "yes"),
    ("No, there is not.", "no"),
    ("No, there is no dog in the image.", "no"),
    ("Yes. No.", "yes"),  # only the first sentence counts
    (". No", "yes"),
    ("no.", "no"),
    ("No!", "yes"),
    ("no?", "yes"),
    ("Nope", "yes"),
    ("none", "yes"),
    ("isn't", "yes"),
    ("not,", "no"),  # comma deleted before splitting
    ("no,", "no"),
    (",no", "no"),
    ("no  dog", "no"),  # a double space gives an empty token, 'no' is still one
    ("no\tdog", "yes"),
    ("\nno", "yes"),
    (" no ", "no"),
    ("There is a dog; no.", "no"),  # ';' is not a separator, but 'no' is its own token
    ("Yes, a dog. There is not a cat.", "yes"),
]


@pytest.mark.parametrize(("text", "label"), OFFICIAL, ids=[repr(t) for t, _ in OFFICIAL])
def test_official_parser(text: str, label: str) -> None:
    parsed = parse_official(text)
    assert parsed.value == label
    assert parsed.reason is None  # the official rule never fails


def _official_reference(text: str) -> str:
    """POPE evaluate.py rewritten character by character, independent of parse_official."""
    first_sentence = text.partition(".")[0]
    kept = "".join(ch for ch in first_sentence if ch != ",")
    tokens: list[str] = []
    current = ""
    for ch in kept:
        if ch == " ":
            tokens.append(current)
            current = ""
        else:
            current += ch
    tokens.append(current)
    return "no" if any(token in ("No", "no", "not") for token in tokens) else "yes"


@pytest.mark.parametrize(("text", "label"), OFFICIAL, ids=[repr(t) for t, _ in OFFICIAL])
def test_reference_agrees_with_table(text: str, label: str) -> None:
    assert _official_reference(text) == label


VOCABULARY = [
    "No", "no", "not", "NO", "Not", "NOT", "nO", "no.", "No,", "not,", ",no", "no\n", "No\t",
    "yes", "Yes", "YES", "there", "There", "is", "a", "dog", "cat", "in", "the", "image",
    "nothing", "none", "nope", "cannot", "isn't", "don't", "2.5", "3", ".", ",", "..", "",
    "know", "I", "do", "No!", "not?", "No.Yes", "e.g.", "snow", "knot",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "  ", ", ", ",", ". ", ".", "\n", "\t", ""]


def _random_answers(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    answers = []
    for _ in range(count):
        words = [rng.choice(VOCABULARY) for _ in range(rng.randint(0, 8))]
        text = ""
        for word in words:
            text += word + rng.choice(SEPARATORS)
        answers.append(text[: rng.randint(0, len(text))] if rng.random() < 0.2 else text)
    return answers


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_official_parser_matches_reference_on_random_strings(seed: int) -> None:
    answers = _random_answers(300, seed)
    labels = [parse_official(a).value for a in answers]
    mismatches = [
        (a, got) for a, got in zip(answers, labels, strict=True) if got != _official_reference(a)
    ]
    assert mismatches == []
    # The generator must exercise both outcomes, or the comparison proves little.
    assert 0.1 < labels.count("no") / len(labels) < 0.9


# -- lenient protocol -------------------------------------------------------------------

LENIENT: list[tuple[str, str | None]] = [
    ("NO", "no"),
    ("Nope", "no"),
    ("No, there isn't", "no"),
    ("There isn't one", "no"),
    ("yes.", "yes"),
    ("Yes", "yes"),
    ("There is a dog.", "yes"),
    ("", None),
    ("purple", None),
    ("   ", None),
    ("...", None),
    ("no\n", "no"),
    ("No.", "no"),
    ("not sure", "no"),
    ("There is no dog.", "no"),
    ("Yes, there is a dog.", "yes"),
    ("There are two dogs.", "yes"),
    ("There isn\u2019t one", "no"),  # typographic apostrophe
    ("I don't see one.", "no"),
    ("No. Yes.", "no"),  # only the first sentence counts
    ("Purple. Yes.", None),
]


@pytest.mark.parametrize(("text", "label"), LENIENT, ids=[repr(t) for t, _ in LENIENT])
def test_lenient_parser(text: str, label: str | None) -> None:
    parsed = parse_lenient(text)
    assert parsed.value == label
    if label is None:
        assert parsed.reason  # an unparseable answer says why
    else:
        assert parsed.reason is None


def test_protocols_declared() -> None:
    task = pope.pope_random()
    assert task.protocol(None).name == "official"
    assert task.protocol(None).read is parse_official
    assert task.protocol("lenient").read is parse_lenient
    with pytest.raises(UsageError, match="strict"):
        task.protocol("strict")


# -- official label files + image folder ------------------------------------------------


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    folder: Path = ensure_synthetic_pope(tmp_path / "synthetic", num_images=NUM_IMAGES)
    return folder


def loader_for(split: str) -> Callable[[DataRequest], LoadedData]:
    load: Callable[[DataRequest], LoadedData] = sources(split).load
    return load


def _request(
    source: Path | str, cache: Path, need_media: bool = True, **kwargs: str
) -> DataRequest:
    return DataRequest(source=str(source), cache_dir=str(cache), need_media=need_media, **kwargs)


def _labels(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("split", SPLITS)
def test_loads_official_folder(synthetic: Path, tmp_path: Path, split: str) -> None:
    loaded = loader_for(split)(_request(synthetic, tmp_path / "cache"))
    rows = _labels(synthetic / label_file_name(split))
    assert len(loaded.samples) == len(rows) == QUESTIONS
    for sample, row in zip(loaded.samples, rows, strict=True):
        assert sample.id == str(row["question_id"])
        assert sample.task == f"pope_{split}"
        assert sample.question == row["text"]
        assert sample.target == row["label"]
        assert sample.cluster == row["image"]
        (media,) = sample.media
        image = synthetic / "images" / str(row["image"])
        assert media.sha256 == sha256_file(image)
        assert Path(str(media.path)) == image
    assert loaded.provenance.kind == "official_files"
    assert loaded.provenance.num_items == QUESTIONS
    assert loaded.provenance.sha256 == sha256_file(synthetic / label_file_name(split))
    assert "unknown version" in str(loaded.provenance.version_note)


def test_loads_label_file_with_image_dir(synthetic: Path, tmp_path: Path) -> None:
    labels = tmp_path / "elsewhere" / "coco_pope_random.json"
    labels.parent.mkdir()
    shutil.copy(synthetic / "coco_pope_random.json", labels)
    request = _request(labels, tmp_path, image_dir=str(synthetic / "images"))
    loaded = loader_for("random")(request)
    assert len(loaded.samples) == QUESTIONS
    assert all(s.media[0].state not in ("missing", "unread") for s in loaded.samples)


def test_label_file_of_another_split_is_refused(synthetic: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="random"):
        loader_for("popular")(_request(synthetic / "coco_pope_random.json", tmp_path))


def test_missing_image_fails_only_its_samples(synthetic: Path, tmp_path: Path) -> None:
    gone = "synth_000001.png"
    (synthetic / "images" / gone).unlink()
    loaded = loader_for("adversarial")(_request(synthetic, tmp_path))
    assert len(loaded.samples) == QUESTIONS
    missing = [s for s in loaded.samples if s.media[0].state == "missing"]
    assert len(missing) == 6
    assert {s.cluster for s in missing} == {gone}
    assert all(s.media[0].source == gone for s in missing)


def test_missing_image_folder_is_data_error(synthetic: Path, tmp_path: Path) -> None:
    shutil.rmtree(synthetic / "images")
    with pytest.raises(DataError, match="image folder not found"):
        loader_for("random")(_request(synthetic, tmp_path))
    with pytest.raises(DataError, match="image folder not found"):
        load_official_file("pope_random", synthetic / "coco_pope_random.json", tmp_path / "no")


def test_labels_only_need_no_images(synthetic: Path, tmp_path: Path) -> None:
    shutil.rmtree(synthetic / "images")
    loaded = loader_for("random")(_request(synthetic, tmp_path, need_media=False))
    assert len(loaded.samples) == QUESTIONS
    assert all(s.media[0].state == "unread" for s in loaded.samples)


@pytest.mark.parametrize("bad_line", ["{not json", '["a list"]', '{"question_id": 3,'])
def test_malformed_line_names_its_number(synthetic: Path, tmp_path: Path, bad_line: str) -> None:
    labels = synthetic / "coco_pope_random.json"
    lines = labels.read_text().splitlines()
    lines[4] = bad_line
    labels.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"coco_pope_random\.json:5 "):
        loader_for("random")(_request(synthetic, tmp_path))


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [("label", None, "without 'label'"), ("label", "maybe", "maybe"), ("text", None, "text")],
)
def test_bad_rows_are_data_errors(
    synthetic: Path, tmp_path: Path, field: str, value: str | None, match: str
) -> None:
    labels = synthetic / "coco_pope_random.json"
    rows = _labels(labels)
    if value is None:
        del rows[2][field]
    else:
        rows[2][field] = value
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(DataError, match=match):
        loader_for("random")(_request(synthetic, tmp_path))


def test_synthetic_source(tmp_path: Path) -> None:
    loaded = loader_for("popular")(_request("synthetic:3", tmp_path))
    assert len(loaded.samples) == 18
    assert loaded.provenance.kind == "synthetic"
    with pytest.raises(UsageError):
        loader_for("popular")(_request("synthetic:zero", tmp_path))


def test_unknown_local_folder_is_data_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="neither"):
        loader_for("random")(_request(tmp_path / "empty", tmp_path))


# -- local Hugging Face copies ------------------------------------------------------------


def _hub_format(folder: Path, split: str) -> Any:
    from datasets import Dataset, Features, Image, Value

    rows = _labels(folder / label_file_name(split))
    features = Features(
        {
            "question_id": Value("string"),
            "question": Value("string"),
            "answer": Value("string"),
            "image_source": Value("string"),
            "image": Image(),
            "category": Value("string"),
        }
    )
    return Dataset.from_dict(
        {
            "question_id": [str(r["question_id"]) for r in rows],
            "question": [r["text"] for r in rows],
            "answer": [r["label"] for r in rows],
            "image_source": [Path(str(r["image"])).stem for r in rows],
            "image": [
                {"bytes": (folder / "images" / str(r["image"])).read_bytes(), "path": None}
                for r in rows
            ],
            "category": [split] * len(rows),
        },
        features=features,
    )


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Keep parquet builds out of the user's ~/.cache.
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-datasets")


def _save_to_disk(folder: Path, target: Path) -> Path:
    from datasets import DatasetDict

    DatasetDict({s: _hub_format(folder, s) for s in SPLITS}).save_to_disk(str(target))
    return target


def _parquet(folder: Path, target: Path) -> Path:
    target.mkdir()
    for split in SPLITS:
        _hub_format(folder, split).to_parquet(str(target / f"{split}-00000.parquet"))
    return target


@pytest.mark.usefixtures("hf_cache")
@pytest.mark.parametrize("layout", [_save_to_disk, _parquet], ids=["save_to_disk", "parquet"])
@pytest.mark.parametrize("split", ["adversarial", "random"])
def test_loads_local_hub_copy(
    synthetic: Path, tmp_path: Path, layout: Callable[[Path, Path], Path], split: str
) -> None:
    source = layout(synthetic, tmp_path / "copy")
    cache = tmp_path / "cache"
    loaded = loader_for(split)(_request(source, cache))
    rows = _labels(synthetic / label_file_name(split))
    assert len(loaded.samples) == len(rows) == QUESTIONS
    assert loaded.provenance.kind == "local"
    assert loaded.provenance.num_items == QUESTIONS
    for sample, row in zip(loaded.samples, rows, strict=True):
        assert sample.id == str(row["question_id"])
        assert sample.target == row["label"]
        assert sample.question == row["text"]
        (media,) = sample.media
        original = synthetic / "images" / str(row["image"])
        # The bytes land in the content-addressed store under their own hash.
        assert media.sha256 == sha256_file(original)
        stored = Path(str(media.path))
        assert stored.is_relative_to(cache / "media")
        assert media.sha256 in stored.name
        assert stored.read_bytes() == original.read_bytes()
    stored_files = [p for p in (cache / "media").rglob("*") if p.is_file()]
    assert len(stored_files) == NUM_IMAGES  # one file per distinct image, not per question


def _default_layout(folder: Path, target: Path, as_parquet: bool) -> Path:
    """lmms-lab/POPE's default config, as lmms-eval caches it: one test split, a category
    column, and the question ids 1..N repeated in every category."""
    from datasets import DatasetDict, concatenate_datasets

    test = concatenate_datasets([_hub_format(folder, s) for s in SPLITS])
    if as_parquet:
        (target / "data").mkdir(parents=True)
        test.to_parquet(str(target / "data" / "test-00000-of-00001.parquet"))
    else:
        DatasetDict({"test": test}).save_to_disk(str(target))
    return target


@pytest.mark.usefixtures("hf_cache")
@pytest.mark.parametrize("as_parquet", [False, True], ids=["save_to_disk", "parquet"])
@pytest.mark.parametrize("split", SPLITS)
def test_default_layout_is_read_by_category(
    synthetic: Path, tmp_path: Path, split: str, as_parquet: bool
) -> None:
    source = _default_layout(synthetic, tmp_path / "copy", as_parquet)
    loaded = loader_for(split)(_request(source, tmp_path / "cache", need_media=False))
    rows = _labels(synthetic / label_file_name(split))
    assert [(s.id, s.question, s.target) for s in loaded.samples] == [
        (str(r["question_id"]), r["text"], r["label"]) for r in rows
    ]
    assert loaded.provenance.version_note == (
        f"local lmms-lab/POPE copy, default layout (split test, category {split})"
    )


@pytest.mark.usefixtures("hf_cache")
def test_full_layout_is_recorded(synthetic: Path, tmp_path: Path) -> None:
    source = _save_to_disk(synthetic, tmp_path / "copy")
    loaded = loader_for("random")(_request(source, tmp_path / "cache", need_media=False))
    assert loaded.provenance.version_note == "local lmms-lab/POPE copy, Full layout (split random)"


@pytest.mark.usefixtures("hf_cache")
def test_local_hub_copy_labels_only(synthetic: Path, tmp_path: Path) -> None:
    source = _save_to_disk(synthetic, tmp_path / "copy")
    loaded = loader_for("popular")(_request(source, tmp_path / "cache", need_media=False))
    assert len(loaded.samples) == QUESTIONS
    assert all(s.media[0].state == "unread" for s in loaded.samples)
    assert not (tmp_path / "cache" / "media").exists()


@pytest.mark.usefixtures("hf_cache")
def test_local_hub_copy_without_the_split(synthetic: Path, tmp_path: Path) -> None:
    from datasets import DatasetDict

    target = tmp_path / "copy"
    DatasetDict({"random": _hub_format(synthetic, "random")}).save_to_disk(str(target))
    with pytest.raises(DataError, match="popular"):
        loader_for("popular")(_request(target, tmp_path))


# -- the real official label files (../shared), skipped when absent ----------------------

VERSIONS = {
    "coco_head_08d957b": {"adversarial": 3000, "popular": 3000, "random": 3000},
    "coco_e3e3926": {"adversarial": 3000, "popular": 3000, "random": 2910},
}


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_real_label_files_parse(
    shared_file: SharedFile, tmp_path: Path, version: str, split: str
) -> None:
    labels = shared_file("pope", version, label_file_name(split))
    request = _request(labels, tmp_path, need_media=False)
    loaded: LoadedData = loader_for(split)(request)
    expected = VERSIONS[version][split]
    assert len(loaded.samples) == loaded.provenance.num_items == expected
    assert len({s.id for s in loaded.samples}) == expected
    assert {s.target for s in loaded.samples} == {"yes", "no"}
    assert all(s.cluster and s.cluster.startswith("COCO_val2014_") for s in loaded.samples)
    note = str(loaded.provenance.version_note)
    assert f"@{version.rsplit('_', 1)[-1]} {split}" in note
    assert f"{expected:,} questions" in note
    # With need_media=False no image is read, and no image folder is needed.
    assert all(s.media[0].state == "unread" for s in loaded.samples)


def test_real_label_file_needs_images_unless_scoring(
    shared_file: SharedFile, tmp_path: Path
) -> None:
    labels = shared_file("pope", "coco_head_08d957b", "coco_pope_random.json")
    # The images are not shipped next to the labels: asking for media is a clear error.
    with pytest.raises(DataError, match="image folder not found"):
        loader_for("random")(_request(labels, tmp_path))
    loaded = loader_for("random")(_request(labels, tmp_path, need_media=False))
    assert len(loaded.samples) == 3000


def test_real_versions_differ(shared_file: SharedFile, tmp_path: Path) -> None:
    head = loader_for("random")(
        _request(
            shared_file("pope", "coco_head_08d957b", "coco_pope_random.json"),
            tmp_path,
            need_media=False,
        )
    )
    old = loader_for("random")(
        _request(
            shared_file("pope", "coco_e3e3926", "coco_pope_random.json"), tmp_path, need_media=False
        )
    )
    assert head.provenance.sha256 != old.provenance.sha256
    assert "LLaVA-1.5" in str(old.provenance.version_note)
    assert "LLaVA-1.5" not in str(head.provenance.version_note)
