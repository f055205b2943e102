"""Object HalBench: judge object lists, the judge-free rule protocol, precomputed judgements."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from mmalign_eval.cli.run import check_judge
from mmalign_eval.contracts import Response, Sample
from mmalign_eval.engines.base import EngineConfig
from mmalign_eval.errors import UsageError
from mmalign_eval.judges.records import JudgeReply
from mmalign_eval.judges.stage import judge_input
from mmalign_eval.plan import RunConfig
from mmalign_eval.registry import build_registry
from mmalign_eval.scoring import ScoreRequest, score_predictions
from mmalign_eval.task import DataRequest
from mmalign_eval_tasks.hallucination.chair.data import ChairInfo
from mmalign_eval_tasks.hallucination.object_halbench.task import (
    MAX_OPTIONS,
    candidate_lists,
    object_halbench,
    parse_object_list,
    short_answer_reply,
)

TASK = object_halbench()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["dog", "red frisbee"]', ["dog", "red frisbee"]),
        ('Here you go:\n["cat"]', ["cat"]),  # RLHF-V retries the last line
        ("[]", []),
        ('Sure.\n```json\n["dog",\n "cat"]\n```\nDone.', ["dog", "cat"]),  # fenced first
        ('```\r\n["dog"]```', ["dog"]),  # no tag, CRLF, no final newline
        ("a dog and a cat", None),
        ('{"objects": ["dog"]}', None),
    ],
)
def test_parse_object_list(text: str, expected: list[str] | None) -> None:
    assert parse_object_list(text) == expected


SYNONYMS = (
    "bus, minibus\ndog, puppy\nhot dog\nteddy bear\ndining table, table\nperson, man\n"
    "toilet\nchair, seat\n"
)


@pytest.mark.parametrize(
    ("names", "mentions", "hallucinated"),
    [
        # hot dog, table (dining table), dog once, teddy bear; gt is bus, dog and toilet
        (["hot dogs", "wooden dining table", "dog", "dogs", "teddy bear"], 4, 3),
        (["bus"], 1, 0),  # WordNet keeps 'bus' (pattern.en would make it 'bu' and miss it)
        (["buses", "minibus", "bus"], 2, 0),  # repeats are dropped by word, as before
        (["two men", "a man"], 1, 1),  # men -> man, repeats dropped
        (["puppies"], 1, 0),  # ies -> y
        (["red frisbee", "sky"], 0, 0),  # not COCO objects here
        (["toilet", "seat"], 1, 0),  # a seat beside a toilet is not a chair
        (["toilet seat"], 1, 0),  # the two-word object is a toilet, not a (chair) seat
        (["toilet seats", "baby birds"], 1, 0),  # 'baby bird' is a bird, not in this list
        (["seat"], 1, 1),
        ([], 0, 0),
    ],
)
def test_judged_objects_are_lemmatised_and_counted_once(
    tmp_path: Path, names: list[str], mentions: int, hallucinated: int
) -> None:
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text(SYNONYMS, encoding="utf-8")
    sample = Sample(
        id="1",
        task=TASK.name,
        question="Describe.",
        info=ChairInfo(synonyms=str(synonyms), gt_objects=("bus", "dog", "toilet")),
    )
    response = Response(key="k", text="(the answer)", finish_reason="stop")
    judgement = JudgeReply(key="j", text=json.dumps(names))
    item = TASK.score_answer(sample, response, TASK.protocol("judge"), judgement)
    assert item.status == "ok"
    assert item.values["mentions"] == mentions
    assert item.values["hallucinated_mentions"] == hallucinated


def test_judge_protocol_only_needs_the_judge() -> None:
    assert TASK.uses_judge("judge") and not TASK.uses_judge("rule")
    registry = build_registry()
    config = RunConfig(
        engine=EngineConfig(model="tiny"), tasks=("object_halbench",), cache_dir="unused"
    )
    check_judge(registry, config.model_copy(update={"protocol": "rule"}))  # no judge needed
    with pytest.raises(UsageError, match="judge"):
        check_judge(registry, config)


def _data(tmp_path: Path, synonyms: Path) -> Path:
    folder = tmp_path / "halbench"
    (folder / "images").mkdir(parents=True)
    truth = {"9": ["bowl", "broccoli", "orange"], "25": ["giraffe", "person"], "30": ["dog"]}
    (folder / "coco2014_image_objects.json").write_text(json.dumps(truth), encoding="utf-8")
    shutil.copyfile(synonyms, folder / "synonyms.txt")
    for image_id in (9, 25, 30):
        Image.new("RGB", (8, 8)).save(folder / "images" / f"COCO_val2014_{image_id:012d}.jpg")
    return folder


LINES = [
    # fork hallucinated
    {"image_id": 9, "text": "Broccoli in a bowl with a fork.",
     "judgement": '["broccoli", "bowl", "fork"]'},
    # correct
    {"image_id": 25, "text": "A man and two giraffes.", "judgement": '["man", "giraffes"]'},
    # no COCO object: left out of the response-level rate
    {"image_id": 30, "text": "A sunny scene.", "judgement": "[]"},
]  # fmt: skip


def _score(tmp_path: Path, folder: Path, protocol: str | None) -> dict[str, float | None]:
    predictions = tmp_path / "answers.jsonl"
    predictions.write_text("".join(json.dumps(x) + "\n" for x in LINES), encoding="utf-8")
    request = ScoreRequest(
        task=TASK,
        predictions=predictions,
        data=DataRequest(source=str(folder), cache_dir=str(tmp_path), need_media=False),
        protocol=protocol,
        resamples=20,
        output_dir=tmp_path / "out",
    )
    results, _ = score_predictions(request)
    task = results.tasks[0]
    assert task.protocol.name == (protocol or "judge")
    assert (task.judge is not None) == (protocol != "rule")
    return {m.name: m.value for m in task.metrics}


def test_precomputed_judgements(shared_file: Callable[..., Path], tmp_path: Path) -> None:
    values = _score(tmp_path, _data(tmp_path, shared_file("chair", "synonyms.txt")), None)
    assert values["response_hallucination"] == pytest.approx(1 / 2)
    assert values["mention_hallucination"] == pytest.approx(1 / 5)
    assert values["chair_s"] == pytest.approx(1 / 3)


def test_rule_protocol_reads_the_response(shared_file: Callable[..., Path], tmp_path: Path) -> None:
    values = _score(tmp_path, _data(tmp_path, shared_file("chair", "synonyms.txt")), "rule")
    assert values["response_hallucination"] == pytest.approx(1 / 2)
    assert values["mention_hallucination"] == pytest.approx(1 / 5)


def test_rule_protocol_scores_without_a_judgement(tmp_path: Path) -> None:
    loaded = TASK.loader(DataRequest(source="synthetic:2", cache_dir=str(tmp_path)))
    sample = loaded.samples[0]
    response = Response(key="k", text="A circle.", finish_reason="stop")
    item = TASK.score_answer(sample, response, TASK.protocol("rule"))
    assert item.status == "ok" and item.values["mentions"] == 1
    judged = TASK.score_answer(sample, response, TASK.protocol("judge"))
    assert judged.status == "error" and judged.reason == "not judged"


def _synthetic_sample(tmp_path: Path) -> Sample:
    sample: Sample = TASK.loader(
        DataRequest(source="synthetic:2", cache_dir=str(tmp_path))
    ).samples[0]
    return sample


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("Nothing to see here.", ["[]"]),
        ("A circle.", ["[]", '["circle"]']),
        (
            "A square next to a circle and another circle.",
            ["[]", '["square", "circle"]', '["square"]', '["circle"]'],
        ),
        (
            "A square, a circle and a triangle.",
            ["[]", '["square", "circle", "triangle"]', '["square"]', '["circle"]',
             '["triangle"]', '["circle", "triangle"]', '["square", "triangle"]',
             '["square", "circle"]'],
        ),
    ],
)  # fmt: skip
def test_choice_mode_candidates(tmp_path: Path, response: str, expected: list[str]) -> None:
    # A local judge in choice mode picks among lists the rule extraction proposes, each a
    # reply the judge protocol parses.
    options = candidate_lists(_synthetic_sample(tmp_path), response)
    assert list(options) == expected
    assert all(parse_object_list(option) is not None for option in options)


def test_choice_mode_candidates_are_bounded(tmp_path: Path) -> None:
    # Ten objects would give 2 + 10 + 10 options: cut to the first MAX_OPTIONS.
    shapes = "square circle triangle star diamond bar arrow ring hexagon pentagon"
    options = candidate_lists(_synthetic_sample(tmp_path), f"I see {shapes}.")
    assert len(options) == MAX_OPTIONS and options[0] == "[]"
    assert len(json.loads(options[1])) == 10  # the full list is always offered


def test_judge_inputs_carry_candidates_only_in_choice_mode(tmp_path: Path) -> None:
    sample = _synthetic_sample(tmp_path)
    assert TASK.judge is not None
    answer = {"answer": Response(key="k", text="A circle.", finish_reason="stop")}
    (chosen_request,) = TASK.judge.requests(sample, answer, choice=True)
    (generated_request,) = TASK.judge.requests(sample, answer, choice=False)
    chosen = judge_input(TASK.name, sample, chosen_request)
    generated = judge_input(TASK.name, sample, generated_request)
    assert chosen.choices == ("[]", '["circle"]') and generated.choices == ()


@pytest.mark.parametrize(
    ("response", "reply"),
    [("", "[]"), ("A dog.", "[]"), ("a big red dog", None), ("  one two  three ", "[]")],
)
def test_short_answers_name_no_object(response: str, reply: str | None) -> None:
    assert short_answer_reply(response) == reply


def test_short_external_answers_need_no_judge(tmp_path: Path) -> None:
    # RLHF-V settles answers of three words or fewer itself: scoring them needs no judge.
    predictions = tmp_path / "answers.jsonl"
    lines = [{"image_id": 0, "text": "A red circle."}, {"image_id": 1, "text": "Nothing."}]
    predictions.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    request = ScoreRequest(
        task=TASK,
        predictions=predictions,
        data=DataRequest(source="synthetic:2", cache_dir=str(tmp_path), need_media=False),
        protocol=None,
        resamples=20,
        output_dir=tmp_path / "out",
    )
    results, _ = score_predictions(request)
    task = results.tasks[0]
    assert task.judge is not None and task.judge.counts.ok == 2
    assert task.metric("chair_s").value == 0.0  # an empty list hallucinates nothing
