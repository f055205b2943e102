"""AMBER (Wang et al., 2023): generative and discriminative hallucination, scored officially.

Data: the official files (annotations.json, query/*.json, relation.json, safe_words.txt from
the AMBER repository's data/ folder) via `--data <folder>` plus `--image-dir` with the AMBER
images (default <folder>/images), or `--data synthetic[:N]`. No Hugging Face copy is used.
Ids 1-1004 are generative ("Describe this image."), 1005-15220 yes/no questions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mmalign_eval.contracts import GenerationParams, MediaRef, Sample
from mmalign_eval.data.synthetic_amber import ensure_synthetic_amber
from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.hashing import sha256_file
from mmalign_eval.media import MediaError, media_from_file
from mmalign_eval.metrics import amber as m
from mmalign_eval.metrics.base import FloatArray, MetricSpec
from mmalign_eval.resources import (
    AMBER_SPACY_MODEL,
    NLTK_PACKAGES,
    ResourceError,
    configure_nltk,
    require_nltk,
    require_spacy_model,
)
from mmalign_eval.sources import is_synthetic, synthetic_size
from mmalign_eval.task import (
    DataProvenance,
    DataRequest,
    GroupMetric,
    GroupSpec,
    LoadedData,
    ParsedAnswer,
    Protocol,
    TaskSpec,
    register,
)
from mmalign_eval.text.lemmas import encode_candidates, resolve_candidates

GENERATIVE_PROMPT = "{question}"
# The official repository leaves the yes/no instruction to the model's own evaluation
# script; this LLaVA-style suffix is what most AMBER numbers in papers were produced with.
DISCRIMINATIVE_PROMPT = "{question}\nAnswer the question using a single word or phrase."
QUERY_FILES = {
    "generative": "query_generative.json",
    "discriminative": "query_discriminative.json",
    "existence": "query_discriminative-existence.json",
    "attribute": "query_discriminative-attribute.json",
    "relation": "query_discriminative-relation.json",
}
SIMILARITY_THRESHOLD = 0.8  # official --similarity_score
# sha256 of the official annotations.json -> which published version it is.
KNOWN_ANNOTATIONS = {
    "db22a436c4836fbb295e60b4e80d519573077579fb7032f01b193c1bd022b797": (
        "junyangwang0410/AMBER data/annotations.json (15,220 items)"
    ),
}


# -- answer protocols ---------------------------------------------------------------------


def parse_official_yes_no(text: str) -> ParsedAnswer:
    """inference.py: only the exact strings 'Yes' and 'No' count; anything else is wrong."""
    if text == "Yes":
        return ParsedAnswer("yes")
    if text == "No":
        return ParsedAnswer("no")
    return ParsedAnswer(
        "other", f"not exactly 'Yes' or 'No' (scored wrong, as officially): {text[:40]!r}"
    )


def parse_lenient_yes_no(text: str) -> ParsedAnswer:
    """Case and punctuation normalised; the first word must be yes or no, else a failure."""
    words = re.sub(r"[^a-z\s]", " ", text.lower()).split()
    if words and words[0] in ("yes", "no"):
        return ParsedAnswer(words[0])
    return ParsedAnswer(None, f"no leading yes/no in {text[:60]!r}")


@lru_cache(maxsize=1)
def _lemmatizer() -> Any:
    from nltk.stem import WordNetLemmatizer

    return WordNetLemmatizer()


def extract_nouns(text: str) -> list[str]:
    """inference.py's extract_nouns: word_tokenize, pos_tag, WordNet-lemmatise NN* tokens."""
    import nltk

    configure_nltk()
    tagged = nltk.pos_tag(nltk.word_tokenize(text))
    lemmatizer = _lemmatizer()
    return [str(lemmatizer.lemmatize(word)) for word, pos in tagged if pos.startswith("NN")]


def parse_generative(text: str) -> ParsedAnswer:
    """The response's lemmatised nouns, space-separated (they are single tokens)."""
    return ParsedAnswer(" ".join(extract_nouns(text)))


@lru_cache(maxsize=1)
def _pattern_tagger() -> Any:
    # pattern's Brill tagger as TextBlob bundles it (lexicon files inside the package): POS
    # tags with no NLTK data. Imported on first use, since textblob imports nltk.
    from textblob.en.taggers import PatternTagger

    return PatternTagger()


