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


@register
def safety() -> SuiteSpec:
    """Harm (attack success) and its cost (over-refusal), always reported together."""
    return SuiteSpec(
        name="safety",
        members=("vlguard", "mm_safetybench", "figstep", "mossbench"),
        description="safety benchmarks (VLGuard, MM-SafetyBench, FigStep, MOSSBench): attack "
        "success on unsafe requests beside refusal of safe ones",
    )


@register
def preference() -> SuiteSpec:
    """Judged open-ended benchmarks: is the aligned model preferred?"""
    return SuiteSpec(
        name="preference",
        members=("llava_bench_wild", "mm_vet", "wildvision_bench", "mia_bench", "mm_alignbench"),
        description="judged preference and conversation benchmarks (LLaVA-Bench in the wild, "
        "MM-Vet, WildVision-Bench, MIA-Bench, MM-AlignBench)",
    )


@register
def reward() -> SuiteSpec:
    """Reward models and VLM judges: do they prefer what humans preferred?"""
    return SuiteSpec(
        name="reward",
        members=("vl_rewardbench", "multimodal_rewardbench", "mm_rlhf_rewardbench"),
        description="reward-model benchmarks (VL-RewardBench, Multimodal RewardBench, "
        "MM-RLHF-RewardBench): a judge's verdicts or a reward model's scores",
    )
