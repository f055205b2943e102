"""Running the command line in a subprocess with an offline, reproducible environment.

Used by the project's end-to-end tests and usable by plugin authors for theirs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
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