def offline_nouns(text: str) -> list[str]:
    """The NN* tokens of a text by pattern's bundled tagger (NLTK's tagger needs data)."""
    return [str(word) for word, tag in _pattern_tagger().tag(text) if str(tag).startswith("NN")]


def parse_offline(text: str) -> ParsedAnswer:
    """Every noun with its candidate lemmas; the vocabulary picks one at scoring."""
    return ParsedAnswer(encode_candidates(" ".join(offline_nouns(text))))


YES_NO_PROTOCOLS = {
    "official": Protocol(
        "official",
        "AMBER inference.py: an answer counts only if it is exactly 'Yes' or 'No'; anything "
        "else stays in the denominators and is never correct (not a failure)",
        parse_official_yes_no,
    ),
    "lenient": Protocol(
        "lenient",
        "case and punctuation normalised, first word yes/no ('yes.', 'NO,', 'No, there is "
        "not'); answers without one are recorded as unparseable and not scored",
        parse_lenient_yes_no,
    ),
}
# -- scoring ------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def load_vocabulary(relation: str, safe_words: str) -> m.Vocabulary:
    """relation.json and safe_words.txt (read the way the official script reads them)."""
    association = json.loads(Path(relation).read_text(encoding="utf-8"))
    lines = Path(safe_words).read_text(encoding="utf-8").split("\n")
    return m.Vocabulary(
        association={k: tuple(v) for k, v in association.items()},
        safe_words=frozenset(line for line in lines if line),
    )


@lru_cache(maxsize=1)
def _spacy_model() -> Any:
    import spacy

    return spacy.load(AMBER_SPACY_MODEL)


@lru_cache(maxsize=200_000)
def spacy_similar(word1: str, word2: str) -> bool:
    """check_synonyms_word: nlp(word1).similarity(nlp(word2)) > 0.8 (cached per pair)."""
    nlp = _spacy_model()
    return bool(nlp(word1).similarity(nlp(word2)) > SIMILARITY_THRESHOLD)


def _vocabulary(sample: Sample) -> m.Vocabulary:
    meta = sample.metadata
    return load_vocabulary(str(meta["relation_file"]), str(meta["safe_words_file"]))


def _counts(sample: Sample, nouns: Sequence[str], similar: m.Similar) -> dict[str, float]:
    meta = sample.metadata
    truth = m.GenerativeTruth(
        truth=tuple(json.loads(str(meta["truth"]))), hallu=tuple(json.loads(str(meta["hallu"])))
    )
    return m.generative_counts(nouns, truth, _vocabulary(sample), similar).values()


def generative_values(
    sample: Sample, parsed: ParsedAnswer, similar: m.Similar = spacy_similar
) -> dict[str, float]:
    """Counters of one description from its nouns and the sample's annotation."""
    return _counts(sample, (parsed.label or "").split(), similar)


def exact_synonym(word1: str, word2: str) -> bool:
    """Synonym matching without word vectors: only identical words (similarity 1.0)."""
    return word1 == word2


def offline_values(sample: Sample, parsed: ParsedAnswer) -> dict[str, float]:
    """Counters of one description under the offline protocol."""
    nouns = resolve_candidates(parsed.label or "", _vocabulary(sample).words)
    return _counts(sample, nouns, exact_synonym)


def require_generative() -> None:
    """NLTK data and the spaCy word vectors, checked before generation."""
    try:
        require_nltk(NLTK_PACKAGES)
        require_spacy_model(AMBER_SPACY_MODEL)
    except ResourceError as exc:
        alternative = (
            "; or, unofficially and with no downloads, the offline protocol (`run`: "
            "--protocol amber_generative=offline; `score`: --protocol offline)"
        )
        raise ResourceError(exc.message, (exc.hint or "") + alternative) from exc


GENERATIVE_PROTOCOLS = {
    "official": Protocol(
        "official",
        "AMBER inference.py: NLTK nouns (tokenise, POS tag, WordNet lemmatise) in the "
        "relation.json vocabulary; synonyms by en_core_web_lg similarity > 0.8",
        parse_generative,
        requires=require_generative,
    ),
    "offline": Protocol(
        "offline",
        "no NLP downloads: nouns by pattern's tagger (bundled with TextBlob) instead of "
        "NLTK's, lemmas the WordNet way (shortest form in the relation.json vocabulary), "
        "synonyms by exact match only (no word vectors); otherwise the official counting",
        parse_offline,
        item_values=offline_values,
    ),
}


