"""CHAIR on COCO captions (Rohrbach et al., 2018): hallucinated objects in detailed captions.

Data (`--data`): a folder (or the JSON file itself) holding the ground-truth export
`{image_id: [class, ...]}` (COCO instance classes plus classes named in the reference
captions, e.g. `coco2014_image_objects.json`) and the synonym list `synonyms.txt`; the
images come from `--image-dir` (default `<folder>/images`) and name the sample set: each
COCO file name's trailing digits are its image_id. `synthetic[:N]` uses the shape images.
"""

from __future__ import annotations

from collections.abc import Sequence

from mmalign_eval import (
    GenerationParams,
    PredictionIds,
    Protocol,
    Reading,
    Sample,
    TaskSpec,
    register,
)

from .data import ChairInfo, chair_sources
from .metrics import COLUMNS, caption_counts, chair_metrics
from .objects import caption_words_rule, load_synonyms

PROMPT = "Please describe this image in detail."
# Captions are named by their COCO image_id.
CAPTION_IDS = PredictionIds(fields=("question_id", "id", "image_id"))


def parse_rule(text: str) -> Reading[tuple[str, ...]]:
    """Processed caption words (the vocabulary filter runs at scoring, with the data's list)."""
    return Reading(tuple(caption_words_rule(text)))


def mentioned_objects(sample: Sample[ChairInfo], words: Sequence[str]) -> list[str]:
    """Canonical classes of the object mentions among processed words, with repeats."""
    return load_synonyms(sample.info.synonyms).mentions(list(words))


def item_values(sample: Sample[ChairInfo], words: Sequence[str]) -> dict[str, float]:
    """CHAIR counts of one caption against its image's ground truth."""
    return caption_counts(mentioned_objects(sample, words), sample.info.gt_objects).values()


RULE = Protocol(
    "rule",
    "CHAIR caption_to_words: pattern.en's singulariser (TextBlob's port, aligned with "
    "pattern 3.6) with a regex tokeniser instead of nltk.word_tokenize; official two-word "
    "merges, toilet-seat rule and synonym list; every mention counts",
    parse_rule,
    official=True,
    default=True,
)


@register
def coco_chair() -> TaskSpec[ChairInfo]:
    """CHAIR_s / CHAIR_i / recall of detailed COCO captions."""
    return TaskSpec(
        name="coco_chair",
        family="hallucination",
        version="2",
        description="CHAIR on COCO: hallucinated objects in detailed image descriptions",
        prompt_template=PROMPT,
        loader=chair_sources("coco_chair", PROMPT).load,
        protocols=(RULE,),
        metrics=chair_metrics(),
        columns=COLUMNS,
        score_values=item_values,
        generation=GenerationParams(max_new_tokens=512),
        prediction_ids=CAPTION_IDS,
        open_item_set=True,
    )
