"""The up-front Hub probe: offline mode from the environment or an unreachable endpoint."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from mmalign_eval.testing import run_cli
from mmalign_eval.toolkit import online


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A fresh probe with the offline variables unset (tests run with them set)."""
    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    online._offline_reason.cache_clear()
    yield monkeypatch
    online._offline_reason.cache_clear()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("value", "offline"), [("1", True), ("true", True), ("ON", True), ("0", False), ("", False)]
)
def test_offline_variables(probe: pytest.MonkeyPatch, value: str, offline: bool) -> None:
    probe.setenv("HF_HUB_OFFLINE", value)
    with socket.socket() as server:  # a listening endpoint: only the variable decides
        server.bind(("127.0.0.1", 0))
        server.listen()
        probe.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.getsockname()[1]}")
        assert online.hub_online() is not offline
    if offline:
        assert "HF_HUB_OFFLINE is set" in online.offline_note()


def test_an_unreachable_endpoint_switches_to_offline_mode(probe: pytest.MonkeyPatch) -> None:
    port = _closed_port()
    probe.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    assert online.hub_online() is False
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["HF_DATASETS_OFFLINE"] == "1"
    assert online.offline_note() == f" (the Hub at 127.0.0.1:{port} is unreachable)"


def test_a_run_on_hub_data_without_network_fails_at_once(cache_dir: Path, tmp_path: Path) -> None:
    env = {"HF_HUB_OFFLINE": "", "HF_DATASETS_OFFLINE": "",
           "HF_ENDPOINT": f"http://127.0.0.1:{_closed_port()}"}  # fmt: skip
    done = run_cli(tmp_path, "run", "--model", "tiny", "--tasks", "pope_random",
                   cache_dir=cache_dir, extra_env=env)  # fmt: skip
    assert done.returncode == 1, done.stderr  # a data error
    assert "cannot load dataset lmms-lab/POPE" in done.stderr
    assert "is unreachable" in done.stderr and "Traceback" not in done.stderr
