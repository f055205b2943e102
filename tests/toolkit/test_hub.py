"""Hub loading through `datasets`, on a dataset repository folder built here (no network)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mmalign_eval.errors import DataError
from mmalign_eval.toolkit.hub import load_hub_split


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dataset repository laid out as on the Hub: data/train-*.parquet."""
    root = tmp_path_factory.mktemp("repo")
    (root / "data").mkdir()
    pd.DataFrame({"question": ["a", "b"]}).to_parquet(root / "data" / "train-0.parquet")
    return root


def test_a_split_loads(repo: Path) -> None:
    assert load_hub_split(str(repo), None, "train", None)["question"] == ["a", "b"]


@pytest.mark.parametrize(
    ("config", "split", "match"),
    [("nope", "train", "has no nope/train"), (None, "test", "has no default/test")],
)
def test_a_missing_config_or_split_is_a_data_error(
    repo: Path, config: str | None, split: str, match: str
) -> None:
    with pytest.raises(DataError, match=match) as caught:
        load_hub_split(str(repo), config, split, None)
    assert caught.value.hint is not None and "configs and splits" in caught.value.hint
