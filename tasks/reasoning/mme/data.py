"""MME data: the Hugging Face dataset lmms-lab/MME (default; split test), a local copy of it
(hub.py), the official eval_tool folder of `<subtask>.txt` files with the release's images,
or synthetic scenes written in that folder format."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from mmalign_eval import DataError, DataProvenance, DataRequest, LoadedData
from mmalign_eval.contracts import MediaRef, unread_media
from mmalign_eval.hashing import sha256_text
from mmalign_eval.toolkit.hub import is_local_dataset
from mmalign_eval.toolkit.media import file_media
from mmalign_eval.toolkit.sources import Sources

from .hub import HUB_REPO, load_hub, load_local_copy
from .official import OfficialLine, read_folder, subtask_files
from .samples import TASK, MmeInfo, Question, build_samples
from .subtasks import SUBTASKS, image_key
from .synthetic import SYNTHETIC_IMAGES, ensure_synthetic_mme

# Digest of the official label content (labels_digest) -> which published version it is.
KNOWN_LABELS = {
    "14f8145913bd99674373a8d6aa70a505333c2fa8b482cfbd6614f6ded936bf28": "official eval_tool "
    "templates (BradyFU/Awesome-Multimodal-Large-Language-Models@1c1d69e, 2,374 questions)",
}


def labels_digest(lines: Mapping[str, Sequence[OfficialLine]]) -> str:
    """A hash of the label content (subtask, image, question, answer; never predictions), so
    a filled results folder is recognised as the template it was made from."""
    text = "".join(
        f"{s}\t{line.image}\t{line.question}\t{line.answer}\n"
        for s in SUBTASKS
        for line in lines.get(s, ())
    )
    return sha256_text(text)


def _image(root: Path | None, subtask: str, image: str) -> MediaRef:
    """The release layout: `<subtask>/<image>`, or `<subtask>/images/<image>` (artwork,
    celebrity, landmark, posters, scene)."""
    source = image_key(subtask, image)
    if root is None:
        return unread_media(source)
    flat, nested = root / subtask / image, root / subtask / "images" / image
    return file_media(nested if not flat.is_file() and nested.is_file() else flat, source)


def load_official(
    path: Path, root: Path | None, synthetic: str | None = None
) -> LoadedData[MmeInfo]:
    """Samples of an eval_tool folder (or one subtask file) with the images under `root`."""
    lines = read_folder(path)
    questions = [
        Question(line.subtask, line.image, line.question, line.answer,
                 _image(root, line.subtask, line.image))
        for subtask in SUBTASKS
        for line in lines.get(subtask, ())
    ]  # fmt: skip
    digest = labels_digest(lines)
    note = synthetic or KNOWN_LABELS.get(digest, "unknown version (not the official templates)")
    absent = [s for s in SUBTASKS if s not in lines]
    if absent:
        note += f"; subtasks absent: {', '.join(absent)}"
    samples = build_samples(questions)
    provenance = DataProvenance(
        kind="synthetic" if synthetic else "official_files", location=str(path), sha256=digest,
        version_note=note, num_items=len(samples),
    )  # fmt: skip
    return LoadedData(samples, provenance)


def _image_root(request: DataRequest, path: Path) -> Path | None:
    """Where an eval_tool folder's images are: --image-dir, else an `images` folder beside."""
    if not request.need_media:
        return None
    folder = path if path.is_dir() else path.parent
    root = Path(request.image_dir) if request.image_dir else folder / "images"
    if not root.is_dir():
        raise DataError(
            f"MME image folder not found: {root}",
            "pass --image-dir with MME_Benchmark_release_version (<subtask>/<image> or "
            "<subtask>/images/<image>)",
        )
    return root


def _local(request: DataRequest, path: Path) -> LoadedData[MmeInfo]:
    if subtask_files(path):
        return load_official(path, _image_root(request, path))
    if is_local_dataset(path):
        return load_local_copy(request, path)
    raise DataError(
        f"{path} holds neither MME eval_tool files (<subtask>.txt) nor a dataset copy",
        "pass an eval_tool folder (Your_Results), a save_to_disk folder or parquet files",
    )


def _synthetic(request: DataRequest, size: int) -> LoadedData[MmeInfo]:
    folder = ensure_synthetic_mme(Path(request.cache_dir) / "data", size)
    root = folder / SYNTHETIC_IMAGES if request.need_media else None
    return load_official(folder, root, synthetic=f"synthetic MME ({folder.name})")


SOURCES: Sources[MmeInfo] = Sources(
    TASK, synthetic=_synthetic, synthetic_size=len(SUBTASKS), synthetic_minimum=len(SUBTASKS),
    local=_local, hub=load_hub, hub_repo=HUB_REPO,
)  # fmt: skip