def discriminative_values(sample: Sample, parsed: ParsedAnswer) -> dict[str, float]:
    """The official counters of one yes/no answer, overall and under its sub-type."""
    return m.discriminative_values(
        str(sample.metadata["subtype"]), sample.target, parsed.label or ""
    )


# -- data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmberFiles:
    """The official data files of one AMBER copy."""

    annotations: Path
    query_dir: Path
    relation: Path
    safe_words: Path

    @classmethod
    def find(cls, folder: Path) -> AmberFiles:
        """The files in `folder` or its `data/` subfolder (the repository layout)."""
        for root in (folder, folder / "data"):
            if (root / "annotations.json").is_file():
                files = cls(
                    root / "annotations.json",
                    root / "query",
                    root / "relation.json",
                    root / "safe_words.txt",
                )
                missing = [
                    p for p in (files.query_dir, files.relation, files.safe_words) if not p.exists()
                ]
                if missing:
                    raise DataError(
                        f"AMBER folder {root} lacks {missing[0].name}",
                        "copy the whole data/ folder of the AMBER repository",
                    )
                return files
        raise DataError(
            f"no AMBER annotations.json in {folder} or {folder / 'data'}",
            "pass --data with the AMBER repository's data/ folder (annotations.json, query/, "
            "relation.json, safe_words.txt)",
        )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"cannot read {path}: {exc}", "use the official AMBER files") from exc


def _media(image_dir: Path | None, image: str, cache: dict[str, MediaRef]) -> MediaRef:
    if image not in cache:
        if image_dir is None:
            cache[image] = MediaRef(sha256=f"unread:{image}", source=image)
        else:
            try:
                cache[image] = media_from_file(image_dir / image)
            except MediaError:
                # A missing image fails only its own samples (recorded), not the run.
                cache[image] = MediaRef(
                    sha256=f"missing:{image}", path=str(image_dir / image), source=image
                )
    return cache[image]


def _metadata(kind: str, ann: dict[str, Any], files: AmberFiles, image: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"image": image, "type": str(ann["type"])}
    if kind == "generative":
        meta |= {
            "truth": json.dumps(ann["truth"]),
            "hallu": json.dumps(ann["hallu"]),
            "relation_file": str(files.relation),
            "safe_words_file": str(files.safe_words),
        }
    else:
        meta["subtype"] = m.subtype_of(str(ann["type"]))
    return meta


def load_official(task: str, kind: str, files: AmberFiles, image_dir: Path | None) -> list[Sample]:
    """Samples of one query file, joined to annotations.json by id."""
    annotations = {int(a["id"]): a for a in _read_json(files.annotations)}
    media: dict[str, MediaRef] = {}
    samples = []
    for row in _read_json(files.query_dir / QUERY_FILES[kind]):
        ann = annotations.get(int(row["id"]))
        if ann is None:
            raise DataError(
                f"AMBER query id {row['id']} has no annotation",
                "query/ and annotations.json must come from the same copy",
            )
        if (ann["type"] == "generative") != (kind == "generative"):
            raise DataError(
                f"AMBER id {row['id']} is {ann['type']}, not {kind}", "check the query file names"
            )
        image = str(row["image"])
        samples.append(
            Sample(
                id=str(row["id"]),
                task=task,
                question=str(row["query"]),
                target="" if kind == "generative" else str(ann["truth"]),
                media=(_media(image_dir, image, media),),
                cluster=image,
                metadata=_metadata(kind, ann, files, image),
            )
        )
    return samples


def loader_for(kind: str) -> Callable[[DataRequest], LoadedData]:
    """The data loader of one AMBER task."""
    task = "amber_" + kind

    def load(request: DataRequest) -> LoadedData:
        source = request.source
        if source is None:
            raise UsageError(
                f"{task} needs the official AMBER files",
                "pass --data <AMBER data folder> --image-dir <AMBER images>, or --data synthetic",
            )
        synthetic = is_synthetic(source)
        if synthetic:
            size = synthetic_size(source, default=20, minimum=2)
            folder = ensure_synthetic_amber(Path(request.cache_dir) / "data", size)
        else:
            folder = Path(source).expanduser()
        files = AmberFiles.find(folder)
        image_dir = Path(request.image_dir) if request.image_dir else folder / "images"
        samples = load_official(task, kind, files, image_dir if request.need_media else None)
        digest = sha256_file(files.annotations)
        note = KNOWN_ANNOTATIONS.get(digest, "unknown version (not the official file's hash)")
        provenance = DataProvenance(
            kind="synthetic" if synthetic else "official_files",
            location=str(files.annotations.parent),
            sha256=digest,
            version_note=f"synthetic AMBER ({folder.name})" if synthetic else note,
            num_items=len(samples),
        )
        return LoadedData(samples, provenance)

    return load


