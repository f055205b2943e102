"""docs/results.schema.json documents the schema the code writes (regenerate with `schema`)."""

from __future__ import annotations

import json
from pathlib import Path

from mmalign_eval.results import SCHEMA_VERSION, ResultsFile

DOC = Path(__file__).resolve().parents[1] / "docs" / "results.schema.json"


def test_documented_schema_matches_the_code() -> None:
    documented = json.loads(DOC.read_text())
    assert documented == ResultsFile.model_json_schema(), (
        "docs/results.schema.json is stale: run `mmalign-eval schema > docs/results.schema.json`"
    )


def test_schema_version_is_the_default_of_results_files() -> None:
    assert ResultsFile.model_json_schema()["properties"]["schema_version"]["default"] == (
        SCHEMA_VERSION
    )
