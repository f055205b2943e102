"""Which task settings make two runs not comparable, and how allowed differences are marked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mmalign_eval.contracts import GenerationParams
from mmalign_eval.errors import UsageError
from mmalign_eval.judges.records import JudgeCounts, JudgeIdentity, TaskJudgeInfo, TemplateInfo
from mmalign_eval.results import PromptInfo, ProtocolInfo, SampleRecord
from mmalign_eval.stats.comparable import (
    blocking,
    mark_allowed,
    parse_allowed,
    run_differences,
    setting_differences,
)
from mmalign_eval.stats.paired import RunRecords
from mmalign_eval.task import DataProvenance

from .results_builders import results, task_result

IDS = {"pope_random": {"1", "2", "3", "4"}}


def _judge(model: str, template: str = "t1") -> TaskJudgeInfo:
    return TaskJudgeInfo(
        judge=JudgeIdentity(backend="openai", model=model),
        template=TemplateInfo(name="mmhal", version="1", sha256=template),
        official_judge="gpt-4-0314",
        official=False,
        unparseable_policy="failure",
        counts=JudgeCounts(),
        failure_rate=0.0,
        max_failure_rate=0.05,
    )


def _data(**changes: Any) -> DataProvenance:
    base = {"kind": "synthetic", "location": "/x/labels.json", "sha256": "d1", "num_items": 4}
    return DataProvenance(**{**base, **changes})


# (what changes in run B, the fields that must be reported)
CASES = [
    ({}, []),
    ({"data": _data(sha256="d2")}, ["data"]),  # other labels: the synthetic/real POPE trap
    ({"data": _data(location="/elsewhere/labels.json")}, []),  # same bytes, other folder
    ({"data": _data(revision="abc")}, ["data"]),
    ({"task_version": "2"}, ["task_version"]),
    ({"prompt": PromptInfo(template="{question}!", sha256="p2")}, ["prompt"]),
    ({"protocol": ProtocolInfo(name="lenient", description="d", official=False)}, ["protocol"]),
    ({"generation": GenerationParams(max_new_tokens=8)}, ["generation"]),
    ({"generation": None}, ["generation"]),  # answers scored from a file
    ({"judge": _judge("gpt-4o-mini")}, ["judge"]),
    ({"data": _data(sha256="d2"), "task_version": "3"}, ["data", "task_version"]),
]


@pytest.mark.parametrize(("changes", "fields"), CASES)
def test_each_setting_is_compared(changes: dict[str, Any], fields: list[str]) -> None:
    a = results(task_result("pope_random"))
    b = results(task_result("pope_random", **changes))
    found = setting_differences(a, b, IDS, IDS)
    assert [d.field for d in found] == fields
    assert all(d.task == "pope_random" and d.a != d.b for d in found)


def test_judge_template_and_identity_both_count() -> None:
    a = results(task_result("mmhal_bench", judge=_judge("gpt-4-0314")))
    b = results(task_result("mmhal_bench", judge=_judge("gpt-4-0314", template="t2")))
    (difference,) = setting_differences(a, b, {}, {})
    assert difference.field == "judge"


def test_selected_ids_are_compared_and_described() -> None:
    a = results(task_result("pope_random"))
    found = setting_differences(a, a, IDS, {"pope_random": {"1", "2", "9"}})
    (difference,) = found
    assert difference.field == "ids"
    assert difference.a.startswith("4 ids (2 not in B") and "e.g. 3, 4" in difference.a
    assert difference.b.startswith("3 ids (1 not in A, e.g. 9")


def test_tasks_on_one_side_only_are_not_setting_differences() -> None:
    a = results(task_result("pope_random"), task_result("pope_popular"))
    b = results(task_result("pope_random"))
    assert setting_differences(a, b, IDS, IDS) == []


def test_allowed_differences_are_marked_not_dropped() -> None:
    a = results(task_result("pope_random"))
    b = results(task_result("pope_random", task_version="2", judge=_judge("x")))
    marked = mark_allowed(setting_differences(a, b, IDS, IDS), frozenset({"judge"}), "asked")
    assert [(d.field, d.allowed) for d in marked] == [("task_version", False), ("judge", True)]
    assert [d.field for d in blocking(marked)] == ["task_version"]
    assert "(allowed: asked)" in marked[1].line()


def test_parse_allowed() -> None:
    assert parse_allowed(["judge,data", "ids"]) == {"judge", "data", "ids"}
    with pytest.raises(UsageError, match="unknown --allow-difference model"):
        parse_allowed(["model"])


def _run(ids: set[str]) -> RunRecords:
    records = [
        SampleRecord(
            task="pope_random",
            id=i,
            prompt="q",
            target="yes",
            response="Yes",
            finish_reason="stop",
            parsed="yes",
            status="ok",
        )
        for i in sorted(ids)
    ]
    return RunRecords(Path("run"), results(task_result("pope_random")), records)


@pytest.mark.parametrize(
    ("candidate", "allowed"),
    [({"1", "2"}, True), ({"1", "9"}, False), ({"1", "2", "3", "4", "5"}, False)],
    ids=["subset", "other-ids", "superset"],
)
def test_an_asked_subset_of_a_full_baseline_is_allowed(candidate: set[str], allowed: bool) -> None:
    base = _run(IDS["pope_random"])
    (difference,) = run_differences(base, _run(candidate), frozenset(), subset_of_baseline=True)
    assert difference.field == "ids" and difference.allowed is allowed
    (plain,) = run_differences(base, _run(candidate), frozenset())
    assert not plain.allowed
