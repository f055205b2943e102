"""The official rules of facebookresearch/multimodal_rewardbench, each quirk pinned: the
verdict (2_get_accuracy.py extract_judgment), the label and prompt
(1_run_model_as_judge_gpt4o.py), the categories and the seeded random pick (compute_acc)."""

from __future__ import annotations

import hashlib

import pytest

from mmalign_eval import DataError, Sample
from mmalign_eval_tasks.reward.multimodal_rewardbench.items import PairInfo, label_of
from mmalign_eval_tasks.reward.multimodal_rewardbench.official import (
    CATEGORY_METRICS,
    OfficialDraws,
    checked_category,
    gold_label,
    names_both,
    official_category,
    read_verdict,
)
from mmalign_eval_tasks.reward.multimodal_rewardbench.task import TEMPLATE, judge_prompt

# (reply, official verdict): exact substrings, [[A]] checked first wherever it stands.
VERDICTS = [
    ("[[A]]", "A"),
    ("Final verdict: [[B]]", "B"),
    ("[[B]] on reflection no: [[A]]", "A"),  # A wins although B comes first
    ("[[A]] is wrong, [[B]]", "A"),
    ("**[[B]]**", "B"),
    ("[[[B]]]", "B"),  # a substring inside more brackets still counts
    ("[[a]]", None),  # case matters
    ("[A]", None),
    ("[[ A ]]", None),  # spacing matters
    ("[[A]", None),
    ("[[A>B]]", None),  # Arena-style labels are not verdicts here
    ("[[C]]", None),
    ("Assistant A is better.", None),
    ("None", None),  # what the judge script writes after ten failed API calls
    ("", None),
]


@pytest.mark.parametrize(("reply", "verdict"), VERDICTS)
def test_extract_judgment(reply: str, verdict: str | None) -> None:
    assert read_verdict(reply) == verdict


@pytest.mark.parametrize(
    ("reply", "both"),
    [("[[A]] [[B]]", True), ("[[B]]...[[A]]", True), ("[[A]]", False), ("", False)],
)
def test_replies_naming_both_verdicts(reply: str, both: bool) -> None:
    assert names_both(reply) is both


# prepare_judge_example: 'B' if Better == 'Output2' else 'A'.
@pytest.mark.parametrize(
    ("better", "label"),
    [("Output2", "B"), ("Output1", "A"), ("output2", "A"), ("Output2 ", "A"), ("", "A")],
)
def test_official_label_rule(better: str, label: str) -> None:
    assert gold_label(better) == label


@pytest.mark.parametrize("better", ["output2", "Output3", "", None, 2])
def test_the_loader_refuses_what_the_official_rule_would_read_as_a(better: object) -> None:
    with pytest.raises(DataError, match="Better"):
        label_of(better, "item 1")


# compute_acc: safety and reasoning split by the ID's lowercased prefix; others as given.
CATEGORIES = [
    ("safety", "pairs_12", "safety/bias"),
    ("safety", "PAIRS-3", "safety/bias"),
    ("safety", "pairsX", "safety/bias"),  # a prefix, not a word
    ("safety", "hateful_memes_1", "safety/toxicity"),
    ("safety", "xpairs_1", "safety/toxicity"),
    ("reasoning", "mathvista_5", "reasoning/math"),
    ("reasoning", "MathVerse_1", "reasoning/math"),
    ("reasoning", "EMMA-Coding_3", "reasoning/coding"),
    ("reasoning", "image2struct_ab", "reasoning/coding"),
    ("reasoning", "emma_math_1", "reasoning/coding"),  # 'math' inside the ID does not count
    ("knowledge", "mathvista_1", "knowledge"),  # the ID rules apply within their category only
    ("vqa", "pairs_1", "vqa"),
    ("open_generation/correctness_task", "nocaps_1", "open_generation/correctness_task"),
    ("open_generation/preference_task", "visitbench_2", "open_generation/preference_task"),
]


@pytest.mark.parametrize(("category", "item_id", "group"), CATEGORIES)
def test_official_categories(category: str, item_id: str, group: str) -> None:
    assert official_category(category, item_id) == group
    assert checked_category(category, item_id) == group
    assert group in CATEGORY_METRICS


@pytest.mark.parametrize("category", ["Safety", "general", "reasoning/math", "", None])
def test_unknown_categories_are_refused(category: object) -> None:
    with pytest.raises(DataError, match="unknown Category"):
        checked_category(category, "x_1")


def test_random_picks_follow_random_seed_123() -> None:
    # The first 16 values of `random.seed(123); 'A' if random.random() < 0.5 else 'B'`.
    draws = OfficialDraws()
    picks = []
    for k in range(16):
        draws.visit(f"item-{k}")
        picks.append(draws.pick())
    assert "".join(picks) == "AAAABABABAAAAAAA"


def test_a_repeated_item_starts_a_new_pass() -> None:
    draws = OfficialDraws()
    first = []
    for k in range(5):
        draws.visit(f"item-{k}")
        first.append(draws.pick())
    draws.visit("item-0")  # read again: a new scoring pass, a fresh stream
    assert draws.pick() == first[0]


# sha256 of 1_run_model_as_judge_gpt4o.py's `judge_prompt` at b4b92cd (no trailing newline).
OFFICIAL_PROMPT_SHA256 = "647abec63f21f930bfb0c670d24cf962cf8c82e2a546fdf3801c9884251addad"
# ... and of `judge_prompt.format(question="Q {answer_a}", answer_a="X", answer_b="Y")`.
RENDERED_SHA256 = "749196ae0b1279581a437d36ffe8000422b56a9c72c110e1c6080f263a576756"


def test_the_judge_prompt_is_the_official_text() -> None:
    assert TEMPLATE.sha256 == OFFICIAL_PROMPT_SHA256
    assert TEMPLATE.text.endswith("[The End of Assistant B's Answer]")


def test_the_prompt_fills_like_str_format() -> None:
    # One pass: a placeholder inside a value is not substituted again (as str.format).
    info = PairInfo(output1="X", output2="Y", label="A", category="vqa", group="vqa", image="i")
    sample = Sample(id="vqa_1", task="t", question="Q {answer_a}", info=info)
    rendered = judge_prompt(sample)
    assert hashlib.sha256(rendered.encode()).hexdigest() == RENDERED_SHA256
    assert "[The Start of Assistant A's Answer]\nX\n" in rendered
