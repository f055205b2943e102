"""`score wildvision_bench` on WildVision's own judgement files and on the harness's JSON
Lines: show_results.py's numbers without a judge call, its quirks included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mmalign_eval import UsageError
from mmalign_eval.registry import build_registry
from mmalign_eval.results import TaskResult
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.preference.wildvision.data import SOURCES
from mmalign_eval_tasks.preference.wildvision.official import judgement_text, read_judgements

SIZE = 6
# (reply field, reply, recorded score): the shapes published files hold.
GAMES: list[tuple[str, str, Any]] = [
    ("judgment", "My answer... Final verdict: [[B>>A]]", "B>>A"),
    ("judgment", "\n$ERROR$\n$ERROR$", "A=B"),  # an API failure recorded as a tie
    ("judgment", "I cannot decide.", None),  # no verdict after the follow-up
    ("judgement", "B misses the sign. [[A>B]]", "A>B"),  # aria.jsonl's key
    ("judgment", "The image shows a cat.", "The image shows a cat."),  # lmms-eval: reply as score
    ("judgment", "[[A>>B]] ... [[A>>B]]", "A>>B"),
]


def _samples(tmp_path: Path) -> list[Any]:
    request = DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(tmp_path), need_media=False)
    samples: list[Any] = SOURCES.load(request).samples
    return samples


def _prompt(question: str, baseline: str, answer: str) -> str:
    return (
        f"<|User Prompt|>\n{question}\n\n<|The Start of Assistant A's Answer|>\n{baseline}\n"
        f"<|The End of Assistant A's Answer|>\n\n<|The Start of Assistant B's Answer|>\n"
        f"{answer}\n<|The End of Assistant B's Answer|>"
    )


def _judgement_file(tmp_path: Path, question: str | None = None) -> Path:
    rows = []
    for index, (sample, (field, reply, score)) in enumerate(
        zip(_samples(tmp_path), GAMES, strict=True)
    ):
        text = _prompt(question or sample.question, sample.info.baseline, f"model answer {index}")
        prompt = None if index == 4 else [{"type": "text", "text": text},
                                           {"type": "image", "image": "ab12"}]  # fmt: skip
        game = {"user_prompt": prompt, field: reply, "score": score}
        rows.append({"question_id": sample.id, "model": "m", "judge": "gpt-4o", "games": [game]})
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _official_numbers(scores: list[Any]) -> dict[str, float]:
    """show_results.py restated: get_reward_from_judgement and the battles' win share."""
    reward_of = {"A=B": 0, "A>B": -50, "A>>B": -100, "B>A": 50, "B>>A": 100}
    rewards = [reward_of.get(s, 0) for s in scores]
    battles = {"A=B": (0.5, 1), "A>B": (0, 1), "A>>B": (0, 3), "B>A": (1, 1), "B>>A": (3, 3)}
    won = sum(battles[s][0] for s in scores if s in battles)
    fought = sum(battles[s][1] for s in scores if s in battles)
    return {
        "reward": sum(rewards) / len(rewards),
        "win_rate": sum(r > 0 for r in rewards) / len(rewards),
        "score": round(100 * won / fought, 2),
    }


def _score(tmp_path: Path, predictions: Path, protocol: str | None = None) -> TaskResult:
    request = ScoreRequest(
        task=build_registry().tasks["wildvision_bench"],
        predictions=predictions,
        data=DataRequest(source=f"synthetic:{SIZE}", cache_dir=str(tmp_path), need_media=False),
        protocol=protocol,
        resamples=20,
        output_dir=tmp_path / "out",
    )
    return score_predictions(request)[0].tasks[0]


def test_reader_keeps_the_recorded_score_and_recovers_the_answer(tmp_path: Path) -> None:
    predictions = read_judgements(_judgement_file(tmp_path))
    assert predictions is not None
    by_order = list(predictions.values())
    assert by_order[0].text == "model answer 0" and by_order[0].questions
    assert by_order[4].text == "" and by_order[4].questions == ()  # no prompt kept
    parsed = [build_registry().tasks["wildvision_bench"].judge.parse(p.judgement or "")  # type: ignore[union-attr]
              for p in by_order]  # fmt: skip
    assert parsed == ["B>>A", "A=B", None, "A>B", None, "A>>B"]


@pytest.mark.parametrize(
    ("game", "text"),
    [({"judgment": "x [[B>A]]", "score": "B>A"}, "x [[B>A]]"),
     ({"judgment": "$ERROR$", "score": "A=B"}, "recorded score: [[A=B]]"),
     ({"judgment": "[[A]]", "score": "A"}, "[[A]]"),
     ({"judgment": "none", "score": None}, "recorded score holds no verdict: 'None'"),
     ({"score": "B>>A"}, "recorded score: [[B>>A]]")],
)  # fmt: skip
def test_judgement_text_reads_as_the_score(game: dict[str, Any], text: str) -> None:
    assert judgement_text(game) == text


def test_score_reproduces_show_results(tmp_path: Path) -> None:
    task = _score(tmp_path, _judgement_file(tmp_path))
    metrics: dict[str, Any] = {m.name: m.value for m in task.metrics}
    expected = _official_numbers([score for _, _, score in GAMES])
    assert task.protocol.name == "official" and task.n_scored == SIZE
    assert round(metrics["score"], 2) == expected["score"]
    assert metrics["reward"] == pytest.approx(expected["reward"])
    assert metrics["win_rate"] == pytest.approx(expected["win_rate"])
    assert metrics["unparsed_rate"] == pytest.approx(2 / SIZE)
    assert task.judge is not None and task.judge.calls == 0


def test_strict_counts_the_unparsed_verdicts_as_failures(tmp_path: Path) -> None:
    task = _score(tmp_path, _judgement_file(tmp_path), "strict")
    assert task.n_scored == SIZE - 2
    assert {m.name: m.value for m in task.metrics}["unparsed_rate"] == 0.0


def test_harness_json_lines_with_judgements(tmp_path: Path) -> None:
    samples = _samples(tmp_path)
    replies = ["[[B>A]]", "[[A=B]]", "no verdict", "[[A>>B]]", "[[B>>A]]", "[[A>B]] [[B>A]]"]
    lines = [
        {"id": s.id, "answer": "a", "judgement": r} for s, r in zip(samples, replies, strict=True)
    ]
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    metrics: dict[str, Any] = {m.name: m.value for m in _score(tmp_path, path).metrics}
    assert metrics["reward"] == pytest.approx((50 + 0 + 0 - 100 + 100 + 0) / 6)
    assert metrics["score"] == pytest.approx(100 * (1 + 0.5 + 3) / (1 + 1 + 3 + 3))


def test_a_file_for_other_instructions_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="ask another question"):
        _score(tmp_path, _judgement_file(tmp_path, question="Something else entirely?"))
