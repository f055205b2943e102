"""MMBench's report (VLMEvalKit's report_acc): overall CircularEval accuracy, per L2 category
(the six abilities, named by VLMEvalKit's abbreviations) and per ability category (20).

Accuracies are over questions (one sample per question, all its rotations), so the
bootstrap resamples whole questions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mmalign_eval import Columns, MetricSpec, ratio
from mmalign_eval.metrics.base import FloatArray, Totals

# L2 category -> VLMEvalKit's abbreviation (MMB_abbrs) and its ability categories.
L2_CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "coarse_perception": (
        "CP", ("image_emotion", "image_quality", "image_scene", "image_style", "image_topic"),
    ),
    "finegrained_perception (instance-level)": (
        "FP-S", ("attribute_recognition", "celebrity_recognition", "object_localization", "ocr"),
    ),
    "finegrained_perception (cross-instance)": (
        "FP-C", ("action_recognition", "attribute_comparison", "spatial_relationship"),
    ),
    "logic_reasoning": ("LR", ("future_prediction", "structuralized_imagetext_understanding")),
    "relation_reasoning": ("RR", ("nature_relation", "physical_relation", "social_relation")),
    "attribute_reasoning": (
        "AR", ("function_reasoning", "identity_reasoning", "physical_property_reasoning"),
    ),
}  # fmt: skip
CATEGORIES: tuple[tuple[str, str], ...] = tuple(
    (category, l2) for l2, (_, categories) in L2_CATEGORIES.items() for category in categories
)
COLUMNS = Columns.of(
    "n",
    "correct",
    "fallback",
    "judged",
    prefixes=("n_l2:", "correct_l2:", "n_cat:", "correct_cat:"),
)


def slug(name: str) -> str:
    """A metric-name form: 'FP-S' -> 'fp_s'."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def group_values(
    category: str, l2: str, correct: bool, fallback: bool, judged: bool
) -> dict[str, float]:
    """One question's columns: overall, its L2 category's and its category's."""
    hit = float(correct)
    return {
        "n": 1.0,
        "correct": hit,
        "fallback": float(fallback),
        "judged": float(judged),
        f"n_l2:{l2}": 1.0,
        f"correct_l2:{l2}": hit,
        f"n_cat:{category}": 1.0,
        f"correct_cat:{category}": hit,
    }


def _share(count: str, n: str) -> Callable[[Totals], FloatArray]:
    def fn(t: Totals) -> FloatArray:
        return ratio(t[count], t[n])

    return fn


def mmbench_metrics() -> tuple[MetricSpec, ...]:
    """Accuracy (primary), fallback and judged rates, per L2 category and per category."""
    specs = [
        MetricSpec("accuracy", _share("correct", "n"), "higher", primary=True,
                   description="questions right in every rotation of their options "
                   "(CircularEval; the 'Overall' of VLMEvalKit's report)"),
        MetricSpec("fallback_rate", _share("fallback", "n"), "lower",
                   description="questions where the official random pick among the options "
                   "and Z answered a rotation the judge could not match (failures under "
                   "strict)"),
        MetricSpec("judged_rate", _share("judged", "n"), "neither",
                   description="questions the rule could not settle, so the judge matched "
                   "rotations (under exact: scored wrong)"),
    ]  # fmt: skip
    for l2, (abbr, _) in L2_CATEGORIES.items():
        specs.append(
            MetricSpec(f"accuracy_{slug(abbr)}", _share(f"correct_l2:{l2}", f"n_l2:{l2}"),
                       "higher", description=f"CircularEval accuracy on {l2} ({abbr})")
        )  # fmt: skip
    for category, _ in CATEGORIES:
        specs.append(
            MetricSpec(f"accuracy_{category}",
                       _share(f"correct_cat:{category}", f"n_cat:{category}"), "higher",
                       description=f"CircularEval accuracy on {category}")
        )  # fmt: skip
    return tuple(specs)
