"""Help that a CI log can show: every option explained, nothing cut at 80 columns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from mmalign_eval.cli import app
from mmalign_eval.testing import run_cli


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield path, command


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_every_option_has_help() -> None:
    missing = [
        f"{' '.join(path)} {param.opts[0]}"
        for path, command in COMMANDS
        for param in command.params
        if param.param_type_name == "option" and not (param.help or "").strip()
    ]
    assert missing == []


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_help_fits_80_columns(tmp_path: Path, path: tuple[str, ...]) -> None:
    done = run_cli(tmp_path, *path, "--help", columns=80)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert "…" not in done.stdout
    command = dict(COMMANDS)[path]
    for param in command.params:
        if param.param_type_name == "option":
            assert param.opts[0] in done.stdout, param.opts[0]
