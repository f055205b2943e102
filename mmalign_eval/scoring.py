"""`mmalign-eval score`: score answers produced elsewhere, matched to the benchmark by id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mmalign_eval import __version__
from mmalign_eval.contracts import Response
from mmalign_eval.datasets import read_jsonl
from mmalign_eval.errors import DataError
from mmalign_eval.evaluation import TaskEvaluation, TaskInputs, evaluate_task
from mmalign_eval.hashing import sha256_file
from mmalign_eval.metrics.bootstrap import BootstrapConfig
from mmalign_eval.results import MatchReport, PredictionsSource, ResultsFile
from mmalign_eval.task import DataRequest, TaskSpec

ID_FIELDS = ("question_id", "id")
TEXT_FIELDS = ("text", "answer", "response")
_EXAMPLES = 10


@dataclass(frozen=True)
class Prediction:
    """One external answer."""

    id: str
    text: str


def read_predictions(path: Path) -> dict[str, Prediction]:
    """Predictions by id; each line needs an id field and a text field, ids must be unique."""
    out: dict[str, Prediction] = {}
    for number, row in enumerate(read_jsonl(path), start=1):
        key = next((f for f in ID_FIELDS if f in row), None)
        text = next((f for f in TEXT_FIELDS if f in row), None)
        if key is None or text is None:
            raise DataError(
                f"{path} line {number} lacks an id ({'/'.join(ID_FIELDS)}) or an answer "
                f"({'/'.join(TEXT_FIELDS)}); it has {sorted(row)}",
                "each line needs the benchmark's question id and the model's answer",
            )
        pid = str(row[key])
        if pid in out:
            raise DataError(f"{path}: id {pid} appears twice", "keep one answer per question id")
        value = row[text]
        out[pid] = Prediction(pid, value if isinstance(value, str) else str(value))
    return out


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


def score_predictions(request: ScoreRequest) -> tuple[ResultsFile, TaskEvaluation]:
    """Match predictions to the task's samples by id and score them."""
    task = request.task
    protocol = task.protocol(request.protocol)
    predictions = read_predictions(request.predictions)
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
    inputs = TaskInputs(task, protocol, loaded.provenance, None, matching)
    config = BootstrapConfig(resamples=request.resamples, seed=request.seed)
    evaluation = evaluate_task(inputs, samples, responses, config)
    digest = sha256_file(request.predictions)
    results = ResultsFile(
        harness_version=__version__,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        run_id=f"score-{task.name}-{digest[:10]}",
        kind="score",
        predictions=PredictionsSource(path=str(request.predictions), sha256=digest),
        seed=request.seed,
        max_failure_rate=request.max_failure_rate,
        tasks=[evaluation.result],
        passed=evaluation.result.failure_rate <= request.max_failure_rate,
    )
    return results, evaluation
