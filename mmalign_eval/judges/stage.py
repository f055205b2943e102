"""The judge stage: saved responses in, judge replies (cached, budgeted, accounted) out.

It never needs the evaluated model: `run` calls it after generation and `judge RUN_DIR`
calls it on a finished run folder.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rich.console import Console

from mmalign_eval.contracts import Message, Response, Sample, TextPart
from mmalign_eval.errors import UsageError
from mmalign_eval.judges.base import JudgeBackend, judge_identity, load_backend
from mmalign_eval.judges.cache import JudgeCache
from mmalign_eval.judges.records import (
    JudgeConfig,
    JudgeCounts,
    JudgeIdentity,
    JudgeInput,
    JudgeReply,
    JudgeRequest,
    JudgeTaskSpec,
    TaskJudgeInfo,
    TemplateInfo,
    Verdict,
    failed_judgements,
)
from mmalign_eval.plan import TaskPlan

CHARS_PER_TOKEN = 4  # rough; only used for the estimate and the token budget before usage
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

    def answered(self, sample: Sample) -> bool:
        """Whether every call of the sample succeeded (failed ones have nothing to judge)."""
        return all(r.error is None for r in self.responses[sample.id].values())

    def requests(self, sample: Sample, choice: bool) -> list[JudgeRequest]:
        """The judge calls of one answered sample that its protocol reads."""
        made = self.spec.requests(sample, self.responses[sample.id], choice)
        return [r for r in made if self.roles is None or r.role in self.roles]


@dataclass
class _Work:
    keys: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (task, id, role)
    pending: dict[str, JudgeInput] = field(default_factory=dict)  # key -> input, uncached
    fixed: dict[str, JudgeReply] = field(default_factory=dict)  # key -> the script's own reply


@dataclass(frozen=True)
class StageResult:
    """Replies by task, sample id and role (absent: not judged) and what the stage did."""

    replies: dict[str, Replies]
    calls: int
    cached: int
    stopped: str | None


@dataclass
class Budget:
    """Calls and tokens left in this stage (None: unlimited)."""

    calls: int | None
    tokens: int | None
    stopped: str | None = None

    def take(self, items: Sequence[tuple[str, JudgeInput]], out_tokens: int) -> int:
        """How many of the items fit; records why the stage stops when not all do."""
        count = 0
        spent = 0
        for _, item in items:
            if self.calls is not None and count >= self.calls:
                self.stopped = "--judge-max-calls reached"
                break
            cost = estimate_tokens(item.text()) + out_tokens
            if self.tokens is not None and spent + cost > self.tokens:
                self.stopped = "--judge-max-tokens reached"
                break
            count += 1
            spent += cost
        return count

    def spend(self, replies: Sequence[JudgeReply], items: Sequence[JudgeInput], out: int) -> None:
        """Charge made calls, with the server's token counts where it reported them."""
        if self.calls is not None:
            self.calls -= len(replies)
        if self.tokens is not None:
            for reply, item in zip(replies, items, strict=True):
                used = reply.prompt_tokens + reply.completion_tokens
                self.tokens -= used or (estimate_tokens(item.text()) + out)


