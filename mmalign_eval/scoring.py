"""`mmalign-eval score`: score answers produced elsewhere, matched to the benchmark by id."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from mmalign_eval.assemble import results_file
from mmalign_eval.contracts import Response, Sample
from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.evaluation import TaskEvaluation, TaskInputs, evaluate_task
from mmalign_eval.evidence import ANSWER, JUDGE
from mmalign_eval.hashing import sha256_path
from mmalign_eval.judges.base import JudgeBackend, judge_identity, load_backend
from mmalign_eval.judges.records import JudgeConfig, JudgeIdentity, JudgeReply
from mmalign_eval.judges.stage import (
    JudgedTask,
    StageResult,
    TaskJudging,
    missing_judge_message,
    run_stage,
    task_judging,
)
from mmalign_eval.metrics.bootstrap import BootstrapConfig
from mmalign_eval.predictions import (
    JUDGEMENT_FIELD,
    Prediction,
    check_questions,
    read_predictions,
    resolve,
)
from mmalign_eval.protocols import Protocol
from mmalign_eval.results import MatchReport, PredictionsSource, ResultsFile
from mmalign_eval.task import DataRequest, TaskSpec
from mmalign_eval.task_options import SCALAR_PROTOCOL

_EXAMPLES = 10


@dataclass(frozen=True)
class ScoreRequest:
    """Arguments of the score command."""

    task: TaskSpec[Any]
    predictions: Path
    data: DataRequest
    protocol: str | None
    seed: int = 0
    resamples: int = 1000
    max_failure_rate: float = 0.05
    judge: JudgeConfig | None = None
    output_dir: Path | None = None  # holds the judge cache; default results/<run id>
    console: Console | None = None
    ids: tuple[str, ...] = ()  # score only these benchmark ids (--ids)
    limit: int | None = None  # score only the first N benchmark items (--limit)


@dataclass(frozen=True)
class Selection:
    """The benchmark items a scoring covers (answered or not) and how the ids matched."""

    samples: list[Sample[Any]]
    matching: MatchReport


def select_items(
    request: ScoreRequest, samples: Sequence[Sample[Any]], predictions: Mapping[str, Prediction]
) -> Selection:
    """The items to score: --ids, else the items the predictions name for benchmarks without
    a fixed item list (CHAIR without an image folder), else all; then --limit.

    Selected items without a prediction are failures (`missing`), so a file answering 2 of
    12 questions cannot pass.
    """
    by_id = {s.id: s for s in samples}
    unknown = [i for i in request.ids if i not in by_id]
    if unknown:
        raise UsageError(
            f"--ids names {len(unknown)} ids that {request.task.name} does not have "
            f"(e.g. {', '.join(unknown[:_EXAMPLES])})",
            "ids are the benchmark's own question ids, as in the predictions file",
        )
    if request.ids:
        chosen = [by_id[i] for i in dict.fromkeys(request.ids)]
    elif request.task.open_item_set and request.data.image_dir is None:
        chosen = [s for s in samples if s.id in predictions]
    else:
        chosen = list(samples)
    chosen = chosen[: request.limit] if request.limit is not None else chosen
    picked = {s.id for s in chosen}
    answered = [s for s in chosen if s.id in predictions]
    if not answered:
        raise DataError(
            f"none of the {len(predictions)} prediction ids match the {len(chosen)} selected "
            f"ids of {request.task.name}",
            "ids are matched by the benchmark's own question id, not by line order",
        )
    missing = [s.id for s in chosen if s.id not in predictions]
    unmatched = [pid for pid in predictions if pid not in by_id]
    matching = MatchReport(
        missing_predictions=len(missing),
        unmatched_predictions=len(unmatched),
        missing_examples=missing[:_EXAMPLES],
        unmatched_examples=unmatched[:_EXAMPLES],
        outside_selection=sum(1 for pid in predictions if pid in by_id and pid not in picked),
    )
    return Selection(chosen, matching)


def _data_request(request: ScoreRequest, predictions: Mapping[str, Prediction]) -> DataRequest:
    """Benchmarks without a fixed item list load only the items asked for (or answered)."""
    if not request.task.open_item_set or request.data.image_dir is not None:
        return request.data
    return request.data.model_copy(
        update={"only_ids": tuple(dict.fromkeys([*request.ids, *predictions]))}
    )


def check_judgements(
    request: ScoreRequest,
    protocol: Protocol[Any, Any],
    predictions: Mapping[str, Prediction],
    console: Console,
) -> None:
    """Judgements in the file are never ignored in silence: under a protocol that does not
    read them this is an error, unless that protocol was named on purpose (then a warning)."""
    task = request.task
    if protocol.judged:
        return
    if not any(p.judgement is not None for p in predictions.values()):
        return
    readers = [p.name for p in task.protocols if p.judged]
    where = f"protocol {readers[0]} reads them" if readers else f"no {task.name} protocol does"
    message = (
        f"the predictions carry '{JUDGEMENT_FIELD}' fields, which protocol {protocol.name} "
        f"does not read ({where})"
    )
    if request.protocol is None:
        use = f"--protocol {readers[0]} to score by them, or " if readers else ""
        raise UsageError(message, f"pass {use}--protocol {protocol.name} to ignore them")
    console.print(f"[yellow]{message}; they are ignored[/]", highlight=False, soft_wrap=True)


def _response(key: str, text: str | None, invalid: str | None) -> Response:
    if text is None:
        error = f"the prediction is not text: {invalid}"
        return Response(key=key, text="", finish_reason="error", error=error)
    return Response(key=key, text=text, finish_reason="stop")


def _reward_response(key: str, prediction: Prediction, roles: list[str], role: str) -> Response:
    """A reward call's response from the line's `rewards` (a list in call order, or by role)."""
    given = prediction.rewards
    value: float | None = None
    if isinstance(given, tuple):
        value = given[roles.index(role)] if len(given) == len(roles) else None
    else:
        value = given.get(role)
    if value is None:
        reason = f"no reward for the call '{role}' in the file (rewards of {', '.join(roles)})"
        return Response(key=key, text="", finish_reason="error", error=reason)
    return Response(key=key, text="", finish_reason="stop", reward=value)


def _responses(
    task: TaskSpec[Any],
    protocol: Protocol[Any, Any],
    samples: Sequence[Sample[Any]],
    predictions: Mapping[str, Prediction],
) -> dict[str, dict[str, Response]]:
    """Each answered sample's responses by the roles its plan asks for; an answer that is
    not text, or a role the file does not answer, is an error response."""
    out = {}
    for sample in samples:
        prediction = predictions.get(sample.id)
        if prediction is None:
            continue  # missing: evaluate_task records it as a failure
        calls = task.plan(sample, task.generation, protocol)
        rewarded = [call.role for call in calls if call.kind == "reward"]
        roles = [call.role for call in calls]
        if prediction.replaces_plan:  # the file's own calls (e.g. replies in its own orders)
            roles = [*prediction.other_roles, *rewarded]
        by_role: dict[str, Response] = {}
        for role in roles:
            key = f"prediction:{sample.id}:{role}" if role != ANSWER else f"prediction:{sample.id}"
            if role in rewarded:
                by_role[role] = _reward_response(key, prediction, rewarded, role)
            elif role == ANSWER:
                by_role[role] = _response(key, prediction.text, prediction.invalid)
            elif role in prediction.other_roles:
                by_role[role] = _response(key, prediction.other_roles[role], "not text")
            else:
                reason = f"no prediction for the call '{role}' in the file"
                by_role[role] = Response(key=key, text="", finish_reason="error", error=reason)
        out[sample.id] = by_role
    return out


def _read(request: ScoreRequest) -> Mapping[str, Prediction]:
    """The benchmark's own output format when it recognises the file, else JSON Lines."""
    reader = request.task.prediction_reader
    found = reader(request.predictions) if reader is not None else None
    return (
        found
        if found is not None
        else read_predictions(request.predictions, request.task.prediction_ids)
    )


