"""Shared fixtures: one cache (tiny model, synthetic data) per test session, offline."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_BENCHMARKS = SHARED / "benchmarks"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Session cache; exported so CLI subprocesses reuse the tiny model built once."""
    path = tmp_path_factory.mktemp("mmalign-cache")
    os.environ["MMALIGN_EVAL_CACHE"] = str(path)
    return path


@pytest.fixture(autouse=True, scope="session")
def _offline() -> None:
    # Tests never touch the network: make Hugging Face libraries fail fast instead.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def shared_benchmark(*parts: str) -> Path:
    """A path under ../shared/benchmarks, skipping the test when it is absent."""
    path = SHARED_BENCHMARKS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared benchmark files not available: {path}")
    return path


@pytest.fixture
def shared_file() -> Callable[..., Path]:
    """The shared_benchmark helper as a fixture (tests cannot import conftest)."""
    return shared_benchmark


# -- a loopback OpenAI-compatible judge server with injectable faults -------------------


class FakeJudgeServer:
    """Speaks POST /v1/chat/completions on 127.0.0.1; faults are consumed one per request.

    Faults: "429" (with Retry-After), "500", "hang" (sleeps past a client timeout),
    "malformed" (invalid JSON body), "empty" (an empty choice list).
    """

    def __init__(self) -> None:
        import threading
        from http.server import ThreadingHTTPServer

        self.faults: list[str] = []
        self.reply: Callable[[str], str] = lambda prompt: "No false claims. Rating: 4"
        self.retry_after = "1"
        self.hang_s = 3.0
        self.expected_key: str | None = None
        self.calls = 0
        self.auth_failures = 0
        self.bodies: list[dict[str, object]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay_s = 0.0
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def next_fault(self) -> str | None:
        with self.lock:
            self.calls += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.faults.pop(0) if self.faults else None

    def done(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server: FakeJudgeServer) -> type:
    import json
    import time
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # fails when the client gave up (a timeout test)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            fault = server.next_fault()
            try:
                self._answer(payload, fault)
            finally:
                server.done()

        def _answer(self, payload: dict[str, object], fault: str | None) -> None:
            expected = server.expected_key
            if expected is not None and self.headers.get("Authorization") != f"Bearer {expected}":
                server.auth_failures += 1
                self._send(401, b'{"error": "bad key"}')
                return
            if self.path != "/v1/chat/completions":
                self._send(404, b'{"error": "not found"}')
                return
            with server.lock:
                server.bodies.append(payload)
            if server.delay_s:
                time.sleep(server.delay_s)
            if fault == "429":
                self._send(429, b'{"error": "rate"}', {"Retry-After": server.retry_after})
            elif fault == "500":
                self._send(500, b'{"error": "boom"}')
            elif fault == "hang":
                time.sleep(server.hang_s)
                self._send(500, b'{"error": "too late"}')
            elif fault == "malformed":
                self._send(200, b'{"choices": [{"message": ')
            elif fault == "empty":
                self._send(200, json.dumps({"model": payload.get("model"), "choices": []}).encode())
            else:
                messages = payload.get("messages")
                prompt = messages[-1]["content"] if isinstance(messages, list) else ""
                body = {
                    "model": payload.get("model"),
                    "choices": [
                        {"message": {"role": "assistant", "content": server.reply(prompt)}}
                    ],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 10},
                }
                self._send(200, json.dumps(body).encode())

    return Handler


@pytest.fixture
def fake_judge() -> Iterator[FakeJudgeServer]:
    """A fresh loopback judge server per test."""
    server = FakeJudgeServer()
    yield server
    server.close()