# -- tasks --------------------------------------------------------------------------------

_EXISTENCE = m.DiscriminativeBlock(("existence.",), f1_epsilon=0.001)  # the script's 0.001
_ATTRIBUTE = m.DiscriminativeBlock(tuple(f"{s}." for s in m.ATTRIBUTE_SUBTYPES))


def _yes_no_task(kind: str, metrics: Sequence[MetricSpec], description: str) -> TaskSpec:
    return TaskSpec(
        name=f"amber_{kind}",
        family="hallucination",
        version="1",
        description=description,
        prompt_template=DISCRIMINATIVE_PROMPT,
        loader=loader_for(kind),
        protocols=YES_NO_PROTOCOLS,
        default_protocol="official",
        metrics=tuple(metrics),
        item_values=discriminative_values,
        generation=GenerationParams(max_new_tokens=32),
    )


@register
def amber_generative() -> TaskSpec:
    """AMBER generative: CHAIR, Cover, Hal and Cog of image descriptions."""
    return TaskSpec(
        name="amber_generative",
        family="hallucination",
        version="1",
        description="AMBER 'Describe this image.': CHAIR, Cover, Hal, Cog (official script)",
        prompt_template=GENERATIVE_PROMPT,
        loader=loader_for("generative"),
        protocols=GENERATIVE_PROTOCOLS,
        default_protocol="official",
        metrics=m.generative_metrics(),
        item_values=generative_values,
        generation=GenerationParams(max_new_tokens=512),
        synthetic_protocol="offline",
    )


@register
def amber_discriminative() -> TaskSpec:
    """AMBER discriminative: all yes/no questions, 'No' positive."""
    block = m.DiscriminativeBlock(("",))
    return _yes_no_task(
        "discriminative",
        m.discriminative_metrics(block, primary=True),
        "AMBER yes/no questions (existence, attribute, relation); 'No' positive",
    )


@register
def amber_existence() -> TaskSpec:
    """AMBER existence questions."""
    return _yes_no_task(
        "existence",
        m.discriminative_metrics(_EXISTENCE, primary=True),
        "AMBER existence questions (all 'no' in the official set)",
    )


@register
def amber_attribute() -> TaskSpec:
    """AMBER attribute questions, with the state, number and action sub-types."""
    metrics = list(m.discriminative_metrics(_ATTRIBUTE, primary=True))
    for sub in m.ATTRIBUTE_SUBTYPES:
        metrics += m.discriminative_metrics(m.DiscriminativeBlock((f"{sub}.",)), f"{sub}_")
    return _yes_no_task("attribute", metrics, "AMBER attribute questions (state, number, action)")


@register
def amber_relation() -> TaskSpec:
    """AMBER relation questions."""
    block = m.DiscriminativeBlock((f"{m.RELATION}.",))
    return _yes_no_task(
        "relation",
        m.discriminative_metrics(block, primary=True),
        "AMBER relation questions (direct contact between two objects)",
    )


def _amber_score(parts: Sequence[FloatArray]) -> FloatArray:
    chair, f1 = parts
    return m.amber_score(chair, f1)


@register
def amber() -> GroupSpec:
    """AMBER: both tasks, the dimensions, and the AMBER score."""
    return GroupSpec(
        name="amber",
        tasks=(
            "amber_generative",
            "amber_discriminative",
            "amber_existence",
            "amber_attribute",
            "amber_relation",
        ),
        mean_of=(),
        description="AMBER generative and discriminative, with the AMBER score",
        combine=(
            GroupMetric(
                name="amber_score",
                inputs=(
                    ("amber_generative", "chair_unrounded"),
                    ("amber_discriminative", "f1_unrounded"),
                ),
                fn=_amber_score,
                direction="higher",
                scale="percent",
                primary=True,
                description="((100 - CHAIR) + F1) / 2 from unrounded CHAIR and discriminative F1",
            ),
        ),
    )
