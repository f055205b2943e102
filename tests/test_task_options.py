"""Per-task command-line values (`--data amber=... --data synthetic`) and their resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmalign_eval.engines.base import EngineConfig
from mmalign_eval.errors import UsageError
from mmalign_eval.plan import RunConfig, TaskOptions, plan_tasks, resolve_protocols
from mmalign_eval.registry import Registry, build_registry
from mmalign_eval.task_options import (
    OptionValues,
    defined_protocols,
    per_task_options,
    split_values,
    with_pairwise,
    with_reward_mode,
)

AMBER = ("amber_generative", "amber_discriminative", "amber_existence", "amber_attribute",
         "amber_relation")  # fmt: skip


@pytest.fixture(scope="module")
def registry() -> Registry:
    return build_registry()


ALL = ("pope_random", "pope_popular", "pope_adversarial", "coco_chair", *AMBER)


@pytest.mark.parametrize(
    ("values", "shared", "by_task"),
    [
        ([], None, {}),
        (["synthetic"], "synthetic", {}),
        (["/data/x=y"], "/data/x=y", {}),  # '=' in a path: not a task name, so run-wide
        (["pope_random=/p"], None, {"pope_random": "/p"}),
        (["coco_chair=/c", "synthetic:4"], "synthetic:4", {"coco_chair": "/c"}),
        (["amber=/a"], None, dict.fromkeys(AMBER, "/a")),  # a group names its tasks
        # a task's own value wins over its group's, in either order
        (["amber_relation=/r", "amber=/a"], None, {**dict.fromkeys(AMBER, "/a"),
                                                    "amber_relation": "/r"}),
        (["amber=/a", "amber_relation=/r"], None, {**dict.fromkeys(AMBER, "/a"),
                                                    "amber_relation": "/r"}),
    ],
)  # fmt: skip
def test_split_values(
    registry: Registry, values: list[str], shared: str | None, by_task: dict[str, str]
) -> None:
    split = split_values("--data", values, registry, ALL)
    assert (split.shared, split.by_task) == (shared, by_task)


def test_a_group_value_covers_the_group_tasks_in_the_run(registry: Registry) -> None:
    split = split_values("--data", ["pope=/p", "hallucination=/h"], registry, ["pope_random"])
    assert split.by_task == {"pope_random": "/p"} and split.named_as == {"pope_random": "pope"}
    with pytest.raises(UsageError, match="no task of amber is in this run"):
        split_values("--data", ["amber=/a"], registry, ["pope_random"])


def test_a_group_protocol_covers_the_tasks_that_define_it(registry: Registry) -> None:
    split = split_values("--protocol", ["amber=lenient"], registry, AMBER)
    kept = defined_protocols(split, registry)
    assert set(kept.by_task) == set(AMBER) - {"amber_generative"}  # it has no 'lenient'
    split = split_values("--protocol", ["amber=nope"], registry, AMBER)
    with pytest.raises(UsageError, match="no task of amber in this run has a protocol 'nope'"):
        defined_protocols(split, registry)
    # Named on its own, a task keeps the value, and planning reports the unknown protocol.
    split = split_values("--protocol", ["amber_generative=lenient"], registry, AMBER)
    assert defined_protocols(split, registry).by_task == {"amber_generative": "lenient"}


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        (["a", "b"], "twice without a task name"),
        (["pope=/x", "pope=/y"], "given twice for pope"),
        (["pope="], "empty value"),
    ],
)
def test_split_values_errors(registry: Registry, values: list[str], needle: str) -> None:
    with pytest.raises(UsageError, match=needle):
        split_values("--data", values, registry, ALL)


def _config(tmp_path: Path, tasks: tuple[str, ...], **fields: object) -> RunConfig:
    return RunConfig(
        engine=EngineConfig(model="tiny"), tasks=tasks, cache_dir=str(tmp_path), **fields
    )  # type: ignore[arg-type]


def test_options_fall_back_to_run_wide_values(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        ("pope",),
        data="synthetic",
        image_dir="/img",
        per_task={"pope_random": TaskOptions(data="/labels", protocol="lenient")},
    )
    assert config.options("pope_random") == TaskOptions(
        data="/labels", image_dir="/img", protocol="lenient"
    )
    assert config.options("pope_popular") == TaskOptions(data="synthetic", image_dir="/img")


def test_protocol_resolution(registry: Registry, tmp_path: Path) -> None:
    tasks = [registry.tasks[n] for n in ("pope_random", "coco_chair", "amber_generative")]
    # Run-wide 'lenient' applies where defined (POPE), others keep their default; synthetic
    # data gives AMBER generative its resource-free protocol.
    config = _config(tmp_path, (), data="synthetic", protocol="lenient")
    chosen = {k: v.name for k, v in resolve_protocols(tasks, config).items()}
    assert chosen == {"pope_random": "lenient", "coco_chair": "rule", "amber_generative": "offline"}
    # A task's own protocol wins, also on synthetic data.
    own = {"amber_generative": TaskOptions(protocol="official")}
    config = _config(tmp_path, (), data="synthetic", per_task=own)
    assert resolve_protocols(tasks, config)["amber_generative"].name == "official"
    # Real data: the official default.
    config = _config(tmp_path, (), data="/data/amber")
    assert resolve_protocols(tasks, config)["amber_generative"].name == "official"


def test_protocol_errors(registry: Registry, tmp_path: Path) -> None:
    tasks = [registry.tasks[n] for n in ("pope_random", "coco_chair")]
    with pytest.raises(UsageError, match="no task of this run has a protocol 'x'"):
        resolve_protocols(tasks, _config(tmp_path, (), protocol="x"))
    own = {"coco_chair": TaskOptions(protocol="lenient")}
    with pytest.raises(UsageError, match="coco_chair has no protocol 'lenient'"):
        resolve_protocols(tasks, _config(tmp_path, (), per_task=own))


def test_each_task_reads_its_own_data(registry: Registry, tmp_path: Path) -> None:
    run = ("pope_random", "pope_popular")
    data = split_values("--data", ["synthetic:2", "pope_random=synthetic:3"], registry, run)
    none = OptionValues()
    config = _config(
        tmp_path, ("pope_random", "pope_popular"), data=data.shared,
        per_task=per_task_options(data, none, none),
    )  # fmt: skip
    sizes = {p.task.name: len(p.samples) for p in plan_tasks(config, registry)}
    assert sizes["pope_random"] > sizes["pope_popular"]


def test_options_for_a_task_outside_the_run(registry: Registry, tmp_path: Path) -> None:
    config = _config(tmp_path, ("pope_random",), per_task={"coco_chair": TaskOptions(data="x")})
    with pytest.raises(UsageError, match="coco_chair, which this run does not include"):
        plan_tasks(config, registry)


PREFERENCE = ("llava_bench_wild", "mm_vet", "wildvision_bench")


@pytest.mark.parametrize(
    ("mode", "given", "expected"),
    [
        ("official", {}, {}),
        ("both", {}, {"llava_bench_wild": "both", "wildvision_bench": "both"}),  # not mm_vet
        # A task's own --protocol TASK=NAME wins over --pairwise.
        ("both", {"wildvision_bench": "strict"},
         {"llava_bench_wild": "both", "wildvision_bench": "strict"}),
    ],
)  # fmt: skip
def test_pairwise_picks_the_both_protocol(
    registry: Registry, mode: str, given: dict[str, str], expected: dict[str, str]
) -> None:
    values = OptionValues(None, dict(given), {t: t for t in given})
    assert with_pairwise(values, mode, registry, PREFERENCE).by_task == expected


def test_pairwise_errors(registry: Registry) -> None:
    with pytest.raises(UsageError, match="no task in this run is judged in pairs"):
        with_pairwise(OptionValues(), "both", registry, ("mm_vet",))
    with pytest.raises(UsageError, match="bad --pairwise 'sideways'"):
        with_pairwise(OptionValues(), "sideways", registry, PREFERENCE)


def _reward_registry(registry: Registry) -> Registry:
    """The registry plus a reward-like task: pope_random with a 'scalar' protocol."""
    from dataclasses import replace

    from mmalign_eval.protocols import Protocol

    pope = registry.tasks["pope_random"]
    scalar = Protocol("scalar", "test", pope.protocols[0].read, asks="reward")
    # A task whose default is the scalar one, with a generative protocol for judges.
    first = Protocol("scalar", "test", pope.protocols[0].read, asks="reward", default=True)
    judge = Protocol("generative", "test", pope.protocols[0].read)
    tasks = {
        **registry.tasks,
        "rm": replace(pope, name="rm", protocols=(*pope.protocols, scalar)),
        "rm_first": replace(pope, name="rm_first", protocols=(first, judge)),
    }
    return replace(registry, tasks=tasks)


@pytest.mark.parametrize(
    ("mode", "scalar_model", "expected"),
    [
        # A reward model gets the scalar protocols.
        ("auto", True, {"rm": "scalar", "rm_first": "scalar"}),
        # A chat model keeps generative defaults, and judges where the default is scalar.
        ("auto", False, {"rm_first": "generative"}),
        ("generative", True, {"rm_first": "generative"}),
        ("scalar", False, {"rm": "scalar", "rm_first": "scalar"}),
    ],
)
def test_reward_mode(
    registry: Registry, mode: str, scalar_model: bool, expected: dict[str, str]
) -> None:
    reward = _reward_registry(registry)
    run = ("rm", "rm_first", "pope_random")
    chosen = with_reward_mode(OptionValues(), mode, reward, run, scalar_model)
    assert chosen.by_task == expected


def test_reward_mode_errors(registry: Registry) -> None:
    with pytest.raises(UsageError, match="no task in this run scores a reward model"):
        with_reward_mode(OptionValues(), "scalar", registry, ("pope_random",), False)
    with pytest.raises(UsageError, match="bad --reward-mode"):
        with_reward_mode(OptionValues(), "vibes", registry, ("pope_random",), False)


def test_samples_replace_the_k_of_sampling_protocols(registry: Registry, tmp_path: Path) -> None:
    from dataclasses import replace

    pope = registry.tasks["pope_random"]
    sampled = replace(pope, name="k", protocols=tuple(
        replace(p, samples=10) if p.default else p for p in pope.protocols))  # fmt: skip
    chosen = resolve_protocols([sampled, pope], _config(tmp_path, (), samples=3))
    assert (chosen["k"].samples, chosen["pope_random"].samples) == (3, None)
    assert resolve_protocols([sampled], _config(tmp_path, ()))["k"].samples == 10
    with pytest.raises(UsageError, match="--samples 3: no task of this run samples"):
        resolve_protocols([pope], _config(tmp_path, (), samples=3))
