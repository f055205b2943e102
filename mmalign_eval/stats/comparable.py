"""Whether two runs may be compared: per task, the settings that decide its numbers.

Two runs are comparable on a task only when its data (revision or sha256), selected ids,
task version, prompt hash, protocol, generation settings and judge identity agree. Pairing
items by id across different data (synthetic ids 1..120 and real POPE ids 1..120) or across
different prompts would test a difference that is not the model's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal, get_args

from pydantic import Field

from mmalign_eval.contracts import Record
from mmalign_eval.errors import UsageError
from mmalign_eval.hashing import stable_hash
from mmalign_eval.results import ResultsFile, SampleRecord, TaskResult
from mmalign_eval.stats.paired import RunRecords

SettingField = Literal["data", "ids", "task_version", "prompt", "protocol", "generation", "judge"]
SETTING_FIELDS: tuple[str, ...] = get_args(SettingField)


class SettingDifference(Record):
    """One setting of one task that differs between the two runs."""

    task: str
    field: SettingField
    a: str = Field(description="The setting in run A (baseline), for people.")
    b: str = Field(description="The setting in run B (candidate), for people.")
    allowed: bool = Field(
        default=False, description="Accepted on purpose (--allow-difference) or by the gate."
    )
    why_allowed: str | None = None

    def line(self) -> str:
        """One line for a console or a report."""
        mark = f" (allowed: {self.why_allowed})" if self.allowed else ""
        return f"{self.task}: {self.field} differs: A {self.a} vs B {self.b}{mark}"


def parse_allowed(values: Iterable[str]) -> frozenset[str]:
    """--allow-difference values: setting fields, comma-separated or repeated."""
    chosen = {v.strip() for value in values for v in value.split(",") if v.strip()}
    unknown = sorted(chosen - set(SETTING_FIELDS))
    if unknown:
        raise UsageError(
            f"unknown --allow-difference {', '.join(unknown)}",
            f"choose among: {', '.join(SETTING_FIELDS)}",
        )
    return frozenset(chosen)


def _data(result: TaskResult) -> tuple[object, str]:
    data = result.data
    # The location is where the copy lives, not what it holds: compare content where known.
    key = (data.sha256, data.revision) if data.sha256 else (data.location, data.revision)
    shown = data.version_note or data.location
    digest = f", sha256 {data.sha256[:12]}" if data.sha256 else ""
    revision = f", revision {data.revision}" if data.revision else ""
    return key, f"{data.kind} {shown}{digest}{revision}"


def _judge(result: TaskResult) -> tuple[object, str]:
    judge = result.judge
    if judge is None:
        return None, "no judge"
    key = (judge.judge.model_dump(mode="json"), judge.template.sha256)
    return key, f"{judge.judge.label} (template {judge.template.name} v{judge.template.version})"


def _generation(result: TaskResult) -> tuple[object, str]:
    params = result.generation
    if params is None:
        return None, "not recorded (answers scored from a file)"
    dumped = params.model_dump(mode="json")
    return dumped, ", ".join(f"{k}={v}" for k, v in dumped.items())


_FIELDS: dict[SettingField, Callable[[TaskResult], tuple[object, str]]] = {
    "data": _data,
    "task_version": lambda r: (r.task_version, f"version {r.task_version}"),
    "prompt": lambda r: (r.prompt.sha256, f"prompt {r.prompt.sha256}"),
    "protocol": lambda r: (r.protocol.name, f"protocol {r.protocol.name}"),
    "generation": _generation,
    "judge": _judge,
}


def _ids_difference(task: str, a: set[str], b: set[str]) -> SettingDifference | None:
    if a == b:
        return None
    shared = len(a & b)
    return SettingDifference(
        task=task,
        field="ids",
        a=f"{len(a)} ids ({len(a) - shared} not in B, e.g. {_examples(a - b)})",
        b=f"{len(b)} ids ({len(b) - shared} not in A, e.g. {_examples(b - a)})",
    )


def _examples(ids: set[str]) -> str:
    return ", ".join(sorted(ids)[:3]) or "-"


def task_ids(samples: Sequence[SampleRecord]) -> dict[str, set[str]]:
    """The ids each task evaluated."""
    out: dict[str, set[str]] = {}
    for record in samples:
        out.setdefault(record.task, set()).add(record.id)
    return out


def setting_differences(
    a: ResultsFile,
    b: ResultsFile,
    ids_a: Mapping[str, set[str]],
    ids_b: Mapping[str, set[str]],
) -> list[SettingDifference]:
    """Every setting that differs, for each task present in both runs."""
    b_tasks = {t.task: t for t in b.tasks}
    out = []
    for task_a in a.tasks:
        task_b = b_tasks.get(task_a.task)
        if task_b is None:
            continue
        for name, describe in _FIELDS.items():
            (key_a, shown_a), (key_b, shown_b) = describe(task_a), describe(task_b)
            if stable_hash(key_a) != stable_hash(key_b):
                out.append(SettingDifference(task=task_a.task, field=name, a=shown_a, b=shown_b))
        ids = _ids_difference(
            task_a.task, ids_a.get(task_a.task, set()), ids_b.get(task_a.task, set())
        )
        if ids is not None:
            out.append(ids)
    return out


def mark_allowed(
    differences: Sequence[SettingDifference], allowed: frozenset[str], why: str
) -> list[SettingDifference]:
    """The differences with the allowed fields marked as accepted (and why)."""
    return [
        d.model_copy(update={"allowed": True, "why_allowed": why}) if d.field in allowed else d
        for d in differences
    ]


def blocking(differences: Sequence[SettingDifference]) -> list[SettingDifference]:
    """Differences nobody accepted: they make the runs not comparable."""
    return [d for d in differences if not d.allowed]


def run_differences(
    a: RunRecords, b: RunRecords, allowed: frozenset[str], subset_of_baseline: bool = False
) -> list[SettingDifference]:
    """Settings that differ per task between two runs, the allowed ones marked.

    subset_of_baseline: B was asked to evaluate another subset than A's (`check --model
    --subset smoke` on a full baseline): fewer ids are then on purpose, as long as every id of
    B is one of A's.
    """
    ids_a, ids_b = task_ids(a.samples), task_ids(b.samples)
    found = mark_allowed(
        setting_differences(a.results, b.results, ids_a, ids_b), allowed, "--allow-difference"
    )
    if not subset_of_baseline:
        return found
    return [
        d.model_copy(update={"allowed": True, "why_allowed": "the subset --subset asked for"})
        if d.field == "ids" and not d.allowed and ids_b.get(d.task, set()) <= ids_a[d.task]
        else d
        for d in found
    ]
