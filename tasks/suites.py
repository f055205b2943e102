"""Named suites: groups of tasks run together with one command."""

from __future__ import annotations

from mmalign_eval.task import SuiteSpec, register


@register
def hallucination() -> SuiteSpec:
    """Object and visual hallucination benchmarks."""
    return SuiteSpec(
        name="hallucination",
        members=("pope", "amber", "coco_chair", "object_halbench", "mmhal_bench", "hallusionbench"),
        description="hallucination benchmarks (POPE, AMBER, CHAIR, Object HalBench, "
        "MMHal-Bench, HallusionBench)",
    )
