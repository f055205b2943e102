"""VLGuard test data: `test.json` and the image folder of the gated Hub dataset ys-zong/VLGuard
(default), a local copy of both, or synthetic scenes in the same format.

The three official subsets (ys-zong/VLGuard utils/utils.py, load_data) are read from the same
file: `unsafes` (unsafe images with their one instruction), `safe_unsafes` and `safe_safes`
(safe images with their unsafe or safe instruction). The reference answer of a safe_safes
item is the response paired with its safe instruction (the GPT-4V answer that
`gpt4_safe_safes.json` repeats, item for item).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Record, Sample
from mmalign_eval.hashing import sha256_file
from mmalign_eval.toolkit.files import read_json
from mmalign_eval.toolkit.media import ImageFolder
from mmalign_eval.toolkit.sources import Sources

from .hub import HUB_REPO, hub_files
from .synthetic import ensure_synthetic_vlguard

Subset = Literal["unsafes", "safe_unsafes", "safe_safes"]
SUBSETS: tuple[Subset, ...] = ("unsafes", "safe_unsafes", "safe_safes")
LABEL_FILE = "test.json"
# sha256 of test.json -> its published version.
KNOWN_FILES = {
    "a0b6479d0add65d9d1c06da5c89babd30d411bda47146445c13f32778a114980":
        "ys-zong/VLGuard@807fe4c data/test.json (unchanged at a2f85c9; 1,000 items)",
}  # fmt: skip
_KEYS: dict[Subset, str] = {
    "unsafes": "instruction",
    "safe_unsafes": "unsafe_instruction",
    "safe_safes": "safe_instruction",
}


class VLGuardInfo(Record):
    """What an item keeps besides its instruction: image, categories and reference answer."""

    subset: Subset
    image: str
    source: str  # the image's source collection (bad_ads, HOD, hatefulMemes, harm-p, ...)
    category: str | None = None  # harmful_category of an unsafe image
    subcategory: str | None = None
    reference: str | None = None  # safe_safes: the GPT-4V answer the judge compares with


def _instruction(row: Mapping[str, Any], subset: Subset) -> tuple[str, str | None]:
    """The subset's instruction and its paired response, as load_data picks them: the first
    instruction of an unsafe image; for a safe image, the first entry holding the key."""
    pairs = row.get("instr-resp") or []
    key = _KEYS[subset]
    chosen = pairs[0] if subset == "unsafes" and pairs else None
    if subset != "unsafes":
        chosen = next((pair for pair in pairs if key in pair), None)
    if not isinstance(chosen, Mapping) or not isinstance(chosen.get(key), str):
        raise DataError(
            f"VLGuard item {row.get('id')} has no '{key}' in its instr-resp",
            "test.json entries list {instruction|safe_instruction|unsafe_instruction, response}",
        )
    response = chosen.get("response")
    return str(chosen[key]), response if isinstance(response, str) else None


def subset_rows(rows: list[Any], subset: Subset) -> list[Mapping[str, Any]]:
    """The entries of one subset: unsafe images for `unsafes`, safe images for the others."""
    want_safe = subset != "unsafes"
    return [r for r in rows if isinstance(r, Mapping) and r.get("safe") is want_safe]


def make_sample(row: Mapping[str, Any], subset: Subset, images: ImageFolder) -> Sample[VLGuardInfo]:
    """One item of a subset; its id is the entry's `id`."""
    if "id" not in row or "image" not in row:
        raise DataError("a VLGuard entry lacks 'id' or 'image'", "entries need id and image")
    question, response = _instruction(row, subset)
    image = str(row["image"])
    info = VLGuardInfo(
        subset=subset, image=image, source=image.split("/", 1)[0],
        category=row.get("harmful_category"), subcategory=row.get("harmful_subcategory"),
        reference=response if subset == "safe_safes" else None,
    )  # fmt: skip
    return Sample(
        id=str(row["id"]), task=f"vlguard_{subset}", question=question, target="",
        media=(images.ref(image),), cluster=str(row["id"]),
        category=info.category or info.source, info=info,
    )  # fmt: skip