def _protocol_name(request: ScoreRequest, predictions: Mapping[str, Prediction]) -> str | None:
    """--protocol, else `scalar` for a file of rewards alone (a reward model's scores) on a
    task that has that protocol, else None (the task's default)."""
    if request.protocol is not None or SCALAR_PROTOCOL not in request.task.protocol_names:
        return request.protocol
    rewards_only = all(p.rewards and p.text is None for p in predictions.values())
    return SCALAR_PROTOCOL if predictions and rewards_only else None


def score_predictions(request: ScoreRequest) -> tuple[ResultsFile, TaskEvaluation]:
    """Match predictions to the task's samples by id and score them."""
    task = request.task
    predictions = _read(request)
    protocol = task.protocol(_protocol_name(request, predictions), request.data.source)
    check_judgements(request, protocol, predictions, _console(request))
    if protocol.needs is not None:
        protocol.needs.check()  # before loading: a missing resource is the user's next step
    loaded = task.loader(_data_request(request, predictions))
    selection = select_items(request, loaded.samples, predictions)
    samples = selection.samples
    resolved = {s.id: resolve(predictions[s.id], s) for s in samples if s.id in predictions}
    check_questions(task.name, list(resolved.values()), samples)
    responses = _responses(task, protocol, samples, resolved)
    digest = sha256_path(request.predictions)
    run_id = f"score-{task.name}-{digest[:10]}"
    judged = None
    if task.judge is not None and protocol.judged:
        answered = [s for s in samples if s.id in responses]
        runs = request.judge.runs if request.judge else 1
        judged_task = JudgedTask(
            task.name, task.judge, answered, responses, protocol.unparseable_policy,
            protocol.judge_roles, runs,
        )  # fmt: skip
        folder = request.output_dir or Path("results") / run_id
        free = {task.name: task.judge_free_protocol}
        judged = judge_predictions(request, judged_task, resolved, folder, free)
    inputs = TaskInputs(
        task,
        protocol,
        loaded.provenance,
        None,
        selection.matching,
        verdicts=judged.verdicts if judged else None,
        judge=judged.info if judged else None,
    )
    config = BootstrapConfig(resamples=request.resamples, seed=request.seed)
    evaluation = evaluate_task(inputs, samples, responses, config)
    source = PredictionsSource(path=str(request.predictions), sha256=digest)
    results = results_file(
        "score", run_id, [evaluation], [], request.seed, request.max_failure_rate,
        predictions=source,
    )  # fmt: skip
    return results, evaluation


