"""VLGuard's gated Hub dataset: `test.json` and `test.zip`, downloaded once and unzipped once.

ys-zong/VLGuard is gated: a download without accepted terms (or without a login) fails with
an error that says how to get access; `--image-dir` with an unzipped copy skips test.zip.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from mmalign_eval import DataError, DataRequest
from mmalign_eval.toolkit.build import build_once

HUB_REPO = "ys-zong/VLGuard"
_ACCESS = (
    "the dataset is gated: accept its terms at https://huggingface.co/datasets/{repo} with "
    "your account, log in here (`huggingface-cli login` or HF_TOKEN), and retry; or download "
    "test.json and test.zip on a connected machine and pass --data test.json --image-dir "
    "<unzipped test folder>"
)


@dataclass(frozen=True)
class HubFiles:
    """The downloaded label file, the unzipped image folder (None: labels only), revision."""

    labels: Path
    images: Path | None
    revision: str | None


def download(repo: str, name: str, revision: str | None, cache: Path) -> Path:
    """One file of the dataset repo; access and network problems become clear DataErrors."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
    )

    from mmalign_eval.toolkit.online import hub_online

    hub_online()  # offline: the local cache only, and no retries before the error
    try:
        path = hf_hub_download(
            repo, name, repo_type="dataset", revision=revision, cache_dir=str(cache)
        )
    except GatedRepoError as exc:
        raise DataError(
            f"no access to the gated dataset {repo}", _ACCESS.format(repo=repo)
        ) from exc
    except RepositoryNotFoundError as exc:  # also what an anonymous request to it gets
        raise DataError(
            f"dataset {repo} not found or not accessible", _ACCESS.format(repo=repo)
        ) from exc
    except EntryNotFoundError as exc:
        raise DataError(f"{repo} has no file {name}", "check --revision") from exc
    except (LocalEntryNotFoundError, OSError) as exc:
        raise DataError(
            f"cannot download {name} from {repo}: {str(exc).splitlines()[0] if str(exc) else exc}",
            _ACCESS.format(repo=repo),
        ) from exc
    return Path(path)


def unzip_once(archive: Path, cache: Path) -> Path:
    """The archive unpacked into the cache (once; named after its blob)."""

    def build(out: Path) -> None:
        try:
            with zipfile.ZipFile(archive) as handle:
                handle.extractall(out)
        except zipfile.BadZipFile as exc:
            raise DataError(f"{archive} is not a zip file", "delete it and download again") from exc

    return build_once(cache, f"vlguard-{archive.resolve().name[:16]}", build)


def _revision(path: Path) -> str | None:
    # hf_hub_download paths are <cache>/datasets--o--n/snapshots/<commit>/<file>.
    parts = path.parts
    return parts[parts.index("snapshots") + 1] if "snapshots" in parts else None


def hub_files(repo: str, request: DataRequest) -> HubFiles:
    """test.json, and the images (from --image-dir, else test.zip unzipped) when needed."""
    cache = Path(request.cache_dir) / "hub"
    labels = download(repo, "test.json", request.revision, cache)
    images: Path | None = None
    if request.need_media and request.image_dir:
        images = Path(request.image_dir)
    elif request.need_media:
        archive = download(repo, "test.zip", request.revision, cache)
        images = unzip_once(archive, Path(request.cache_dir) / "data")
    return HubFiles(labels, images, _revision(labels))