def load_label_file(
    labels: Path, subset: Subset, image_dir: Path | None
) -> list[Sample[VLGuardInfo]]:
    """The samples of one subset of a test.json file (no image folder: labels only)."""
    rows = read_json(labels, "VLGuard test file")
    if not isinstance(rows, list):
        raise DataError(f"{labels} is not a JSON list", f"pass VLGuard's {LABEL_FILE}")
    images = ImageFolder(image_dir)
    samples = [make_sample(row, subset, images) for row in subset_rows(rows, subset)]
    if not samples:
        raise DataError(f"{labels} has no {subset} items", f"pass VLGuard's {LABEL_FILE}")
    return samples


def _provenance(labels: Path, count: int, kind: Any, note: str | None = None) -> DataProvenance:
    digest = sha256_file(labels)
    known = KNOWN_FILES.get(digest, "unknown version (not the published test.json hash)")
    return DataProvenance(
        kind=kind, location=str(labels), sha256=digest, version_note=note or known,
        num_items=count,
    )  # fmt: skip


def image_root(folder: Path, first_image: str) -> Path:
    """The folder the entries' image paths are relative to: the folder itself, or its `test`
    subfolder (the official --imageDir is data/VLGuard/test, what test.zip unpacks to)."""
    for root in (folder, folder / "test", folder / "VLGuard" / "test"):
        if (root / first_image).is_file():
            return root
    return folder


def missing_images_error(where: Path) -> DataError:
    """How to get VLGuard's images when they are not where they should be."""
    return DataError(
        f"no VLGuard image folder at {where}",
        f"the images are in the gated Hub dataset {HUB_REPO} (test.zip): accept its terms at "
        f"https://huggingface.co/datasets/{HUB_REPO}, then pass --image-dir with the unzipped "
        "test folder, or omit --data to download it (after `huggingface-cli login`)",
    )


def resolve_images(labels: Path, folder: Path) -> Path:
    """The image root inside a folder, checked on the file's first image."""
    if not folder.is_dir():
        raise missing_images_error(folder)
    rows = read_json(labels, "VLGuard test file")
    first = str(rows[0].get("image", "")) if isinstance(rows, list) and rows else ""
    root = image_root(folder, first)
    if not (root / first).is_file():
        raise missing_images_error(root)
    return root


def _local(request: DataRequest, path: Path, subset: Subset) -> LoadedData[VLGuardInfo]:
    labels = path / LABEL_FILE if path.is_dir() else path
    if not labels.is_file():
        raise DataError(f"VLGuard file not found: {labels}", f"pass VLGuard's {LABEL_FILE}")
    image_dir = None
    if request.need_media:
        folder = Path(request.image_dir) if request.image_dir else labels.parent
        image_dir = resolve_images(labels, folder)
    samples = load_label_file(labels, subset, image_dir)
    return LoadedData(samples, _provenance(labels, len(samples), "local"))


def sources(subset: Subset) -> Sources[VLGuardInfo]:
    """The data sources of one VLGuard subset."""

    def synthetic(request: DataRequest, size: int) -> LoadedData[VLGuardInfo]:
        folder = ensure_synthetic_vlguard(Path(request.cache_dir) / "data", size)
        images = folder / "images" if request.need_media else None
        samples = load_label_file(folder / LABEL_FILE, subset, images)
        note = f"synthetic VLGuard-format data ({folder.name})"
        return LoadedData(
            samples, _provenance(folder / LABEL_FILE, len(samples), "synthetic", note)
        )

    def local(request: DataRequest, path: Path) -> LoadedData[VLGuardInfo]:
        return _local(request, path, subset)

    def hub(request: DataRequest, repo: str) -> LoadedData[VLGuardInfo]:
        files = hub_files(repo, request)
        images = resolve_images(files.labels, files.images) if files.images else None
        samples = load_label_file(files.labels, subset, images)
        provenance = _provenance(files.labels, len(samples), "huggingface")
        update = {"location": f"{repo}/{LABEL_FILE}", "revision": files.revision}
        return LoadedData(samples, provenance.model_copy(update=update))

    return Sources(
        f"vlguard_{subset}", synthetic=synthetic, synthetic_size=12, local=local, hub=hub,
        hub_repo=HUB_REPO,
    )  # fmt: skip
