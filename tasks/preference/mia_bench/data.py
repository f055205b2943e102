"""MIA-Bench data: the official instruction_benchmark_all.json (fetched from apple/ml-mia-bench
at a pinned commit by default, or a local copy), its images (a local copy, else fetched from
their URLs into the cache), or synthetic scenes in the same format."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mmalign_eval import (
    DataError,
    DataProvenance,
    DataRequest,
    LoadedData,
    Record,
    Sample,
    UsageError,
)
from mmalign_eval.contracts import MediaRef
from mmalign_eval.hashing import sha256_file, sha256_text
from mmalign_eval.toolkit.files import read_json
from mmalign_eval.toolkit.sources import Sources

from .download import DownloadError, http_get, write_atomic
from .images import UNREACHABLE, Fetched, image_refs
from .synthetic import OFFICIAL_FILE, ensure_synthetic_mia

TASK = "mia_bench"
OFFICIAL_REPO = "apple/ml-mia-bench"
OFFICIAL_COMMIT = "5422852d98cb167390da9501200360860435efb1"
RAW_URL = "https://raw.githubusercontent.com/{repo}/{revision}/" + OFFICIAL_FILE
# The component types of the official file; the per-type metrics are declared for these.
COMPONENT_TYPES = (
    "describe", "mention", "length_limit", "linguistics", "grammar", "textual", "math",
    "perspective",
)  # fmt: skip
FIELDS = ("image", "instruction", "type", "components", "component_weight", "component_type")
KNOWN_FILES = {
    "f75671cde32c84ee1791eda74994f15eaf48530333a65f3b732006a1c7d055d2":
        f"{OFFICIAL_REPO}@da9b046 (unchanged at 5422852): 400 instructions",
    "fef29aa43cd6e81663ad0df30e6dcaa40dee5a24dc3d445908d4233057b75bbc":
        f"{OFFICIAL_REPO}@7239c40: 400 instructions, before the last URL fix",
    "9b105fa73c6addb2d0884383766682bae025c57c3a28d6bb6e72a574dd2274f4":
        f"{OFFICIAL_REPO}@d86bc3b: 400 instructions, before two URL fixes",
    "f41eed17fc664b0bb1031d74b1cec4277e6ababc1fd974188b35cf3c51cf1e0f":
        f"{OFFICIAL_REPO}@89171af (initial): 400 instructions, expired links included",
}  # fmt: skip


class MiaInfo(Record):
    """An instruction's weighted components and their types (the judge grades each)."""

    level: str  # the instruction's official `type`: basic, intermediate, advanced, ...
    components: tuple[str, ...]
    weights: tuple[int, ...]
    component_types: tuple[str, ...]
    image: str  # the official image URL (also the item's id, as in the official answers)


def make_info(index: int, row: Mapping[str, Any]) -> MiaInfo:
    """The typed record of one official row; malformed rows are data errors."""
    missing = [f for f in FIELDS if f not in row]
    if missing:
        raise DataError(f"MIA-Bench item {index} lacks {missing}", f"items need {FIELDS}")
    components, weights, types = row["components"], row["component_weight"], row["component_type"]
    if not (isinstance(components, list) and len(components) == len(weights) == len(types)):
        raise DataError(f"MIA-Bench item {index}: components, weights and types differ in "
                        "length", "each component needs a weight and a type")  # fmt: skip
    unknown = sorted(set(map(str, types)) - set(COMPONENT_TYPES))
    if unknown:
        raise DataError(f"MIA-Bench item {index} has component types {unknown}",
                        f"known types: {', '.join(COMPONENT_TYPES)}")  # fmt: skip
    return MiaInfo(
        level=str(row["type"]), components=tuple(map(str, components)),
        weights=tuple(int(w) for w in weights), component_types=tuple(map(str, types)),
        image=str(row["image"]),
    )  # fmt: skip


