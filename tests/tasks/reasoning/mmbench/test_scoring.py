"""MMBench `score`: the harness's per-rotation JSON Lines and VLMEvalKit's prediction tables,
the judge stage (official prompt, settled rotations answered by the rule), the protocols."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import DataError, DataRequest
from mmalign_eval.judges.records import JudgeConfig
from mmalign_eval.results import TaskResult
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.toolkit.tables import write_xlsx
from mmalign_eval_tasks.reasoning.mmbench.fallback import OFFICIAL_SEED
from mmalign_eval_tasks.reasoning.mmbench.items import OFFSET, MMBenchInfo, Rotation
from mmalign_eval_tasks.reasoning.mmbench.judge import judge_calls, judge_prompt
from mmalign_eval_tasks.reasoning.mmbench.matching import can_infer
from mmalign_eval_tasks.reasoning.mmbench.predictions import read_rotations
from mmalign_eval_tasks.reasoning.mmbench.task import mmbench_en_dev

TASK = mmbench_en_dev()
SIZE = 24


def _samples(cache: Path) -> list[Any]:
    request = DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(cache), need_media=False)
    return list(TASK.loader(request).samples)


def _replies(samples: list[Any], seed: int) -> dict[tuple[str, int], str]:
    rng = random.Random(seed)
    out = {}
    for sample in samples:
        for k, rotation in enumerate(sample.info.rotations):
            text = rotation.options[rotation.answer]
            out[sample.id, k] = rng.choice(
                [rotation.answer, rotation.answer, f"({rotation.answer})", text, "hmm", "A", "Z"]
            )
    return out


def _jsonl(path: Path, replies: dict[tuple[str, int], str], copy_ids: bool = False) -> Path:
    lines = []
    for (qid, k), reply in replies.items():
        if copy_ids:
            lines.append({"id": int(qid) + k * OFFSET, "answer": reply})
        else:
            lines.append({"id": qid, "rotation": k, "answer": reply})
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def _score(
    tmp_path: Path, predictions: Path, protocol: str | None, judge: JudgeConfig | None = None
) -> TaskResult:
    request = ScoreRequest(
        task=TASK,
        predictions=predictions,
        data=DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(tmp_path), need_media=False),
        protocol=protocol,
        resamples=20,
        judge=judge,
        output_dir=tmp_path / "out",
    )
    return score_predictions(request)[0].tasks[0]


def _reference(samples: list[Any], replies: dict[tuple[str, int], str], judge: str | None) -> float:
    """mcq_circular_eval restated (nproc=1, seed 2680); judge None: exact matching."""
    random.seed(OFFICIAL_SEED)
    hits = 0
    for sample in samples:
        rotations = sample.info.rotations
        found = [can_infer(replies[sample.id, k], r.options) for k, r in enumerate(rotations)]
        if any(f and f != r.answer for f, r in zip(found, rotations, strict=True)):
            continue
        if all(found):
            hits += 1
            continue
        if judge is None:
            continue
        ok = True
        for k, rotation in enumerate(rotations):
            if found[k]:
                continue
            pick = can_infer(judge, rotation.options) or random.choice([*rotation.options, "Z"])
            if pick != rotation.answer:
                ok = False
                break
        hits += ok
    return hits / len(samples)


@pytest.mark.parametrize("copy_ids", [False, True], ids=["rotation field", "copy ids"])
def test_exact_protocol_on_json_lines(tmp_path: Path, copy_ids: bool) -> None:
    samples = _samples(tmp_path)
    replies = _replies(samples, seed=1)
    result = _score(tmp_path, _jsonl(tmp_path / "p.jsonl", replies, copy_ids), "exact")
    assert result.n_scored == SIZE and result.judge is None
    assert result.metric("accuracy").value == pytest.approx(_reference(samples, replies, None))
    assert 0 < (result.metric("judged_rate").value or 0) < 1


def test_vlmevalkit_prediction_table(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    replies = _replies(samples, seed=2)
    rows = [[int(q) + k * OFFSET, reply] for (q, k), reply in replies.items()]
    random.Random(0).shuffle(rows)  # rows are matched by index, not order
    write_xlsx(tmp_path / "model_MMBench_DEV_EN.xlsx", ["index", "prediction"], rows)
    result = _score(tmp_path, tmp_path / "model_MMBench_DEV_EN.xlsx", "exact")
    assert result.metric("accuracy").value == pytest.approx(_reference(samples, replies, None))


def test_official_protocol_with_a_judge(
    tmp_path: Path, fake_judge: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_JUDGE_KEY", "k")
    fake_judge.reply = lambda prompt: "I am not sure"  # never an option: the random pick
    samples = _samples(tmp_path)
    replies = _replies(samples, seed=3)
    config = JudgeConfig(spec="openai:fake", base_url=fake_judge.base_url,
                         api_key_env="FAKE_JUDGE_KEY", max_retries=0)  # fmt: skip
    result = _score(tmp_path, _jsonl(tmp_path / "p.jsonl", replies), None, config)
    assert result.protocol.name == "official" and result.protocol.official
    expected = _reference(samples, replies, "I am not sure")
    assert result.metric("accuracy").value == pytest.approx(expected)
    assert (result.metric("fallback_rate").value or 0) > 0
    # Only rotations the rule left open in open questions were sent to the judge.
    open_rotations = 0
    for sample in samples:
        rotations = sample.info.rotations
        found = [can_infer(replies[sample.id, k], r.options) for k, r in enumerate(rotations)]
        settled = any(f and f != r.answer for f, r in zip(found, rotations, strict=True))
        if not settled and not all(found):
            open_rotations += sum(f is None for f in found)
    assert fake_judge.calls == open_rotations > 0
    assert result.judge is not None and not result.judge.official


def test_missing_rotation_is_a_failure(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    replies = {key: value for key, value in _replies(samples, seed=4).items() if key != ("1", 1)}
    result = _score(tmp_path, _jsonl(tmp_path / "p.jsonl", replies), "exact")
    assert result.failures.error == 1 and result.n_scored == SIZE - 1
    assert "circular-1" in str(result.failure_examples[0].reason)


def test_single_protocol_asks_the_original_order_only(
    tmp_path: Path, fake_judge: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_JUDGE_KEY", "k")
    fake_judge.reply = lambda prompt: "Z" if "dog" in prompt else "unsure"
    samples = _samples(tmp_path)
    plan = TASK.plan(samples[2], TASK.generation, TASK.protocol("single"))
    assert [c.role for c in plan] == ["circular-0"]
    replies = {key: value for key, value in _replies(samples, seed=5).items() if key[1] == 0}
    config = JudgeConfig(spec="openai:fake", base_url=fake_judge.base_url,
                         api_key_env="FAKE_JUDGE_KEY", max_retries=0)  # fmt: skip
    result = _score(tmp_path, _jsonl(tmp_path / "p.jsonl", replies), "single", config)
    random.seed(OFFICIAL_SEED)  # VLMEvalKit's vanilla evaluation restated
    hits = 0
    for sample in samples:
        rotation = sample.info.rotations[0]
        read = can_infer(replies[sample.id, 0], rotation.options)
        if read is None:
            judged = (
                "Z"
                if "dog" in judge_prompt(sample.info, rotation, replies[sample.id, 0])
                else "unsure"
            )
            read = can_infer(judged, rotation.options) or random.choice([*rotation.options, "Z"])
        hits += read == rotation.answer
    assert result.failures.total == 0
    assert result.metric("accuracy").value == pytest.approx(hits / SIZE)


def test_prediction_files_are_checked(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": 1, "rotation": 0, "answer": "A"}) * 1 + "\n"
                   + json.dumps({"id": 1, "rotation": 0, "answer": "B"}) + "\n")  # fmt: skip
    with pytest.raises(DataError, match="twice"):
        read_rotations(bad)
    bad.write_text(json.dumps({"id": 1, "rotation": -1, "answer": "A"}) + "\n")
    with pytest.raises(DataError, match="rotation"):
        read_rotations(bad)
    bad.write_text(json.dumps({"id": 1, "answer": "A", "judgement": "B"}) + "\n")
    with pytest.raises(DataError, match="judgement"):
        read_rotations(bad)
    bad.write_text(json.dumps({"rotation": 0, "answer": "A"}) + "\n")
    with pytest.raises(DataError, match="lacks an id"):
        read_rotations(bad)
    write_xlsx(tmp_path / "t.xlsx", ["index", "answer"], [[1, "A"]])
    with pytest.raises(DataError, match="has columns"):
        read_rotations(tmp_path / "t.xlsx")
    (tmp_path / "x.txt").write_text("A")
    assert read_rotations(tmp_path / "x.txt") is None


def test_predictions_by_rotation(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    lines = [{"id": "3", "answer": "A"}, {"id": 3, "rotation": 2, "prediction": "C"},
             {"question_id": 1_000_003, "response": None}]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    read = read_rotations(path)
    assert read is not None
    (prediction,) = read.values()
    assert prediction.id == "3" and prediction.text == "A"
    assert dict(prediction.other_roles) == {
        "circular-0": "A",
        "circular-1": None,
        "circular-2": "C",
    }


# -- the judge's prompt and calls -----------------------------------------------------------

INFO = MMBenchInfo(
    index=5, question="What is shown?", hint="A hint", category="ocr", l2_category="x",
    rotations=(Rotation(index=5, options={"A": "cat", "B": "dog"}, answer="B"),
               Rotation(index=1_000_005, options={"A": "dog", "B": "cat"}, answer="A")),
)  # fmt: skip


def test_official_judge_prompt() -> None:
    prompt = judge_prompt(INFO, INFO.rotations[0], "a puppy")
    assert prompt.startswith("You are an AI assistant who will help me to match an answer")
    # The question gets a '?' appended (even after its own), the options a header line,
    # and the hint is left out.
    assert prompt.endswith(
        "Example 3: \nQuestion: What is shown??\nOptions: There are several options: \n"
        "A. cat\nB. dog\n\nAnswer: a puppy\nYour output: "
    )
    chinese = INFO.model_copy(update={"question": "图中是什么"})
    assert judge_prompt(chinese, INFO.rotations[0], "狗").startswith("你是一个帮助我匹配答案")


def test_judge_calls_leave_settled_rotations_to_the_rule(tmp_path: Path) -> None:
    from mmalign_eval import Response, Sample

    sample = Sample(id="5", task=TASK.name, question="q", info=INFO)

    def calls(*replies: str) -> list[tuple[str, str | None, tuple[str, ...]]]:
        responses = {f"circular-{k}": Response(key=str(k), text=r, finish_reason="stop")
                     for k, r in enumerate(replies)}  # fmt: skip
        return [(c.role, c.fixed, c.choices) for c in judge_calls(sample, responses, True)]

    assert calls("hmm", "A") == [("circular-0", None, ("A", "B", "Z")),
                                 ("circular-1", "A", ("A", "B", "Z"))]  # fmt: skip
    # A rotation read wrong settles the question: nothing is asked, not even 'hmm'.
    assert [fixed for _, fixed, _ in calls("hmm", "B")] == ["", "B"]
    assert [fixed for _, fixed, _ in calls("dog", "dog")] == ["B", "A"]
    single = {"circular-0": Response(key="0", text="hmm", finish_reason="stop")}
    assert [c.role for c in judge_calls(sample, single, False)] == ["circular-0"]
