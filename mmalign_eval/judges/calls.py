"""The judge calls of a stage: one slot per (task, sample, role), its input, and its retries.

A slot holds the request in flight for one role of one sample. Repeated judgements
(`--judge-runs N`) are extra roles `<role>#1` ... `<role>#N-1`; an official retry replaces a
slot's request with the next one and keeps the replies that held no verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from mmalign_eval.contracts import ImagePart, Message, Sample, TextPart
from mmalign_eval.judges.records import JudgeInput, JudgeReply, JudgeRequest, JudgeTaskSpec


def run_role(role: str, run: int) -> str:
    """The role of one of several independent judgements of a call (run 0 keeps the role)."""
    return role if run == 0 else f"{role}#{run}"


def repeated(requests: Sequence[JudgeRequest], runs: int) -> list[JudgeRequest]:
    """Each request once per run, the later runs under their own role and cache key."""
    return [
        replace(r, role=run_role(r.role, run), run=run) for run in range(runs) for r in requests
    ]


def judge_input(task: str, sample: Sample, request: JudgeRequest) -> JudgeInput:
    """One judge call: a system turn where the official prompt has one, the user turn (text,
    then any images), any follow-up turns, and its options in choice mode."""
    messages = (
        [Message(role="system", content=(TextPart(text=request.system),))]
        if (request.system is not None)
        else []
    )
    images = tuple(ImagePart(media=m) for m in request.media)
    messages.append(Message(role="user", content=(TextPart(text=request.text), *images)))
    for reply, question in request.follow_up:
        messages.append(Message(role="assistant", content=(TextPart(text=reply),)))
        messages.append(Message(role="user", content=(TextPart(text=question),)))
    return JudgeInput(
        task=task,
        sample_id=sample.id,
        role=request.role,
        messages=tuple(messages),
        choices=request.choices,
        temperature=request.temperature,
        run=request.run,
    )


@dataclass
class Slot:
    """The call in flight for one role of one sample, and the attempts before it."""

    task: str
    spec: JudgeTaskSpec
    sample: Sample
    request: JudgeRequest
    key: str
    attempt: int = 0
    earlier: list[JudgeReply] = field(default_factory=list)

    @property
    def where(self) -> tuple[str, str, str]:
        """(task, sample id, role)."""
        return self.task, self.sample.id, self.request.role

    def item(self) -> JudgeInput:
        """The judge input of the request in flight."""
        return judge_input(self.task, self.sample, self.request)

    def retried(self, reply: JudgeReply, namespace: str) -> Slot | None:
        """The slot's next attempt when its reply holds no verdict and the task retries."""
        if self.spec.retry is None or self.request.fixed is not None:
            return None
        verdict = self.spec.verdict(reply)
        if verdict.status != "unparseable":
            return None
        following = self.spec.retry(self.request, verdict, self.attempt + 1)
        if following is None:
            return None
        following = replace(following, role=self.request.role, run=self.request.run)
        item = judge_input(self.task, self.sample, following)
        key = item.key(namespace, self.spec.template.sha256)
        return Slot(self.task, self.spec, self.sample, following, key, self.attempt + 1,
                    [*self.earlier, reply])  # fmt: skip
