"""TaskSpec: registration checks, the default plan, and how predictions name their items."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from mmalign_eval.columns import Columns
from mmalign_eval.contracts import GenerationParams, MediaRef, Sample
from mmalign_eval.errors import UsageError
from mmalign_eval.judges.records import JudgeTaskSpec
from mmalign_eval.judges.templates import JudgeTemplate
from mmalign_eval.metrics.base import MetricSpec, ratio
from mmalign_eval.plans import ModelCall, generate, sampled, user_request
from mmalign_eval.protocols import Protocol, Reading
from mmalign_eval.task import PredictionIds, TaskSpec

NS = "fp"
IMAGE = MediaRef(sha256="ab" * 32, source="a.png")
SAMPLE = Sample(id="7", task="t", question="Is there a dog?", media=(IMAGE,))
GENERATE = Protocol("strict", "reads text", Reading, default=True)
RANK = Protocol("ranked", "ranks options", Reading, asks="loglikelihood")
JUDGED = Protocol("judged", "reads the judge", Reading, reads="judge", official=True)
JUDGE = JudgeTaskSpec(
    template=JudgeTemplate("j", "1", "Rate: {response}"),
    official_model="gpt-4",
    official_backend="openai",
    render=lambda sample, response: f"Rate: {response}",
    parse=lambda text: text or None,
)


def _task(**overrides: Any) -> TaskSpec[Any]:
    fields: dict[str, Any] = {
        "name": "t",
        "family": "test",
        "version": "1",
        "description": "",
        "prompt_template": "Q: {question} Answer yes or no.",
        "loader": lambda request: None,
        "protocols": (GENERATE, RANK),
        "metrics": (MetricSpec("acc", lambda t: ratio(t["hit"], t["n"]), "higher", primary=True),),
        "columns": Columns.of("hit", "n"),
        "score_values": lambda sample, value: {"hit": 1.0, "n": 1.0},
    }
    fields.update(overrides)
    return TaskSpec(**fields)


# -- registration checks -----------------------------------------------------------------

METRIC = MetricSpec("acc", lambda t: ratio(t["hit"], t["n"]), "higher")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"metrics": (METRIC,)}, "exactly one primary metric"),
        (
            {"metrics": (MetricSpec("a", METRIC.fn, "higher", primary=True),) * 2},
            "exactly one primary metric",
        ),
        ({"protocols": (GENERATE, JUDGED)}, "has a judged protocol but no judge"),
        ({"protocols": (RANK,)}, "must have one default protocol"),
    ],
    ids=["no-primary", "two-primary", "judged-without-judge", "no-default"],
)
def test_invalid_tasks_fail_at_construction(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _task(**overrides)


def test_protocol_properties() -> None:
    task = _task(protocols=(GENERATE, RANK, JUDGED), judge=JUDGE)
    assert task.default_protocol == "strict"
    assert task.official_protocol == "judged"
    assert _task().official_protocol is None
    assert task.protocol_names == ("strict", "ranked", "judged")
    assert [task.uses_judge(n) for n in ("strict", "ranked", "judged", "nope")] == [
        False,
        False,
        True,
        False,
    ]
    assert task.primary_metric == "acc"
    assert task.protocol(None).name == "strict"
    with pytest.raises(UsageError, match="no protocol 'nope'"):
        task.protocol("nope")


def test_prompt_hash_follows_the_template() -> None:
    assert _task().prompt_hash == _task().prompt_hash
    assert len(_task().prompt_hash) == 16
    assert _task().prompt_hash != _task(prompt_template="{question}").prompt_hash


def test_render_prompt() -> None:
    assert _task().render_prompt(SAMPLE) == "Q: Is there a dog? Answer yes or no."


# -- the default plan --------------------------------------------------------------------


def test_default_plan_is_one_generation_of_the_rendered_prompt() -> None:
    generation = GenerationParams(max_new_tokens=8)
    (call,) = _task().plan(SAMPLE, generation, GENERATE)
    expected = user_request([IMAGE], "Q: Is there a dog? Answer yes or no.", generation)
    assert call == generate(expected)
    assert call.key(NS) == expected.key(NS)


def test_loglikelihood_plan_ranks_the_task_options() -> None:
    task = _task(options=lambda sample: ("yes", "no"))
    (call,) = task.plan(SAMPLE, GenerationParams(), RANK)
    assert (call.role, call.kind, call.options) == ("answer", "loglikelihood", ("yes", "no"))
    assert call.request == user_request(
        [IMAGE], "Q: Is there a dog? Answer yes or no.", GenerationParams()
    )


def test_loglikelihood_plan_without_options_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="task t has no options"):
        _task().plan(SAMPLE, GenerationParams(), RANK)


def test_a_planner_replaces_the_default_plan() -> None:
    seen: list[tuple[Sample[Any], GenerationParams, str]] = []

    def planner(
        sample: Sample[Any], generation: GenerationParams, protocol: Protocol[Any, Any]
    ) -> tuple[ModelCall, ...]:
        seen.append((sample, generation, protocol.name))
        return sampled(user_request(sample.media, sample.question, generation), 3)

    generation = GenerationParams(do_sample=True, temperature=1.0)
    calls = _task(planner=planner).plan(SAMPLE, generation, GENERATE)
    assert [c.role for c in calls] == ["sample-0", "sample-1", "sample-2"]
    assert seen == [(SAMPLE, generation, "strict")]


# -- PredictionIds -----------------------------------------------------------------------

READ_IDS: list[tuple[PredictionIds, Mapping[str, object], str | None]] = [
    (PredictionIds(), {"question_id": 3, "id": "x"}, "3"),  # the first field present wins
    (PredictionIds(), {"id": "x", "text": "yes"}, "x"),
    (PredictionIds(), {"question_id": 0}, "0"),  # a falsy id is still an id
    (PredictionIds(), {"question_id": None}, "None"),
    (PredictionIds(), {"image_id": 1}, None),
    (PredictionIds(), {}, None),
    (PredictionIds(fields=("image_id",)), {"question_id": 1, "image_id": 42}, "42"),
    (PredictionIds(fields=("question_id", "id", "image_id")), {"image_id": 42}, "42"),
    (
        PredictionIds(composite=("category", "set_id", "figure_id")),
        {"category": "VS", "set_id": 2, "figure_id": 0, "question_id": 9},
        "VS_2_0",
    ),
    (
        # Without every composite field, the single fields are read.
        PredictionIds(composite=("category", "set_id", "figure_id")),
        {"category": "VS", "set_id": 2, "question_id": 9},
        "9",
    ),
    (PredictionIds(composite=("a", "b")), {"a": 1}, None),
]


@pytest.mark.parametrize(("ids", "row", "expected"), READ_IDS, ids=repr)
def test_prediction_ids(
    ids: PredictionIds, row: Mapping[str, object], expected: str | None
) -> None:
    assert ids.read(row) == expected
