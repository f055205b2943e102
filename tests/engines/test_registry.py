"""The engine registry: which engine answers a --model, and which call kinds it answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmalign_eval.engines.base import Engine, EngineConfig
from mmalign_eval.engines.registry import ENGINES, HF, EngineKind, check_calls, engine_kind
from mmalign_eval.errors import UsageError


def _never_load(config: EngineConfig, cache: Path) -> Engine:
    raise AssertionError("the registry must not load an engine")


SERVER = EngineKind(
    name="server",
    claims=lambda model: model.startswith("server:"),
    check=lambda model: None,
    load=_never_load,
    calls=frozenset({"generate"}),
)
REWARDS = EngineKind(
    name="rm",
    claims=lambda model: model.startswith("rm:"),
    check=lambda model: None,
    load=_never_load,
    calls=frozenset({"reward"}),
)
KINDS = (SERVER, REWARDS, HF)


@pytest.mark.parametrize(
    "model",
    [
        "tiny",
        "llava-hf/llava-1.5-7b-hf",
        "Qwen/Qwen2-VL-2B-Instruct",
        "/models/llava",
        "./checkpoints/run-3",
        "~/models/qwen",
        "server",  # no prefix: not the server kind
    ],
)
def test_hf_takes_hub_ids_paths_and_tiny(model: str) -> None:
    assert engine_kind(model) is HF
    assert engine_kind(model, KINDS) is HF


def test_hf_is_the_last_resort_of_the_builtin_kinds() -> None:
    assert ENGINES[-1] is HF
    assert HF.calls == frozenset({"generate", "loglikelihood"})


@pytest.mark.parametrize(
    ("model", "kind"),
    [("server:gpt", SERVER), ("rm:skywork", REWARDS), ("tiny", HF), ("server", HF)],
)
def test_more_specific_kinds_claim_first(model: str, kind: EngineKind) -> None:
    assert engine_kind(model, KINDS) is kind


@pytest.mark.parametrize(
    ("model", "needed"),
    [
        ("tiny", set()),
        ("tiny", {"generate"}),
        ("tiny", {"generate", "loglikelihood"}),
        ("/models/llava", {"loglikelihood"}),
        ("server:gpt", {"generate"}),
        ("rm:skywork", {"reward"}),
    ],
)
def test_calls_an_engine_answers_are_accepted(model: str, needed: set[str]) -> None:
    check_calls(model, needed, KINDS)


@pytest.mark.parametrize(
    ("model", "needed", "engine", "missing", "answers"),
    [
        ("tiny", {"reward"}, "hf", "reward", "generate, loglikelihood"),
        ("tiny", {"generate", "reward"}, "hf", "reward", "generate, loglikelihood"),
        ("server:gpt", {"loglikelihood"}, "server", "loglikelihood", "generate"),
        ("server:gpt", {"generate", "reward", "loglikelihood"}, "server",
         "loglikelihood, reward", "generate"),
        ("rm:skywork", {"generate"}, "rm", "generate", "reward"),
    ],
)  # fmt: skip
def test_calls_an_engine_cannot_answer_are_refused(
    model: str, needed: set[str], engine: str, missing: str, answers: str
) -> None:
    with pytest.raises(UsageError) as caught:
        check_calls(model, needed, KINDS)
    error = caught.value
    assert (
        error.message == f"the {engine} engine cannot answer {missing} calls, which this run needs"
    )
    assert error.hint is not None and error.hint.startswith(f"it answers {answers};")
    assert error.exit_code == 2


def test_builtin_registry_refuses_rewards() -> None:
    with pytest.raises(UsageError, match="the hf engine cannot answer reward calls"):
        check_calls("llava-hf/llava-1.5-7b-hf", {"generate", "reward"})


def test_a_refusal_names_the_tasks_that_ask_and_what_to_do() -> None:
    with pytest.raises(UsageError) as caught:
        check_calls("tiny", {"generate": ["pope_random (official)"],
                             "reward": ["mm_rlhf_rewardbench (scalar)"]})  # fmt: skip
    assert caught.value.message.endswith("(asked: reward by mm_rlhf_rewardbench (scalar))")
    assert caught.value.hint is not None and "--reward-mode generative" in caught.value.hint
    assert "reward_head.json" in caught.value.hint
