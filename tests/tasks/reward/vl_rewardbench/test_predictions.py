"""VL-RewardBench answers for `score`: the harness's JSON Lines (judgements with their
orders, rewards) and inference_hf.py's output, read into roles that keep each reply's
order, then scored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import DataError, DataRequest, Evidence, Response
from mmalign_eval.registry import build_registry
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval_tasks.reward.vl_rewardbench.data import SOURCES
from mmalign_eval_tasks.reward.vl_rewardbench.official import rejected_position
from mmalign_eval_tasks.reward.vl_rewardbench.plan import order_of
from mmalign_eval_tasks.reward.vl_rewardbench.predictions import read_vl_rewardbench

TASK = build_registry().tasks["vl_rewardbench"]
SIZE = 4


def _write(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_harness_lines(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.jsonl", [
        {"id": "a", "judgements": [{"order": "AB", "text": "t0"}, {"order": "BA", "text": None}],
         "query": "q"},
        {"id": "b", "rewards": [1.5, -2]},
        {"id": "c", "rewards": {"chosen": 0.1, "rejected": 0.2}, "judgements": []},
    ])  # fmt: skip
    read = read_vl_rewardbench(path)
    assert read is not None
    assert dict(read["a"].other_roles) == {"sample-0-AB": "t0", "sample-1-BA": None}
    assert read["a"].questions == ("q",) and read["a"].rewards == ()
    assert read["b"].rewards == (1.5, -2.0) and not read["b"].other_roles
    assert read["c"].rewards == {"chosen": 0.1, "rejected": 0.2}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"id": "a", "judgements": {"judge": "x"}}, "not a list"),
        ({"id": "a", "judgements": [{"order": "AC", "text": "x"}]}, "order 'AC'"),
        ({"id": "a", "judgements": [{"text": "x"}]}, "lacks its order"),
        ({"id": "a", "rewards": [1, 2, 3]}, "rewards"),
        ({"id": "a", "rewards": {"chosen": 1}}, "rewards"),
        ({"id": "a", "answer": "Answer 1"}, "neither judgements nor rewards"),
        ({"judgements": []}, "neither judgements nor rewards"),
    ],
)
def test_harness_line_errors(tmp_path: Path, row: dict[str, Any], message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_vl_rewardbench(_write(tmp_path / "p.jsonl", [row]))


def test_one_line_per_id_and_other_files(tmp_path: Path) -> None:
    twice = [{"id": "a", "rewards": [1, 0]}, {"id": "a", "rewards": [0, 1]}]
    with pytest.raises(DataError, match="appears twice"):
        read_vl_rewardbench(_write(tmp_path / "p.jsonl", twice))
    assert read_vl_rewardbench(tmp_path / "table.tsv") is None


def _official_line(item_id: str, random_number: int, reply: object) -> dict[str, Any]:
    return {"id": item_id, "query": f"query of {item_id}", "response": ["r0", "r1"],
            "ranking": [0, 1], "models": ["m", "m"], "judge": "human", "rationale": None,
            "query_source": "COCO", "meta": {"filter_choice": reply, "random_number":
            random_number, "flag_status": "agree", "filter_number": 1}}  # fmt: skip


def test_inference_hf_output(tmp_path: Path) -> None:
    rows = [_official_line("x", 1, "r-a"), _official_line("y", 0, "r-b"),
            _official_line("x", 0, None), _official_line("x", 1, "r-c")]  # fmt: skip
    read = read_vl_rewardbench(_write(tmp_path / "model-1025.jsonl", rows))
    assert read is not None
    assert dict(read["x"].other_roles) == {"sample-0-BA": "r-a", "sample-1-AB": None,
                                           "sample-2-BA": "r-c"}  # fmt: skip
    assert read["x"].questions == ("query of x",) and read["y"].text == ""
    wrapped = [{"0": row} for row in rows] + [{"0": None}]  # cal.py skips null items
    again = read_vl_rewardbench(_write(tmp_path / "wrapped.jsonl", wrapped))
    assert again is not None and dict(again["x"].other_roles) == dict(read["x"].other_roles)
    bad = [_official_line("x", 2, "r")]
    with pytest.raises(DataError, match="order 2"):
        read_vl_rewardbench(_write(tmp_path / "bad.jsonl", bad))


def test_official_roles_read_with_their_own_orders(tmp_path: Path) -> None:
    """Each reply is read in the order it was shown, whatever order the plan would draw."""
    (sample,) = SOURCES.load(
        DataRequest(source="synthetic:1", cache_dir=str(tmp_path), need_media=False)
    ).samples
    chosen = sample.info.chosen
    verdicts = [(n, f"Therefore, Answer {rejected_position(chosen, o)} is better")
                for n, o in ((0, "AB"), (1, "BA"), (1, "BA"))]  # fmt: skip
    rows = [_official_line(sample.id, n, text) for n, text in verdicts]
    read = read_vl_rewardbench(_write(tmp_path / "o.jsonl", rows))
    assert read is not None
    responses = {
        role: Response(key=role, text=text or "", finish_reason="stop")
        for role, text in read[sample.id].other_roles.items()
    }
    parsed: Any = TASK.score(Evidence(sample, responses), TASK.protocol("official")).parsed
    assert parsed["decided"] == "reject" and parsed["orders"] == ["AB", "BA", "BA"]


def _score(tmp_path: Path, rows: list[Any], protocol: str | None) -> dict[str, float | None]:
    request = ScoreRequest(
        task=TASK, predictions=_write(tmp_path / "p.jsonl", rows),
        data=DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(tmp_path), need_media=False),
        protocol=protocol, resamples=20, output_dir=tmp_path / "out",
    )  # fmt: skip
    _, evaluation = score_predictions(request)
    assert evaluation.result.failures.total == 0
    return {m.name: m.value for m in evaluation.result.metrics}


def _reply(chosen: int, order: Any, agree: bool) -> str:
    rejected = rejected_position(chosen, order)
    return f"**Overall Judgment**: Answer {3 - rejected if agree else rejected} is better"


def test_score_judgements_and_rewards(tmp_path: Path) -> None:
    samples = SOURCES.load(
        DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(tmp_path), need_media=False)
    ).samples
    judged = []
    for index, sample in enumerate(samples):
        orders = [order_of(sample.id, k) for k in range(10)]
        # Items 0 and 1 agree; item 2 rejects; item 3 never names an answer.
        replies = [_reply(sample.info.chosen, o, agree=index != 2) for o in orders]
        if index == 3:
            replies = ["no verdict"] * len(orders)
        judgements = [{"order": o, "text": t} for o, t in zip(orders, replies, strict=True)]
        judged.append({"id": sample.id, "judgements": judgements})
    official = _score(tmp_path, judged, None)
    assert official["accuracy"] == pytest.approx(2 / 3)
    assert official["accuracy_reasoning"] == 0.0 and official["accuracy_general"] == 1.0
    assert official["excluded_count"] == 1.0 and official["unparsed_majority_count"] == 1.0
    rewards = [{"id": s.id, "rewards": [1.0, 0.0] if n else [0.0, 0.0]}
               for n, s in enumerate(samples)]  # fmt: skip
    scalar = _score(tmp_path, rewards, "scalar")
    assert scalar["accuracy"] == 0.75 and scalar["excluded_count"] == 0.0


def test_a_file_in_its_own_orders_and_k_scores_through_the_cli_path(tmp_path: Path) -> None:
    """score takes a line's replies as given (replaces_plan): orders the plan would not draw
    and 3 replies instead of 10 fail nothing; rewards alone pick the scalar protocol."""
    samples = SOURCES.load(
        DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(tmp_path), need_media=False)
    ).samples
    rows = []
    for sample in samples:
        flipped = ["BA" if order_of(sample.id, k) == "AB" else "AB" for k in range(3)]
        judgements = [{"order": o, "text": _reply(sample.info.chosen, o, agree=True)}
                      for o in flipped]  # fmt: skip
        rows.append({"id": sample.id, "judgements": judgements})
    assert _score(tmp_path, rows, None)["accuracy"] == 1.0
    rewards = [{"id": s.id, "rewards": [1.0, 0.0]} for s in samples]
    assert _score(tmp_path, rewards, None)["accuracy"] == 1.0  # no --protocol: scalar


def test_a_json_array_of_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"id": "a", "rewards": [1, 0]}]), encoding="utf-8")
    read = read_vl_rewardbench(path)
    assert read is not None and read["a"].rewards == (1.0, 0.0)
