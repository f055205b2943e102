"""Evaluated models behind OpenAI-compatible servers: payloads, faults on a loopback fake, a
kill and a resume, and the same answers as the in-process engine through `transformers serve`."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from mmalign_eval.chat_content import data_url
from mmalign_eval.contracts import GenerationParams, MediaRef, missing_media
from mmalign_eval.engines.base import EngineConfig
from mmalign_eval.engines.openai import OpenAIEngine, chat_payload, check_config
from mmalign_eval.engines.registry import check_calls
from mmalign_eval.errors import UsageError
from mmalign_eval.media import MediaError, media_from_file
from mmalign_eval.plans import user_request
from mmalign_eval.testing import cli_command, cli_env, run_cli

KEY = "sk-engine-test-0123456789"


def _image(tmp_path: Path, fmt: str, name: str) -> MediaRef:
    path = tmp_path / name
    Image.new("RGB", (4, 4), (200, 10, 10)).save(path, format=fmt)
    return media_from_file(path)


@pytest.mark.parametrize(
    ("fmt", "name", "mime"),
    [("PNG", "a.png", "image/png"), ("JPEG", "a.jpg", "image/jpeg"), ("GIF", "a.gif", "image/gif"),
     ("WEBP", "a.webp", "image/webp"), ("BMP", "a.bmp", "image/png")],
)  # fmt: skip
def test_images_travel_as_data_urls_with_their_type(
    tmp_path: Path, fmt: str, name: str, mime: str
) -> None:
    url = data_url(_image(tmp_path, fmt, name))
    head, data = url.split(",", 1)
    assert head == f"data:{mime};base64"
    with Image.open(io.BytesIO(base64.b64decode(data))) as decoded:
        assert decoded.size == (4, 4)


def test_an_unreadable_image_is_a_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="not found"):
        data_url(missing_media("x.png", str(tmp_path / "x.png")))
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with pytest.raises(MediaError, match="corrupt"):
        data_url(media_from_file(tmp_path / "bad.png"))


def test_payload_layout_and_decoding(tmp_path: Path) -> None:
    image = _image(tmp_path, "PNG", "a.png")
    greedy = user_request([image], "Is there a cat?", GenerationParams(max_new_tokens=5))
    payload = chat_payload("m", greedy, "low")
    (message,) = payload["messages"]
    assert [part["type"] for part in message["content"]] == ["image_url", "text"]
    assert message["content"][0]["image_url"]["detail"] == "low"
    assert (payload["temperature"], payload["max_tokens"]) == (0.0, 5)
    assert "top_p" not in payload and "seed" not in payload
    sampled = GenerationParams(
        max_new_tokens=5, temperature=0.7, do_sample=True, stop=("\n",), seed=3
    )
    payload = chat_payload("m", user_request([], "q", sampled), None)
    assert (payload["temperature"], payload["top_p"], payload["stop"], payload["seed"]) == (
        0.7, 1.0, ["\n"], 3,
    )  # fmt: skip
    assert payload["messages"][0]["content"] == [{"type": "text", "text": "q"}]


@pytest.mark.parametrize(
    ("changes", "match"),
    [({"model": "openai:"}, "model name"), ({"base_url": "localhost:8000"}, "bad --base-url"),
     ({"api_key_env": "NO_SUCH_KEY_VARIABLE"}, "NO_SUCH_KEY_VARIABLE")],
)  # fmt: skip
def test_bad_configurations_are_usage_errors(
    monkeypatch: pytest.MonkeyPatch, changes: dict[str, str], match: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.delenv("NO_SUCH_KEY_VARIABLE", raising=False)
    config = EngineConfig.model_validate({"model": "openai:m", **changes})
    with pytest.raises(UsageError, match=match):
        check_config(config)


def test_log_likelihood_plans_are_refused_before_any_request() -> None:
    with pytest.raises(UsageError, match="openai engine cannot answer loglikelihood"):
        check_calls("openai:gpt-4o", {"generate", "loglikelihood"})


def test_engine_identity_names_what_is_not_fingerprinted(fake_judge, monkeypatch) -> None:
    monkeypatch.setenv("ENGINE_KEY", KEY)
    fake_judge.expected_key = KEY
    config = EngineConfig(
        model="openai:fake", base_url=fake_judge.base_url, api_key_env="ENGINE_KEY"
    )
    engine = OpenAIEngine(config)
    info = engine.info
    assert info.engine == "openai" and info.note is not None and "not fingerprinted" in info.note
    other = OpenAIEngine(config.model_copy(update={"model": "openai:other"}))
    assert engine.response_namespace != other.response_namespace


# -- the CLI against the loopback fake (faults) --------------------------------------------


def _run(
    tmp_path: Path, cache_dir: Path, base_url: str, *extra: str, data: str = "synthetic:2"
) -> subprocess.CompletedProcess[str]:
    return run_cli(
        tmp_path, "run", "--model", "openai:fake", "--base-url", base_url, "--api-key-env",
        "ENGINE_KEY", "--tasks", "pope_random", "--data", data, "--max-retries", "2",
        "--output-dir", "out", "--run-id", "r", *extra, cache_dir=cache_dir,
        extra_env={"ENGINE_KEY": KEY},
    )  # fmt: skip


@pytest.mark.slow
def test_a_run_through_a_server_with_faults(cache_dir: Path, tmp_path: Path, fake_judge) -> None:
    fake_judge.expected_key = KEY
    fake_judge.faults = ["429", "500", "malformed"]
    fake_judge.retry_after = "0"
    fake_judge.delay_s = 0.02
    done = _run(tmp_path, cache_dir, fake_judge.base_url, "--concurrency", "3")
    run = tmp_path / "out" / "r"
    results = json.loads((run / "results.json").read_text())
    (task,) = results["tasks"]
    # 12 questions; the malformed body is not retried: one error, re-asked by a rerun.
    assert task["n_samples"] == 12 and task["failures"]["error"] == 1, done.stderr
    assert 1 < fake_judge.max_in_flight <= 3
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["engine"]["engine"] == "openai"
    assert manifest["config"]["engine"]["api_key_env"] == "ENGINE_KEY"
    for file in run.iterdir():
        assert KEY not in file.read_text(), file.name
    calls = fake_judge.calls
    again = _run(tmp_path, cache_dir, fake_judge.base_url)
    assert again.returncode == 0, again.stderr
    assert fake_judge.calls == calls + 1  # only the failed request is sent again


@pytest.mark.slow
def test_a_killed_run_resumes_without_asking_again(
    cache_dir: Path, tmp_path: Path, fake_judge
) -> None:
    fake_judge.expected_key = KEY
    fake_judge.delay_s = 0.4
    command = cli_command(
        "run", "--model", "openai:fake", "--base-url", fake_judge.base_url, "--api-key-env",
        "ENGINE_KEY", "--tasks", "pope_random", "--data", "synthetic:4", "--concurrency", "2",
        "--output-dir", "out", "--run-id", "r",
    )  # fmt: skip
    env = cli_env(cache_dir, extra={"ENGINE_KEY": KEY})
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    journal = tmp_path / "out" / "r" / "journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (
        not journal.exists() or len(journal.read_text().splitlines()) < 4
    ):
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    saved = len(journal.read_text().splitlines())
    assert 4 <= saved < 24
    calls = fake_judge.calls
    fake_judge.delay_s = 0.0
    done = _run(tmp_path, cache_dir, fake_judge.base_url, data="synthetic:4")
    assert done.returncode == 0, done.stderr
    # Every answer that arrived before the kill was journaled: only the rest is asked again.
    assert fake_judge.calls - calls == 24 - saved


# -- a real server: `transformers serve` of the tiny model ---------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served_tiny(cache_dir: Path) -> Iterator[tuple[str, str]]:
    """The tiny model behind `transformers serve` on a loopback port (CPU, float32)."""
    pytest.importorskip("fastapi", reason="transformers[serving] is not installed")
    from mmalign_eval.engines.tiny import ensure_tiny_model

    model = str(ensure_tiny_model(cache_dir / "models"))
    port = _free_port()
    serve = Path(sys.executable).with_name("transformers")
    server = subprocess.Popen(
        [str(serve), "serve", model, "--host", "127.0.0.1", "--port", str(port), "--device",
         "cpu", "--dtype", "float32"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_listed(base_url, server)
        yield base_url, model
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_listed(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail("transformers serve exited before listening")
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail("transformers serve did not answer within 300 s")


def _answers(folder: Path) -> dict[str, Any]:
    (run,) = folder.iterdir()
    rows = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    return {row["id"]: row["response"] for row in rows}


@pytest.mark.slow
def test_served_tiny_model_gives_the_in_process_answers(
    cache_dir: Path, tmp_path: Path, served_tiny: tuple[str, str]
) -> None:
    base_url, model = served_tiny
    common = ("--tasks", "pope_random", "--data", "synthetic:2", "--max-new-tokens", "8")
    served = run_cli(
        tmp_path, "run", "--model", f"openai:{model}", "--base-url", base_url, *common,
        "--output-dir", "served", cache_dir=cache_dir, extra_env={"OPENAI_API_KEY": "local"},
    )  # fmt: skip
    assert served.returncode == 0, served.stderr
    local = run_cli(tmp_path, "run", "--model", "tiny", *common, "--output-dir", "local",
                    cache_dir=cache_dir)  # fmt: skip
    assert local.returncode == 0, local.stderr
    # Greedy decoding of the same weights and chat template: the same 12 answers.
    assert _answers(tmp_path / "served") == _answers(tmp_path / "local")
