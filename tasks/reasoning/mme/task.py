"""MME (Fu et al., 2023): 2,374 yes/no questions over 14 subtasks, two per image.

Scored as the official eval_tool/calculation.py scores it (see metrics.py): per subtask
(acc + acc+) x 100, perception = the 10 perception subtasks summed, cognition = the 4
cognition subtasks summed. The prompt is the question itself, which ends in "Please answer
yes or no." as in the official files.

Data: the Hugging Face dataset lmms-lab/MME (default), a local copy of it, the official
eval_tool folder with the release's images, or `synthetic[:N]` (see data.py). `score`
also reads an eval_tool results folder (the template with the prediction as 4th column).
"""

from __future__ import annotations

from mmalign_eval import (
    GenerationParams,
    PredictionIds,
    Protocol,
    TaskSpec,
    register,
)

from .answers import OPTIONS, parse_lenient, parse_official, read_likelihood
from .data import SOURCES
from .metrics import COLUMNS, item_values, mme_metrics
from .official import read_results
from .samples import MmeInfo

PROMPT = "{question}"

PROTOCOLS: tuple[Protocol[MmeInfo, str], ...] = (
    Protocol(
        "official",
        "calculation.py: the lowercased reply (line breaks deleted, as the eval_tool readme "
        "asks) is 'yes'/'no' when it is exactly that, else when 'yes' (checked first) or 'no' "
        "occurs in its first 4 characters ('Not sure' reads 'no'); anything else is 'other' "
        "and scored wrong (other_rate counts them), never a failure",
        parse_official,
        official=True,
        default=True,
    ),
    Protocol(
        "lenient",
        "the first word after leading whitespace, punctuation, markup and an '(the) answer "
        "(is)' lead-in, when it is yes or no in any case ('**Yes**', 'Answer: no'); anything "
        "else is an unparseable failure, left out of the scores",
        parse_lenient,
    ),
    Protocol(
        "likelihood",
        "the more likely of 'Yes' and 'No' after the prompt (ranked by log-likelihood, not "
        "generated)",
        read_likelihood,
        reads="evidence",
        asks="loglikelihood",
    ),
)


@register
def mme() -> TaskSpec[MmeInfo]:
    """MME: perception and cognition scores over 14 yes/no subtasks."""
    return TaskSpec(
        name="mme",
        family="reasoning",
        version="1",
        description="MME: yes/no questions in 14 subtasks, two per image; perception and "
        "cognition scores, (acc + acc+) x 100 per subtask",
        prompt_template=PROMPT,
        loader=SOURCES.load,
        protocols=PROTOCOLS,
        metrics=mme_metrics(),
        columns=COLUMNS,
        score_values=item_values,
        generation=GenerationParams(max_new_tokens=128),
        options=lambda sample: OPTIONS,
        # Harness ids (`<subtask>/<image>:<yes|no>`); lmms-lab's question_id names an image.
        prediction_ids=PredictionIds(fields=("id",)),
        prediction_reader=read_results,
    )
