"""The Hub dataset yifanzhang114/MM-RLHF-RewardBench as the official scripts read it: the
file mm_reward_bench.jsonl and the image folder `images/` (mcq/, long/, short/, safety/ and
one folder of frames per video), downloaded once into the cache.

The repository's parquet split (the `datasets` default) is not used: the official scripts
read the JSON Lines file, and the images are files of the repository, not table cells.
Only the image folders the file's image paths name are fetched (video frames are not).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from mmalign_eval import DataError

HUB_REPO = "yifanzhang114/MM-RLHF-RewardBench"
BENCH_FILE = "mm_reward_bench.jsonl"
IMAGES = "images"
_OFFLINE_HINT = (
    "without network, download mm_reward_bench.jsonl and images/ from the dataset on a "
    "connected machine and pass the folder with --data (or use --data synthetic for a demo)"
)
T = TypeVar("T")


def _hub_call(repo: str, what: str, call: Callable[[], T]) -> T:
    """A download with the Hub's failures as DataErrors that say what to do."""
    from huggingface_hub.errors import (
        EntryNotFoundError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
    )

    from mmalign_eval.toolkit.online import hub_online, offline_note

    hub_online()  # offline: the local cache only, and no retries before the error
    try:
        return call()
    except RepositoryNotFoundError as exc:
        raise DataError(f"dataset {repo} not found", "check the name or --revision") from exc
    except LocalEntryNotFoundError as exc:  # offline and not cached (an EntryNotFoundError)
        raise DataError(f"cannot download {what} of {repo}{offline_note()}: {_first(exc)}",
                        _OFFLINE_HINT) from exc  # fmt: skip
    except EntryNotFoundError as exc:
        raise DataError(f"{repo} has no {what}", "check --revision") from exc
    except OSError as exc:
        raise DataError(f"cannot download {what} of {repo}{offline_note()}: {_first(exc)}",
                        _OFFLINE_HINT) from exc  # fmt: skip


def _first(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def download_file(repo: str, revision: str | None, cache: Path) -> Path:
    """mm_reward_bench.jsonl of the dataset repository (cached)."""
    from huggingface_hub import hf_hub_download

    path = _hub_call(
        repo,
        BENCH_FILE,
        lambda: hf_hub_download(
            repo, BENCH_FILE, repo_type="dataset", revision=revision, cache_dir=str(cache)
        ),
    )
    return Path(path)


def image_patterns(images: Iterable[str]) -> list[str]:
    """Download patterns covering the given image paths: their top folders under images/."""
    # A path in a folder brings its whole top folder; a file at the top comes alone.
    patterns = {f"{IMAGES}/{p.split('/', 1)[0]}/*" if "/" in p else f"{IMAGES}/{p}" for p in images}
    return sorted(p for p in patterns if not p.endswith("/"))


def download_images(repo: str, revision: str | None, cache: Path, images: list[str]) -> Path:
    """The snapshot folder holding images/ with the given image paths (cached)."""
    from huggingface_hub import snapshot_download

    patterns = image_patterns(images)

    def fetch() -> str:
        return str(
            snapshot_download(
                repo, repo_type="dataset", revision=revision, cache_dir=str(cache),
                allow_patterns=patterns,
            )
        )  # fmt: skip

    return Path(_hub_call(repo, f"the images ({', '.join(patterns)})", fetch))


def snapshot_revision(path: Path) -> str | None:
    """The commit of a downloaded file (Hub cache paths are .../snapshots/<commit>/...)."""
    parts = path.parts
    return parts[parts.index("snapshots") + 1] if "snapshots" in parts else None
