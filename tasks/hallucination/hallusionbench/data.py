"""HallusionBench data: the official HallusionBench.json with its image folder, the Hugging
Face dataset lmms-lab/HallusionBench (splits image and non_image), or synthetic scenes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Record, Sample
from mmalign_eval.contracts import MediaRef
from mmalign_eval.media import MediaStore
from mmalign_eval.task import file_provenance
from mmalign_eval.toolkit.files import read_json
from mmalign_eval.toolkit.hub import image_bytes, load_hub_split
from mmalign_eval.toolkit.media import file_media
from mmalign_eval.toolkit.sources import Sources

from .synthetic import ensure_synthetic_hallusion

HUB_REPO = "lmms-lab/HallusionBench"
HUB_SPLITS = ("image", "non_image")
OFFICIAL_FILE = "HallusionBench.json"
KEY_FIELDS = ("category", "subcategory", "set_id", "figure_id", "question_id")
GROUPINGS = ("fig", "qpair", "easy", "hard")


class Group(Record):
    """An item's group in one of the official groupings, and how many items it has."""

    name: str
    size: int


class HallusionInfo(Record):
    """The official fields of a question and its groups (figure, question pair, easy, hard)."""

    category: str
    subcategory: str
    set_id: str
    figure_id: str
    question_id: str
    visual_input: str
    gt_answer_details: str
    groups: dict[str, Group]


def sample_id(row: Mapping[str, Any]) -> str:
    """The official per-question name: category_subcategory_set_figure_question."""
    return "_".join(str(row[field]) for field in KEY_FIELDS)


def group_keys(row: Mapping[str, Any]) -> dict[str, str | None]:
    """The official group names of one question (None: not in that grouping)."""
    cat, sub, set_id = str(row["category"]), str(row["subcategory"]), str(row["set_id"])
    figure, question = str(row["figure_id"]), str(row["question_id"])
    pair = f"{cat}_{sub}_{set_id}_{question}"
    no_figure = cat == "VS" and figure == "0"  # utils.get_eval_fig skips these
    edited = str(row["visual_input"]) == "2"  # get_eval_pair_easy/_hard split on this
    return {
        "fig": None if no_figure else f"{cat}_{sub}_{set_id}_{figure}",
        "qpair": pair,
        "easy": None if edited else pair,
        "hard": pair if edited else None,
    }


def group_metadata(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Group]]:
    """Each row's groups with their sizes."""
    keyed = [group_keys(row) for row in rows]
    sizes = {p: Counter(k[p] for k in keyed if k[p] is not None) for p in GROUPINGS}
    return [
        {p: Group(name=g, size=sizes[p][g]) for p, g in keys.items() if g is not None}
        for keys in keyed
    ]


def build_samples(
    rows: list[Mapping[str, Any]], media: list[MediaRef | None]
) -> list[Sample[HallusionInfo]]:
    """Samples of official-format rows; clusters are sets, which contain whole groups."""
    samples = []
    seen: set[str] = set()
    for row, ref, groups in zip(rows, media, group_metadata(rows), strict=True):
        sid = sample_id(row)
        if sid in seen:
            raise DataError(f"HallusionBench question {sid} appears twice", "check the data file")
        seen.add(sid)
        answer = str(row["gt_answer"]).strip()
        if answer not in ("0", "1"):
            raise DataError(f"HallusionBench {sid} has gt_answer {answer!r}", "expected '0'/'1'")
        info = HallusionInfo(
            **{f: str(row[f]) for f in KEY_FIELDS},
            visual_input=str(row["visual_input"]),
            gt_answer_details=str(row.get("gt_answer_details") or ""),
            groups=groups,
        )
        samples.append(
            Sample(
                id=sid,
                task="hallusionbench",
                question=str(row["question"]),
                target="yes" if answer == "1" else "no",
                media=() if ref is None else (ref,),
                cluster="_".join(str(row[f]) for f in KEY_FIELDS[:3]),
                category=info.category,
                info=info,
            )
        )
    return samples


def _image_ref(root: Path | None, row: Mapping[str, Any]) -> MediaRef | None:
    """The official image location (utils.get_image_file_location); None: text-only."""
    if str(row["visual_input"]) == "0":
        return None
    relative = f"{row['category']}/{row['subcategory']}/{row['set_id']}_{row['figure_id']}.png"
    return file_media(None if root is None else root / relative, relative)


def read_official(path: Path) -> list[Mapping[str, Any]]:
    """Rows of the official JSON list; every row needs the key fields."""
    rows = read_json(path, "HallusionBench file")
    needed = (*KEY_FIELDS, "visual_input", "question", "gt_answer")
    if not isinstance(rows, list) or any(
        not isinstance(r, dict) or any(f not in r for f in needed) for r in rows
    ):
        raise DataError(f"{path} is not a list of HallusionBench rows", f"rows need {needed}")
    return rows


def load_official(
    path: Path, image_root: Path | None, kind: str = "local"
) -> LoadedData[HallusionInfo]:
    """Samples of the official JSON plus an image root (None: labels only)."""
    rows = read_official(path)
    samples = build_samples(rows, [_image_ref(image_root, r) for r in rows])
    note = "synthetic HallusionBench-format data" if kind == "synthetic" else None
    return LoadedData(samples, file_provenance(path, len(samples), "official_files", note))


def _hub(request: DataRequest, repo: str) -> LoadedData[HallusionInfo]:
    store = MediaStore(Path(request.cache_dir) / "media") if request.need_media else None
    rows: list[Mapping[str, Any]] = []
    media: list[MediaRef | None] = []
    fingerprints = []
    for split in HUB_SPLITS:
        dataset = load_hub_split(repo, None, split, request.revision)
        fingerprints.append(dataset._fingerprint)
        for row in dataset:
            image = row.get("image") if split == "image" else None
            rows.append(row)
            if image is None or store is None:
                media.append(_image_ref(None, row))
            else:
                media.append(store.put(image_bytes(image), source=sample_id(row)))
    samples = build_samples(rows, media)
    provenance = DataProvenance(
        kind="huggingface", location=f"{repo}:{'+'.join(HUB_SPLITS)}",
        revision=request.revision or "main", sha256="+".join(fingerprints),
        num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def _synthetic(request: DataRequest, size: int) -> LoadedData[HallusionInfo]:
    folder = ensure_synthetic_hallusion(Path(request.cache_dir) / "data", size)
    root = folder / "images" if request.need_media else None
    return load_official(folder / OFFICIAL_FILE, root, kind="synthetic")


def _local(request: DataRequest, path: Path) -> LoadedData[HallusionInfo]:
    labels = path / OFFICIAL_FILE if path.is_dir() else path
    if not labels.is_file():
        raise DataError(f"HallusionBench file not found: {labels}", f"pass {OFFICIAL_FILE}")
    root = Path(request.image_dir) if request.image_dir else labels.parent / "images"
    return load_official(labels, root if request.need_media else None)


SOURCES: Sources[HallusionInfo] = Sources(
    "hallusionbench", synthetic=_synthetic, synthetic_size=4, local=_local, hub=_hub,
    hub_repo=HUB_REPO,
)  # fmt: skip
