"""MM-RLHF-RewardBench data: the Hub dataset's mm_reward_bench.jsonl and images/ (default), a
local copy (the file, or its folder, with images/ beside it or --image-dir; or a parquet or
save_to_disk copy of the Hub table), or `synthetic[:N]` written in the official layout.

Images: an image path resolves under --image-dir, else `images/` beside the file, else the
file's folder (the official inference joins `--image-folder` and the path). A missing image
fails its own pair only; when none is found the load stops before any model is loaded.

Videos (25 of the 170 released pairs, 10 prompts) are frame folders the official inference
samples 32 frames from. The harness passes images, not video: when the model is to be
asked (`run`), video pairs are left out and counted in the provenance note (so ACC and ACC+
cover the image pairs and `video` metrics are NaN); when saved rewards are scored (`score`,
no media needed) they are scored like every other pair, as the official script does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData, Sample
from mmalign_eval.contracts import MediaRef, missing_media, unread_media
from mmalign_eval.hashing import sha256_file
from mmalign_eval.media import MediaStore
from mmalign_eval.toolkit.files import read_jsonl
from mmalign_eval.toolkit.hub import image_bytes, is_local_dataset, load_local_split
from mmalign_eval.toolkit.media import file_media
from mmalign_eval.toolkit.sources import Sources

from .hub import BENCH_FILE, HUB_REPO, IMAGES, download_file, download_images, snapshot_revision
from .rows import TASK, Pair, PairInfo, pair_samples, read_pairs
from .synthetic import SYNTHETIC_SIZE, ensure_synthetic_rewardbench

Samples = list[Sample[PairInfo]]
# Versions of mm_reward_bench.jsonl seen in public repositories, by sha256.
KNOWN_FILES = {
    "6d7b3589750b8837b54291b601220cdb000593a17b8bb1b81de298e5ebe772b9": (
        "mm_reward_bench.jsonl as in yfzhang114/r1_reward @ 3693413 "
        "(inference/MM-RLHF-Reward/): 170 pairs, 46 prompts"
    ),
}
IMAGE_HINT = (
    "pass --image-dir with the dataset's images/ folder (it holds mcq/, long/, short/ and "
    "safety/), or put images/ beside mm_reward_bench.jsonl"
)


class Media:
    """Each pair's image: found under the first root that has it, stored from a table cell,
    or unread when media is not needed."""

    def __init__(self, roots: list[Path], request: DataRequest) -> None:
        self.roots = roots
        self.need = request.need_media
        self.store = MediaStore(Path(request.cache_dir) / "media") if self.need else None
        self.found = 0
        self.wanted = 0

    def __call__(self, pair: Pair) -> tuple[MediaRef, ...]:
        """The pair's media: its image (videos are not passed; see the module notes)."""
        source = pair.image or pair.video
        if not source and pair.cell is None:
            return ()
        if not self.need or pair.is_video:
            return (unread_media(source),)
        self.wanted += 1
        if self.store is not None and isinstance(pair.cell, dict) and pair.cell.get("bytes"):
            self.found += 1
            return (self.store.put(image_bytes(pair.cell), source or pair.id),)
        for root in self.roots:
            if (root / pair.image).is_file():
                self.found += 1
                return (file_media(root / pair.image, pair.image),)
        return (missing_media(pair.image),)


def _samples(pairs: list[Pair], media: Media, where: str) -> tuple[Samples, str | None]:
    """Samples (videos left out when the model is asked) and the note saying so."""
    samples, skipped = pair_samples(pairs, media, keep_videos=not media.need)
    if media.wanted and not media.found:
        roots = ", ".join(str(r) for r in media.roots) or "nowhere"
        raise DataError(f"none of the {media.wanted} images of {where} is under {roots}",
                        IMAGE_HINT)  # fmt: skip
    if not skipped:
        return samples, None
    prompts = len({p.id for p in skipped})
    note = (
        f"{len(skipped)} video pair{'s' * (len(skipped) != 1)} ({prompts} "
        f"prompt{'s' * (prompts != 1)}) left out: the harness passes images, not video frames"
    )
    return samples, note


