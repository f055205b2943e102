"""MM-Vet (Yu et al., 2023): 218 open questions on 200 images, each needing one of 16
integrations of six capabilities (recognition, OCR, knowledge, language generation,
spatial awareness, math), graded 0.0-1.0 against a ground truth by a GPT-4 few-shot grader.

Data: the Hugging Face dataset whyu/mm-vet (default), a local copy of it, the official
mm-vet folder (mm-vet.json, images/), or `synthetic[:N]`.
Scoring: mm-vet_evaluator.py's prompt, score reading, retry rule and numbers; `--judge-runs
N` grades every item N times and reports the mean and the evaluator's std.
"""

from __future__ import annotations

from collections.abc import Callable

from mmalign_eval import JUDGE, Evidence, GenerationParams, Protocol, Reading, TaskSpec, register
from mmalign_eval.judges.records import Verdict

from .data import SOURCES, MMVetInfo
from .grading import Grades, RunGrade, official_run, strict_run
from .judge import JUDGE as JUDGE_SPEC
from .metrics import COLUMNS, item_values, mmvet_metrics
from .official_files import read_official

RunReader = Callable[[Verdict], Reading[RunGrade]]


def run_order(role: str) -> int:
    """The run of a judge role: "judge" is run 0, "judge#<k>" run k (`--judge-runs`)."""
    return 0 if role == JUDGE else int(role.rpartition("#")[2])


def from_grade_file(grades: Grades, strict: bool) -> Reading[Grades]:
    """A grade file's runs; under strict, its official fallbacks are failures."""
    fallbacks = [k for k, run in enumerate(grades.runs) if run.fallback]
    if not fallbacks:
        return Reading(grades)
    where = ", ".join(f"run {k}" for k in fallbacks)
    if strict:
        return Reading(None, f"{where}: graded 0.0 by the evaluator after its last try")
    return Reading(grades, f"{where}: graded 0.0 by the evaluator after its last try")


def reader(read_run: RunReader, strict: bool) -> Callable[[Evidence[MMVetInfo]], Reading[Grades]]:
    """An item's gradings from its judge roles, one run each; any failed run fails it."""

    def read(evidence: Evidence[MMVetInfo]) -> Reading[Grades]:
        first = evidence.verdicts.get(JUDGE)
        if first is not None and isinstance(first.value, Grades):
            return from_grade_file(first.value, strict)
        runs, notes = [], []
        for role in sorted(evidence.verdicts, key=run_order):
            reading = read_run(evidence.verdicts[role])
            if reading.value is None:
                return Reading(None, f"run {run_order(role)}: {reading.reason}")
            runs.append(reading.value)
            if reading.reason:
                notes.append(f"run {run_order(role)}: {reading.reason}")
        return Reading(Grades(runs=tuple(runs)), "; ".join(notes) or None)

    return read


PROTOCOLS: tuple[Protocol[MMVetInfo, Grades], ...] = (
    Protocol(
        "official",
        "mm-vet_evaluator.py: the first token of the reply as a score in [0, 1]; an "
        "unreadable reply is asked again (suffix 'Predict the correctness of the answer "
        "(digit): ', temperatures 0.0, 0.5, 1.0, 1.5, 2.0), and after five unreadable "
        "replies and a sixth call it never reads, the grading is 0.0 (recorded: "
        "fallback_count)",
        reader(official_run, strict=False), reads="evidence", uses_judge=True, official=True,
        default=True,
    ),
    Protocol(
        "strict",
        "as official, same calls, but a grading without a score in the five replies the "
        "official script reads is an unparseable failure, left out of every number",
        reader(strict_run, strict=True), reads="evidence", uses_judge=True,
    ),
)  # fmt: skip


@register
def mm_vet() -> TaskSpec[MMVetInfo]:
    """MM-Vet: integrated capabilities, GPT-4-graded open answers."""
    return TaskSpec(
        name="mm_vet",
        family="preference",
        version="1",
        description="MM-Vet: 218 open questions on 16 integrations of six capabilities, "
        "graded 0-1 against a ground truth by a few-shot GPT-4 grader",
        prompt_template="{question}",  # the official inference scripts send the question only
        loader=SOURCES.load,
        protocols=PROTOCOLS,
        metrics=mmvet_metrics(),
        columns=COLUMNS,
        score_values=item_values,
        generation=GenerationParams(max_new_tokens=1024),
        judge=JUDGE_SPEC,
        prediction_reader=read_official,
    )
