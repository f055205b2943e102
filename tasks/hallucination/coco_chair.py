"""CHAIR on COCO captions (Rohrbach et al., 2018): hallucinated objects in detailed captions.

Data (`--data`): a folder (or the JSON file itself) holding the ground-truth export
`{image_id: [class, ...]}` (COCO instance classes plus classes named in the reference
captions, e.g. `coco2014_image_objects.json`) and the synonym list `synonyms.txt`; the
images come from `--image-dir` (default `<folder>/images`) and name the sample set: each
COCO file name's trailing digits are its image_id. `synthetic[:N]` uses the shape images.
"""

from __future__ import annotations

from mmalign_eval.contracts import GenerationParams
from mmalign_eval.data.chair_data import load_chair_data
from mmalign_eval.metrics.chair import chair_metrics
from mmalign_eval.metrics.chair_items import item_values, parse_rule
from mmalign_eval.task import DataRequest, LoadedData, Protocol, TaskSpec, register

PROMPT = "Please describe this image in detail."

PROTOCOLS = {
    "rule": Protocol(
        "rule",
        "CHAIR caption_to_words: pattern.en's singulariser (TextBlob's port, aligned with "
        "pattern 3.6) with a regex tokeniser instead of nltk.word_tokenize; official two-word "
        "merges, toilet-seat rule and synonym list; every mention counts",
        parse_rule,
    ),
}


def load(request: DataRequest) -> LoadedData:
    """coco_chair data."""
    return load_chair_data(request, "coco_chair", PROMPT)


@register
def coco_chair() -> TaskSpec:
    """CHAIR_s / CHAIR_i / recall of detailed COCO captions."""
    return TaskSpec(
        name="coco_chair",
        family="hallucination",
        version="2",
        description="CHAIR on COCO: hallucinated objects in detailed image descriptions",
        prompt_template=PROMPT,
        loader=load,
        protocols=PROTOCOLS,
        default_protocol="rule",
        metrics=chair_metrics(),
        item_values=item_values,
        generation=GenerationParams(max_new_tokens=512),
        open_item_set=True,
    )
