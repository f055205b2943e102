"""Typed records of the judge stage: who judges, what it is asked, what it answered."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import Field

from mmalign_eval.contracts import MediaRef, Message, Record, Response, Sample
from mmalign_eval.hashing import sha256_text, stable_hash
from mmalign_eval.judges.templates import JudgeTemplate

BackendName = Literal["openai", "hf", "tiny", "precomputed"]
JudgementStatus = Literal["ok", "unparseable", "error"]
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_API_KEY_ENV = "OPENAI_API_KEY"


# generate: the judge writes text that the task's parser reads. choice: a local judge scores
# each of the task's closed set of verdicts ("Rating: 0" .. "Rating: 6") by log-likelihood and
# answers with the most likely one, so its answers always parse.
JudgeMode = Literal["generate", "choice"]


class JudgeDecoding(Record):
    """Decoding settings sent to the judge; part of its identity and of the cache key."""

    temperature: float = Field(default=0.0, ge=0.0)
    max_tokens: int | None = Field(default=None, ge=1, description="None: the server's default.")


class JudgeConfig(Record):
    """The judge the user chose (`--judge ...`); holds the name of the key variable, never a key."""

    spec: str = Field(description="'openai:<model>', 'hf:<model id or path>' or 'tiny'.")
    base_url: str = DEFAULT_BASE_URL
    api_key_env: str = DEFAULT_API_KEY_ENV
    max_calls: int | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=0, description="Budget of judge tokens.")
    max_failure_rate: float = Field(default=0.05, ge=0.0, le=1.0)
    concurrency: int = Field(default=8, ge=1)
    timeout_s: float = Field(default=60.0, gt=0.0)
    max_retries: int = Field(default=6, ge=0)
    retry_base_s: float = Field(default=1.0, ge=0.0)
    max_new_tokens: int | None = Field(default=None, ge=1)
    batch_size: int = Field(default=8, ge=1)
    mode: JudgeMode | None = Field(
        default=None, description="None: choice for tiny, else generate."
    )
    runs: int = Field(
        default=1, ge=1, description="Independent judgements per call (`--judge-runs`)."
    )


class JudgeIdentity(Record):
    """What decides a judge's answers: backend, model (and weights), endpoint, decoding."""

    backend: BackendName
    model: str
    model_fingerprint: str | None = None
    base_url: str | None = None
    decoding: JudgeDecoding = JudgeDecoding()
    mode: JudgeMode = "generate"

    @property
    def label(self) -> str:
        """Short name for reports, e.g. 'openai:gpt-4o-mini'."""
        if self.backend == "precomputed":
            return f"precomputed judgements ({self.model})"
        return "tiny" if self.backend == "tiny" else f"{self.backend}:{self.model}"

    def cache_namespace(self) -> str:
        """Hash of the identity; with the template hash and the input it makes the cache key."""
        return stable_hash(self.model_dump(mode="json"))


class JudgeInput(Record):
    """One judge call: the messages for one sample (and role) of one task."""

    task: str
    sample_id: str
    role: str = "judge"  # not part of the key: equal prompts are one cache entry
    messages: tuple[Message, ...]
    choices: tuple[str, ...] = ()  # the task's closed set of verdicts (used in choice mode)
    temperature: float | None = None  # an official retry's own decoding (None: the judge's)
    run: int = 0  # which of `--judge-runs` independent judgements this is

    def text(self) -> str:
        """All text of the messages (for token estimates)."""
        return "\n".join(
            part.text for m in self.messages for part in m.content if part.type == "text"
        )

    def key(self, namespace: str, template_sha256: str) -> str:
        """Cache key: judge identity, template hash and the exact input."""
        asked: dict[str, object] = {
            "messages": [m.model_dump(mode="json") for m in self.messages],
            "choices": self.choices,
        }
        # Only when set, so the keys of plain calls (and existing caches) stay as they were.
        if self.temperature is not None:
            asked["temperature"] = self.temperature
        if self.run:
            asked["run"] = self.run
        content = stable_hash(asked)
        return sha256_text(f"{namespace}:{template_sha256}:{content}")


