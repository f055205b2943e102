"""What scoring gets for one sample: its responses and judge verdicts, as typed records.

The scorer of a task receives the sample with every response its plan asked for (by role:
one answer, K sampled answers, both pairwise orders, option log-likelihoods) and every
judgement (parsed once into the judge's typed verdict), and turns them into an ItemScore.
Failures are statuses with reasons, never values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal

from typing_extensions import TypeVar

from mmalign_eval.columns import Columns
from mmalign_eval.contracts import ItemScore, ParsedValue, Response, Sample
from mmalign_eval.judges.records import Verdict

Info = TypeVar("Info", default=Any)
ANSWER = "answer"  # the role of a plan's single generation
JUDGE = "judge"  # the role of a single judge call


@dataclass(frozen=True)
class Evidence(Generic[Info]):
    """A sample with its responses (by plan role) and its judge verdicts (by judge role)."""

    sample: Sample[Info]
    responses: Mapping[str, Response]
    verdicts: Mapping[str, Verdict] = field(default_factory=dict)

    def answer(self, role: str = ANSWER) -> Response:
        """The response of one role of the plan."""
        return self.responses[role]

    def verdict(self, role: str = JUDGE) -> Any:
        """The parsed verdict of one judge role (scoring only sees judged items' verdicts)."""
        return self.verdicts[role].value

    def failure(self, judged: bool) -> tuple[Literal["error", "unparseable"], str] | None:
        """Why the sample cannot be scored: a failed call, or (judged) a missing or failed
        judgement; None when everything it needs is there."""
        for response in self.responses.values():
            if response.error is not None:
                return "error", response.error
        if not judged:
            return None
        for verdict in self.verdicts.values():
            if verdict.status in ("error", "not_judged"):
                return "error", verdict.reason or "not judged"
        if not self.verdicts:
            return "error", "not judged"
        return None


def failed_item(
    sample: Sample[Any], status: Literal["error", "unparseable"], reason: str | None
) -> ItemScore:
    """An item that is counted as a failure, never scored."""
    return ItemScore(sample_id=sample.id, status=status, reason=reason, cluster=sample.cluster)


def scored_item(
    sample: Sample[Any],
    parsed: ParsedValue,
    values: Mapping[str, float],
    columns: Columns,
    reason: str | None = None,
) -> ItemScore:
    """An item with its per-item values, checked against the task's declared columns."""
    columns.check_written(values)
    return ItemScore(
        sample_id=sample.id,
        status="ok",
        reason=reason,
        parsed=parsed,
        values=dict(values),
        cluster=sample.cluster,
    )
