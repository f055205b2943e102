"""`score` inputs: the official inference output (MM-RLHF's and R1-Reward's), the harness's
rewards lines, and what is refused or counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import DataError
from mmalign_eval_tasks.reward.mm_rlhf_rewardbench.official import read_reward_files


def _write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_official_output_is_matched_by_position_within_its_id(kit: Any, tmp_path: Path) -> None:
    _, lines = kit.synthetic(6, seed=3)
    predictions = read_reward_files(_write(tmp_path / "result.jsonl", lines))
    assert predictions is not None
    groups = {line["id"] for line in lines}
    assert sorted(predictions) == sorted(f"{g}:{k}" for g in groups for k in range(2))
    first = predictions[f"{lines[0]['id']}:0"]
    assert first.rewards == tuple(float(r) for r in lines[0]["rewards"])
    assert first.text is None and first.questions == (lines[0]["prompt"],)  # critic is a list


def test_harness_rewards_lines(kit: Any, tmp_path: Path) -> None:
    bench, lines = kit.synthetic(4, seed=1)
    ids = [s["id"] for s in lines]
    rows: list[dict[str, Any]] = [{"id": f"{ids[0]}:0", "rewards": [1.0, 0.5]},
            {"id": f"{ids[0]}:1", "rewards": {"chosen": 0.1, "rejected": 0.2}},
            {"id": f"{ids[2]}:0", "rewards": [3, 3]}]  # fmt: skip
    evaluation = kit.score(bench, _write(tmp_path / "rewards.jsonl", rows))
    result = evaluation.result
    assert result.n_scored == 3 and result.failures.missing == 1  # every pair counts
    got = kit.metrics(evaluation)
    assert got["accuracy"] == pytest.approx(1 / 3) and got["tie_rate"] == pytest.approx(1 / 3)
    # A rewards line has no answer text: the generative protocols fail it, never guess.
    judged = kit.score(bench, tmp_path / "rewards.jsonl", "generative").result
    assert judged.n_scored == 0 and judged.failures.error == 3


@pytest.mark.parametrize(
    ("rows", "message"),
    [([{"id": "a", "rewards": [1, 0]}, {"id": "a", "rewards": [0, 1]}], "id a appears twice"),
     ([{"id": "a:0", "rewards": [1]}], "is not two numbers"),
     ([{"id": "a:0", "rewards": ["1", "0"]}], "is not two numbers"),
     ([{"id": "a", "chosen": "c", "rejected": "r", "rewards": [1, 0]},
       {"id": "a", "chosen": "c", "rejected": "r"}], "line 2 lacks one of")],
)  # fmt: skip
def test_malformed_files_are_refused(tmp_path: Path, rows: list[Any], message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_reward_files(_write(tmp_path / "bad.jsonl", rows))


def test_other_files_go_to_the_harness_reader(tmp_path: Path) -> None:
    answers = _write(tmp_path / "answers.jsonl", [{"id": "a:0", "answer": "<answer>1</answer>"}])
    assert read_reward_files(answers) is None
    both = _write(tmp_path / "both.jsonl", [{"id": "a:0", "answer": "x", "rewards": [1, 0]}])
    assert read_reward_files(both) is None  # the harness reader reads text and rewards
    array = tmp_path / "array.json"
    array.write_text('[{"id": "a:0", "answer": "1"}]', encoding="utf-8")
    assert read_reward_files(array) is None
    assert read_reward_files(tmp_path / "absent.jsonl") is None


def test_generative_answers_as_json_lines(kit: Any, tmp_path: Path) -> None:
    bench, lines = kit.synthetic(4, seed=2)
    seen: dict[str, int] = {}
    rows = []
    for line, reply in zip(lines, ["<answer>1</answer>", "2", "none", "<answer>1</answer>"],
                           strict=True):  # fmt: skip
        k = seen[line["id"]] = seen.get(line["id"], -1) + 1
        rows.append({"id": f"{line['id']}:{k}", "answer": reply})
    path = _write(tmp_path / "answers.jsonl", rows)
    got = kit.metrics(kit.score(bench, path, "generative"))
    assert (got["accuracy"], got["unparsed_rate"]) == (0.5, 0.25)
    strict = kit.score(bench, path, "generative_strict").result
    assert strict.n_scored == 3 and strict.failures.unparseable == 1
