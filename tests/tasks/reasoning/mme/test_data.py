"""MME data sources: synthetic scenes, the official eval_tool folder with the release's
images, local lmms-lab/MME copies (save_to_disk, parquet), and their errors."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.hashing import sha256_file
from mmalign_eval.task import DataRequest, LoadedData
from mmalign_eval.toolkit.shapes import read_manifest, scenes_name
from mmalign_eval_tasks.reasoning.mme.data import SOURCES
from mmalign_eval_tasks.reasoning.mme.samples import MmeInfo
from mmalign_eval_tasks.reasoning.mme.subtasks import SUBTASKS
from mmalign_eval_tasks.reasoning.mme.synthetic import ensure_synthetic_mme

IMAGES = 2 * len(SUBTASKS)
# Questions per subtask in the official templates (2,374 in all).
OFFICIAL_COUNTS = {
    "existence": 60, "count": 60, "position": 60, "color": 60, "posters": 294,
    "celebrity": 340, "scene": 400, "landmark": 400, "artwork": 400, "OCR": 40,
    "commonsense_reasoning": 140, "numerical_calculation": 40, "text_translation": 40,
    "code_reasoning": 40,
}  # fmt: skip


def _load(
    source: Path | str, cache: Path, need_media: bool = True, **kw: str
) -> LoadedData[MmeInfo]:
    request = DataRequest(source=str(source), cache_dir=str(cache), need_media=need_media, **kw)
    loaded: LoadedData[MmeInfo] = SOURCES.load(request)
    return loaded


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A synthetic eval_tool folder (two images per subtask) the test may edit."""
    built = ensure_synthetic_mme(tmp_path / "built", IMAGES)
    copy = tmp_path / "Your_Results"
    shutil.copytree(built, copy)
    return copy


def test_synthetic_questions_are_true_of_their_scenes(tmp_path: Path) -> None:
    loaded = _load(f"synthetic:{IMAGES}", tmp_path)
    assert loaded.provenance.kind == "synthetic" and loaded.provenance.num_items == 2 * IMAGES
    assert Counter(s.info.subtask for s in loaded.samples) == {s: 4 for s in SUBTASKS}
    manifest = read_manifest(tmp_path / "data" / scenes_name(IMAGES))
    objects = {e["image"]: e["objects"] for e in manifest["images"]}
    for sample in loaded.samples:
        assert sample.question.endswith("? Please answer yes or no.")
        assert sample.id == f"{sample.cluster}:{sample.target}"
        assert sample.media[0].state == "ready"
        if sample.info.subtask == "existence":
            name = sample.question.removeprefix("Is there a ").split(" in this image")[0]
            assert (name in objects[sample.info.image]) == (sample.target == "yes")
        if sample.info.subtask == "count":
            count = int(sample.question.split()[2])
            assert (count == len(objects[sample.info.image])) == (sample.target == "yes")
    # The same bytes every time: the folder is built once and reused.
    again = _load(f"synthetic:{IMAGES}", tmp_path)
    assert [s.media[0].sha256 for s in again.samples] == [s.media[0].sha256 for s in loaded.samples]


@pytest.mark.parametrize("size", ["synthetic:13", "synthetic:zero"])
def test_synthetic_needs_every_subtask(tmp_path: Path, size: str) -> None:
    with pytest.raises(UsageError, match="bad synthetic size") as error:
        _load(size, tmp_path)
    assert "N >= 14" in str(error.value.hint)  # every subtask gets an image


def test_official_folder_with_release_images(folder: Path, tmp_path: Path) -> None:
    # The release keeps some subtasks' images in <subtask>/images/: both layouts are found.
    release = tmp_path / "MME_Benchmark_release_version"
    shutil.move(folder / "images", release)
    nested = release / "scene" / "images"
    nested.mkdir()
    for image in (release / "scene").glob("*.png"):
        image.rename(nested / image.name)
    loaded = _load(folder, tmp_path / "cache", image_dir=str(release))
    assert loaded.provenance.kind == "official_files"
    assert "unknown version" in str(loaded.provenance.version_note)
    scene = [s for s in loaded.samples if s.info.subtask == "scene"]
    assert scene and all(Path(str(s.media[0].path)).parent == nested for s in scene)
    assert all(s.media[0].sha256 == sha256_file(Path(str(s.media[0].path))) for s in loaded.samples)


def test_missing_image_fails_only_its_questions(folder: Path, tmp_path: Path) -> None:
    gone = next((folder / "images" / "color").glob("*.png"))
    gone.unlink()
    loaded = _load(folder, tmp_path / "cache")
    missing = [s for s in loaded.samples if s.media[0].state == "missing"]
    assert [s.cluster for s in missing] == [f"color/{gone.name}"] * 2


def test_official_folder_needs_its_images_unless_scoring(folder: Path, tmp_path: Path) -> None:
    shutil.rmtree(folder / "images")
    with pytest.raises(DataError, match="image folder not found") as error:
        _load(folder, tmp_path / "cache")
    assert "--image-dir" in str(error.value.hint)
    loaded = _load(folder, tmp_path / "cache", need_media=False)
    assert all(s.media[0].state == "unread" for s in loaded.samples)


def test_one_subtask_file_and_a_partial_folder(folder: Path, tmp_path: Path) -> None:
    loaded = _load(folder / "OCR.txt", tmp_path / "cache", need_media=False)
    assert {s.info.subtask for s in loaded.samples} == {"OCR"}
    assert "subtasks absent" in str(loaded.provenance.version_note)


