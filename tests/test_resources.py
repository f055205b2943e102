"""NLP resources: presence checks, the fetch command in every hint, fetch failures mapped."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmalign_eval import resources
from mmalign_eval.resources import ResourceError


def test_missing_nltk_package_names_the_fetch_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MMALIGN_EVAL_CACHE", str(tmp_path))
    assert not resources.nltk_available(["no_such_package"])
    with pytest.raises(ResourceError) as caught:
        resources.require_nltk(["no_such_package"])
    assert "no_such_package" in caught.value.message
    assert "`mmalign-eval resources fetch`" in (caught.value.hint or "")
    assert str(tmp_path / "nltk_data") in caught.value.message


def test_harness_data_folder_is_searched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import nltk

    monkeypatch.setenv("MMALIGN_EVAL_CACHE", str(tmp_path))
    monkeypatch.setattr(nltk.data, "path", list(nltk.data.path))
    (tmp_path / "nltk_data" / "corpora" / "omw-1.4").mkdir(parents=True)
    assert resources.nltk_available(["omw-1.4"])
    assert nltk.data.path[0] == str(tmp_path / "nltk_data")


def test_missing_spacy_model_names_the_fetch_command() -> None:
    with pytest.raises(ResourceError) as caught:
        resources.require_spacy_model("no_such_spacy_model_xyz")
    assert "mmalign-eval resources fetch" in (caught.value.hint or "")


def test_fetch_failure_is_a_resource_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import nltk

    def offline(*args: object, **kwargs: object) -> bool:
        raise ValueError("no network")

    monkeypatch.setenv("MMALIGN_EVAL_CACHE", str(tmp_path))
    monkeypatch.setattr(nltk, "download", offline)
    with pytest.raises(ResourceError, match="could not download NLTK package punkt_tab"):
        resources.fetch(["punkt_tab"])


def test_status_lists_every_resource(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MMALIGN_EVAL_CACHE", str(tmp_path))
    rows = resources.status()
    assert [r.name for r in rows] == [*resources.NLTK_PACKAGES, resources.AMBER_SPACY_MODEL]
