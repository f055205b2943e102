"""Option groups: options declared once on a record, expanded into each command using them."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from mmalign_eval.cli import app
from mmalign_eval.cli.groups import OptionGroup, option_groups
from mmalign_eval.cli.options import JudgeSettings, judge_config
from mmalign_eval.errors import UsageError


@dataclass(frozen=True)
class Limits(OptionGroup):
    """A group nested in another."""

    max_calls: Annotated[int | None, typer.Option(min=0, help="Stop after N calls.")] = None


@dataclass(frozen=True)
class Remote(OptionGroup):
    """A group with a required option, a flag and a nested group."""

    endpoint: Annotated[str, typer.Option(help="Where to send requests.")]
    retries: Annotated[int, typer.Option(help="Retries per request.")] = 3
    verify: Annotated[bool, typer.Option(help="Check certificates.")] = True
    limits: Limits = field(default_factory=Limits)


received: list[object] = []


@option_groups
def fetch(
    *,
    name: Annotated[str, typer.Argument(help="What to fetch.")],
    output: Annotated[Path, typer.Option(help="Where to write.")] = Path("out"),
    remote: Remote,
    quiet: Annotated[bool, typer.Option(help="No progress.")] = False,
) -> None:
    """Fetch something."""
    received.append((name, output, remote, quiet))


def _invoke(*args: str) -> tuple[int, str]:
    toy = typer.Typer()
    toy.command()(fetch)
    toy.command()(lambda: None)  # a second command keeps `fetch` a subcommand
    result = CliRunner().invoke(toy, ["fetch", *args], env={"COLUMNS": "200", "NO_COLOR": "1"})
    return result.exit_code, result.output


def test_group_fields_become_parameters_in_place() -> None:
    names = list(inspect.signature(fetch).parameters)
    assert names == ["name", "output", "endpoint", "retries", "verify", "max_calls", "quiet"]
    assert fetch.__name__ == "fetch" and fetch.__doc__ == "Fetch something."


def test_the_command_receives_one_typed_record() -> None:
    received.clear()
    code, output = _invoke("x", "--endpoint", "http://h", "--no-verify", "--max-calls", "5")
    assert code == 0, output
    assert received == [("x", Path("out"), Remote("http://h", 3, False, Limits(5)), False)]
    received.clear()
    code, output = _invoke("y", "--endpoint", "e", "--quiet")
    assert code == 0, output
    assert received == [("y", Path("out"), Remote("e"), True)]  # the record's own defaults


def test_group_options_keep_their_declaration() -> None:
    code, output = _invoke("--help")
    assert code == 0, output
    for text in ("--endpoint", "Where to send requests.", "--retries", "[default: 3]"):
        assert text in output
    assert output.index("--output") < output.index("--endpoint") < output.index("--max-calls")
    assert output.index("--max-calls") < output.index("--quiet")
    assert "--verify" in output and "--no-verify" in output
    code, output = _invoke("x")  # --endpoint has no default: required, a usage error
    assert code == 2 and "--endpoint" in output
    code, output = _invoke("x", "--endpoint", "e", "--max-calls", "-1")  # min=0 kept
    assert code == 2


def test_a_name_declared_twice_is_refused() -> None:
    def clash(*, endpoint: str, remote: Remote) -> None:
        """Declares --endpoint itself and through the group."""

    with pytest.raises(ValueError, match="endpoint"):
        option_groups(clash)


JUDGE_OPTIONS = [
    "--judge",
    *(
        f"--judge-{name.removeprefix('judge_').replace('_', '-')}"
        for name in JudgeSettings.__dataclass_fields__
    ),
]


@pytest.mark.parametrize("command", ["run", "score", "judge"])
def test_every_judge_command_declares_the_same_judge_options(command: str) -> None:
    click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    options = [opt for param in click_command.params for opt in param.opts]
    start = options.index("--judge")
    assert options[start : start + len(JUDGE_OPTIONS)] == JUDGE_OPTIONS
    judge_option = next(p for p in click_command.params if p.name == "judge")
    assert judge_option.multiple is (command == "run")  # run takes TASK=JUDGE per task


def test_judge_config_maps_the_settings_record() -> None:
    settings = JudgeSettings(
        judge_base_url="http://judge/v1",
        judge_api_key_env="KEY",
        judge_max_calls=3,
        judge_max_tokens=400,
        judge_max_failure_rate=0.5,
        judge_concurrency=2,
        judge_timeout=9.0,
        judge_max_retries=1,
        judge_retry_base=0.5,
        judge_max_new_tokens=64,
        judge_mode="generate",
    )
    config = judge_config("openai:gpt-4o", settings)
    assert config is not None
    assert (config.spec, config.base_url, config.api_key_env) == (
        "openai:gpt-4o",
        "http://judge/v1",
        "KEY",
    )
    assert (config.max_calls, config.max_tokens, config.max_failure_rate) == (3, 400, 0.5)
    assert (config.concurrency, config.timeout_s, config.max_retries) == (2, 9.0, 1)
    assert (config.retry_base_s, config.max_new_tokens, config.mode) == (0.5, 64, "generate")
    assert judge_config(None, settings) is None
    with pytest.raises(UsageError, match="--judge-mode"):
        judge_config("tiny", JudgeSettings(judge_mode="vote"))
