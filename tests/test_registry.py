"""Task registry: discovery of the built-in tasks, unique names, expansion of suites."""

from __future__ import annotations

import pytest

from mmalign_eval import Columns, MetricSpec, Protocol, Reading, ratio
from mmalign_eval.errors import UsageError
from mmalign_eval.registry import DuplicateNameError, Registry, build_registry
from mmalign_eval.task import GroupSpec, SuiteSpec, TaskSpec

POPE_TASKS = ["pope_adversarial", "pope_popular", "pope_random"]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return build_registry()


def _task(name: str) -> TaskSpec:
    return TaskSpec(
        name=name,
        family="test",
        version="1",
        description="",
        prompt_template="{question}",
        loader=lambda request: None,  # type: ignore[arg-type,return-value]
        protocols=(Protocol("official", "as is", Reading, default=True),),
        metrics=(MetricSpec("share", lambda t: ratio(t["hit"], t["n"]), "higher", primary=True),),
        columns=Columns.of("hit", "n"),
        score_values=lambda sample, value: {"hit": 1.0, "n": 1.0},
    )


def _small() -> Registry:
    registry = Registry()
    for name in ("a", "b", "c", "d"):
        registry.add(_task(name))
    registry.add(GroupSpec(name="ab", tasks=("a", "b"), mean_of=()))
    registry.add(GroupSpec(name="bc", tasks=("b", "c"), mean_of=()))
    registry.add(SuiteSpec(name="s1", members=("bc", "d")))
    registry.add(SuiteSpec(name="s2", members=("ab", "d", "bc")))
    registry.validate()
    return registry


def test_builtin_tasks_are_found(registry: Registry) -> None:
    assert set(POPE_TASKS) <= set(registry.tasks)
    for name in POPE_TASKS:
        task = registry.tasks[name]
        assert task.name == name
        assert task.family == "hallucination"
        assert task.default_protocol in task.protocol_names
        assert task.primary_metric == "f1"


def test_builtin_group_and_suite(registry: Registry) -> None:
    assert sorted(registry.groups["pope"].tasks) == POPE_TASKS
    assert "pope" in registry.suites["hallucination"].members
    assert set(registry.expand(["hallucination"])) >= set(POPE_TASKS)
    assert sorted(registry.expand(["pope"])) == POPE_TASKS


def test_build_registry_of_explicit_package() -> None:
    registry = build_registry(["mmalign_eval_tasks"])
    assert set(POPE_TASKS) <= set(registry.tasks)
    assert "hallucination" in registry.suites


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (_task("x"), _task("x")),
        (_task("x"), GroupSpec(name="x", tasks=(), mean_of=())),
        (GroupSpec(name="x", tasks=(), mean_of=()), _task("x")),
        (_task("x"), SuiteSpec(name="x", members=())),
        (SuiteSpec(name="x", members=()), GroupSpec(name="x", tasks=(), mean_of=())),
        (GroupSpec(name="x", tasks=(), mean_of=()), GroupSpec(name="x", tasks=(), mean_of=())),
    ],
    ids=["task-task", "task-group", "group-task", "task-suite", "suite-group", "group-group"],
)
def test_duplicate_names_are_rejected(
    first: TaskSpec | GroupSpec | SuiteSpec, second: TaskSpec | GroupSpec | SuiteSpec
) -> None:
    registry = Registry()
    registry.add(first)
    with pytest.raises(DuplicateNameError, match="'x'"):
        registry.add(second)
    # The first registration is kept, the second is not added anywhere.
    total = len(registry.tasks) + len(registry.groups) + len(registry.suites)
    assert total == 1


def test_builtin_names_cannot_be_registered_twice(registry: Registry) -> None:
    with pytest.raises(DuplicateNameError):
        registry.add(_task("pope"))
    with pytest.raises(DuplicateNameError):
        registry.add(GroupSpec(name="pope_random", tasks=(), mean_of=()))


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["a"], ["a"]),
        (["ab"], ["a", "b"]),
        (["s1"], ["b", "c", "d"]),
        (["s2"], ["a", "b", "d", "c"]),
        (["d", "ab"], ["d", "a", "b"]),
        (["ab", "bc"], ["a", "b", "c"]),
        (["a", "a", "ab", "s2", "s1"], ["a", "b", "d", "c"]),
        (["c", "s2"], ["c", "a", "b", "d"]),
        ([], []),
    ],
    ids=str,
)
def test_expand_in_order_without_duplicates(names: list[str], expected: list[str]) -> None:
    assert _small().expand(names) == expected


@pytest.mark.parametrize("unknown", ["pope_hard", "POPE", "", "pope "])
def test_unknown_name_is_usage_error_with_known_names(registry: Registry, unknown: str) -> None:
    with pytest.raises(UsageError) as caught:
        registry.expand(["pope", unknown])
    assert f"'{unknown}'" in caught.value.message
    hint = caught.value.hint or ""
    for known in [*POPE_TASKS, "pope", "hallucination"]:
        assert known in hint
    assert caught.value.exit_code == 2


def test_unknown_name_hint_lists_small_registry() -> None:
    with pytest.raises(UsageError) as caught:
        _small().expand(["zz"])
    assert caught.value.hint is not None
    assert caught.value.hint.endswith("known: a, ab, b, bc, c, d, s1, s2")


def test_validate_rejects_dangling_members() -> None:
    registry = Registry()
    registry.add(_task("a"))
    registry.add(GroupSpec(name="g", tasks=("a", "missing"), mean_of=()))
    with pytest.raises(ValueError, match="missing"):
        registry.validate()
    registry = Registry()
    registry.add(SuiteSpec(name="s", members=("nothing",)))
    with pytest.raises(ValueError, match="nothing"):
        registry.validate()


def test_groups_covered(registry: Registry) -> None:
    assert [g.name for g in registry.groups_covered(POPE_TASKS)] == ["pope"]
    assert registry.groups_covered(POPE_TASKS[:2]) == []
