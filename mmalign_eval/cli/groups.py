"""Option groups: options several commands share, declared once and received as one record.

typer has no parameter groups, but it reads a command's parameters with `inspect.signature`,
which honours a function's `__signature__`. So a group is a frozen dataclass deriving from
`OptionGroup` whose fields are declared exactly like typer parameters, and `@option_groups`
rewrites the command's signature: each parameter annotated with a group becomes the group's
fields, in place and in order (field name = parameter name, so `judge_timeout` is
`--judge-timeout`), and the parsed values are packed back into the record before the command
runs. A field annotated with another group is expanded the same way, so two groups can share
a third. The command line is the same as if every option were written out.

    @dataclass(frozen=True)
    class Output(OptionGroup):
        quiet: Annotated[bool, typer.Option(help="No progress.")] = False

    @app.command()
    @option_groups
    def run(*, model: ModelOpt, output: Output) -> None:
        if output.quiet: ...

Put `@option_groups` below `@app.command()`. The rewritten command takes keyword arguments
only, as typer calls it; the `*` in the signature lets a group (no default) follow options
with defaults.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")

_KEYWORD = inspect.Parameter.KEYWORD_ONLY


class OptionGroup:
    """Base class of option groups: frozen dataclasses whose fields are typer options."""


def is_group(annotation: object) -> bool:
    """Whether a parameter or field annotation is an option group."""
    return (
        isinstance(annotation, type)
        and issubclass(annotation, OptionGroup)
        and dataclasses.is_dataclass(annotation)
    )


def _fields(group: type[Any]) -> list[tuple[dataclasses.Field[Any], Any]]:
    # type[Any]: is_group has checked that the group is a dataclass, which mypy cannot see.
    # include_extras keeps the Annotated[..., typer.Option(...)] metadata typer needs.
    hints = typing.get_type_hints(group, include_extras=True)
    return [(field, hints[field.name]) for field in dataclasses.fields(group)]


def group_parameters(group: type[OptionGroup]) -> list[inspect.Parameter]:
    """The group's fields as keyword-only parameters, nested groups expanded in place."""
    parameters: list[inspect.Parameter] = []
    for field, annotation in _fields(group):
        if is_group(annotation):
            parameters += group_parameters(annotation)
            continue
        parameters.append(
            inspect.Parameter(field.name, _KEYWORD, default=_default(field), annotation=annotation)
        )
    return parameters


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return inspect.Parameter.empty  # no default: a required option, as a parameter would be


def pack(group: type[OptionGroup], values: dict[str, Any]) -> Any:
    """The group's record from parsed option values (taking its own out of `values`)."""
    return group(
        **{
            field.name: pack(annotation, values) if is_group(annotation) else values.pop(field.name)
            for field, annotation in _fields(group)
        }
    )


def option_groups(command: Callable[..., R]) -> Callable[..., R]:
    """Let a command declare option groups as parameters and receive them as records."""
    signature = inspect.signature(command, eval_str=True)
    groups = {p.name: p.annotation for p in signature.parameters.values() if is_group(p.annotation)}
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name in groups:
            parameters += group_parameters(groups[parameter.name])
        else:
            parameters.append(parameter.replace(kind=_KEYWORD))
    # Raises ValueError on a name two groups (or a group and the command) both declare.
    expanded = signature.replace(parameters=parameters)

    @functools.wraps(command)
    def with_records(**values: Any) -> R:
        """The command, called with each group's options packed into its record."""
        records = {name: pack(group, values) for name, group in groups.items()}
        return command(**values, **records)

    with_records.__signature__ = expanded  # type: ignore[attr-defined]
    # typer also resolves string annotations through __annotations__: give it the real ones.
    with_records.__annotations__ = {p.name: p.annotation for p in parameters}
    with_records.__annotations__["return"] = signature.return_annotation
    return with_records
