"""MMStar's capabilities and axes, per-item columns and metrics (MMStar_eval's report).

The official report gives the overall accuracy, each of the 6 core capabilities (250
questions each) and each of its 18 axes (l2_category). It divides by the full counts (250,
1,500); here every accuracy is over the items scored, which is the same on the full set.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mmalign_eval import Columns, MetricSpec, ratio
from mmalign_eval.metrics.base import FloatArray, Totals

# capability -> its three axes, in the official report's order.
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "coarse perception": (
        "image scene and topic", "image style & quality", "image emotion",
    ),
    "fine-grained perception": ("object counting", "recognition", "localization"),
    "instance reasoning": (
        "single-instance reasoning", "cross-instance attribute reasoning",
        "cross-instance relation reasoning",
    ),
    "logical reasoning": ("code & sequence reasoning", "diagram reasoning", "common reasoning"),
    "science & technology": (
        "biology & chemistry & physics", "electronics & energy & mechanical eng.",
        "geography & earth science & agriculture",
    ),
    "math": ("geometry", "numeric commonsense and calculation", "statistical reasoning"),
}  # fmt: skip
AXES: tuple[tuple[str, str], ...] = tuple(
    (capability, axis) for capability, axes in CAPABILITIES.items() for axis in axes
)
COLUMNS = Columns.of(
    "n", "correct", "unread", prefixes=("n_cap:", "correct_cap:", "n_axis:", "correct_axis:")
)


def slug(name: str) -> str:
    """A metric-name form of a category: 'image style & quality' -> 'image_style_quality'."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def item_values(capability: str, axis: str, correct: bool, unread: bool) -> dict[str, float]:
    """One question's columns: overall, its capability's and its axis's."""
    hit = float(correct)
    return {
        "n": 1.0,
        "correct": hit,
        "unread": float(unread),
        f"n_cap:{slug(capability)}": 1.0,
        f"correct_cap:{slug(capability)}": hit,
        f"n_axis:{slug(axis)}": 1.0,
        f"correct_axis:{slug(axis)}": hit,
    }


def _share(count: str, n: str) -> Callable[[Totals], FloatArray]:
    def fn(t: Totals) -> FloatArray:
        return ratio(t[count], t[n])

    return fn


def mmstar_metrics() -> tuple[MetricSpec, ...]:
    """Accuracy (primary), the unread-reply rate, per capability and per axis."""
    specs = [
        MetricSpec("accuracy", _share("correct", "n"), "higher", primary=True,
                   description="questions answered right (the official 'final score')"),
        MetricSpec("unread_rate", _share("unread", "n"), "lower",
                   description="replies the official rule reads no option letter from "
                   "(scored wrong; failures under strict)"),
    ]  # fmt: skip
    for capability in CAPABILITIES:
        key = slug(capability)
        specs.append(
            MetricSpec(f"accuracy_{key}", _share(f"correct_cap:{key}", f"n_cap:{key}"),
                       "higher", description=f"accuracy on the capability {capability!r}")
        )  # fmt: skip
    for capability, axis in AXES:
        key = slug(axis)
        specs.append(
            MetricSpec(f"accuracy_{key}", _share(f"correct_axis:{key}", f"n_axis:{key}"),
                       "higher", description=f"accuracy on the axis {capability}({axis})")
        )  # fmt: skip
    return tuple(specs)
