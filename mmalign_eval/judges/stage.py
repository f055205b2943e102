"""The judge stage: saved responses in, judge replies (cached, budgeted, accounted) out.

It never needs the evaluated model: `run` calls it after generation and `judge RUN_DIR`
calls it on a finished run folder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from rich.console import Console

from mmalign_eval.contracts import Response, Sample
from mmalign_eval.errors import UsageError
from mmalign_eval.judges.base import JudgeBackend, judge_identity, load_backend
from mmalign_eval.judges.budget import Caller, estimate_tokens
from mmalign_eval.judges.cache import JudgeCache
from mmalign_eval.judges.calls import Slot, judge_input, repeated
from mmalign_eval.judges.records import (
    JudgeConfig,
    JudgeCounts,
    JudgeIdentity,
    JudgeReply,
    JudgeRequest,
    JudgeTaskSpec,
    TaskJudgeInfo,
    TemplateInfo,
    Verdict,
    failed_judgements,
)
from mmalign_eval.plan import TaskPlan

NOT_JUDGED = "not judged: the judge budget was reached (rerun `mmalign-eval judge RUN_DIR`)"


Responses = Mapping[str, Mapping[str, Response]]  # sample id -> plan role -> response
Replies = dict[str, dict[str, JudgeReply]]  # sample id -> judge role -> reply


@dataclass(frozen=True)
class JudgedTask:
    """A judged task's samples and the model's responses (by sample id and plan role)."""

    name: str
    spec: JudgeTaskSpec
    samples: Sequence[Sample]
    responses: Responses
    unparseable_policy: Literal["failure", "zero"] = "failure"
    roles: tuple[str, ...] | None = None  # the judge calls the protocol reads (None: all)
    runs: int = 1  # independent judgements of each call (`--judge-runs`)
    # Roles already judged, by sample id (judgements given with predictions): never asked.
    given: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def answered(self, sample: Sample) -> bool:
        """Whether every call of the sample succeeded (failed ones have nothing to judge)."""
        return all(r.error is None for r in self.responses[sample.id].values())

    def requests(self, sample: Sample, choice: bool) -> list[JudgeRequest]:
        """The judge calls of one answered sample that its protocol reads."""
        made = self.spec.requests(sample, self.responses[sample.id], choice)
        read = [r for r in made if self.roles is None or r.role in self.roles]
        given = self.given.get(sample.id, ())
        return [r for r in repeated(read, self.runs) if r.role not in given]


@dataclass(frozen=True)
class StageResult:
    """Replies by task, sample id and role (absent: not judged) and what the stage did;
    `earlier`: the replies of attempts an official retry replaced (same layout)."""

    replies: dict[str, Replies]
    calls: int
    cached: int
    stopped: str | None
    earlier: dict[str, dict[str, dict[str, tuple[JudgeReply, ...]]]] = field(default_factory=dict)


def _slots(tasks: Sequence[JudgedTask], identity: JudgeIdentity) -> list[Slot]:
    namespace = identity.cache_namespace()
    choice = identity.mode == "choice"
    slots = []
    for task in tasks:
        for sample in task.samples:
            if not task.answered(sample):
                continue  # the item already failed at generation; nothing to judge
            for request in task.requests(sample, choice):
                item = judge_input(task.name, sample, request)
                key = item.key(namespace, task.spec.template.sha256)
                slots.append(Slot(task.name, task.spec, sample, request, key))
    return slots


def _fixed(slot: Slot) -> JudgeReply | None:
    if slot.request.fixed is None:
        return None
    return JudgeReply(key=slot.key, text=slot.request.fixed, model="official rule")


def run_stage(
    tasks: Sequence[JudgedTask],
    identity: JudgeIdentity,
    config: JudgeConfig,
    backend_factory: Callable[[], JudgeBackend],
    run_dir: Path,
    console: Console,
) -> StageResult:
    """Judge every call not in the cache, within the budgets, asking again where a task's
    official script retries; return the replies by sample."""
    out_tokens = max((t.spec.expected_output_tokens for t in tasks), default=0)
    caller = Caller(config, backend_factory, out_tokens)
    slots = _slots(tasks, identity)
    final: list[tuple[Slot, JudgeReply | None]] = []
    cached = 0
    try:
        with JudgeCache(run_dir) as cache:
            _announce(console, identity, slots, cache, out_tokens)
            while slots:
                asked = [s for s in slots if s.request.fixed is None]
                cached += sum(1 for s in asked if s.key in cache)
                fresh = caller.call({s.key: s.item() for s in asked if s.key not in cache}, cache)
                slots = _next_round(slots, cache, fresh, identity, caller, final)
                if slots:
                    console.print(f"judge: {len(slots)} calls asked again (official retry rule)")
    finally:
        caller.close()
    if caller.stopped:
        console.print(
            f"[yellow]judge stage stopped: {caller.stopped}; rerun "
            f"`mmalign-eval judge {run_dir}` to continue (judged items are cached)[/]"
        )
    return _result(final, [t.name for t in tasks], caller, cached)


def _next_round(
    slots: Sequence[Slot],
    cache: JudgeCache,
    fresh: Mapping[str, JudgeReply],
    identity: JudgeIdentity,
    caller: Caller,
    final: list[tuple[Slot, JudgeReply | None]],
) -> list[Slot]:
    """The slots an official retry asks again; the others' last replies go to `final`."""
    namespace = identity.cache_namespace()
    again = []
    for slot in slots:
        reply = _fixed(slot) or cache.get(slot.key) or fresh.get(slot.key)
        following = None if reply is None or caller.stopped else slot.retried(reply, namespace)
        if following is None:
            final.append((slot, reply))
        else:
            again.append(following)
    return again


