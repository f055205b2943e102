"""Shared fixtures: one cache (tiny model, synthetic data) per test session, offline."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mmalign_eval.testing import FakeJudgeServer

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_BENCHMARKS = SHARED / "benchmarks"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Session cache; exported so CLI subprocesses reuse the tiny model built once."""
    path = tmp_path_factory.mktemp("mmalign-cache")
    # Models are shared by every xdist worker of the run (the builders lock and rename
    # atomically), so the trained demo models are built once per test run, not per worker.
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    models = shared / "shared-models"
    models.mkdir(exist_ok=True)
    (path / "models").symlink_to(models, target_is_directory=True)
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


@pytest.fixture
def fake_judge() -> Iterator[FakeJudgeServer]:
    """A fresh loopback judge server per test."""
    server = FakeJudgeServer()
    yield server
    server.close()