def test_official_templates(shared_file: Callable[..., Path], tmp_path: Path) -> None:
    folder = shared_file("reasoning", "mme", "Your_Results")
    loaded = _load(folder, tmp_path, need_media=False)
    assert len(loaded.samples) == 2374
    assert Counter(s.info.subtask for s in loaded.samples) == OFFICIAL_COUNTS
    assert len({s.id for s in loaded.samples}) == 2374
    assert len({s.cluster for s in loaded.samples}) == 1187
    assert "BradyFU" in str(loaded.provenance.version_note)
    first = loaded.samples[0]
    assert first.id == "existence/000000006040.jpg:yes"
    assert first.question == "Is there a train in this image? Please answer yes or no."


def _rewrite(path: Path, edit: Callable[[list[str]], list[str]]) -> None:
    path.write_text("".join(edit(path.read_text().splitlines(keepends=True))))


BAD_FILES: list[tuple[Callable[[list[str]], list[str]], str]] = [
    (lambda lines: lines[:-1], "odd number of lines"),
    (lambda lines: [lines[0], lines[2], lines[1], lines[3]], "pairs image"),
    (lambda lines: [lines[0].replace("\tYes", "\tMaybe"), *lines[1:]], "Maybe"),
    (lambda lines: [lines[0].replace("\tYes", "\tYes "), *lines[1:]], "'Yes '"),  # no strip
    (lambda lines: [lines[0].replace("\t", " ", 1), *lines[1:]], "2 tab-separated fields"),
    (lambda lines: [lines[0], lines[1].replace("\tNo", "\tYes"), *lines[2:]], "answers"),
    (lambda lines: [*lines, "\n"], "1 tab-separated fields"),  # a blank line
]


@pytest.mark.parametrize(("edit", "match"), BAD_FILES, ids=[m for _, m in BAD_FILES])
def test_malformed_official_files(folder: Path, tmp_path: Path, edit: Any, match: str) -> None:
    _rewrite(folder / "count.txt", edit)
    with pytest.raises(DataError, match=match):
        _load(folder, tmp_path / "cache", need_media=False)


def test_unknown_local_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="neither"):
        _load(tmp_path / "empty", tmp_path)


# -- local lmms-lab/MME copies ------------------------------------------------------------


def _hub_format(folder: Path, answer_case: Callable[[str], str] = str.capitalize) -> Any:
    """The lmms-lab/MME test split's columns, from an eval_tool folder; an image's no
    question comes first, as lmms-lab orders some pairs."""
    from datasets import Dataset, Features, Image, Value

    loaded = _load(folder, folder.parent / "cache-hub", need_media=False)
    samples = sorted(loaded.samples, key=lambda s: (s.cluster, s.target != "no"))
    features = Features({
        "question_id": Value("string"), "image": Image(), "question": Value("string"),
        "answer": Value("string"), "category": Value("string"),
    })  # fmt: skip
    return Dataset.from_dict(
        {
            "question_id": [s.cluster for s in samples],
            "image": [
                {"bytes": (folder / "images" / str(s.cluster)).read_bytes(), "path": None}
                for s in samples
            ],
            "question": [s.question for s in samples],
            "answer": [answer_case(s.target) for s in samples],
            "category": [s.info.subtask for s in samples],
        },
        features=features,
    )


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-datasets")


def _save_to_disk(folder: Path, target: Path) -> Path:
    from datasets import DatasetDict

    DatasetDict({"test": _hub_format(folder)}).save_to_disk(str(target))
    return target


def _parquet(folder: Path, target: Path) -> Path:
    (target / "data").mkdir(parents=True)
    _hub_format(folder).to_parquet(str(target / "data" / "test-00000-of-00001.parquet"))
    return target


@pytest.mark.usefixtures("hf_cache")
@pytest.mark.parametrize("layout", [_save_to_disk, _parquet], ids=["save_to_disk", "parquet"])
def test_local_hub_copy(folder: Path, tmp_path: Path, layout: Callable[[Path, Path], Path]) -> None:
    official = {s.id: s for s in _load(folder, tmp_path / "a", need_media=False).samples}
    cache = tmp_path / "cache"
    loaded = _load(layout(folder, tmp_path / "copy"), cache)
    assert loaded.provenance.kind == "local" and loaded.provenance.num_items == 2 * IMAGES
    for sample in loaded.samples:
        twin = official[sample.id]  # the same ids whatever the layout and row order
        assert (sample.question, sample.target, sample.cluster) == (
            twin.question,
            twin.target,
            twin.cluster,
        )
        stored = Path(str(sample.media[0].path))
        assert stored.is_relative_to(cache / "media")
        assert stored.read_bytes() == (folder / "images" / str(sample.cluster)).read_bytes()
    assert loaded.samples[0].target == "no"  # data order is kept
    labels_only = _load(tmp_path / "copy", tmp_path / "cache2", need_media=False)
    assert all(s.media[0].state == "unread" for s in labels_only.samples)


@pytest.mark.usefixtures("hf_cache")
def test_local_hub_copy_errors(folder: Path, tmp_path: Path) -> None:
    from datasets import DatasetDict

    table = _hub_format(folder)
    bad = table.map(
        lambda row: {"category": "humour" if row["category"] == "OCR" else row["category"]}
    )
    DatasetDict({"test": bad}).save_to_disk(str(tmp_path / "bad"))
    with pytest.raises(DataError, match="humour"):
        _load(tmp_path / "bad", tmp_path / "c1", need_media=False)
    DatasetDict({"test": table.remove_columns("category")}).save_to_disk(str(tmp_path / "cols"))
    with pytest.raises(UsageError, match="category"):
        _load(tmp_path / "cols", tmp_path / "c2", need_media=False)


def test_hub_is_the_default_and_fails_clearly_offline(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="lmms-lab/MME") as error:
        SOURCES.load(DataRequest(source=None, cache_dir=str(tmp_path), need_media=False))
    assert "--data" in str(error.value.hint)