def _result(
    final: Sequence[tuple[Slot, JudgeReply | None]],
    names: Sequence[str],
    caller: Caller,
    cached: int,
) -> StageResult:
    replies: dict[str, Replies] = {name: {} for name in names}
    earlier: dict[str, dict[str, dict[str, tuple[JudgeReply, ...]]]] = {n: {} for n in names}
    for slot, reply in final:
        task, sample_id, role = slot.where
        if reply is not None:
            replies[task].setdefault(sample_id, {})[role] = reply
        if slot.earlier:
            earlier[task].setdefault(sample_id, {})[role] = tuple(slot.earlier)
    return StageResult(replies, caller.calls, cached, caller.stopped, earlier)


def _announce(
    console: Console,
    identity: JudgeIdentity,
    slots: Sequence[Slot],
    cache: JudgeCache,
    out_tokens: int,
) -> None:
    fixed = sum(1 for s in slots if s.request.fixed is not None)
    asked = {s.key: s for s in slots if s.request.fixed is None}
    pending = [s for key, s in asked.items() if key not in cache]
    tokens_in = sum(estimate_tokens(s.item().text()) for s in pending)
    tokens_out = out_tokens * len(pending)
    ruled = f", {fixed} settled by the official script's rule" if fixed else ""
    console.print(
        f"[bold]judge[/] {identity.label}: {len(slots)} items{ruled}, "
        f"{len(asked) - len(pending)} from the judge cache, {len(pending)} calls to make "
        f"(about {tokens_in:,} input and {tokens_out:,} output tokens)"
    )


def task_verdicts(
    task: JudgedTask, replies: Replies, earlier: Mapping[str, Mapping[str, tuple[JudgeReply, ...]]]
) -> dict[str, dict[str, Verdict]]:
    """Every judge call's verdict, parsed once, by sample id and role (answered samples),
    with the replies of the attempts an official retry replaced."""
    out: dict[str, dict[str, Verdict]] = {}
    for sample in task.samples:
        if not task.answered(sample):
            continue
        got = replies.get(sample.id, {})
        before = earlier.get(sample.id, {})
        # Roles come from the calls the sample needs, so a call never made is "not judged".
        roles = [r.role for r in task.requests(sample, False)]
        out[sample.id] = {
            role: replace(task.spec.verdict(got.get(role)), earlier=before.get(role, ()))
            for role in roles
        }
    return out


