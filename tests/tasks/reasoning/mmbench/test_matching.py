"""VLMEvalKit's rule matcher can_infer (vlmeval/utils/matching_util.py @ e8e78f0) on tricky
replies, and against an independent restatement on random replies."""

from __future__ import annotations

import random

import pytest

from mmalign_eval_tasks.reasoning.mmbench.matching import can_infer, infer_letter, infer_text

FOUR = {"A": "teddy bear", "B": "rabbit", "C": "cat", "D": "dog"}
TWO = {"A": "yes", "B": "no"}

# (reply, options, what the rule reads; None: nothing, the judge is needed)
CASES: list[tuple[str, dict[str, str], str | None]] = [
    ("B", FOUR, "B"),
    ("(B)", FOUR, "B"),
    ("B.", FOUR, "B"),
    ("The answer is B.", FOUR, "B"),
    ("Answer: [C]", FOUR, "C"),
    ("**D**", FOUR, "D"),
    ("b", FOUR, None),  # letters are case-sensitive tokens; 'b' is no option text either
    ("B is right because it has long ears", FOUR, None),  # the letter is not in the last 4
    ("B is right because the rabbit has long ears", FOUR, "B"),  # ... the option text is
    ("I pick B since", FOUR, "B"),  # the letter is among the last four tokens
    ("A or B", FOUR, None),  # two letters ...
    ("A or B, the answer is B", FOUR, "B"),  # ... but 'answer is B' settles it
    ("the answer is about cats", FOUR, "A"),  # 'answer is' + 'a' (case-insensitive, no \b)
    ("The answer is dog", FOUR, "D"),  # the 'd' of 'dog'
    ("The answer is E", {**FOUR, "E": "fish"}, "E"),  # a letter token near the end
    ("The answer is E as the image shows", {**FOUR, "E": "fish"}, None),  # regex: A-D only
    ("Z", FOUR, "Z"),  # no option letter and a token Z: none of them
    ("None of them: Z", FOUR, "Z"),
    ("Cannot determine the answer", FOUR, "Z"),  # a refusal phrase
    ("I can't process this file.", FOUR, "Z"),
    ("Failed to obtain answer via API: the cat", FOUR, "C"),  # letters skipped, text read
    ("a cute teddy bear", FOUR, "A"),  # the unique option text
    ("It is a cat or a dog", FOUR, None),  # two option texts
    ("category", FOUR, "C"),  # substring: 'cat' in 'category'
    ("yes", TWO, "A"),
    ("no", TWO, "B"),
    ("not sure", TWO, "B"),  # 'no' is a substring of 'not'
    ("I cannot say no to yes", TWO, None),  # both option texts, and longer than 2 x 5
    ("a dog " * 12, FOUR, None),  # longer than twice the options' total length
    ("", FOUR, None),
    ("nan", FOUR, None),  # an empty submission cell
    ("A", {"A": "1", "B": "12", "C": "2"}, "A"),
    ("12", {"A": "1", "B": "12", "C": "2"}, None),  # '1', '12' and '2' are all substrings
    ("C D", {"A": "x", "B": "y"}, None),  # letters that are no options of this rotation
    ("Option (A)", TWO, "A"),
]


@pytest.mark.parametrize(("reply", "options", "read"), CASES, ids=[repr(c[0]) for c in CASES])
def test_rule(reply: str, options: dict[str, str], read: str | None) -> None:
    assert can_infer(reply, options) == read
    assert _reference(reply, options) == read


def test_letter_then_text() -> None:
    assert infer_letter("rabbit", FOUR) is None and infer_text("rabbit", FOUR) == "B"
    assert infer_letter("C: rabbit", FOUR) == "C"  # the letter wins over the text
    assert can_infer("C: rabbit", FOUR) == "C"


def _reference(answer: str, options: dict[str, str]) -> str | None:
    """can_infer restated in other terms: the letter test, the 'answer is' pattern, then
    the text test."""
    import re

    if "Failed to obtain answer via API" not in answer:
        refusals = [
            "Sorry, I can't help with images of people yet.",
            "I can't process this file.",
            "I'm sorry, but without the image provided",
            "Cannot determine the answer",
        ]
        if any(r in answer for r in refusals):
            return "Z"
        cleaned = "".join(" " if ch in ".()[],:;!*#{}" else ch for ch in answer)
        words = cleaned.split()
        present = [c for c in options if c in words]
        if len(present) == 1 and words.index(present[0]) >= len(words) - 4:
            return present[0]
        if not present and "Z" in words:
            return "Z"
        found = re.search(r"answer\s+is\s+\**([abcdABCD])", answer, re.IGNORECASE)
        if found and found.group(1).upper() in options:
            return found.group(1).upper()
    low = answer.lower()
    if len(low) > 2 * sum(len(v) for v in options.values()):
        return None
    hits = [c for c, v in options.items() if v.lower() in low]
    return hits[0] if len(hits) == 1 else None


WORDS = ["A", "B", "C", "D", "Z", "a", "b", "(A)", "B.", "[C]", "**D**", "answer", "is",
         "The answer is", "cat", "dog", "rabbit", "teddy", "bear", "the", "no", "yes", "not",
         "correct", ":", ",", "\n", "Cannot determine the answer", "about", "option"]  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rule_matches_reference_on_random_replies(seed: int) -> None:
    rng = random.Random(seed)
    option_sets = [FOUR, TWO, {"A": "cat", "B": "no", "C": "the dog"}]
    read = []
    for _ in range(800):
        reply = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 9)))
        options = rng.choice(option_sets)
        got = can_infer(reply, options)
        assert got == _reference(reply, options), (reply, options)
        read.append(got)
    assert 0.2 < sum(r is None for r in read) / len(read) < 0.8
