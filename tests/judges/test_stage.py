"""The judge stage: its missing-judge message, official retries, repeated runs, and replies
cached the moment they arrive."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from mmalign_eval.contracts import Response, Sample
from mmalign_eval.judges.cache import JudgeCache
from mmalign_eval.judges.records import (
    JudgeConfig,
    JudgeIdentity,
    JudgeInput,
    JudgeReply,
    JudgeRequest,
    JudgeTaskSpec,
    Verdict,
)
from mmalign_eval.judges.stage import JudgedTask, missing_judge_message, run_stage, task_verdicts
from mmalign_eval.judges.templates import JudgeTemplate


@pytest.mark.parametrize(
    ("tasks", "free", "error", "hint_end"),
    [
        (["mmhal_bench"], None, "mmhal_bench is scored by a judge model", "offline demo"),
        (["mmhal_bench"], {"mmhal_bench": None}, "mmhal_bench is", "offline demo"),
        (["mathvista_testmini"], {"mathvista_testmini": "rule"}, "mathvista_testmini is",
         "score without a judge: --protocol mathvista_testmini=rule"),
        (["a", "b"], {"a": "exact", "b": "rule"}, "a, b are scored",
         "--protocol a=exact --protocol b=rule"),
        (["a", "b"], {"b": "rule"}, "a, b are scored", "--protocol b=rule"),
    ],
)  # fmt: skip
def test_missing_judge_names_a_protocol_that_needs_none(
    tasks: list[str], free: dict[str, str | None] | None, error: str, hint_end: str
) -> None:
    message, hint = missing_judge_message(tasks, free)
    assert message.startswith(error) and "no --judge was given" in message
    assert hint.startswith("pass --judge openai:<model>") and hint.endswith(hint_end)


# -- the stage with a scripted backend: retries, repeated runs, replies cached on arrival --

IDENTITY = JudgeIdentity(backend="openai", model="scripted", base_url="http://127.0.0.1:9/v1")


class ScriptedBackend:
    """Answers each input with `answer(input)`; counts calls; can stop after N replies."""

    def __init__(self, answer: Callable[[JudgeInput], str], die_after: int | None = None):
        self.answer = answer
        self.inputs: list[JudgeInput] = []
        self.die_after = die_after

    @property
    def identity(self) -> JudgeIdentity:
        return IDENTITY

    @property
    def chunk_size(self) -> int:
        return 4

    def judge(self, inputs: Sequence[JudgeInput], keys: Sequence[str]) -> Iterator[JudgeReply]:
        for item, key in zip(inputs, keys, strict=True):
            if self.die_after is not None and len(self.inputs) >= self.die_after:
                raise KeyboardInterrupt  # Ctrl-C in the middle of a chunk
            self.inputs.append(item)
            yield JudgeReply(key=key, text=self.answer(item))

    def close(self) -> None:
        pass


def _rating(text: str) -> int | None:
    found = re.search(r"Rating: (\d)", text)
    return int(found.group(1)) if found else None


def _raise_temperature(
    request: JudgeRequest, verdict: Verdict, attempt: int
) -> JudgeRequest | None:
    # MM-Vet's rule, restated: up to 5 tries, the temperature rising by 0.5 each time.
    return replace(request, temperature=0.5 * attempt) if attempt < 5 else None


def _task(n: int = 6, retry: bool = False, runs: int = 1) -> JudgedTask:
    spec = JudgeTaskSpec(
        template=JudgeTemplate("t", "1", "Rate: {answer}"),
        official_model="scripted",
        official_backend="openai",
        render=lambda sample, answer: f"Rate {sample.id}: {answer}",
        parse=_rating,
        retry=_raise_temperature if retry else None,
    )
    samples = [Sample(id=str(i), task="t", question="q") for i in range(n)]
    responses = {
        s.id: {"answer": Response(key=f"r{s.id}", text="a", finish_reason="stop")} for s in samples
    }
    return JudgedTask("t", spec, samples, responses, runs=runs)


def _stage(task: JudgedTask, backend: ScriptedBackend, run_dir: Path, **config: int):
    # The cache is shared with sibling run folders: each test's run folder has none.
    run_dir = run_dir / "run"
    run_dir.mkdir(exist_ok=True)
    judge = JudgeConfig(spec="openai:scripted", **config)
    console = Console(file=open(run_dir / "log.txt", "a"))  # noqa: SIM115
    return run_stage([task], IDENTITY, judge, lambda: backend, run_dir, console)


def test_a_retry_asks_again_at_a_higher_temperature_until_a_verdict(tmp_path: Path) -> None:
    # Sample 0 never gets a verdict; sample 1 gets one on the third try; the rest at once.
    def answer(item: JudgeInput) -> str:
        tries = {"0": 99, "1": 2}.get(item.sample_id, 0)
        return "Rating: 3" if (item.temperature or 0) / 0.5 >= tries else "no idea"

    task = _task(retry=True)
    backend = ScriptedBackend(answer)
    stage = _stage(task, backend, tmp_path)
    temperatures = [(i.sample_id, i.temperature) for i in backend.inputs]
    assert [t for s, t in temperatures if s == "0"] == [None, 0.5, 1.0, 1.5, 2.0]
    assert [t for s, t in temperatures if s == "1"] == [None, 0.5, 1.0]
    assert stage.calls == len(backend.inputs) == 6 + 4 + 2
    verdicts = task_verdicts(task, stage.replies["t"], stage.earlier["t"])
    assert verdicts["0"]["judge"].status == "unparseable"
    assert len(verdicts["0"]["judge"].earlier) == 4
    assert verdicts["1"]["judge"].value == 3 and len(verdicts["1"]["judge"].earlier) == 2
    assert verdicts["2"]["judge"].earlier == ()
    # Every attempt is cached: a rerun replays the same chain without a call.
    again = ScriptedBackend(answer)
    assert _stage(task, again, tmp_path).calls == 0 and again.inputs == []


def test_without_a_retry_rule_an_unparseable_reply_is_final(tmp_path: Path) -> None:
    backend = ScriptedBackend(lambda item: "no idea")
    stage = _stage(_task(), backend, tmp_path)
    assert stage.calls == 6 and stage.earlier["t"] == {}


def test_judge_runs_are_independent_calls_under_their_own_roles(tmp_path: Path) -> None:
    backend = ScriptedBackend(lambda item: f"Rating: {item.run + 1}")
    task = _task(n=2, runs=3)
    stage = _stage(task, backend, tmp_path)
    assert stage.calls == 6 and len({i.key("n", "t") for i in backend.inputs}) == 6
    verdicts = task_verdicts(task, stage.replies["t"], stage.earlier["t"])
    assert {role: v.value for role, v in verdicts["0"].items()} == {
        "judge": 1, "judge#1": 2, "judge#2": 3,
    }  # fmt: skip
    # Run 0 is the plain call: a later one-run stage finds it in the cache.
    assert _stage(_task(n=2), ScriptedBackend(lambda item: "Rating: 9"), tmp_path).calls == 0


def test_a_ctrl_c_mid_chunk_keeps_every_reply_that_arrived(tmp_path: Path) -> None:
    needed = 6
    first = ScriptedBackend(lambda item: "Rating: 1", die_after=3)  # chunks hold 4 inputs
    with contextlib.suppress(KeyboardInterrupt):
        _stage(_task(), first, tmp_path)
    with JudgeCache(tmp_path / "run") as cache:
        assert len(cache) == 3
    second = ScriptedBackend(lambda item: "Rating: 1")
    assert _stage(_task(), second, tmp_path).calls == needed - 3
    assert len(first.inputs) + len(second.inputs) == needed


def test_a_follow_up_turn_carries_the_judge_reply_and_the_new_question() -> None:
    from mmalign_eval.judges.calls import judge_input

    sample = Sample(id="7", task="t", question="q")
    request = JudgeRequest("judge", "Compare A and B.", follow_up=(("Hmm.", "Give a verdict."),))
    item = judge_input("t", sample, request)
    assert [(m.role, m.content[0].text) for m in item.messages] == [
        ("user", "Compare A and B."), ("assistant", "Hmm."), ("user", "Give a verdict."),
    ]  # fmt: skip
    plain = judge_input("t", sample, JudgeRequest("judge", "Compare A and B."))
    assert item.key("n", "t") != plain.key("n", "t")
