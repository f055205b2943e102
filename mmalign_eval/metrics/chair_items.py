"""Per-caption CHAIR scoring: a parsed label of caption words in, CHAIR counts out."""

from __future__ import annotations

from mmalign_eval.contracts import Sample
from mmalign_eval.metrics.chair import caption_counts
from mmalign_eval.task import ParsedAnswer
from mmalign_eval.text.coco_objects import caption_words_rule, load_synonyms

WORD_SEPARATOR = "|"  # parsed labels join the processed words; objects may contain spaces


def parse_rule(text: str) -> ParsedAnswer:
    """Processed caption words (the vocabulary filter runs at scoring, with the data's list)."""
    return ParsedAnswer(WORD_SEPARATOR.join(caption_words_rule(text)))


def mentioned_objects(sample: Sample, label: str) -> list[str]:
    """Canonical classes of the object mentions in a parsed label, with repeats."""
    vocabulary = load_synonyms(str(sample.metadata["synonyms"]))
    return vocabulary.mentions(label.split(WORD_SEPARATOR) if label else [])


def ground_truth(sample: Sample) -> list[str]:
    """The sample's ground-truth classes."""
    text = str(sample.metadata.get("gt_objects", ""))
    return text.split(WORD_SEPARATOR) if text else []


def item_values(sample: Sample, parsed: ParsedAnswer) -> dict[str, float]:
    """CHAIR counts of one caption against its image's ground truth."""
    mentions = mentioned_objects(sample, parsed.label or "")
    return caption_counts(mentions, ground_truth(sample)).values()
