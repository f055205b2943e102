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


@register
def reasoning() -> SuiteSpec:
    """Reasoning and general-knowledge benchmarks (the alignment tax)."""
    return SuiteSpec(
        name="reasoning",
        members=("mmmu_val", "mathvista_testmini", "mmstar", "mme", "mmbench_en_dev"),
        description="reasoning and general-knowledge benchmarks (MMMU, MathVista, MMStar, MME, "
        "MMBench)",
    )