def _note(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return "; ".join(kept) or None


def _roots(request: DataRequest, folder: Path) -> list[Path]:
    if request.image_dir:
        return [Path(request.image_dir).expanduser()]
    return [folder / IMAGES, folder]


def load_file(
    request: DataRequest, path: Path, roots: list[Path], synthetic: str | None = None
) -> tuple[Samples, DataProvenance]:
    """Samples of mm_reward_bench.jsonl with their provenance (kind set by the caller)."""
    pairs = read_pairs(read_jsonl(path), str(path))
    samples, skipped = _samples(pairs, Media(roots, request), path.name)
    digest = sha256_file(path)
    provenance = DataProvenance(
        kind="synthetic" if synthetic else "official_files", location=str(path), sha256=digest,
        version_note=_note(synthetic or KNOWN_FILES.get(digest, BENCH_FILE), skipped),
        num_items=len(samples),
    )  # fmt: skip
    return samples, provenance


def _table_rows(path: Path, request: DataRequest) -> list[dict[str, Any]]:
    """Rows of a parquet or save_to_disk copy of the Hub table (image cells undecoded)."""
    from datasets import Image

    dataset = load_local_split(path, "train", Path(request.cache_dir) / "datasets")
    if "image" in dataset.column_names and isinstance(dataset.features["image"], Image):
        dataset = dataset.cast_column("image", Image(decode=False))
    rows: list[dict[str, Any]] = dataset.to_list()
    return rows


def _local(request: DataRequest, path: Path, synthetic: str | None = None) -> LoadedData[Any]:
    bench = path / BENCH_FILE if path.is_dir() else path
    if bench.is_file() and bench.suffix == ".jsonl":
        samples, provenance = load_file(request, bench, _roots(request, bench.parent), synthetic)
        return LoadedData(samples, provenance)
    if not is_local_dataset(path):
        raise DataError(
            f"{path} holds neither {BENCH_FILE} nor a parquet or save_to_disk copy",
            f"pass {BENCH_FILE} (or its folder, with images/ beside it) from {HUB_REPO}",
        )
    pairs = read_pairs(_table_rows(path, request), str(path))
    folder = path if path.is_dir() else path.parent
    samples, skipped = _samples(pairs, Media(_roots(request, folder), request), str(path))
    provenance = DataProvenance(
        kind="local", location=str(path), version_note=_note(f"local {HUB_REPO} table", skipped),
        num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def _hub(request: DataRequest, repo: str) -> LoadedData[Any]:
    cache = Path(request.cache_dir) / "hub"
    bench = download_file(repo, request.revision, cache)
    roots = _roots(request, bench.parent)
    if request.need_media and not request.image_dir:
        images = [p.image for p in read_pairs(read_jsonl(bench), BENCH_FILE) if p.image]
        snapshot = download_images(repo, request.revision, cache, images)
        roots = [snapshot / IMAGES, snapshot]
    samples, provenance = load_file(request, bench, roots)
    provenance = provenance.model_copy(
        update={"kind": "huggingface", "location": f"{repo}/{BENCH_FILE}",
                "revision": snapshot_revision(bench) or request.revision or "main"}
    )  # fmt: skip
    return LoadedData(samples, provenance)


def _synthetic(request: DataRequest, size: int) -> LoadedData[Any]:
    folder = ensure_synthetic_rewardbench(Path(request.cache_dir) / "data", size)
    return _local(request, folder, f"synthetic MM-RLHF-RewardBench ({folder.name})")


SOURCES: Sources[PairInfo] = Sources(
    TASK, synthetic=_synthetic, synthetic_size=SYNTHETIC_SIZE, local=_local, hub=_hub,
    hub_repo=HUB_REPO,
)  # fmt: skip
