"""Named suites: groups of tasks run together with one command."""

from __future__ import annotations

from mmalign_eval.task import SuiteSpec, register


@register
def hallucination() -> SuiteSpec:
    """Object and visual hallucination benchmarks."""
    return SuiteSpec(
        name="hallucination",
        members=("pope", "mmhal_bench"),
        description="hallucination benchmarks (POPE, MMHal-Bench; AMBER and CHAIR to come)",
    )
