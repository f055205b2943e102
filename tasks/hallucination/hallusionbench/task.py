"""HallusionBench (Guan et al., CVPR 2024): yes/no questions on original and edited figures.

Groups follow the official utils.py: figure = (category, subcategory, set_id, figure_id),
VS questions without a figure excluded; question pair = (category, subcategory, set_id,
question_id) across figures; easy = visual_input != '2', hard = visual_input == '2' (the
official get_eval_pair_easy/_hard; their figure_id test has been commented out since
2023-11-16), which makes 625 easy and 504 hard questions. The official "easy/hard aAcc"
leaderboard columns are these pair accuracies (easy_aacc, hard_aacc); the question-level
shares are easy/hard_question_accuracy.
Answers are read by the `rule` protocol by default (VLMEvalKit's YOrN_Extraction): one
without a yes/no reading is 'unknown' and scored wrong; `strict` keeps such answers out of
the metrics as counted failures instead. Under the official `judge` protocol the official
assign_correctness applies: "unclear" is wrong, except on VS questions without a figure
(figure_id 0), where not knowing the answer counts as correct.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mmalign_eval import (
    Columns,
    GenerationParams,
    JudgeTaskSpec,
    MetricSpec,
    PredictionIds,
    Protocol,
    Reading,
    Sample,
    TaskSpec,
    load_template,
    ratio,
    register,
)
from mmalign_eval.metrics.base import FloatArray, Totals
from mmalign_eval.metrics.grouped import all_correct_accuracy, group_columns, group_values
from mmalign_eval.toolkit.readers import yes_or_no

from .data import (
    GROUPINGS,
    KEY_FIELDS,
    SOURCES,
    HallusionInfo,
)

OFFICIAL_JUDGE = "gpt-4"  # the official utils.evaluate_by_chatgpt default
_VERDICTS = {0: "judged incorrect", 1: "judged correct", 2: "judged unclear"}
UNKNOWN = "unknown"  # the rule protocol's label for an answer without a yes/no reading


def parse_yes_no(text: str) -> Reading[str]:
    """The yes/no reading; without one the label is 'unknown', scored wrong (as officially)."""
    reading = yes_or_no(text)
    if reading.value is not None:
        return reading
    return Reading(UNKNOWN, f"{reading.reason}: scored wrong")


def judge_verdict(text: str) -> int:
    """Official rule: 'incorrect' in the text -> 0, else 'correct' -> 1, else 2 (unclear)."""
    lowered = text.lower()
    if "incorrect" in lowered:
        return 0
    return 1 if "correct" in lowered else 2


def read_verdict(verdict: int) -> Reading[str]:
    """The judge's verdict; 'unclear' (or no verdict) counts as wrong, as officially."""
    # Unclear items are scored, so the reason is the only trace of why they count as wrong.
    reason = "judged unclear: scored as the official assign_correctness" if verdict == 2 else None
    return Reading(_VERDICTS[verdict], reason)


PROTOCOLS: tuple[Protocol[HallusionInfo, str], ...] = (
    Protocol(
        "rule",
        "rule-based yes/no extraction (as VLMEvalKit's YOrN_Extraction): the answer is 'yes' "
        "or 'no' when exactly one of the two words occurs; otherwise it is 'unknown' and "
        "scored wrong in every metric (unknown_rate counts them; the official script asks "
        "GPT-4 to judge instead)",
        parse_yes_no,
        default=True,
    ),
    Protocol(
        "strict",
        "the rule-based yes/no extraction of 'rule', but an answer with neither or both words "
        "is an unparseable failure: counted in failures and left out of every metric, so "
        "accuracies are over readable answers only (not comparable with published numbers)",
        yes_or_no,
    ),
    Protocol(
        "judge",
        "the official check: a judge compares the answer with gt_answer_details and says "
        "correct, incorrect or unclear ('incorrect' is looked for first); unclear is wrong, "
        "except on VS questions without a figure, where it counts as correct",
        read_verdict,
        reads="judge",
        official=True,
    ),
)


def judged_correct(sample: Sample[HallusionInfo], verdict: str) -> bool:
    """The official assign_correctness: 'correct' is right, and so is 'unclear' on a VS
    question without a figure (without the figure, not knowing is the right answer)."""
    no_figure = sample.info.category == "VS" and sample.info.figure_id == "0"
    return verdict == _VERDICTS[1] or (verdict == _VERDICTS[2] and no_figure)


