"""CHAIR (Rohrbach et al., 2018) and Object HalBench metrics over summed per-caption columns.

Per caption the scorer emits mention and ground-truth counts; every aggregate below is a
ratio of column totals, so sharded runs and cluster bootstrap resamples aggregate exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mmalign_eval.columns import Columns
from mmalign_eval.metrics.base import FloatArray, MetricSpec, Totals, ratio

CAPTIONS = "captions"
MENTIONS = "mentions"  # object mentions, repeats included (the CHAIR_i denominator)
HALLUCINATED_MENTIONS = "hallucinated_mentions"
HALLUCINATED_CAPTIONS = "hallucinated_captions"
CAPTIONS_WITH_OBJECTS = "captions_with_objects"
GT_COVERED = "gt_covered"  # distinct ground-truth classes the caption mentions
GT_TOTAL = "gt_total"
COLUMNS = Columns.of(
    CAPTIONS, MENTIONS, HALLUCINATED_MENTIONS, HALLUCINATED_CAPTIONS, CAPTIONS_WITH_OBJECTS,
    GT_COVERED, GT_TOTAL,
)  # fmt: skip


@dataclass(frozen=True)
class CaptionCounts:
    """One caption's counts: the sufficient statistics of every CHAIR-family metric."""

    mentions: int
    hallucinated_mentions: int
    gt_covered: int
    gt_total: int

    def values(self) -> dict[str, float]:
        """The per-item columns whose totals the metrics divide."""
        return {
            CAPTIONS: 1.0,
            MENTIONS: float(self.mentions),
            HALLUCINATED_MENTIONS: float(self.hallucinated_mentions),
            HALLUCINATED_CAPTIONS: float(self.hallucinated_mentions > 0),
            CAPTIONS_WITH_OBJECTS: float(self.mentions > 0),
            GT_COVERED: float(self.gt_covered),
            GT_TOTAL: float(self.gt_total),
        }


def caption_counts(mentioned: Sequence[str], ground_truth: Iterable[str]) -> CaptionCounts:
    """Counts of one caption from its mentioned classes (one per mention) and its gt classes.

    As the official chair.py: every mention counts (a repeated hallucination counts twice in
    CHAIR_i), while recall counts distinct gt classes covered.
    """
    truth = set(ground_truth)
    hallucinated = sum(1 for name in mentioned if name not in truth)
    covered = len({name for name in mentioned if name in truth})
    return CaptionCounts(len(mentioned), hallucinated, covered, len(truth))


def chair_s(t: Totals) -> FloatArray:
    """Share of captions with at least one hallucinated object."""
    return ratio(t[HALLUCINATED_CAPTIONS], t[CAPTIONS])


def chair_i(t: Totals) -> FloatArray:
    """Hallucinated object mentions / all object mentions."""
    return ratio(t[HALLUCINATED_MENTIONS], t[MENTIONS])


def object_recall(t: Totals) -> FloatArray:
    """Ground-truth classes mentioned / ground-truth classes, summed over captions."""
    return ratio(t[GT_COVERED], t[GT_TOTAL])


def response_hallucination(t: Totals) -> FloatArray:
    """RLHF-V response-level rate: hallucinated responses / responses naming any object."""
    return ratio(t[HALLUCINATED_CAPTIONS], t[CAPTIONS_WITH_OBJECTS])


def mean_mentions(t: Totals) -> FloatArray:
    """Object mentions per caption (longer captions mention, and hallucinate, more)."""
    return ratio(t[MENTIONS], t[CAPTIONS])


def chair_metrics() -> tuple[MetricSpec, ...]:
    """CHAIR_s (primary), CHAIR_i, object recall and mentions per caption."""
    return (
        MetricSpec("chair_s", chair_s, "lower", primary=True,
                   description="captions with a hallucinated object / captions"),
        MetricSpec("chair_i", chair_i, "lower",
                   description="hallucinated object mentions / object mentions"),
        MetricSpec("recall", object_recall, "higher",
                   description="gt classes mentioned / gt classes (summed over captions)"),
        MetricSpec("mentions_per_caption", mean_mentions, "neither",
                   description="object mentions per caption"),
    )  # fmt: skip


def object_halbench_metrics() -> tuple[MetricSpec, ...]:
    """Response-level rate (primary), mention-level rate (CHAIR_i) and recall."""
    return (
        MetricSpec("response_hallucination", response_hallucination, "lower", primary=True,
                   description="hallucinated responses / responses mentioning a COCO object"),
        MetricSpec("mention_hallucination", chair_i, "lower",
                   description="hallucinated mentions / mentions (CHAIR_i)"),
        MetricSpec("chair_s", chair_s, "lower",
                   description="hallucinated responses / all responses"),
        MetricSpec("recall", object_recall, "higher",
                   description="gt classes mentioned / gt classes"),
    )  # fmt: skip
