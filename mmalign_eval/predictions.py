"""Answers produced elsewhere (`mmalign-eval score --predictions FILE`): reading and checking.

A line names the benchmark's question id and the answer. It may also carry the question it
answered (`prompt`, `question`, or `text` beside an `answer`/`response`): that text is checked
against the benchmark's question for the same id, so answers to another split or benchmark
that happens to share ids (POPE's splits all use 1-3,000) are refused instead of scored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mmalign_eval.contracts import Sample
from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.toolkit.files import read_jsonl, text_lines

JUDGEMENT_FIELD = "judgement"  # the judge's raw text, e.g. from a paper's review file
# The judge's raw texts by judge role, e.g. {"judge": ..., "BA": ...} for both pairwise orders.
JUDGEMENTS_FIELD = "judgements"
# Scalar rewards of a reward model's calls: a list in the order of the task's reward calls
# ([r_chosen, r_rejected]) or an object by call role.
REWARDS_FIELD = "rewards"
TEXT_FIELDS = ("text", "answer", "response", "caption")
QUESTION_FIELDS = ("prompt", "question")
_EXAMPLES = 3


@dataclass(frozen=True)
class PredictionIds:
    """How a line of a predictions file names its item: the first of `fields` present, or,
    for benchmarks named by several fields (HallusionBench), their '_'-join when a line holds
    all of `composite`."""

    fields: tuple[str, ...] = ("question_id", "id")
    composite: tuple[str, ...] = ()

    def read(self, row: Mapping[str, object]) -> str | None:
        """The item id of a line, or None when it names none."""
        if self.composite and all(f in row for f in self.composite):
            return "_".join(str(row[f]) for f in self.composite)
        key = next((f for f in self.fields if f in row), None)
        return None if key is None else str(row[key])


@dataclass(frozen=True)
class Prediction:
    """One external answer, as read from its line."""

    id: str
    text: str | None  # None: the answer field holds no string (a per-item failure)
    invalid: str | None = None  # why `text` is None
    judgement: str | None = None
    judgements: Mapping[str, str] = field(default_factory=dict)  # by judge role
    rewards: Mapping[str, float] | tuple[float, ...] = ()  # by call role, or in call order
    questions: tuple[str, ...] = ()  # the question texts the line carries
    # `answer`/`response` of a line whose `text` may be the question (the official POPE
    # question file with the model's answers added): used when `text` is the question.
    alternative: str | None = None
    # Answers to the other calls of a multi-call plan, by role (e.g. MMBench's rotations),
    # filled by a benchmark's own reader of its official output format.
    other_roles: Mapping[str, str | None] = field(default_factory=dict)
    # The line's other_roles stand for the plan's generations (a file whose replies came in
    # its own orders or numbers of samples): scored as given instead of the plan's roles.
    replaces_plan: bool = False


def read_predictions(path: Path, ids: PredictionIds | None = None) -> dict[str, Prediction]:
    """Predictions by id (the task's id fields); each line needs an id and a text field, ids
    must be unique."""
    ids = ids or PredictionIds()
    out: dict[str, Prediction] = {}
    for number, row in enumerate(_prediction_rows(path), start=1):
        pid = ids.read(row)
        text = next((f for f in TEXT_FIELDS if f in row), None)
        if pid is not None and text is None and REWARDS_FIELD in row:
            text = REWARDS_FIELD  # a reward model's scores: no answer text on the line
        if pid is None or text is None:
            raise DataError(
                f"{path} line {number} lacks an id ({'/'.join(ids.fields)}) or an answer "
                f"({'/'.join(TEXT_FIELDS)}); it has {sorted(row)}",
                "each line needs the benchmark's question id and the model's answer",
            )
        if pid in out:
            raise DataError(f"{path}: id {pid} appears twice", "keep one answer per question id")
        out[pid] = _prediction(pid, row, text)
        rewards = row.get(REWARDS_FIELD, ())
        if rewards and not out[pid].rewards:
            raise DataError(
                f"{path} line {number}: '{REWARDS_FIELD}' is not a list of numbers or an "
                "object of numbers by call role",
                'write e.g. "rewards": [1.5, -0.3] (the chosen response\'s reward first)',
            )
        if not _is_role_map(row.get(JUDGEMENTS_FIELD, {})):
            raise DataError(
                f"{path} line {number}: '{JUDGEMENTS_FIELD}' is not an object of texts by "
                "judge role",
                'write e.g. "judgements": {"judge": "[[A>B]]", "BA": "[[B>A]]"}',
            )
    return out


def _is_role_map(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _prediction(pid: str, row: Mapping[str, Any], text_field: str) -> Prediction:
    value = None if text_field == REWARDS_FIELD else row[text_field]
    invalid = f"'{text_field}' is {_kind(value)}, not text"
    if text_field == REWARDS_FIELD:
        invalid = "the line gives rewards, no answer text"
    judgement = row.get(JUDGEMENT_FIELD)
    other = next((row[f] for f in ("answer", "response") if f in row), None)
    return Prediction(
        id=pid,
        text=value if isinstance(value, str) else None,
        # A JSON null, number, list or object is not an answer: str() of it ("None", "['No']")
        # would parse as "yes" under POPE's official rule.
        invalid=None if isinstance(value, str) else invalid,
        judgement=None if judgement is None else str(judgement),
        judgements=_role_map(row.get(JUDGEMENTS_FIELD)),
        rewards=_rewards(row.get(REWARDS_FIELD)),
        questions=tuple(str(row[f]) for f in QUESTION_FIELDS if isinstance(row.get(f), str)),
        alternative=other if text_field == "text" and isinstance(other, str) else None,
    )


def _role_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not _is_role_map(value):
        return {}
    return {str(role): str(text) for role, text in value.items()}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rewards(value: object) -> Mapping[str, float] | tuple[float, ...]:
    if isinstance(value, list) and all(_is_number(v) for v in value):
        return tuple(float(v) for v in value)
    if isinstance(value, dict) and all(_is_number(v) for v in value.values()):
        return {str(role): float(v) for role, v in value.items()}
    return ()


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list"}.get(
        type(value), "an object"
    )


def _prediction_rows(path: Path) -> list[dict[str, Any]]:
    """JSON Lines, or one JSON array of objects (AMBER's official inference-file format)."""
    if path.is_file():
        with path.open("rb") as handle:
            head = handle.read(64).lstrip()
        if head.startswith(b"["):
            try:
                rows = json.loads("\n".join(text_lines(path)))
            except json.JSONDecodeError as exc:
                raise DataError(f"{path} is not valid JSON ({exc.msg})", "fix the file") from exc
            if not all(isinstance(row, dict) for row in rows):
                raise DataError(f"{path}: the array must hold objects", "one object per answer")
            return list(rows)
    return read_jsonl(path)


_IMAGE_TOKEN = re.compile(r"<image>|<img>|</img>")


def _normal(text: str) -> str:
    return " ".join(_IMAGE_TOKEN.sub(" ", text).lower().split())


def asks(question: str, text: str) -> bool:
    """Whether a prediction's question text asks the benchmark's question: the question,
    whitespace and case aside, appears in it (prompts add instructions or image tokens)."""
    wanted = _normal(question)
    return bool(wanted) and wanted in _normal(text)


def resolve(prediction: Prediction, sample: Sample) -> Prediction:
    """A line whose `text` is the benchmark's question answers in `answer`/`response`."""
    if prediction.alternative is None or prediction.text is None:
        return prediction
    if not asks(sample.question, prediction.text):
        return prediction
    return replace(
        prediction,
        text=prediction.alternative,
        questions=(*prediction.questions, prediction.text),
        alternative=None,
    )


def check_questions(
    task: str, predictions: Sequence[Prediction], samples: Sequence[Sample]
) -> None:
    """Refuse predictions whose question text is not the benchmark's question for that id."""
    by_id = {s.id: s for s in samples}
    wrong = [
        (p.id, text, by_id[p.id].question)
        for p in predictions
        for text in p.questions
        if p.id in by_id and not asks(by_id[p.id].question, text)
    ]
    if not wrong:
        return
    examples = "; ".join(f"id {i}: {t[:50]!r} vs {q[:50]!r}" for i, t, q in wrong[:_EXAMPLES])
    raise UsageError(
        f"{len(wrong)} predictions ask another question than {task} asks for the same id "
        f"({examples})",
        "check that the predictions belong to this task and split (POPE's three splits share "
        "ids 1-3,000 but not their questions) and to the --data given",
    )
