"""NLP resources: presence checks, the fetch command in every hint, fetch failures mapped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mmalign_eval import resources
from mmalign_eval.resources import ResourceError
from mmalign_eval_tasks.hallucination.amber.nouns import NLTK_PACKAGES, SPACY_MODEL


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
    rows = resources.status(NLTK_PACKAGES, (SPACY_MODEL,))
    assert [r.name for r in rows] == [*NLTK_PACKAGES, SPACY_MODEL]


# -- WordNet from a local dict folder (Debian's wordnet-base) -----------------------------


def _fake_wordnet(folder: Path) -> Path:
    folder.mkdir()
    for name in resources.WORDNET_DICT_FILES:
        (folder / name).write_text(f"{name}\n", encoding="utf-8")
    return folder


def test_lexnames_numbers_the_45_lexicographer_files() -> None:
    lines = [line.split("\t") for line in resources.wordnet_lexnames_text().splitlines()]
    assert len(lines) == 45
    assert [int(number) for number, _, _ in lines] == list(range(45))
    assert lines[3] == ["03", "noun.Tops", "1"]
    assert lines[29] == ["29", "verb.body", "2"]
    assert lines[44] == ["44", "adj.ppl", "3"]
    assert lines[2] == ["02", "adv.all", "4"]


def test_lexnames_match_debians_manual_page() -> None:
    import gzip
    import re

    page = Path("/usr/share/man/man5/lexnames.5WN.gz")  # shipped with wordnet-base
    if not page.is_file():
        pytest.skip(f"{page} absent (apt-get install wordnet-base)")
    text = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
    table = re.findall(r"^(\d\d)\t(\S+)\s*\t", text, flags=re.MULTILINE)
    assert [name for _, name in table] == list(resources.WORDNET_LEXNAMES)
    assert [int(number) for number, _ in table] == list(range(45))


def test_install_wordnet_dict_copies_and_adds_lexnames(tmp_path: Path) -> None:
    source = _fake_wordnet(tmp_path / "dict")
    target = resources.install_wordnet_dict(source, tmp_path / "nltk_data")
    assert target == tmp_path / "nltk_data" / "corpora" / "wordnet"
    for name in resources.WORDNET_DICT_FILES:
        # Copies: nltk refuses a symlink that leaves the corpus folder.
        assert not (target / name).is_symlink()
        assert (target / name).read_text(encoding="utf-8") == f"{name}\n"
    assert (target / "lexnames").read_text(encoding="utf-8") == resources.wordnet_lexnames_text()
    (source / "lexnames").write_text("00\tadj.all\t3\n", encoding="utf-8")
    resources.install_wordnet_dict(source, tmp_path / "nltk_data")  # rerun: replaced in place
    assert (target / "lexnames").read_text(encoding="utf-8") == "00\tadj.all\t3\n"
    # Installing the installed folder onto itself is refused, and deletes nothing.
    with pytest.raises(resources.ResourceError, match="already nltk's wordnet folder"):
        resources.install_wordnet_dict(target, tmp_path / "nltk_data")
    assert all((target / name).is_file() for name in resources.WORDNET_DICT_FILES)


def test_install_wordnet_dict_names_missing_files_and_packages(tmp_path: Path) -> None:
    source = _fake_wordnet(tmp_path / "dict")
    (source / "index.sense").unlink()
    with pytest.raises(ResourceError) as caught:
        resources.install_wordnet_dict(source, tmp_path / "nltk_data")
    assert "index.sense" in caught.value.message
    assert "wordnet-sense-index" in (caught.value.hint or "")
    assert not (tmp_path / "nltk_data").exists()


def test_resources_wordnet_command_fills_the_harness_folder(tmp_path: Path) -> None:
    from mmalign_eval.testing import run_cli

    source = _fake_wordnet(tmp_path / "dict")
    done = run_cli(tmp_path, "resources", "wordnet", "--from", str(source), cache_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "nltk_data" / "corpora" / "wordnet" / "lexnames").is_file()
    missing = run_cli(tmp_path, "resources", "wordnet", "--from", str(tmp_path), cache_dir=tmp_path)
    assert missing.returncode != 0
    assert "apt-get install wordnet-base wordnet-sense-index" in missing.stderr


def test_nltk_reads_debians_wordnet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import warnings

    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    try:
        target = resources.install_wordnet_dict(data_dir=tmp_path)
    except ResourceError as exc:
        pytest.skip(f"no Debian WordNet: {exc.message}")
    # nltk opens corpus files only below a folder on its data path.
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path), *nltk.data.path])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no omw reader passed: multilingual use is warned off
        wordnet = WordNetCorpusReader(str(target), None)
    assert wordnet.get_version() == "3.0"
    # The lexnames we write must name each synset's real lexicographer file.
    names = ("dog.n.01", "run.v.01", "good.a.01", "quickly.r.01")
    assert [wordnet.synset(n).lexname() for n in names] == [
        "noun.animal", "verb.motion", "adj.all", "adv.all",
    ]  # fmt: skip
    assert wordnet.lemma_from_key("dog%1:05:00::").name() == "dog"  # index.sense


def test_the_lemmatizer_needs_only_wordnet(tmp_path: Path) -> None:
    # The official AMBER path: nltk's own WordNetLemmatizer through nltk.corpus.wordnet, in
    # a fresh process whose only NLTK data is the installed wordnet (no omw-1.4).
    import subprocess
    import sys

    try:
        resources.install_wordnet_dict(data_dir=tmp_path)
    except ResourceError as exc:
        pytest.skip(f"no Debian WordNet: {exc.message}")
    code = (
        "from nltk.stem import WordNetLemmatizer; l = WordNetLemmatizer();"
        "print(' '.join(l.lemmatize(w) for w in ('dogs', 'buses', 'mice', 'Trees')))"
    )
    env = {**os.environ, "NLTK_DATA": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["dog", "bus", "mouse", "Trees"]
    assert not (tmp_path / "corpora" / "omw-1.4").exists()
