"""The task registry: tasks, groups and suites by name, discovered from task packages."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType

from mmalign_eval.errors import UsageError
from mmalign_eval.task import REGISTRATION_MARK, GroupSpec, Registrable, SuiteSpec, TaskSpec

ENTRY_POINT_GROUP = "mmalign_eval.tasks"
BUILTIN_PACKAGE = "mmalign_eval_tasks"


class DuplicateNameError(ValueError):
    """Two registered objects share a name."""


@dataclass
class Registry:
    """Tasks, groups and suites; names are unique across all three."""

    tasks: dict[str, TaskSpec] = field(default_factory=dict)
    groups: dict[str, GroupSpec] = field(default_factory=dict)
    suites: dict[str, SuiteSpec] = field(default_factory=dict)

    def add(self, obj: Registrable) -> None:
        """Register one object; a name already taken raises DuplicateNameError."""
        if obj.name in self.tasks or obj.name in self.groups or obj.name in self.suites:
            raise DuplicateNameError(f"'{obj.name}' is registered twice")
        if isinstance(obj, TaskSpec):
            self.tasks[obj.name] = obj
        elif isinstance(obj, GroupSpec):
            self.groups[obj.name] = obj
        else:
            self.suites[obj.name] = obj

    def validate(self) -> None:
        """Every group and suite member must exist."""
        for group in self.groups.values():
            for name in group.tasks:
                if name not in self.tasks:
                    raise ValueError(f"group {group.name} names unknown task {name}")
        for suite in self.suites.values():
            for name in suite.members:
                if name not in self.tasks and name not in self.groups:
                    raise ValueError(f"suite {suite.name} names unknown task or group {name}")

    def expand(self, names: Iterable[str]) -> list[str]:
        """Task names behind a list of task, group and suite names, in order, deduplicated."""
        out: list[str] = []
        for name in names:
            for task in self._expand_one(name):
                if task not in out:
                    out.append(task)
        return out

    def _expand_one(self, name: str) -> list[str]:
        if name in self.tasks:
            return [name]
        if name in self.groups:
            return list(self.groups[name].tasks)
        if name in self.suites:
            return self.expand(self.suites[name].members)
        known = sorted([*self.tasks, *self.groups, *self.suites])
        raise UsageError(
            f"unknown task '{name}'",
            f"run `mmalign-eval tasks` to list them; known: {', '.join(known)}",
        )

    def groups_covered(self, task_names: Iterable[str]) -> list[GroupSpec]:
        """Groups all of whose tasks are among the given tasks."""
        chosen = set(task_names)
        return [g for g in self.groups.values() if set(g.tasks) <= chosen]


def _modules_of(package: ModuleType) -> list[ModuleType]:
    modules = [package]
    if hasattr(package, "__path__"):
        prefix = package.__name__ + "."
        for info in pkgutil.walk_packages(package.__path__, prefix):
            modules.append(importlib.import_module(info.name))
    return modules


def collect(module: ModuleType) -> list[Registrable]:
    """Objects built by the factories a module marked with @register."""
    found: list[Registrable] = []
    for value in vars(module).values():
        if callable(value) and getattr(value, REGISTRATION_MARK, False):
            obj = value()
            if not isinstance(obj, TaskSpec | GroupSpec | SuiteSpec):
                raise TypeError(f"{value!r} did not return a task, group or suite")
            found.append(obj)
    return found


def build_registry(packages: Iterable[str] | None = None) -> Registry:
    """Registry of the given packages, or of the built-in tasks plus installed plugins."""
    names = list(packages) if packages is not None else _plugin_packages()
    registry = Registry()
    seen: set[str] = set()
    for package_name in names:
        for module in _modules_of(importlib.import_module(package_name)):
            if module.__name__ in seen:
                continue
            seen.add(module.__name__)
            for obj in collect(module):
                registry.add(obj)
    registry.validate()
    return registry


def _plugin_packages() -> list[str]:
    names = [BUILTIN_PACKAGE]
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.value not in names:
            names.append(ep.value)
    return names
