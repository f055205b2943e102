"""`mmalign-eval score`: score answers produced elsewhere, matched to the benchmark by id."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from rich.console import Console

from mmalign_eval import __version__
from mmalign_eval.contracts import Response
from mmalign_eval.datasets import read_jsonl
from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.evaluation import TaskEvaluation, TaskInputs, evaluate_task, task_passed
from mmalign_eval.hashing import sha256_file
from mmalign_eval.judges.base import JudgeBackend, judge_identity, load_backend
from mmalign_eval.judges.records import JudgeConfig, JudgeIdentity, JudgeReply
from mmalign_eval.judges.stage import (
    JudgedTask,
    StageResult,
    TaskJudging,
    missing_judge_message,
    run_stage,
    task_judge_info,
)
from mmalign_eval.metrics.bootstrap import BootstrapConfig
from mmalign_eval.results import MatchReport, PredictionsSource, ResultsFile
from mmalign_eval.task import DataRequest, TaskSpec

ID_FIELDS = ("question_id", "id", "image_id")
# Benchmarks whose questions are named by several fields (HallusionBench): a line holding all
# of them is matched by their '_'-join, which is the task's sample id.
COMPOSITE_ID_FIELDS = (("category", "subcategory", "set_id", "figure_id", "question_id"),)
JUDGEMENT_FIELD = "judgement"  # the judge's raw text, e.g. from a paper's review file
TEXT_FIELDS = ("text", "answer", "response", "caption")
_EXAMPLES = 10


@dataclass(frozen=True)
class Prediction:
    """One external answer."""

    id: str
    text: str
    judgement: str | None = None


def read_predictions(path: Path) -> dict[str, Prediction]:
    """Predictions by id; each line needs an id field and a text field, ids must be unique."""
    out: dict[str, Prediction] = {}
    for number, row in enumerate(_prediction_rows(path), start=1):
        key = next((f for f in ID_FIELDS if f in row), None)
        text = next((f for f in TEXT_FIELDS if f in row), None)
        if key is None or text is None:
            raise DataError(
                f"{path} line {number} lacks an id ({'/'.join(ID_FIELDS)}) or an answer "
                f"({'/'.join(TEXT_FIELDS)}); it has {sorted(row)}",
                "each line needs the benchmark's question id and the model's answer",
            )
        pid = _prediction_id(row, key)
        if pid in out:
            raise DataError(f"{path}: id {pid} appears twice", "keep one answer per question id")
        value = row[text]
        judgement = row.get(JUDGEMENT_FIELD)
        out[pid] = Prediction(
            pid,
            value if isinstance(value, str) else str(value),
            None if judgement is None else str(judgement),
        )
    return out


def _prediction_id(row: Mapping[str, object], key: str) -> str:
    for fields in COMPOSITE_ID_FIELDS:
        if all(f in row for f in fields):
            return "_".join(str(row[f]) for f in fields)
    return str(row[key])


def _prediction_rows(path: Path) -> list[dict[str, Any]]:
    """JSON Lines, or one JSON array of objects (AMBER's official inference-file format)."""
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            head = handle.read(64).lstrip()
        if head.startswith("["):
            try:
                rows = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise DataError(f"{path} is not valid JSON ({exc.msg})", "fix the file") from exc
            if not all(isinstance(row, dict) for row in rows):
                raise DataError(f"{path}: the array must hold objects", "one object per answer")
            return list(rows)
    return read_jsonl(path)


@dataclass(frozen=True)
class ScoreRequest:
    """Arguments of the score command."""

    task: TaskSpec
    predictions: Path
    data: DataRequest
    protocol: str | None
    seed: int = 0
    resamples: int = 1000
    max_failure_rate: float = 0.05
    judge: JudgeConfig | None = None
    output_dir: Path | None = None  # holds the judge cache; default results/<run id>
    console: Console | None = None


def score_predictions(request: ScoreRequest) -> tuple[ResultsFile, TaskEvaluation]:
    """Match predictions to the task's samples by id and score them."""
    task = request.task
    protocol = task.protocol_for(request.protocol, request.data.source)
    predictions = read_predictions(request.predictions)
    if protocol.requires is not None:
        protocol.requires()  # before loading: a missing resource is the user's next step
    loaded = task.loader(request.data)
    known = {s.id for s in loaded.samples}
    samples = [s for s in loaded.samples if s.id in predictions]
    missing = [s.id for s in loaded.samples if s.id not in predictions]
    unmatched = [pid for pid in predictions if pid not in known]
    if not samples:
        raise DataError(
            f"none of the {len(predictions)} prediction ids match the {len(known)} ids "
            f"of {task.name}",
            "ids are matched by the benchmark's own question id, not by line order",
        )
    matching = MatchReport(
        missing_predictions=len(missing),
        unmatched_predictions=len(unmatched),
        missing_examples=missing[:_EXAMPLES],
        unmatched_examples=unmatched[:_EXAMPLES],
    )
    responses = {
        s.id: Response(key=f"prediction:{s.id}", text=predictions[s.id].text, finish_reason="stop")
        for s in samples
    }
    digest = sha256_file(request.predictions)
    run_id = f"score-{task.name}-{digest[:10]}"
    judged = None
    if task.judge is not None and task.uses_judge(protocol.name):
        policy: Literal["zero", "failure"] = (
            "zero" if protocol.name == task.official_protocol else "failure"
        )
        judged_task = JudgedTask(task.name, task.judge, samples, responses, policy)
        folder = request.output_dir or Path("results") / run_id
        judged = judge_predictions(request, judged_task, predictions, folder)
    inputs = TaskInputs(
        task,
        protocol,
        loaded.provenance,
        None,
        matching,
        judge_replies=judged.replies if judged else None,
        judge=judged.info if judged else None,
    )
    config = BootstrapConfig(resamples=request.resamples, seed=request.seed)
    evaluation = evaluate_task(inputs, samples, responses, config)
    results = ResultsFile(
        harness_version=__version__,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        run_id=run_id,
        kind="score",
        predictions=PredictionsSource(path=str(request.predictions), sha256=digest),
        seed=request.seed,
        max_failure_rate=request.max_failure_rate,
        tasks=[evaluation.result],
        passed=task_passed(evaluation.result, request.max_failure_rate),
    )
    return results, evaluation


def judge_predictions(
    request: ScoreRequest,
    task: JudgedTask,
    predictions: Mapping[str, Prediction],
    folder: Path,
) -> TaskJudging:
    """Judgements given with the predictions, plus the judge's for lines without one."""
    given = {
        s.id: JudgeReply(key=f"judgement:{s.id}", text=text)
        for s in task.samples
        if (text := _given_judgement(task, predictions[s.id])) is not None
    }
    rest = [s for s in task.samples if s.id not in given]
    config = request.judge
    if config is None:
        if rest and not given:
            raise UsageError(*missing_judge_message([task.name]))
        # Lines without a judgement stay unjudged: they are counted, never guessed.
        identity = JudgeIdentity(backend="precomputed", model="judge not named; pass --judge")
        stage = StageResult({task.name: given}, 0, len(given), None)
        config = JudgeConfig(spec="precomputed")
    else:
        cache = Path(request.data.cache_dir)
        identity = judge_identity(config, cache)
        stage = StageResult({task.name: {}}, 0, 0, None)
        if rest:
            part = replace(task, samples=rest)
            factory = _factory(config, identity, cache)
            stage = run_stage([part], identity, config, factory, folder, _console(request))
        merged = {**stage.replies[task.name], **given}
        stage = replace(stage, replies={task.name: merged}, cached=stage.cached + len(given))
    return TaskJudging(stage.replies[task.name], task_judge_info(task, identity, config, stage))


def _given_judgement(task: JudgedTask, prediction: Prediction) -> str | None:
    """The line's own judgement, else the official script's fixed verdict for its answer."""
    if prediction.judgement is not None:
        return prediction.judgement
    return task.spec.fixed(prediction.text)


def _factory(
    config: JudgeConfig, identity: JudgeIdentity, cache: Path
) -> Callable[[], JudgeBackend]:
    return lambda: load_backend(config, identity, cache)


def _console(request: ScoreRequest) -> Console:
    return request.console or Console(stderr=True)
