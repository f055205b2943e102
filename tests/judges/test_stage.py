"""The judge stage's user-facing message when a judged task has no judge."""

from __future__ import annotations

import pytest

from mmalign_eval.judges.stage import missing_judge_message


@pytest.mark.parametrize(
    ("tasks", "free", "error", "hint_end"),
    [
        (["mmhal_bench"], None, "mmhal_bench is scored by a judge model", "offline demo"),
        (["mmhal_bench"], {"mmhal_bench": None}, "mmhal_bench is", "offline demo"),
        (["mathvista_testmini"], {"mathvista_testmini": "rule"}, "mathvista_testmini is",
         "score without a judge: --protocol mathvista_testmini=rule"),
        (["a", "b"], {"a": "exact", "b": "rule"}, "a, b are scored",
         "--protocol a=exact --protocol b=rule"),
        (["a", "b"], {"b": "rule"}, "a, b are scored", "--protocol b=rule"),
    ],
)  # fmt: skip
def test_missing_judge_names_a_protocol_that_needs_none(
    tasks: list[str], free: dict[str, str | None] | None, error: str, hint_end: str
) -> None:
    message, hint = missing_judge_message(tasks, free)
    assert message.startswith(error) and "no --judge was given" in message
    assert hint.startswith("pass --judge openai:<model>") and hint.endswith(hint_end)
