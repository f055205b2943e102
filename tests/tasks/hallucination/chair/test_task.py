"""coco_chair: data loading (real export, image folders, synthetic) and external predictions."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from mmalign_eval.contracts import Response
from mmalign_eval.errors import DataError
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.hallucination.chair.task import coco_chair

TASK = coco_chair()


def _request(source: str, cache: Path, **kw: object) -> DataRequest:
    return DataRequest.model_validate({"source": source, "cache_dir": str(cache), **kw})


def test_real_export_without_images(shared_file: Callable[..., Path], tmp_path: Path) -> None:
    folder = shared_file("chair")
    loaded = TASK.loader(_request(str(folder), tmp_path, need_media=False))
    assert loaded.provenance.num_items == 123_287
    by_id = {s.id: s for s in loaded.samples[:50]}
    assert by_id["9"].info.gt_objects == ("bowl", "broccoli", "orange")


def _folder(tmp_path: Path, synonyms: Path) -> Path:
    folder = tmp_path / "chair"
    (folder / "images").mkdir(parents=True)
    truth = {"9": ["bowl", "broccoli", "orange"], "25": ["giraffe", "person"], "30": ["vase"]}
    (folder / "coco2014_image_objects.json").write_text(json.dumps(truth), encoding="utf-8")
    shutil.copyfile(synonyms, folder / "synonyms.txt")
    for image_id in (9, 25):
        Image.new("RGB", (8, 8)).save(folder / "images" / f"COCO_val2014_{image_id:012d}.jpg")
    return folder


def test_image_folder_names_the_samples(shared_file: Callable[..., Path], tmp_path: Path) -> None:
    folder = _folder(tmp_path, shared_file("chair", "synonyms.txt"))
    loaded = TASK.loader(_request(str(folder), tmp_path))
    assert [s.id for s in loaded.samples] == ["9", "25"]
    assert all(s.media[0].path for s in loaded.samples)


def test_missing_synonyms_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "coco2014_image_objects.json").write_text("{}", encoding="utf-8")
    with pytest.raises(DataError, match="synonym"):
        TASK.loader(_request(str(tmp_path), tmp_path, need_media=False))


def test_score_captions_by_image_id(shared_file: Callable[..., Path], tmp_path: Path) -> None:
    folder = _folder(tmp_path, shared_file("chair", "synonyms.txt"))
    lines = [
        {"image_id": 9, "caption": "A bowl of broccoli and oranges next to a fork."},
        {"image_id": 25, "caption": "A man feeds two giraffes."},
    ]
    predictions = tmp_path / "captions.jsonl"
    predictions.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    request = ScoreRequest(
        task=TASK,
        predictions=predictions,
        data=_request(str(folder), tmp_path, need_media=False),
        protocol=None,
        resamples=20,
    )
    results, _ = score_predictions(request)
    task = results.tasks[0]
    # CHAIR has no fixed image list: the captions given are the items (image 30, which
    # nobody captioned, is not missing).
    assert task.matching is not None and task.matching.missing_predictions == 0
    assert task.n_samples == 2 and task.failures.total == 0
    assert task.metric("chair_s").value == pytest.approx(1 / 2)  # the fork
    assert task.metric("chair_i").value == pytest.approx(1 / 6)
    assert task.metric("recall").value == pytest.approx(5 / 5)
    # An image folder names the benchmark's images: one without a caption is missing.
    Image.new("RGB", (8, 8)).save(folder / "images" / "COCO_val2014_000000000030.jpg")
    listed = _request(str(folder), tmp_path, need_media=False, image_dir=str(folder / "images"))
    results, _ = score_predictions(replace(request, data=listed))
    task = results.tasks[0]
    assert task.n_samples == 3 and task.failures.missing == 1
    assert task.matching is not None and task.matching.missing_examples == ["30"]
    assert task.metric("chair_s").value == pytest.approx(1 / 2)  # failures are not scored


def test_score_reads_only_the_captioned_entries_of_the_real_export(
    shared_file: Callable[..., Path], tmp_path: Path
) -> None:
    folder = shared_file("chair")
    lines = [{"image_id": 9, "caption": "A bowl."}, {"image_id": 25, "caption": "Giraffes."}]
    predictions = tmp_path / "captions.jsonl"
    predictions.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    request = ScoreRequest(
        task=TASK,
        predictions=predictions,
        data=_request(str(folder), tmp_path, need_media=False),
        protocol=None,
        resamples=20,
    )
    results, _ = score_predictions(request)
    task = results.tasks[0]
    # Two captions: two items, none of the other 123,285 COCO images counted as missing.
    assert task.n_samples == task.n_scored == task.data.num_items == 2
    assert task.matching is not None and task.matching.missing_predictions == 0


def test_synthetic_chair(tmp_path: Path) -> None:
    loaded = TASK.loader(_request("synthetic:3", tmp_path))
    assert loaded.provenance.kind == "synthetic" and len(loaded.samples) == 3
    sample = loaded.samples[0]
    item = TASK.score_answer(
        sample,
        _response(f"I see a {sample.target.split(', ')[0]}, a star and two stars."),
        TASK.protocol(None),
    )
    truth = sample.target.split(", ")
    assert item.values["mentions"] == 3  # a repeated class counts at every mention
    assert item.values["hallucinated_mentions"] == (0 if "star" in truth else 2)


def _response(text: str) -> Response:
    return Response(key="k", text=text, finish_reason="stop")
