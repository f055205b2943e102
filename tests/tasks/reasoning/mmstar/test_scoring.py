"""MMStar scoring: protocols, metrics against a restated MMStar_eval report, and `score` on
the harness's JSON Lines and the official submission tables (.xlsx, .tsv)."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

import pytest

from mmalign_eval import DataError, DataRequest, Evidence, Response, Sample
from mmalign_eval.contracts import ChoiceScore
from mmalign_eval.results import TaskResult
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.toolkit.tables import write_xlsx
from mmalign_eval_tasks.reasoning.mmstar.data import MMStarInfo
from mmalign_eval_tasks.reasoning.mmstar.metrics import AXES, slug
from mmalign_eval_tasks.reasoning.mmstar.predictions import read_submission
from mmalign_eval_tasks.reasoning.mmstar.task import mmstar

TASK = mmstar()
SIZE = 36
REPLIES = ["A", "b", "(C)", "Option D", "the answer is a", "Answer: B", "", "I think C",
           "D. dog", "(", "option  b", "The answer is (A)"]  # fmt: skip


def _samples(cache: Path) -> list[Sample[MMStarInfo]]:
    return list(TASK.loader(DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(cache))).samples)


def _replies(samples: list[Sample[MMStarInfo]], seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    return {s.id: rng.choice([*REPLIES, s.target, s.target.lower() + ")"]) for s in samples}


def _official_report(
    samples: list[Sample[MMStarInfo]], replies: dict[str, str]
) -> dict[str, float]:
    """MMStar_eval's report restated: per-axis hits over per-axis counts, capabilities and
    the final score over their item counts (250 and 1,500 on the full set)."""
    hits: dict[tuple[str, str], int] = defaultdict(int)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for s in samples:
        key = (s.info.capability, s.info.axis)
        counts[key] += 1
        text = replies[s.id].lower().strip().replace("\n", " ")
        gold = s.target.lower()
        try:
            right = gold == text[0] or (text[0] == "(" and gold == text[1])
            right = right or (text[:7] == "option " and gold == text[7])
            right = right or (text[:14] == "the answer is " and gold == text[14])
        except IndexError:
            right = False
        hits[key] += right
    report = {"accuracy": sum(hits.values()) / len(samples)}
    for capability in {c for c, _ in counts}:
        keys = [k for k in counts if k[0] == capability]
        report[f"accuracy_{slug(capability)}"] = sum(hits[k] for k in keys) / sum(
            counts[k] for k in keys
        )
    for key in counts:
        report[f"accuracy_{slug(key[1])}"] = hits[key] / counts[key]
    return report


def _jsonl(path: Path, replies: dict[str, str]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "answer": r}) + "\n" for i, r in replies.items()))
    return path


def _score(tmp_path: Path, predictions: Path, protocol: str | None = None) -> TaskResult:
    request = ScoreRequest(
        task=TASK,
        predictions=predictions,
        data=DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(tmp_path), need_media=False),
        protocol=protocol,
        resamples=20,
    )
    return score_predictions(request)[0].tasks[0]


def test_score_matches_the_official_report(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    replies = _replies(samples)
    result = _score(tmp_path, _jsonl(tmp_path / "p.jsonl", replies))
    assert result.protocol.official and result.n_scored == SIZE
    expected = _official_report(samples, replies)
    assert len(expected) == 1 + 6 + 18
    for name, value in expected.items():
        assert result.metric(name).value == pytest.approx(value), name
    assert 0 < expected["accuracy"] < 1


def test_xlsx_and_tsv_submissions(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    replies = _replies(samples, seed=3)
    replies["5"] = ""  # an empty cell: the official str() makes it 'nan' (wrong either way)
    header = ["index", "question", "answer", "category", "l2_category", "bench", "prediction"]
    rows = [[int(s.id), s.question, s.target, s.info.capability, s.info.axis, "synthetic",
             replies[s.id] or None] for s in samples]  # fmt: skip
    write_xlsx(tmp_path / "model_MMStar.xlsx", header, rows)
    tsv = tmp_path / "model_MMStar.tsv"
    import pandas as pd

    pd.DataFrame(rows, columns=header).to_csv(tsv, sep="\t", index=False)
    expected = _official_report(samples, replies)["accuracy"]
    for path in (tmp_path / "model_MMStar.xlsx", tsv):
        read = read_submission(path)
        assert read is not None and read["5"].text == "nan"
        assert _score(tmp_path, path).metric("accuracy").value == pytest.approx(expected)


def test_submission_errors(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "a.xlsx", ["index", "answer"], [[1, "A"]])
    with pytest.raises(DataError, match="has columns"):
        read_submission(tmp_path / "a.xlsx")
    write_xlsx(tmp_path / "b.xlsx", ["index", "prediction"], [[1, "A"], [1.0, "B"]])
    with pytest.raises(DataError, match="twice"):
        read_submission(tmp_path / "b.xlsx")
    write_xlsx(tmp_path / "c.xlsx", ["index", "prediction"], [["x1", "A"]])
    with pytest.raises(DataError, match="not an integer"):
        read_submission(tmp_path / "c.xlsx")
    assert read_submission(_jsonl(tmp_path / "p.jsonl", {"1": "A"})) is None


def test_submission_question_must_match(tmp_path: Path) -> None:
    from mmalign_eval import UsageError

    samples = _samples(tmp_path)
    rows = [[int(s.id), "another benchmark's question", "x"] for s in samples]
    write_xlsx(tmp_path / "wrong.xlsx", ["index", "question", "prediction"], rows)
    with pytest.raises(UsageError, match="another question"):
        _score(tmp_path, tmp_path / "wrong.xlsx")


def test_strict_makes_unread_replies_failures(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    replies = {s.id: ("I think C" if i % 4 == 0 else s.target) for i, s in enumerate(samples)}
    official = _score(tmp_path, _jsonl(tmp_path / "p.jsonl", replies))
    strict = _score(tmp_path, _jsonl(tmp_path / "p.jsonl", replies), "strict")
    assert official.metric("unread_rate").value == pytest.approx(9 / 36)
    assert official.metric("accuracy").value == pytest.approx(27 / 36)
    assert strict.failures.unparseable == 9 and strict.metric("accuracy").value == 1.0
    assert not strict.protocol.official


def test_likelihood_protocol_reads_option_scores(tmp_path: Path) -> None:
    sample = _samples(tmp_path)[0]
    protocol = TASK.protocol("likelihood")
    calls = TASK.plan(sample, TASK.generation, protocol)
    assert [c.kind for c in calls] == ["loglikelihood"] and calls[0].options == ("A", "B", "C", "D")
    scores = tuple(
        ChoiceScore(option=o, logprob=0.0 if o == sample.target else -2.0, num_tokens=1)
        for o in "ABCD"
    )
    response = Response(key="k", text="", finish_reason="stop", choices=scores)
    item = TASK.score(Evidence(sample, {"answer": response}), protocol)
    assert item.values["correct"] == 1.0 and item.values["unread"] == 0.0


def test_prompt_is_the_official_layout(tmp_path: Path) -> None:
    sample = _samples(tmp_path)[0]
    prompt = TASK.render_prompt(sample)
    assert prompt.startswith(f"Question: {sample.question}\n")
    assert prompt.endswith("Answer with the option's letter from the given choices directly.")
    assert TASK.default_protocol == "official" == TASK.official_protocol
    assert {m.name for m in TASK.metrics} >= {f"accuracy_{slug(a)}" for _, a in AXES}