def task_judge_info(
    task: JudgedTask,
    identity: JudgeIdentity,
    config: JudgeConfig,
    stage: StageResult,
    verdicts: Mapping[str, Mapping[str, Verdict]],
) -> TaskJudgeInfo:
    """Judge identity, template and outcome counts of one task, for results.json."""
    statuses = [v.status for by_role in verdicts.values() for v in by_role.values()]
    counts = JudgeCounts(
        ok=statuses.count("ok"),
        unparseable=statuses.count("unparseable"),
        error=statuses.count("error"),
        not_judged=statuses.count("not_judged"),
    )
    template = task.spec.template
    failed = failed_judgements(counts, task.unparseable_policy)
    return TaskJudgeInfo(
        judge=identity,
        template=TemplateInfo(name=template.name, version=template.version, sha256=template.sha256),
        official_judge=task.spec.official_model,
        official=task.spec.is_official(identity),
        unparseable_policy=task.unparseable_policy,
        counts=counts,
        failure_rate=failed / counts.total if counts.total else 0.0,
        max_failure_rate=config.max_failure_rate,
        calls=stage.calls,
        cached=stage.cached,
        stopped=stage.stopped,
    )


@dataclass(frozen=True)
class TaskJudging:
    """A judged task's verdicts (by sample id and role) and its results record."""

    verdicts: dict[str, dict[str, Verdict]]
    info: TaskJudgeInfo


def task_judging(
    task: JudgedTask, identity: JudgeIdentity, config: JudgeConfig, stage: StageResult
) -> TaskJudging:
    """The verdicts and the results record of one task after its stage."""
    verdicts = task_verdicts(
        task, stage.replies.get(task.name, {}), stage.earlier.get(task.name, {})
    )
    return TaskJudging(verdicts, task_judge_info(task, identity, config, stage, verdicts))


def judge_run(
    plans: Sequence[TaskPlan],
    responses: Mapping[str, Responses],
    judge_for: Callable[[str], JudgeConfig | None],
    cache_dir: Path,
    run_dir: Path,
    console: Console,
) -> dict[str, TaskJudging]:
    """Run the judge stage for the judged tasks among the plans (responses by task, sample).

    Tasks are judged by their own judge (`judge_for`); tasks sharing a judge share a stage,
    so its budgets apply to them together.
    """
    stages: dict[JudgeConfig, list[JudgedTask]] = {}
    missing = []
    for p in plans:
        if p.task.judge is None or not p.protocol.judged:
            continue
        config = judge_for(p.task.name)
        if config is None:
            missing.append(p.task.name)
            continue
        task = JudgedTask(
            name=p.task.name,
            spec=p.task.judge,
            samples=p.samples,
            responses=responses[p.task.name],
            unparseable_policy=p.protocol.unparseable_policy,
            roles=p.protocol.judge_roles,
            runs=config.runs,
        )
        stages.setdefault(config, []).append(task)
    if missing:
        raise UsageError(*missing_judge_message(missing))
    out: dict[str, TaskJudging] = {}
    for config, tasks in stages.items():
        out |= _judge_tasks(tasks, config, cache_dir, run_dir, console)
    return out


def _judge_tasks(
    tasks: Sequence[JudgedTask],
    config: JudgeConfig,
    cache_dir: Path,
    run_dir: Path,
    console: Console,
) -> dict[str, TaskJudging]:
    identity = judge_identity(config, cache_dir)
    stage = run_stage(
        tasks, identity, config, lambda: load_backend(config, identity, cache_dir), run_dir, console
    )
    return {t.name: task_judging(t, identity, config, stage) for t in tasks}


def missing_judge_message(
    tasks: Sequence[str], judge_free: Mapping[str, str | None] | None = None
) -> tuple[str, str]:
    """Error and hint when judged tasks are asked for without --judge.

    `judge_free`: for each task, a protocol of it that needs no judge, named in the hint.
    """
    free = [f"{task}={name}" for task in tasks if (name := (judge_free or {}).get(task))]
    instead = f"; or score without a judge: --protocol {' --protocol '.join(free)}" if free else ""
    return (
        f"{', '.join(tasks)} {'is' if len(tasks) == 1 else 'are'} scored by a judge model; "
        "no --judge was given",
        "pass --judge openai:<model> (the README names each benchmark's official judge), "
        f"--judge hf:<model id or folder>, or --judge tiny for an offline demo{instead}",
    )
