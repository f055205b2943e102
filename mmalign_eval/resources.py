"""NLP resources some metrics need (NLTK data, spaCy word vectors): checked, never auto-fetched.

A run must not download anything halfway through: `mmalign-eval resources fetch` fetches on
a connected machine into the harness cache, and a run that lacks a resource stops before
generation with that command in its hint.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mmalign_eval.errors import HarnessError
from mmalign_eval.paths import default_cache_dir

FETCH_COMMAND = "mmalign-eval resources fetch"
# Where each package is found inside an nltk data folder (nltk also tries a .zip beside it).
NLTK_RESOURCE_PATHS: dict[str, str] = {
    "punkt_tab": "tokenizers/punkt_tab/english/",
    "punkt": "tokenizers/punkt",
    "averaged_perceptron_tagger_eng": "taggers/averaged_perceptron_tagger_eng/",
    "averaged_perceptron_tagger": "taggers/averaged_perceptron_tagger",
    "wordnet": "corpora/wordnet",
    "omw-1.4": "corpora/omw-1.4",
}
# Debian installs WordNet 3.0's database here: wordnet-base has the index, data and exception
# files, wordnet-sense-index adds index.sense.
DEBIAN_WORDNET_DIR = Path("/usr/share/wordnet")
DEBIAN_WORDNET_PACKAGES = "wordnet-base wordnet-sense-index"
# The files nltk 3.10's WordNetCorpusReader opens while it loads: it maps WordNet 3.0 sense
# keys onto itself from index.sense even when nothing multilingual is asked for.
WORDNET_DICT_FILES: tuple[str, ...] = (
    *(f"{kind}.{pos}" for kind in ("index", "data") for pos in ("noun", "verb", "adj", "adv")),
    *(f"{pos}.exc" for pos in ("noun", "verb", "adj", "adv")),
    "index.sense",
)
WORDNET_OPTIONAL_FILES: tuple[str, ...] = ("cntlist.rev",)  # only Lemma.count() reads it
# WordNet 3.0's 45 lexicographer files, numbered from 00 as its lexnames(5WN) page lists them.
# nltk needs a `lexnames` file naming them; Debian leaves it out (see its README.Debian).
WORDNET_LEXNAMES: tuple[str, ...] = (
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
    "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event",
    "noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object",
    "noun.person", "noun.phenomenon", "noun.plant", "noun.possession", "noun.process",
    "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
    "verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition",
    "verb.consumption", "verb.contact", "verb.creation", "verb.emotion", "verb.motion",
    "verb.perception", "verb.possession", "verb.social", "verb.stative", "verb.weather",
    "adj.ppl",
)  # fmt: skip
# lexnames' third column: the syntactic category number of the file's synsets.
_LEXNAME_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}
SPACY_INSTALL_HINT = "pip install spacy"


class ResourceError(HarnessError):
    """A metric needs an NLP resource that is not installed; the hint says how to fetch it."""


@dataclass(frozen=True)
class Needs:
    """The offline NLP resources a protocol needs: checked before any model loads, fetched
    ahead by `mmalign-eval resources fetch`, never downloaded during a run."""

    nltk: tuple[str, ...] = ()
    spacy: tuple[str, ...] = ()
    install_hint: str = SPACY_INSTALL_HINT  # how to install spaCy for these models
    alternative: str = ""  # appended to the hint: another way on (e.g. an offline protocol)

    def check(self) -> None:
        """Raise ResourceError naming the first missing resource and how to get it."""
        try:
            if self.nltk:
                require_nltk(self.nltk)
            for model in self.spacy:
                require_spacy_model(model, self.install_hint)
        except ResourceError as exc:
            raise ResourceError(exc.message, (exc.hint or "") + self.alternative) from exc


def union(needs: Sequence[Needs]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """All NLTK packages and spaCy models several protocols need, without repeats."""
    nltk = tuple(dict.fromkeys(p for n in needs for p in n.nltk))
    spacy = tuple(dict.fromkeys(m for n in needs for m in n.spacy))
    return nltk, spacy


@dataclass(frozen=True)
class ResourceStatus:
    """Whether one resource is present, for `mmalign-eval resources status`."""

    name: str
    kind: str  # "nltk" or "spacy"
    present: bool
    detail: str = ""


def nltk_data_dir() -> Path:
    """The harness's own NLTK data folder (inside the cache, so CI caches can keep it)."""
    return default_cache_dir() / "nltk_data"


def configure_nltk() -> bool:
    """Put the harness's data folder on nltk's search path; False when nltk is not installed."""
    if importlib.util.find_spec("nltk") is None:
        return False
    import nltk

    folder = str(nltk_data_dir())
    if folder not in nltk.data.path:
        nltk.data.path.insert(0, folder)
    return True


def _nltk_has(package: str) -> bool:
    import nltk

    path = NLTK_RESOURCE_PATHS.get(package, package)
    try:
        nltk.data.find(path)
    except LookupError:
        return False
    return True


def missing_nltk(packages: Sequence[str]) -> list[str]:
    """The packages nltk cannot find (all of them when nltk itself is missing)."""
    if not configure_nltk():
        return list(packages)
    return [p for p in packages if not _nltk_has(p)]


def nltk_available(packages: Sequence[str]) -> bool:
    """True when nltk is installed and finds every package, offline."""
    return not missing_nltk(packages)


