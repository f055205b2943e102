"""OpenAI-compatible judge backend against a loopback server with injected faults."""

from __future__ import annotations

import time

import pytest

from mmalign_eval.chat_api import read_completion, retry_after_s
from mmalign_eval.contracts import Message, TextPart
from mmalign_eval.judges.openai_backend import OpenAIJudge
from mmalign_eval.judges.records import JudgeConfig, JudgeIdentity, JudgeInput

KEY = "sk-test-0123456789abcdef"


def _judge(server, monkeypatch, **overrides) -> OpenAIJudge:
    monkeypatch.setenv("FAKE_JUDGE_KEY", KEY)
    server.expected_key = KEY
    options = {"timeout_s": 5.0, "max_retries": 3, "retry_base_s": 0.01, "concurrency": 4}
    config = JudgeConfig(
        spec="openai:fake", base_url=server.base_url, api_key_env="FAKE_JUDGE_KEY",
        **{**options, **overrides},
    )  # fmt: skip
    identity = JudgeIdentity(backend="openai", model="fake", base_url=server.base_url)
    return OpenAIJudge(config, identity)


def _inputs(n: int) -> list[JudgeInput]:
    return [
        JudgeInput(
            task="t",
            sample_id=str(i),
            messages=(Message(role="user", content=(TextPart(text=f"q{i}"),)),),
        )
        for i in range(n)
    ]


def test_plain_success_sends_key_and_reads_usage(fake_judge, monkeypatch) -> None:
    (reply,) = _judge(fake_judge, monkeypatch).judge(_inputs(1), ["k0"])
    assert reply.error is None and reply.text.endswith("Rating: 4")
    assert (reply.key, reply.model, reply.prompt_tokens, reply.attempts) == ("k0", "fake", 100, 1)
    assert fake_judge.auth_failures == 0
    assert fake_judge.bodies[0]["temperature"] == 0.0


def test_429_honours_retry_after(fake_judge, monkeypatch) -> None:
    fake_judge.faults = ["429"]
    fake_judge.retry_after = "1"
    started = time.perf_counter()
    (reply,) = _judge(fake_judge, monkeypatch).judge(_inputs(1), ["k"])
    assert time.perf_counter() - started >= 1.0  # the backoff base is 0.01 s: Retry-After won
    assert reply.error is None and reply.attempts == 2 and fake_judge.calls == 2


def test_500_is_retried_with_backoff(fake_judge, monkeypatch) -> None:
    fake_judge.faults = ["500", "500"]
    (reply,) = _judge(fake_judge, monkeypatch).judge(_inputs(1), ["k"])
    assert reply.error is None and reply.attempts == 3


def test_hang_past_timeout_is_retried(fake_judge, monkeypatch) -> None:
    fake_judge.faults = ["hang"]
    fake_judge.hang_s = 2.0
    started = time.perf_counter()
    (reply,) = _judge(fake_judge, monkeypatch, timeout_s=0.3).judge(_inputs(1), ["k"])
    assert reply.error is None and reply.attempts == 2
    assert time.perf_counter() - started < 1.9


def test_retries_exhausted_is_an_error_with_reason(fake_judge, monkeypatch) -> None:
    fake_judge.faults = ["500"] * 10
    (reply,) = _judge(fake_judge, monkeypatch, max_retries=2).judge(_inputs(1), ["k"])
    assert reply.error is not None and "HTTP 500" in reply.error and "3 attempts" in reply.error
    assert fake_judge.calls == 3


@pytest.mark.parametrize(
    ("fault", "reason"), [("malformed", "malformed completion"), ("empty", "no choices")]
)
def test_bad_bodies_are_errors_not_retried(fake_judge, monkeypatch, fault, reason) -> None:
    fake_judge.faults = [fault]
    (reply,) = _judge(fake_judge, monkeypatch).judge(_inputs(1), ["k"])
    assert reply.error is not None and reason in reply.error
    assert fake_judge.calls == 1


def test_wrong_key_is_an_error_without_the_key(fake_judge, monkeypatch) -> None:
    judge = _judge(fake_judge, monkeypatch)
    fake_judge.expected_key = "another"
    (reply,) = judge.judge(_inputs(1), ["k"])
    assert reply.error is not None and "HTTP 401" in reply.error and KEY not in reply.error


def test_concurrency_is_bounded_and_each_reply_keeps_its_key(fake_judge, monkeypatch) -> None:
    fake_judge.delay_s = 0.05
    fake_judge.reply = lambda prompt: f"{prompt} Rating: 1"
    keys = [*"abcdefghijkl"]
    replies = list(_judge(fake_judge, monkeypatch, concurrency=3).judge(_inputs(12), keys))
    # Replies come as they arrive, each under the key of its own input.
    assert sorted(r.key for r in replies) == keys
    assert {r.key: r.text.split()[0] for r in replies} == {k: f"q{i}" for i, k in enumerate(keys)}
    assert 1 < fake_judge.max_in_flight <= 3


def test_missing_key_is_a_usage_error(monkeypatch) -> None:
    from mmalign_eval.errors import UsageError

    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    config = JudgeConfig(spec="openai:x", api_key_env="NO_SUCH_KEY_VAR")
    with pytest.raises(UsageError, match="NO_SUCH_KEY_VAR"):
        OpenAIJudge(config, JudgeIdentity(backend="openai", model="x"))


@pytest.mark.parametrize(
    ("header", "expected"), [(None, None), ("2", 2.0), ("0.5", 0.5), ("9999", 60.0), ("x", None)]
)
def test_retry_after_parsing(header, expected) -> None:
    assert retry_after_s(header) == expected


@pytest.mark.parametrize(
    "body", [[], {"choices": []}, {"choices": [{"message": {}}]}, {"choices": "x"}]
)
def test_read_completion_rejects_bad_bodies(body) -> None:
    with pytest.raises(ValueError):
        read_completion(body)


def test_an_image_seeing_judge_gets_its_system_prompt_and_the_image(
    fake_judge, monkeypatch, tmp_path
) -> None:
    from PIL import Image

    from mmalign_eval.contracts import Sample, missing_media
    from mmalign_eval.judges.calls import judge_input
    from mmalign_eval.judges.records import JudgeRequest
    from mmalign_eval.media import media_from_file

    Image.new("RGB", (4, 4), "red").save(tmp_path / "a.png")
    image = media_from_file(tmp_path / "a.png")
    sample = Sample(id="1", task="t", question="q")
    seeing = JudgeRequest("judge", "Grade it.", media=(image,), system="Be precise.")
    blind = JudgeRequest("judge", "Grade it.", media=(missing_media("b.png"),))
    items = [judge_input("t", sample, seeing), judge_input("t", sample, blind)]
    replies = {r.key: r for r in _judge(fake_judge, monkeypatch).judge(items, ["ok", "bad"])}
    (body,) = fake_judge.bodies  # the unreadable image fails its own call, unsent
    assert body["messages"][0] == {"role": "system", "content": "Be precise."}
    user = body["messages"][1]["content"]
    assert user[0] == {"type": "text", "text": "Grade it."}
    assert user[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert replies["ok"].error is None and "image" in (replies["bad"].error or "")
    assert items[0].key("n", "t") != judge_input(
        "t", sample, JudgeRequest("judge", "Grade it.")
    ).key("n", "t")
