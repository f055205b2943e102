"""Running the command line in a subprocess with an offline, reproducible environment, and a
loopback OpenAI-compatible server with injectable faults.

Used by the project's end-to-end tests and fault scripts, and usable by plugin authors.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path


def cli_env(
    cache_dir: Path | None = None, columns: int = 80, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of a CLI subprocess: offline, no colour, a fixed terminal width."""
    env = dict(os.environ)
    if cache_dir is not None:
        env["MMALIGN_EVAL_CACHE"] = str(cache_dir)
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    # What a pipe or CI log gets: a fixed width and no colour codes to assert around.
    env.update(COLUMNS=str(columns), NO_COLOR="1")
    for name in ("FORCE_COLOR", "MMALIGN_EVAL_DEBUG", "LINES"):
        env.pop(name, None)
    env.update(extra or {})
    return env


def cli_command(*args: str) -> list[str]:
    """`mmalign-eval ARGS` through the interpreter running the caller."""
    return [sys.executable, "-m", "mmalign_eval.cli", *args]


def run_cli(
    cwd: Path,
    *args: str,
    cache_dir: Path | None = None,
    columns: int = 80,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 1800,  # generous: a busy CI machine once needed more than 300 s
) -> subprocess.CompletedProcess[str]:
    """Run `mmalign-eval ARGS` in cwd and capture its exit code and output."""
    return subprocess.run(
        cli_command(*args),
        cwd=cwd,
        env=cli_env(cache_dir, columns, extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


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
            self._send(*_reply(server, payload, fault))

    return Handler


def _reply(
    server: FakeJudgeServer, payload: dict[str, object], fault: str | None
) -> tuple[int, bytes, dict[str, str]]:
    """The status, body and headers the fake server answers with (a fault, or a reply)."""
    import json
    import time

    if fault == "429":
        return 429, b'{"error": "rate"}', {"Retry-After": server.retry_after}
    if fault == "500":
        return 500, b'{"error": "boom"}', {}
    if fault == "hang":
        time.sleep(server.hang_s)
        return 500, b'{"error": "too late"}', {}
    if fault == "malformed":
        return 200, b'{"choices": [{"message": ', {}
    if fault == "empty":
        return 200, json.dumps({"model": payload.get("model"), "choices": []}).encode(), {}
    messages = payload.get("messages")
    prompt = messages[-1]["content"] if isinstance(messages, list) else ""
    body = {
        "model": payload.get("model"),
        "choices": [{"message": {"role": "assistant", "content": server.reply(prompt)}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10},
    }
    return 200, json.dumps(body).encode(), {}