def build_samples(rows: list[Mapping[str, Any]], media: list[MediaRef]) -> list[Sample[MiaInfo]]:
    """Samples named by their image URL, which the official answer files use as the id."""
    samples, seen = [], set()
    for index, (row, ref) in enumerate(zip(rows, media, strict=True)):
        info = make_info(index, row)
        if info.image in seen:
            raise DataError(f"MIA-Bench image {info.image} is used twice", "ids must be unique")
        seen.add(info.image)
        samples.append(Sample(
            id=info.image, task=TASK, question=str(row["instruction"]), media=(ref,),
            category=info.level, info=info,
        ))  # fmt: skip
    return samples


def read_rows(path: Path) -> list[Mapping[str, Any]]:
    """The rows of an instruction file (a JSON list of objects)."""
    rows = read_json(path, "MIA-Bench file")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise DataError(f"{path} is not a JSON list of objects", f"pass {OFFICIAL_FILE}")
    return rows


def load_file(
    request: DataRequest, path: Path, local: Path | None, location: str, synthetic: str | None
) -> LoadedData[MiaInfo]:
    """Samples of an instruction file; images from `local`, else fetched into the cache."""
    rows = read_rows(path)
    cache = Path(request.cache_dir) / TASK / "images" if request.need_media else None
    fetched = image_refs([str(r.get("image", "")) for r in rows],
                         local if request.need_media else None, cache)  # fmt: skip
    samples = build_samples(rows, fetched.refs)
    digest = sha256_file(path)
    provenance = DataProvenance(
        kind="synthetic" if synthetic else "official_files", location=location, sha256=digest,
        version_note=_note(synthetic or KNOWN_FILES.get(digest, "not a known official file"),
                           fetched, cache),
        num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def _note(version: str, fetched: Fetched, cache: Path | None) -> str:
    if not fetched.unreachable:
        return version
    where = f" (reasons in {cache / UNREACHABLE})" if cache is not None else ""
    return f"{version}; {fetched.unreachable} images could not be had, their items fail{where}"


def _local(request: DataRequest, path: Path) -> LoadedData[MiaInfo]:
    labels = path / OFFICIAL_FILE if path.is_dir() else path
    if not labels.is_file():
        raise DataError(f"MIA-Bench file not found: {labels}", f"pass {OFFICIAL_FILE}")
    local = Path(request.image_dir) if request.image_dir else labels.parent / "images"
    if request.image_dir and not local.is_dir():
        raise DataError(f"image folder not found: {local}", "check --image-dir")
    return load_file(request, labels, local if local.is_dir() else None, str(labels), None)


def official_url(source: str, revision: str | None) -> str:
    """The file's URL: the official repository at a commit, or a URL given as --data."""
    if source.startswith(("http://", "https://")):
        return source
    if source != OFFICIAL_REPO:
        raise UsageError(f"unknown MIA-Bench source {source!r}",
                         f"omit --data ({OFFICIAL_REPO}), or pass a file or a URL")  # fmt: skip
    return RAW_URL.format(repo=OFFICIAL_REPO, revision=revision or OFFICIAL_COMMIT)


def _remote(request: DataRequest, source: str) -> LoadedData[MiaInfo]:
    url = official_url(source, request.revision)
    target = Path(request.cache_dir) / TASK / "files" / sha256_text(url)[:16] / OFFICIAL_FILE
    if not target.is_file():  # fetched once: a commit's file never changes
        try:
            write_atomic(target, http_get(url))
        except DownloadError as exc:
            raise DataError(f"cannot download {url}: {exc}",
                            "without network, pass a local copy of the file with --data "
                            "(and its images with --image-dir)") from exc  # fmt: skip
        try:
            read_rows(target)
        except DataError:
            target.unlink()  # not the file (an error page?): never cache it
            raise
    local = Path(request.image_dir) if request.image_dir else None
    return load_file(request, target, local, url, None)


def _synthetic(request: DataRequest, size: int) -> LoadedData[MiaInfo]:
    folder = ensure_synthetic_mia(Path(request.cache_dir) / "data", size)
    note = f"synthetic MIA-Bench-format data ({folder.name})"
    return load_file(request, folder / OFFICIAL_FILE, folder / "images", str(folder), note)


SOURCES: Sources[MiaInfo] = Sources(
    TASK, synthetic=_synthetic, synthetic_size=10, local=_local, hub=_remote,
    hub_repo=OFFICIAL_REPO,
)  # fmt: skip
