"""The official retry rule in the judge stage, against a loopback OpenAI-compatible judge:
each retry's prompt and temperature, the sixth reply that is never read, every attempt
recorded and cached, strict on the same calls, and `--judge-runs` chains of their own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.evaluation import TaskEvaluation
from mmalign_eval.judges.records import JudgeConfig
from mmalign_eval.registry import build_registry
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval.testing import FakeJudgeServer
from mmalign_eval_tasks.preference.mm_vet.grading import RETRY_SUFFIX
from mmalign_eval_tasks.preference.mm_vet.synthetic import OFFICIAL_FILE, ensure_synthetic_mmvet

KEY_ENV = "MMALIGN_TEST_MMVET_KEY"
# The model's answer decides how the judge replies (it is the row's prediction cell).
ANSWERS = {"v1_0": "NEVER", "v1_1": "RETRY-ONCE", "v1_2": "SIXTH-SAYS-0.9"}


def _reply(server: FakeJudgeServer) -> Any:
    def reply(prompt: str) -> str:
        temperature = server.bodies[-1]["temperature"]  # one request in flight at a time
        retried = prompt.endswith(RETRY_SUFFIX)
        if "| NEVER |" in prompt:
            return "Sorry, I"
        if "| RETRY-ONCE |" in prompt:
            return "0.6" if retried else "The prediction"
        if "| SIXTH-SAYS-0.9 |" in prompt:
            return "0.9" if temperature == 2.0 else "N/A"  # the ignored sixth call
        return "0.8 (mostly right)"

    return reply


@pytest.fixture
def judge(fake_judge: FakeJudgeServer, monkeypatch: pytest.MonkeyPatch) -> FakeJudgeServer:
    monkeypatch.setenv(KEY_ENV, "sk-test")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake_judge.reply = _reply(fake_judge)
    return fake_judge


def _score(
    tmp_path: Path, server: FakeJudgeServer, protocol: str | None = None, runs: int = 1
) -> TaskEvaluation:
    data = ensure_synthetic_mmvet(tmp_path / "data", 8)
    ids = list(json.loads((data / OFFICIAL_FILE).read_text()))
    result_file = tmp_path / "model.json"  # the official result-file format
    result_file.write_text(json.dumps({qid: ANSWERS.get(qid, "An answer.") for qid in ids}))
    config = JudgeConfig(
        spec="openai:gpt-4-0613", base_url=server.base_url, api_key_env=KEY_ENV,
        retry_base_s=0.01, concurrency=1, runs=runs,
    )  # fmt: skip
    request = ScoreRequest(
        task=build_registry().tasks["mm_vet"], predictions=result_file,
        data=DataRequest(source=str(data), cache_dir=str(tmp_path / "cache"), need_media=False),
        protocol=protocol, resamples=20, judge=config, output_dir=tmp_path / f"out-{runs}",
    )  # fmt: skip
    return score_predictions(request)[1]


def _metrics(evaluation: TaskEvaluation) -> dict[str, Any]:
    return {m.name: m.value for m in evaluation.result.metrics}


def _chain(server: FakeJudgeServer, marker: str) -> list[tuple[Any, bool]]:
    """(temperature, suffixed) of each call whose prompt grades the given answer."""
    out = []
    bodies: list[dict[str, Any]] = list(server.bodies)
    for body in bodies:
        prompt = body["messages"][-1]["content"]
        if f"| {marker} |" in prompt:
            out.append((body["temperature"], prompt.endswith(RETRY_SUFFIX)))
    return out


def test_the_official_retry_rule_through_the_judge_stage(
    judge: FakeJudgeServer, tmp_path: Path
) -> None:
    evaluation = _score(tmp_path, judge)
    schedule = [(0.0, False), (0.0, True), (0.5, True), (1.0, True), (1.5, True), (2.0, True)]
    assert _chain(judge, "NEVER") == schedule
    assert _chain(judge, "SIXTH-SAYS-0.9") == schedule
    assert _chain(judge, "RETRY-ONCE") == schedule[:2]
    assert judge.calls == 5 + 2 + 6 + 6
    got = _metrics(evaluation)
    # v1_0 and v1_2 are the official 0.0 (v1_2's sixth reply said 0.9, never read);
    # v1_1 scores its retry's 0.6, the five others 0.8: 4.6 / 8 x 100.
    assert got["total"] == 57.5 and got["fallback_count"] == 2 and got["retry_count"] == 11
    records = {r.id: r for r in evaluation.records}
    never = records["v1_0"].judgement
    assert never is not None and never.earlier == ("Sorry, I",) * 5 and never.text == "Sorry, I"
    assert records["v1_0"].status == "ok" and "ignores that reply" in (records["v1_0"].reason or "")
    sixth = records["v1_2"].judgement
    assert sixth is not None and sixth.status == "ok" and sixth.text == "0.9"
    assert records["v1_1"].parsed == {"runs": [{"score": 0.6, "fallback": False, "retries": 1}]}
    assert evaluation.result.judge is not None
    assert evaluation.result.judge.counts.unparseable == 1  # v1_0's sixth reply

    # Strict makes the same calls (all cached now) and fails the two gradings instead.
    calls = judge.calls
    strict = _score(tmp_path, judge, protocol="strict")
    assert judge.calls == calls
    assert strict.result.failures.unparseable == 2 and strict.result.n_scored == 6
    assert _metrics(strict)["total"] == round(4.6 / 6 * 100, 1)


def test_judge_runs_grade_every_item_again_with_chains_of_their_own(
    judge: FakeJudgeServer, tmp_path: Path
) -> None:
    evaluation = _score(tmp_path, judge, runs=2)
    assert judge.calls == 2 * (5 + 2 + 6 + 6)
    assert len(_chain(judge, "NEVER")) == 12
    got = _metrics(evaluation)
    assert (got["judge_runs"], got["total"], got["total_std"]) == (2.0, 57.5, 0.0)
    assert got["fallback_count"] == 4 and got["retry_count"] == 22
    record = next(r for r in evaluation.records if r.id == "v1_0")
    assert set(record.judgements) == {"judge#1"}
    assert len(record.judgements["judge#1"].earlier) == 5
    # Run 0 is the plain run: a one-run scoring in the same folder reuses all its calls.
    calls = judge.calls
    request_dir = tmp_path / "out-1"
    (tmp_path / "out-2").rename(request_dir)
    assert _metrics(_score(tmp_path, judge))["total"] == 57.5 and judge.calls == calls
