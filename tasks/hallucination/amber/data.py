"""AMBER data: the official data/ folder (annotations.json, query/*.json, relation.json,
safe_words.txt) with the AMBER images, or a synthetic folder in the same format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Record, Sample
from mmalign_eval.hashing import sha256_file
from mmalign_eval.toolkit.files import read_json
from mmalign_eval.toolkit.media import ImageFolder
from mmalign_eval.toolkit.sources import Sources

from .metrics import subtype_of
from .synthetic import ensure_synthetic_amber

QUERY_FILES = {
    "generative": "query_generative.json",
    "discriminative": "query_discriminative.json",
    "existence": "query_discriminative-existence.json",
    "attribute": "query_discriminative-attribute.json",
    "relation": "query_discriminative-relation.json",
}
# sha256 of the official annotations.json -> which published version it is.
KNOWN_ANNOTATIONS = {
    "db22a436c4836fbb295e60b4e80d519573077579fb7032f01b193c1bd022b797": (
        "junyangwang0410/AMBER data/annotations.json (15,220 items)"
    ),
}


class DescriptionInfo(Record):
    """A generative item's annotation and the vocabulary files it is scored with."""

    image: str
    type: str
    truth: tuple[str, ...]
    hallu: tuple[str, ...]
    relation_file: str
    safe_words_file: str


class QuestionInfo(Record):
    """A yes/no item's image, annotation type and official counter family."""

    image: str
    type: str
    subtype: str


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
                files = cls(root / "annotations.json", root / "query", root / "relation.json",
                            root / "safe_words.txt")  # fmt: skip
                gone = [
                    p for p in (files.query_dir, files.relation, files.safe_words) if not p.exists()
                ]
                if gone:
                    raise DataError(
                        f"AMBER folder {root} lacks {gone[0].name}",
                        "copy the whole data/ folder of the AMBER repository",
                    )
                return files
        raise DataError(
            f"no AMBER annotations.json in {folder} or {folder / 'data'}",
            "pass --data with the AMBER repository's data/ folder (annotations.json, query/, "
            "relation.json, safe_words.txt)",
        )


def _info(kind: str, ann: dict[str, Any], files: AmberFiles, image: str) -> Record:
    if kind == "generative":
        return DescriptionInfo(
            image=image, type=str(ann["type"]), truth=tuple(ann["truth"]),
            hallu=tuple(ann["hallu"]), relation_file=str(files.relation),
            safe_words_file=str(files.safe_words),
        )  # fmt: skip
    return QuestionInfo(image=image, type=str(ann["type"]), subtype=subtype_of(str(ann["type"])))


def load_official(
    task: str, kind: str, files: AmberFiles, image_dir: Path | None
) -> list[Sample[Any]]:
    """Samples of one query file, joined to annotations.json by id."""
    hint = "use the official AMBER files"
    annotations = {int(a["id"]): a for a in read_json(files.annotations, "AMBER file", hint)}
    images = ImageFolder(
        image_dir, "pass --image-dir with the AMBER images (or put them in <data>/images)"
    )
    samples = []
    for row in read_json(files.query_dir / QUERY_FILES[kind], "AMBER file", hint):
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
                media=(images.ref(image),),
                cluster=image,
                info=_info(kind, ann, files, image),
            )
        )
    return samples


def _load(
    request: DataRequest, task: str, kind: str, folder: Path, synthetic: bool
) -> LoadedData[Any]:
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


def sources(kind: str) -> Sources[Any]:
    """The data sources of one AMBER task: the official folder or synthetic data."""
    task = "amber_" + kind

    def synthetic(request: DataRequest, size: int) -> LoadedData[Any]:
        folder = ensure_synthetic_amber(Path(request.cache_dir) / "data", size)
        return _load(request, task, kind, folder, synthetic=True)

    def local(request: DataRequest, path: Path) -> LoadedData[Any]:
        return _load(request, task, kind, path, synthetic=False)

    required = (
        f"{task} needs the official AMBER files",
        "pass --data <AMBER data folder> --image-dir <AMBER images>, or --data synthetic",
    )
    return Sources(
        task, synthetic=synthetic, synthetic_size=20, synthetic_minimum=2, local=local,
        required=required,
    )  # fmt: skip