class JudgeReply(Record):
    """What a backend returned for one input; errors carry a reason and are never cached."""

    key: str
    text: str = ""
    error: str | None = None
    model: str | None = Field(default=None, description="Model name the server reported.")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    attempts: int = 1


class Judgement(Record):
    """A sample's judge outcome as recorded in samples.jsonl."""

    status: JudgementStatus
    reason: str | None = None
    text: str | None = None
    key: str | None = None
    cached: bool = False
    earlier: tuple[str, ...] = Field(
        default=(), description="Replies of earlier attempts that held no verdict (retries)."
    )


class JudgeCounts(Record):
    """Judgements of a task by outcome; `not_judged` items were left out by a budget."""

    ok: int = 0
    unparseable: int = 0
    error: int = 0
    not_judged: int = 0

    @property
    def total(self) -> int:
        """Items the judge stage covered."""
        return self.ok + self.unparseable + self.error + self.not_judged

    @property
    def failed(self) -> int:
        """Items without a usable judgement."""
        return self.unparseable + self.error + self.not_judged


VerdictStatus = Literal["ok", "unparseable", "error", "not_judged"]


@dataclass(frozen=True)
class Verdict:
    """One judge call's outcome, parsed once: the typed verdict the task's judge declares (a
    rating, a correctness label, an object list, a preference), or why there is none."""

    status: VerdictStatus
    value: Any = None
    reason: str | None = None
    reply: JudgeReply | None = None
    earlier: tuple[JudgeReply, ...] = ()  # attempts before this one that held no verdict


@dataclass(frozen=True)
class JudgeRequest:
    """One call a judged sample needs: its role, the prompt, its choice-mode options and,
    where the official script settles the answer itself, that reply (no call is made)."""

    role: str
    text: str
    choices: tuple[str, ...] = ()
    fixed: str | None = None
    temperature: float | None = None  # this call's own decoding (an official retry's)
    run: int = 0  # which of `--judge-runs` independent judgements (roles "<role>#<run>")
    # Images the judge sees after the prompt text (official judges that look at the image);
    # their hashes are part of the cache key.
    media: tuple[MediaRef, ...] = ()
    system: str | None = None  # an official system prompt, sent as its own first message
    # Turns after the first user message: (assistant reply, next user text) pairs, e.g. a
    # follow-up question to a judge that gave no verdict.
    follow_up: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class JudgeTaskSpec:
    """What a judged task declares: its template, official judge, input builder and parser."""

    template: JudgeTemplate
    official_model: str  # e.g. "gpt-4-0314": numbers by another judge are flagged
    official_backend: BackendName
    render: Callable[[Sample, str], str]  # (sample, model response) -> judge prompt text
    parse: Callable[[str], Any]  # judge text -> typed verdict, None when unparseable
    expected_output_tokens: int = 200  # for the cost estimate printed before judging
    unparseable_reason: str = "the judge's text holds no verdict"
    choices: tuple[str, ...] = ()  # closed set of verdict texts, for local judges in choice mode
    # Tasks whose verdict is open text (e.g. an object list) offer per-item options instead:
    # (sample, model response) -> the replies a local judge in choice mode picks from.
    candidates: Callable[[Sample, str], tuple[str, ...]] | None = None
    # The official script's own verdict for some answers, without asking the judge (e.g.
    # RLHF-V gives answers of three words or fewer an empty object list): reply text or None.
    fixed_reply: Callable[[str], str | None] | None = None
    # Judges asked more than once per sample (pairwise in both orders, repeated gradings):
    # (sample, responses by plan role, choice mode) -> the calls. Default: one "judge" call.
    calls: Callable[[Sample, Mapping[str, Response], bool], tuple[JudgeRequest, ...]] | None = None
    # Official scripts that ask again when a reply holds no verdict (MM-Vet raises the
    # temperature, WildVision asks a follow-up): (request, its unparseable verdict, attempt
    # from 1) -> the next request, or None to stop. The last attempt's verdict counts.
    retry: Callable[[JudgeRequest, Verdict, int], JudgeRequest | None] | None = None
    # The official judge looks at the sample's images (after the prompt text): every call
    # that names no media of its own carries them.
    shows_images: bool = False

    def fixed(self, response: str) -> str | None:
        """The official script's own reply for this answer, if it gives one without a judge."""
        return self.fixed_reply(response) if self.fixed_reply else None

    def options(self, sample: Sample, response: str) -> tuple[str, ...]:
        """What a judge in choice mode may answer for one item."""
        return self.candidates(sample, response) if self.candidates else self.choices

    def requests(
        self, sample: Sample, responses: Mapping[str, Response], choice: bool
    ) -> tuple[JudgeRequest, ...]:
        """The judge calls of one sample (per-item options only in choice mode, so a
        generating judge's cache keys never depend on the option builder)."""
        if self.calls is not None:
            made = self.calls(sample, responses, choice)
        else:
            answer = responses["answer"].text
            choices = self.options(sample, answer) if choice else self.choices
            made = (
                JudgeRequest("judge", self.render(sample, answer), choices, self.fixed(answer)),
            )
        if not self.shows_images:
            return made
        return tuple(r if r.media else replace(r, media=sample.media) for r in made)

    def verdict(self, reply: JudgeReply | None) -> Verdict:
        """The reply parsed once into the task's verdict, or the reason there is none."""
        if reply is None:
            return Verdict("not_judged", reason="not judged")
        if reply.error is not None:
            return Verdict("error", reason=f"judge error: {reply.error}", reply=reply)
        value = self.parse(reply.text)
        if value is None:
            return Verdict("unparseable", reason=self.unparseable_reason, reply=reply)
        return Verdict("ok", value, reply=reply)

    def is_official(self, identity: JudgeIdentity) -> bool:
        """Whether a judge is the benchmark's official one (same backend and model id)."""
        return identity.backend == self.official_backend and identity.model == self.official_model