def require_nltk(packages: Sequence[str]) -> None:
    """Raise ResourceError naming the missing NLTK packages and the command that fetches them."""
    if importlib.util.find_spec("nltk") is None:
        raise ResourceError(
            "this metric needs nltk, which is not installed",
            f"pip install nltk, then run `{FETCH_COMMAND}` on a connected machine",
        )
    missing = missing_nltk(packages)
    if missing:
        raise ResourceError(
            f"missing NLTK data: {', '.join(missing)} (looked in {nltk_data_dir()} and "
            "nltk's default folders)",
            f"run `{FETCH_COMMAND}` on a connected machine (or copy its nltk_data folder here)",
        )


def spacy_model_available(name: str) -> bool:
    """True when spaCy is installed and the named model package is importable."""
    if importlib.util.find_spec("spacy") is None:
        return False
    return importlib.util.find_spec(name) is not None


def require_spacy_model(name: str, install_hint: str = SPACY_INSTALL_HINT) -> None:
    """Raise ResourceError when spaCy or the named model (word vectors) is missing."""
    if importlib.util.find_spec("spacy") is None:
        raise ResourceError(
            f"this metric needs spaCy and its '{name}' model; spaCy is not installed",
            f"{install_hint}, then run `{FETCH_COMMAND}` on a connected machine",
        )
    if not spacy_model_available(name):
        raise ResourceError(
            f"missing spaCy model '{name}' (word vectors for synonym matching)",
            f"run `{FETCH_COMMAND}` on a connected machine",
        )


def fetch(packages: Sequence[str], spacy_models: Sequence[str] = ()) -> None:
    """Download NLTK packages into the harness folder and spaCy models with spaCy's installer."""
    if packages:
        _fetch_nltk(packages)
    for model in spacy_models:
        _fetch_spacy(model)


def _fetch_nltk(packages: Sequence[str]) -> None:
    if not configure_nltk():
        raise ResourceError("nltk is not installed", "pip install nltk")
    import nltk

    folder = nltk_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for package in packages:
        try:
            ok = nltk.download(package, download_dir=str(folder), quiet=True, raise_on_error=True)
        except Exception as exc:  # nltk raises plain ValueError/URLError/OSError on failures
            raise ResourceError(
                f"could not download NLTK package {package}: {exc}",
                "run this on a machine with internet access, then copy "
                f"{folder} to the same place on this one",
            ) from exc
        if not ok or not _nltk_has(package):
            raise ResourceError(
                f"NLTK package {package} did not install into {folder}",
                "check the network and rerun",
            )


def _fetch_spacy(model: str) -> None:
    if importlib.util.find_spec("spacy") is None:
        raise ResourceError(f"spaCy is needed to fetch {model}", SPACY_INSTALL_HINT)
    if spacy_model_available(model):
        return
    from spacy.cli import download

    try:
        download(model)
    except SystemExit as exc:  # spaCy's CLI exits instead of raising
        raise ResourceError(
            f"spaCy could not download {model} (exit {exc.code})",
            "run this on a machine with internet access",
        ) from exc


def status(packages: Sequence[str], spacy_models: Sequence[str] = ()) -> list[ResourceStatus]:
    """Presence of each NLTK package and spaCy model."""
    missing = set(missing_nltk(packages))
    rows = [
        ResourceStatus(p, "nltk", p not in missing, NLTK_RESOURCE_PATHS.get(p, p)) for p in packages
    ]
    spacy_installed = importlib.util.find_spec("spacy") is not None
    for model in spacy_models:
        detail = "" if spacy_installed else f"spaCy not installed ({SPACY_INSTALL_HINT})"
        rows.append(ResourceStatus(model, "spacy", spacy_model_available(model), detail))
    return rows


def wordnet_lexnames_text() -> str:
    """The `lexnames` file of WordNet 3.0: number, file name and category, tab separated."""
    lines = [
        f"{number:02d}\t{name}\t{_LEXNAME_CATEGORY[name.split('.')[0]]}"
        for number, name in enumerate(WORDNET_LEXNAMES)
    ]
    return "\n".join(lines) + "\n"


def install_wordnet_dict(source: Path = DEBIAN_WORDNET_DIR, data_dir: Path | None = None) -> Path:
    """Copy a WordNet 3.0 dict folder (e.g. Debian's) into `<nltk data>/corpora/wordnet`."""
    missing = [name for name in WORDNET_DICT_FILES if not (source / name).is_file()]
    if missing:
        raise ResourceError(
            f"{source} is not a WordNet 3.0 dict folder (missing {', '.join(missing)})",
            f"on Debian or Ubuntu: apt-get install {DEBIAN_WORDNET_PACKAGES} "
            f"(into {DEBIAN_WORDNET_DIR})",
        )
    target = (data_dir or nltk_data_dir()) / NLTK_RESOURCE_PATHS["wordnet"]
    if target.exists() and target.resolve() == source.resolve():
        raise ResourceError(
            f"{source} is already nltk's wordnet folder; nothing to copy",
            "pass --from with the WordNet dict folder to install from (e.g. /usr/share/wordnet)",
        )
    target.mkdir(parents=True, exist_ok=True)
    # Copies, not symlinks: nltk 3.10's path sandbox refuses a corpus file that resolves
    # outside its corpus folder.
    optional = [name for name in (*WORDNET_OPTIONAL_FILES, "lexnames") if (source / name).is_file()]
    for name in (*WORDNET_DICT_FILES, *optional):
        (target / name).unlink(missing_ok=True)  # never write through a link someone left
        shutil.copyfile(source / name, target / name)
    if "lexnames" not in optional:
        (target / "lexnames").unlink(missing_ok=True)
        (target / "lexnames").write_text(wordnet_lexnames_text(), encoding="utf-8")
    return target