def item_values(sample: Sample[HallusionInfo], label: str) -> dict[str, float]:
    """Question correctness plus its columns in each group it belongs to."""
    # The judge protocol's label is a verdict; the rule protocol's is the yes/no answer.
    judged = label in _VERDICTS.values()
    correct = judged_correct(sample, label) if judged else label == sample.target
    easy = sample.info.visual_input != "2"
    values = {
        "n": 1.0,
        "correct": float(correct),
        "unknown": float(label in (UNKNOWN, _VERDICTS[2])),
        "n_easy" if easy else "n_hard": 1.0,
        "correct_easy" if easy else "correct_hard": float(correct),
    }
    for prefix, group in sample.info.groups.items():
        values.update(group_values(prefix, group.name, group.size, correct))
    return values


COLUMNS = Columns.of(
    "n", "correct", "unknown", "n_easy", "n_hard", "correct_easy", "correct_hard"
) | group_columns(GROUPINGS)


def _share(count: str, n: str) -> Callable[[Totals], FloatArray]:
    """The ratio of two summed columns (an accuracy or a rate)."""

    def fn(t: Totals) -> FloatArray:
        return ratio(t[count], t[n])

    return fn


def hallusion_metrics() -> tuple[MetricSpec, ...]:
    """qAcc (primary), fAcc, aAcc, the easy/hard splits and the unknown-answer rate."""
    return (
        MetricSpec("qacc", all_correct_accuracy("qpair"), "higher", primary=True,
                   description="question pairs (same question over a set's figures) all correct"),
        MetricSpec("facc", all_correct_accuracy("fig"), "higher",
                   description="figures whose questions are all correct"),
        MetricSpec("aacc", _share("correct", "n"), "higher",
                   description="questions answered correctly"),
        MetricSpec("easy_aacc", all_correct_accuracy("easy"), "higher",
                   description="the official 'easy aAcc': question pairs restricted to "
                   "visual_input != '2' (original or no figure), all correct"),
        MetricSpec("hard_aacc", all_correct_accuracy("hard"), "higher",
                   description="the official 'hard aAcc': question pairs restricted to "
                   "visual_input == '2' (edited figures), all correct"),
        MetricSpec("easy_question_accuracy", _share("correct_easy", "n_easy"), "higher",
                   description="questions with visual_input != '2' answered correctly (not "
                   "an official column)"),
        MetricSpec("hard_question_accuracy", _share("correct_hard", "n_hard"), "higher",
                   description="questions with visual_input == '2' answered correctly (not "
                   "an official column)"),
        MetricSpec("unknown_rate", _share("unknown", "n"), "lower",
                   description="scored answers without a yes/no reading (rule: neither or "
                   "both words; judge: verdict unclear), counted wrong except unclear "
                   "verdicts on VS questions without a figure; 0 under strict, which makes "
                   "them failures"),
    )  # fmt: skip


def render_judge_prompt(sample: Sample[HallusionInfo], response: str) -> str:
    """The correctness check with the question, the reference details and the answer."""
    reference = sample.info.gt_answer_details or sample.target
    return JUDGE_TEMPLATE.render(question=sample.question, reference=reference, answer=response)


JUDGE_TEMPLATE = load_template(Path(__file__).with_name("judge_v1.txt"), "hallusionbench", "1")
JUDGE = JudgeTaskSpec(
    template=JUDGE_TEMPLATE,
    official_model=OFFICIAL_JUDGE,
    official_backend="openai",
    render=render_judge_prompt,
    parse=judge_verdict,
    expected_output_tokens=5,
    choices=("correct", "incorrect", "unclear"),
)


@register
def hallusionbench() -> TaskSpec[HallusionInfo]:
    """HallusionBench: qAcc, fAcc, aAcc and the easy/hard split."""
    return TaskSpec(
        name="hallusionbench",
        family="hallucination",
        version="3",
        description="HallusionBench: yes/no questions on original and edited figures, scored "
        "per question, per figure and per question pair",
        prompt_template="{question}",
        loader=SOURCES.load,
        protocols=PROTOCOLS,
        metrics=hallusion_metrics(),
        columns=COLUMNS,
        score_values=item_values,
        generation=GenerationParams(max_new_tokens=128),
        judge=JUDGE,
        prediction_ids=PredictionIds(composite=KEY_FIELDS),
    )