UnparseablePolicy = Literal["failure", "zero"]


def failed_judgements(counts: JudgeCounts, policy: UnparseablePolicy) -> int:
    """Judgements that count as failures: under the official 'zero' policy an unparseable
    judgement is a scored 0 (still counted in `counts.unparseable`), not a failure."""
    return counts.error + counts.not_judged + (0 if policy == "zero" else counts.unparseable)


class TemplateInfo(Record):
    """Which judge template produced the judgements."""

    name: str
    version: str
    sha256: str


NO_OFFICIAL_JUDGE = "none"  # official_model of a benchmark whose paper used no automatic judge


class TaskJudgeInfo(Record):
    """Per task in results.json: who judged, with which template, and how it went."""

    judge: JudgeIdentity
    template: TemplateInfo
    official_judge: str = Field(description="The benchmark's official judge, e.g. gpt-4-0314.")
    official: bool = Field(description="False: numbers are not comparable with papers' numbers.")
    unparseable_policy: UnparseablePolicy = Field(
        description="'failure': unparseable judgements are failures; 'zero': scored 0 "
        "(the official script's behaviour)."
    )
    counts: JudgeCounts
    failure_rate: float
    max_failure_rate: float
    calls: int = Field(default=0, description="Judge calls made by the stage that wrote this.")
    cached: int = Field(default=0, description="Judgements taken from the judge cache.")
    stopped: str | None = Field(default=None, description="Why the stage stopped early.")

    @property
    def failed(self) -> int:
        """Judgements that count as failures (see `failed_judgements`)."""
        return failed_judgements(self.counts, self.unparseable_policy)

    @property
    def note(self) -> str:
        """What a report prints next to numbers from a non-official judge."""
        if self.official_judge == NO_OFFICIAL_JUDGE:
            return f"judged by {self.judge.label}; the benchmark has no official automatic judge"
        return f"judged by {self.judge.label}, not the official {self.official_judge}"