def estimate_tokens(text: str) -> int:
    """Rough token count of a text (characters / 4)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def judge_input(task: str, sample: Sample, request: JudgeRequest) -> JudgeInput:
    """One judge call as a single user turn (with its options in choice mode)."""
    return JudgeInput(
        task=task,
        sample_id=sample.id,
        role=request.role,
        messages=(Message(role="user", content=(TextPart(text=request.text),)),),
        choices=request.choices,
    )


def _collect(tasks: Sequence[JudgedTask], identity: JudgeIdentity, cache: JudgeCache) -> _Work:
    namespace = identity.cache_namespace()
    choice = identity.mode == "choice"
    work = _Work()
    for task in tasks:
        for sample in task.samples:
            if not task.answered(sample):
                continue  # the item already failed at generation; nothing to judge
            for request in task.requests(sample, choice):
                item = judge_input(task.name, sample, request)
                key = item.key(namespace, task.spec.template.sha256)
                work.keys[(task.name, sample.id, request.role)] = key
                if request.fixed is not None:
                    work.fixed[key] = JudgeReply(key=key, text=request.fixed, model="official rule")
                elif key not in cache:
                    work.pending.setdefault(key, item)
    return work


def run_stage(
    tasks: Sequence[JudgedTask],
    identity: JudgeIdentity,
    config: JudgeConfig,
    backend_factory: Callable[[], JudgeBackend],
    run_dir: Path,
    console: Console,
) -> StageResult:
    """Judge every response not in the cache, within the budgets; return replies by sample."""
    out_tokens = max((t.spec.expected_output_tokens for t in tasks), default=0)
    with JudgeCache(run_dir) as cache:
        work = _collect(tasks, identity, cache)
        asked = [k for k in work.keys.values() if k not in work.fixed]
        cached = len(asked) - sum(1 for k in asked if k in work.pending)
        _announce(console, identity, work, cached, out_tokens)
        fresh, calls, stopped = _judge_pending(work, config, backend_factory, cache, out_tokens)
        replies: dict[str, Replies] = {t.name: {} for t in tasks}
        for (task, sample_id, role), key in work.keys.items():
            reply = work.fixed.get(key) or cache.get(key) or fresh.get(key)
            if reply is not None:
                replies[task].setdefault(sample_id, {})[role] = reply
    if stopped:
        left = len(work.pending) - calls
        console.print(
            f"[yellow]judge stage stopped: {stopped}; {left} calls left; rerun "
            f"`mmalign-eval judge {run_dir}` to continue (judged items are cached)[/]"
        )
    return StageResult(replies, calls, cached, stopped)


def _announce(
    console: Console, identity: JudgeIdentity, work: _Work, cached: int, out_tokens: int
) -> None:
    tokens_in = sum(estimate_tokens(i.text()) for i in work.pending.values())
    tokens_out = out_tokens * len(work.pending)
    ruled = f", {len(work.fixed)} settled by the official script's rule" if work.fixed else ""
    console.print(
        f"[bold]judge[/] {identity.label}: {len(work.keys)} items{ruled}, {cached} from the "
        f"judge cache, {len(work.pending)} calls to make (about {tokens_in:,} input and "
        f"{tokens_out:,} output tokens)"
    )


def _judge_pending(
    work: _Work,
    config: JudgeConfig,
    backend_factory: Callable[[], JudgeBackend],
    cache: JudgeCache,
    out_tokens: int,
) -> tuple[dict[str, JudgeReply], int, str | None]:
    pending = list(work.pending.items())
    if not pending:
        return {}, 0, None
    budget = Budget(config.max_calls, config.max_tokens)
    backend = backend_factory()
    fresh: dict[str, JudgeReply] = {}
    calls = 0
    try:
        for start in range(0, len(pending), backend.chunk_size):
            chunk = pending[start : start + backend.chunk_size]
            chunk = chunk[: budget.take(chunk, out_tokens)]
            if chunk:
                items = [item for _, item in chunk]
                replies = backend.judge(items, [key for key, _ in chunk])
                cache.append(replies)  # written through at once: a crash loses no paid call
                fresh.update((r.key, r) for r in replies)
                budget.spend(replies, items, out_tokens)
                calls += len(replies)
            if budget.stopped:
                break
    finally:
        backend.close()
    return fresh, calls, budget.stopped


def task_verdicts(task: JudgedTask, replies: Replies) -> dict[str, dict[str, Verdict]]:
    """Every judge call's verdict, parsed once, by sample id and role (answered samples)."""
    out: dict[str, dict[str, Verdict]] = {}
    for sample in task.samples:
        if not task.answered(sample):
            continue
        got = replies.get(sample.id, {})
        # Roles come from the calls the sample needs, so a call never made is "not judged".
        roles = [r.role for r in task.requests(sample, False)]
        out[sample.id] = {role: task.spec.verdict(got.get(role)) for role in roles}
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
    verdicts = task_verdicts(task, stage.replies.get(task.name, {}))
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
    judged = [
        JudgedTask(
            name=p.task.name,
            spec=p.task.judge,
            samples=p.samples,
            responses=responses[p.task.name],
            unparseable_policy=p.protocol.unparseable_policy,
            roles=p.protocol.judge_roles,
        )
        for p in plans
        if p.task.judge is not None and p.protocol.judged
    ]
    stages: dict[JudgeConfig, list[JudgedTask]] = {}
    missing = []
    for task in judged:
        config = judge_for(task.name)
        if config is None:
            missing.append(task.name)
        else:
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
