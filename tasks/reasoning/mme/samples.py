"""MME items: a question's typed record, and samples whose image pairs are checked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mmalign_eval import DataError, Record, Sample
from mmalign_eval.contracts import MediaRef

from .subtasks import ANSWERS, PAIR_SIZE, image_key, sample_id

TASK = "mme"


class MmeInfo(Record):
    """An MME question's subtask and image file (its pair is the image's other question)."""

    subtask: str
    image: str


@dataclass(frozen=True)
class Question:
    """One question as any layout gives it, before the pairs are checked."""

    subtask: str
    image: str
    question: str
    answer: str
    media: MediaRef


def build_samples(questions: Sequence[Question]) -> list[Sample[MmeInfo]]:
    """Samples in data order; each image must have exactly one yes and one no question."""
    answers: dict[str, list[str]] = {}
    for q in questions:
        answers.setdefault(image_key(q.subtask, q.image), []).append(q.answer)
    for key, found in answers.items():
        if len(found) != PAIR_SIZE or sorted(found) != sorted(ANSWERS):
            raise DataError(
                f"MME image {key} has answers {found}",
                "MME pairs each image with two questions, one answered yes and one no",
            )
    return [
        Sample(
            id=sample_id(q.subtask, q.image, q.answer),
            task=TASK,
            question=q.question,
            target=q.answer,
            media=(q.media,),
            cluster=image_key(q.subtask, q.image),
            category=q.subtask,
            info=MmeInfo(subtask=q.subtask, image=q.image),
        )
        for q in questions
    ]
