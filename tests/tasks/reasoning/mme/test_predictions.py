"""`score mme`: the harness's JSON Lines and the official eval_tool results folder (the
template with the model's reply as 4th column), read by harness id."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.reasoning.mme.official import read_results
from mmalign_eval_tasks.reasoning.mme.subtasks import SUBTASKS
from mmalign_eval_tasks.reasoning.mme.synthetic import ensure_synthetic_mme
from mmalign_eval_tasks.reasoning.mme.task import mme

TASK = mme()
IMAGES = len(SUBTASKS)


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A synthetic eval_tool folder: one image (two questions) per subtask."""
    folder = ensure_synthetic_mme(tmp_path / "built", IMAGES)
    copy = tmp_path / "template"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("images"))
    return copy


def _fill(template: Path, out: Path, reply: Callable[[str, str], str]) -> Path:
    """A results folder: each template line plus TAB and reply(question, gt)."""
    out.mkdir()
    for file in template.glob("*.txt"):
        lines = file.read_text(encoding="utf-8").splitlines()
        filled = [f"{line}\t{reply(*line.split(chr(9))[1:3])}\n" for line in lines]
        (out / file.name).write_text("".join(filled), encoding="utf-8")
    return out


def _right(question: str, gt: str) -> str:
    return f"{gt}, it is."


def _score(
    template: Path, predictions: Path, protocol: str | None = None
) -> dict[str, float | None]:
    request = ScoreRequest(
        task=TASK, predictions=predictions, protocol=protocol, resamples=20,
        data=DataRequest(source=str(template), cache_dir=str(template.parent / "cache"),
                         need_media=False),
    )  # fmt: skip
    results, _ = score_predictions(request)
    (task,) = results.tasks
    return {m.name: m.value for m in task.metrics}


def test_results_folder_is_read_by_id(template: Path, tmp_path: Path) -> None:
    results = _fill(template, tmp_path / "Your_Results", _right)
    predictions = read_results(results)
    assert predictions is not None and len(predictions) == 2 * IMAGES
    prediction = predictions["existence/synth_000000.png:yes"]
    assert prediction.text == "Yes, it is."  # the line break is not part of the reply
    assert prediction.questions[0].endswith("Please answer yes or no.")
    one = read_results(results / "OCR.txt")
    assert one is not None and {p.split("/")[0] for p in one} == {"OCR"}


def test_windows_line_ends_and_a_byte_order_mark_are_read(template: Path, tmp_path: Path) -> None:
    results = _fill(template, tmp_path / "r", _right)
    for file in results.glob("*.txt"):
        file.write_bytes(b"\xef\xbb\xbf" + file.read_bytes().replace(b"\n", b"\r\n"))
    predictions = read_results(results)
    assert predictions is not None and len(predictions) == 2 * IMAGES
    assert predictions["count/synth_000001.png:no"].text == "No, it is."


def test_harness_json_lines_are_not_results_files(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text('{"id": "existence/a.png:yes", "answer": "Yes"}\n')
    assert read_results(path) is None
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no MME results files"):
        read_results(tmp_path / "empty")


def _zip(folder: Path, target: Path, inside: str = "Your_Results") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.glob("*.txt")):
            archive.write(file, f"{inside}/{file.name}")
    return target


def test_zipped_results_score_as_the_official_script(template: Path, tmp_path: Path) -> None:
    # 'Not sure' reads 'no' (right on no-questions, wrong on yes-questions): acc 1/2, acc+ 0.
    results = _fill(template, tmp_path / "Your_Results", lambda q, gt: "Not sure")
    metrics = _score(template, _zip(results, tmp_path / "results.zip"))
    assert metrics["perception"] == 10 * 50.0 and metrics["cognition"] == 4 * 50.0
    assert metrics["other_rate"] == 0.0
    both = _zip(results, tmp_path / "two.zip")
    with zipfile.ZipFile(both, "a") as archive:
        archive.write(results / "OCR.txt", "LaVIN/OCR.txt")
    with pytest.raises(DataError, match="2 folders"):
        read_results(both)


def test_harness_json_lines_score_by_id(template: Path, tmp_path: Path) -> None:
    results = read_results(_fill(template, tmp_path / "r", _right))
    assert results is not None
    lines = [{"id": pid, "answer": p.text, "prompt": p.questions[0]} for pid, p in results.items()]
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    metrics = _score(template, path)
    assert metrics["perception"] == 2000.0 and metrics["cognition"] == 800.0
    # lmms-lab's question_id names an image, not a question: it is not an id here.
    path.write_text(json.dumps({"question_id": "existence/synth_000000.png", "answer": "Yes"}))
    with pytest.raises(DataError, match="lacks an id"):
        _score(template, path)


def test_predictions_for_other_questions_are_refused(template: Path, tmp_path: Path) -> None:
    results = _fill(template, tmp_path / "r", _right)
    text = (results / "count.txt").read_text().replace("Are there", "Were there")
    (results / "count.txt").write_text(text)
    with pytest.raises(UsageError, match="another question"):
        _score(template, _zip(results, tmp_path / "r.zip"))


BAD_RESULTS: list[tuple[Callable[[list[str]], list[str]], str]] = [
    (lambda lines: [line.rsplit("\t", 1)[0] + "\n" for line in lines], "no prediction"),
    (lambda lines: [lines[0].rstrip("\n") + "\tmore\n", *lines[1:]], "5 tab-separated"),
    (lambda lines: [lines[0], lines[1].replace("\tNo\t", "\tYes\t"), *lines[2:]], "second yes"),
    (lambda lines: lines[:1], "odd number"),
]


@pytest.mark.parametrize(("edit", "match"), BAD_RESULTS, ids=[m for _, m in BAD_RESULTS])
def test_malformed_results_are_refused(
    template: Path, tmp_path: Path, edit: Callable[[list[str]], list[str]], match: str
) -> None:
    results = _fill(template, tmp_path / "r", _right)
    file = results / "color.txt"
    file.write_text("".join(edit(file.read_text().splitlines(keepends=True))))
    with pytest.raises(DataError, match=match):
        read_results(results)


def test_filled_templates_score_the_maximum(
    shared_file: Callable[..., Path], tmp_path: Path
) -> None:
    template = shared_file("reasoning", "mme", "Your_Results")
    data = tmp_path / "labels"
    shutil.copytree(template, data)
    results = _fill(template, tmp_path / "Your_Results", lambda q, gt: gt)  # the gt as reply
    metrics = _score(data, _zip(results, tmp_path / "results.zip"))
    assert metrics["perception"] == 2000.0 and metrics["cognition"] == 800.0
    assert metrics["total"] == 2800.0
