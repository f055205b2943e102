"""mmalign-eval: an evaluation harness for aligned multimodal LLMs.

The public API for benchmark packages (see docs/adding-a-benchmark.md): everything a task
module needs is importable from here. Names load on first use, so `import mmalign_eval`
stays cheap and imports no heavy library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it
_EXPORTS = {
    "Columns": "mmalign_eval.columns",
    "ChoiceScore": "mmalign_eval.contracts",
    "Component": "mmalign_eval.contracts",
    "GenerationParams": "mmalign_eval.contracts",
    "MediaRef": "mmalign_eval.contracts",
    "Record": "mmalign_eval.contracts",
    "Request": "mmalign_eval.contracts",
    "Response": "mmalign_eval.contracts",
    "Sample": "mmalign_eval.contracts",
    "DataError": "mmalign_eval.errors",
    "HarnessError": "mmalign_eval.errors",
    "UsageError": "mmalign_eval.errors",
    "ANSWER": "mmalign_eval.evidence",
    "JUDGE": "mmalign_eval.evidence",
    "Evidence": "mmalign_eval.evidence",
    "JudgeRequest": "mmalign_eval.judges.records",
    "JudgeTaskSpec": "mmalign_eval.judges.records",
    "JudgeTemplate": "mmalign_eval.judges.templates",
    "load_template": "mmalign_eval.judges.templates",
    "MetricSpec": "mmalign_eval.metrics.base",
    "ratio": "mmalign_eval.metrics.base",
    "ModelCall": "mmalign_eval.plans",
    "generate": "mmalign_eval.plans",
    "pairwise": "mmalign_eval.plans",
    "rank_options": "mmalign_eval.plans",
    "reward": "mmalign_eval.plans",
    "sampled": "mmalign_eval.plans",
    "user_request": "mmalign_eval.plans",
    "Fallback": "mmalign_eval.protocols",
    "Protocol": "mmalign_eval.protocols",
    "Reading": "mmalign_eval.protocols",
    "DataProvenance": "mmalign_eval.task",
    "DataRequest": "mmalign_eval.task",
    "GroupMetric": "mmalign_eval.task",
    "GroupSpec": "mmalign_eval.task",
    "LoadedData": "mmalign_eval.task",
    "PredictionIds": "mmalign_eval.predictions",
    "Prediction": "mmalign_eval.predictions",
    "SuiteSpec": "mmalign_eval.task",
    "TaskSpec": "mmalign_eval.task",
    "file_provenance": "mmalign_eval.task",
    "register": "mmalign_eval.task",
}

__all__ = [
    "ANSWER",
    "JUDGE",
    "ChoiceScore",
    "Columns",
    "Component",
    "DataError",
    "DataProvenance",
    "DataRequest",
    "Evidence",
    "Fallback",
    "GenerationParams",
    "GroupMetric",
    "GroupSpec",
    "HarnessError",
    "JudgeRequest",
    "JudgeTaskSpec",
    "JudgeTemplate",
    "LoadedData",
    "MediaRef",
    "MetricSpec",
    "ModelCall",
    "Prediction",
    "PredictionIds",
    "Protocol",
    "Reading",
    "Record",
    "Request",
    "Response",
    "Sample",
    "SuiteSpec",
    "TaskSpec",
    "UsageError",
    "__version__",
    "file_provenance",
    "generate",
    "load_template",
    "pairwise",
    "rank_options",
    "ratio",
    "register",
    "reward",
    "sampled",
    "user_request",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mmalign_eval' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


if TYPE_CHECKING:
    from mmalign_eval.columns import Columns
    from mmalign_eval.contracts import (
        ChoiceScore,
        Component,
        GenerationParams,
        MediaRef,
        Record,
        Request,
        Response,
        Sample,
    )
    from mmalign_eval.errors import DataError, HarnessError, UsageError
    from mmalign_eval.evidence import ANSWER, JUDGE, Evidence
    from mmalign_eval.judges.records import JudgeRequest, JudgeTaskSpec
    from mmalign_eval.judges.templates import JudgeTemplate, load_template
    from mmalign_eval.metrics.base import MetricSpec, ratio
    from mmalign_eval.plans import (
        ModelCall,
        generate,
        pairwise,
        rank_options,
        reward,
        sampled,
        user_request,
    )
    from mmalign_eval.predictions import Prediction, PredictionIds
    from mmalign_eval.protocols import Fallback, Protocol, Reading
    from mmalign_eval.task import (
        DataProvenance,
        DataRequest,
        GroupMetric,
        GroupSpec,
        LoadedData,
        SuiteSpec,
        TaskSpec,
        file_provenance,
        register,
    )
