"""Per-task command-line values: `--data amber=/x --data coco_chair=/y --data synthetic`.

A value `NAME=VALUE` whose NAME is a registered task, group or suite applies to the tasks
behind that name; any other value (paths may contain '=') is the run-wide default.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from mmalign_eval.errors import UsageError
from mmalign_eval.plan import TaskOptions
from mmalign_eval.registry import Registry
from mmalign_eval.task import TaskSpec


@dataclass(frozen=True)
class OptionValues:
    """One option's run-wide value and its values by task name (with the name each came from)."""

    shared: str | None = None
    by_task: dict[str, str] = field(default_factory=dict)
    named_as: dict[str, str] = field(default_factory=dict)  # task -> the name typed


def _scoped(value: str, registry: Registry) -> tuple[str, str] | None:
    name, sep, rest = value.partition("=")
    known = name in registry.tasks or name in registry.groups or name in registry.suites
    return (name, rest) if sep and known else None


def split_values(
    option: str, values: Sequence[str], registry: Registry, run: Collection[str]
) -> OptionValues:
    """Separate `NAME=VALUE` values from the run-wide one.

    A group's or suite's value applies to those of its tasks that are in the run (`run`:
    the run's task names); a task's own name wins over its group's, whatever the order.
    """
    shared: list[str] = []
    scoped: dict[str, str] = {}
    for value in values:
        pair = _scoped(value, registry)
        if pair is None:
            shared.append(value)
        elif pair[0] in scoped:
            raise UsageError(f"{option} given twice for {pair[0]}", "keep one of them")
        elif not pair[1]:
            raise UsageError(f"empty value in {option} {value}", f"use {option} {pair[0]}=VALUE")
        else:
            scoped[pair[0]] = pair[1]
    if len(shared) > 1:
        raise UsageError(
            f"{option} given twice without a task name: {', '.join(shared)}",
            f"give one run-wide value, or name the task: {option} TASK=VALUE",
        )
    by_task: dict[str, str] = {}
    named_as: dict[str, str] = {}
    # Broad names first, so a task's own value (fewest tasks) is applied last and wins.
    for name in sorted(scoped, key=lambda n: -len(registry.expand([n]))):
        tasks = [task for task in registry.expand([name]) if task in run]
        if not tasks:
            raise UsageError(
                f"{option} {name}=…: no task of {name} is in this run",
                "add it to --tasks/--suite or drop the option",
            )
        for task in tasks:
            by_task[task], named_as[task] = scoped[name], name
    return OptionValues(shared[0] if shared else None, by_task, named_as)


def defined_protocols(values: OptionValues, registry: Registry) -> OptionValues:
    """`--protocol GROUP=NAME` applies to the group's tasks that define NAME, as a run-wide
    `--protocol NAME` does; a task named on its own must define it (checked when planning)."""
    kept = {
        task: name
        for task, name in values.by_task.items()
        if values.named_as[task] == task or name in registry.tasks[task].protocol_names
    }
    for group in set(values.named_as.values()) - set(values.by_task):
        if not any(values.named_as[t] == group for t in kept):
            name = next(values.by_task[t] for t, g in values.named_as.items() if g == group)
            raise UsageError(
                f"no task of {group} in this run has a protocol '{name}'",
                "see `mmalign-eval tasks` for each task's protocols",
            )
    return OptionValues(values.shared, kept, {t: values.named_as[t] for t in kept})


def per_task_options(
    data: OptionValues, image_dir: OptionValues, protocol: OptionValues
) -> dict[str, TaskOptions]:
    """The TaskOptions of every task named in any option."""
    names = sorted({*data.by_task, *image_dir.by_task, *protocol.by_task})
    return {
        name: TaskOptions(
            data=data.by_task.get(name),
            image_dir=image_dir.by_task.get(name),
            protocol=protocol.by_task.get(name),
        )
        for name in names
    }


def _with_chosen(protocols: OptionValues, chosen: dict[str, str]) -> OptionValues:
    """The protocol values plus protocols picked for tasks by name (as if named on their own)."""
    return OptionValues(
        protocols.shared,
        {**protocols.by_task, **chosen},
        {**protocols.named_as, **{t: t for t in chosen}},
    )


PAIRWISE_PROTOCOL = "both"  # the protocol a pairwise task declares for judging both orders


def with_pairwise(
    protocols: OptionValues, mode: str, registry: Registry, run: Collection[str]
) -> OptionValues:
    """`--pairwise both` picks the both-order protocol of every pairwise task in the run,
    except a task whose protocol was named with `--protocol TASK=NAME`; `official` (the
    default) changes nothing."""
    if mode == "official":
        return protocols
    if mode != PAIRWISE_PROTOCOL:
        raise UsageError(f"bad --pairwise '{mode}'", "use official or both")
    pairwise = [t for t in run if PAIRWISE_PROTOCOL in registry.tasks[t].protocol_names]
    if not pairwise:
        raise UsageError(
            "--pairwise both: no task in this run is judged in pairs",
            "drop the option, or add a pairwise task (`mmalign-eval tasks` lists a 'both' "
            "protocol for each)",
        )
    chosen = {t: PAIRWISE_PROTOCOL for t in pairwise if t not in protocols.by_task}
    return _with_chosen(protocols, chosen)


SCALAR_PROTOCOL = "scalar"  # the protocol a reward task declares for scalar reward models
GENERATIVE_PROTOCOL = "generative"  # ... and for judges, where its default is the scalar one


def _asks_rewards_by_default(task: TaskSpec[Any]) -> bool:
    return any(p.name == task.default_protocol and p.asks == "reward" for p in task.protocols)


def with_reward_mode(
    protocols: OptionValues, mode: str, registry: Registry, run: Collection[str], scalar: bool
) -> OptionValues:
    """The path of each reward task: `scalar` (a reward model's scores) or `generative` (a
    judge's verdicts); `auto` (the default) follows the model (`scalar`: it has a reward
    head). A task named with `--protocol TASK=NAME` keeps that protocol."""
    if mode not in ("auto", GENERATIVE_PROTOCOL, SCALAR_PROTOCOL):
        raise UsageError(f"bad --reward-mode '{mode}'", "use auto, generative or scalar")
    reward_tasks = [t for t in run if SCALAR_PROTOCOL in registry.tasks[t].protocol_names]
    if mode == SCALAR_PROTOCOL and not reward_tasks:
        raise UsageError(
            "--reward-mode scalar: no task in this run scores a reward model",
            "add a reward task (see the reward suite in `mmalign-eval tasks`)",
        )
    wanted = SCALAR_PROTOCOL if mode == SCALAR_PROTOCOL or (mode == "auto" and scalar) else None
    chosen = {}
    for name in (t for t in reward_tasks if t not in protocols.by_task):
        task = registry.tasks[name]
        if wanted is not None:
            chosen[name] = wanted
        elif _asks_rewards_by_default(task) and GENERATIVE_PROTOCOL in task.protocol_names:
            chosen[name] = GENERATIVE_PROTOCOL  # a judge cannot give the default's rewards
    return _with_chosen(protocols, chosen)
