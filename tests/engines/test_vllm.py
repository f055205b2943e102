"""The vLLM engine's pieces that need no GPU: engine choice, sampling, media ids, errors.

The engine itself runs in tests/engines/test_vllm_gpu.py, on a machine with CUDA and vLLM.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from mmalign_eval.contracts import GenerationParams, MediaRef
from mmalign_eval.engines.base import EngineConfig
from mmalign_eval.engines.registry import HF, OPENAI, VLLM, check_calls, engine_kind
from mmalign_eval.engines.vllm import (
    Sampling,
    check_vllm,
    image_limit,
    media_uuids,
    option_logprob,
    sampling,
)
from mmalign_eval.errors import UsageError
from mmalign_eval.plans import user_request
from mmalign_eval.testing import run_cli

HAS_VLLM = importlib.util.find_spec("vllm") is not None
A, B = MediaRef(sha256="a" * 64), MediaRef(sha256="b" * 64)


@pytest.mark.parametrize(
    ("model", "engine", "kind"),
    [("tiny", "auto", HF), ("vllm:tiny", "auto", VLLM), ("tiny", "vllm", VLLM),
     ("llava-hf/llava-1.5-7b-hf", "vllm", VLLM), ("openai:gpt-4o", "auto", OPENAI),
     ("vllm:tiny", "hf", HF), ("gpt-4o", "openai", OPENAI)],
)  # fmt: skip
def test_engine_is_chosen_by_prefix_or_named(model: str, engine: str, kind: object) -> None:
    assert engine_kind(model, engine=engine) is kind


def test_an_unknown_engine_name_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown engine 'sglang'"):
        engine_kind("tiny", engine="sglang")


def test_vllm_answers_generation_and_option_likelihoods_but_not_rewards() -> None:
    check_calls("tiny", {"generate", "loglikelihood"}, engine="vllm")
    with pytest.raises(UsageError, match="vllm engine cannot answer reward"):
        check_calls("vllm:tiny", {"generate", "reward"})


@pytest.mark.parametrize(
    ("params", "expected"),
    [(GenerationParams(max_new_tokens=7), Sampling(7, 0.0, 1.0, None, ())),
     (GenerationParams(max_new_tokens=3, stop=("\n",)), Sampling(3, 0.0, 1.0, None, ("\n",))),
     (GenerationParams(max_new_tokens=5, do_sample=True, temperature=0.7, top_p=0.9, seed=11),
      Sampling(5, 0.7, 0.9, 11, ()))],
)  # fmt: skip
def test_sampling_arguments(params: GenerationParams, expected: Sampling) -> None:
    assert sampling(user_request([A], "q", params)) == expected


def test_a_sampled_request_without_a_seed_gets_one_from_its_content() -> None:
    params = GenerationParams(max_new_tokens=5, do_sample=True, temperature=1.0)
    first, again = (sampling(user_request([A], "q", params)) for _ in range(2))
    other = sampling(user_request([B], "q", params))
    assert first.seed is not None and first.seed == again.seed != other.seed


def test_media_ids_are_content_hashes_so_a_shared_image_is_encoded_once() -> None:
    params = GenerationParams(max_new_tokens=1)
    asked = [user_request([A], q, params) for q in ("Is there a cat?", "Is there a dog?")]
    assert media_uuids(asked[0]) == media_uuids(asked[1]) == ["a" * 64]
    assert media_uuids(user_request([A, B], "q", params)) == ["a" * 64, "b" * 64]


def test_image_limit_is_the_most_images_of_any_request() -> None:
    params = GenerationParams(max_new_tokens=1)
    requests = [user_request(m, "q", params) for m in ([], [A], [A, B])]
    assert [image_limit(requests[:n]) for n in range(4)] == [0, 0, 1, 2]


def test_option_logprob_sums_the_last_tokens_of_the_prompt() -> None:
    ids = [1, 5, 9, 4, 2]
    # vLLM gives None for the first prompt token and a {token id: Logprob} map for the others.
    logprobs = [None] + [{t: SimpleNamespace(logprob=-0.5 * t), 99: 0.0} for t in ids[1:]]
    assert option_logprob(ids, logprobs, 2) == -0.5 * 4 + -0.5 * 2
    assert option_logprob(ids, logprobs, 1) == -1.0


@pytest.mark.skipif(HAS_VLLM, reason="vLLM is installed here")
def test_without_vllm_the_error_says_how_to_install_it() -> None:
    with pytest.raises(UsageError, match="not installed") as caught:
        check_vllm(EngineConfig(model="tiny", engine="vllm"))
    assert caught.value.hint == "pip install 'mmalign-eval[vllm]'"


@pytest.mark.parametrize("how", [("--engine", "vllm", "--model", "tiny"), ("--model", "vllm:tiny")])
def test_the_cli_refuses_in_one_line_before_loading_data(
    tmp_path: Path, how: tuple[str, ...]
) -> None:
    done = run_cli(tmp_path, "run", *how, "--tasks", "pope_random", "--data", "synthetic:2")
    assert done.returncode == 2, done.stderr
    first = done.stderr.strip().splitlines()[0]
    assert first.startswith("error: the vllm engine") and "Traceback" not in done.stderr
    assert not (tmp_path / "runs").exists()