def judge_predictions(
    request: ScoreRequest,
    task: JudgedTask,
    predictions: Mapping[str, Prediction],
    folder: Path,
    judge_free: Mapping[str, str | None] | None = None,
) -> TaskJudging:
    """Judgements given with the predictions, plus the judge's for lines without one."""
    given = {
        s.id: replies for s in task.samples if (replies := _given_replies(task, predictions[s.id]))
    }
    rest = [s for s in task.samples if s.id not in given]
    config = request.judge
    if config is None:
        if rest and not given:
            raise UsageError(*missing_judge_message([task.name], judge_free))
        # Lines without a judgement stay unjudged: they are counted, never guessed.
        identity = JudgeIdentity(backend="precomputed", model="judge not named; pass --judge")
        stage = StageResult({task.name: given}, 0, len(given), None)
        config = JudgeConfig(spec="precomputed")
    else:
        cache = Path(request.data.cache_dir)
        identity = judge_identity(config, cache)
        # The judge is asked only for the calls a line did not answer (e.g. the swapped
        # order of a line that gives the official one).
        part = replace(task, given={sid: tuple(replies) for sid, replies in given.items()})
        stage = StageResult({task.name: {}}, 0, 0, None)
        if any(part.requests(s, choice=False) for s in part.samples if part.answered(s)):
            factory = _factory(config, identity, cache)
            stage = run_stage([part], identity, config, factory, folder, _console(request))
        judged = stage.replies[task.name]
        merged = {sid: {**judged.get(sid, {}), **given.get(sid, {})} for sid in {*judged, *given}}
        stage = replace(stage, replies={task.name: merged}, cached=stage.cached + len(given))
    return task_judging(task, identity, config, stage)


def _given_replies(task: JudgedTask, prediction: Prediction) -> dict[str, JudgeReply]:
    """The line's own judgements by role (`judgement` is the official order's), else the
    official script's fixed verdict for its answer."""
    texts = dict(prediction.judgements)
    if prediction.judgement is not None:
        texts.setdefault(JUDGE, prediction.judgement)
    if JUDGE not in texts and prediction.text is not None:
        fixed = task.spec.fixed(prediction.text)
        if fixed is not None:
            texts[JUDGE] = fixed
    return {
        role: JudgeReply(key=f"judgement:{prediction.id}" + ("" if role == JUDGE else f":{role}"),
                         text=text)
        for role, text in texts.items()
    }  # fmt: skip


def _factory(
    config: JudgeConfig, identity: JudgeIdentity, cache: Path
) -> Callable[[], JudgeBackend]:
    return lambda: load_backend(config, identity, cache)


def _console(request: ScoreRequest) -> Console:
    return request.console or Console(stderr=True)
