"""The official FigStep files, downloaded once from the repository at a pinned commit.

The files land in the cache in the repository's own layout (question/<csv>,
images/<folder>/<png>), so the local loader reads them; a failed download leaves nothing
behind (build_once) and says how to work offline.
"""

from __future__ import annotations

import csv
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mmalign_eval import DataError, DataRequest
from mmalign_eval.toolkit.build import build_once

OFFICIAL_REPO = "ThuCCSLab/FigStep"
COMMIT = "0861b17b3d67887c06ee3534ec65b3012f9becb7"
# {repo} and {commit} are filled in; tests point it at a local file:// copy.
BASE_URL = "https://raw.githubusercontent.com/{repo}/{commit}/data"
_WORKERS = 8
_TIMEOUT_S = 60


def _fetch(url: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response:
            out.write_bytes(response.read())
    except (urllib.error.URLError, OSError) as exc:
        raise DataError(
            f"cannot download {url}: {exc}",
            "without network, copy the repository's data/ folder (question/*.csv and "
            "images/SafeBench*/) and pass it with --data, or use --data synthetic",
        ) from exc


def download_official(repo: str, request: DataRequest, files: tuple[str, str]) -> Path:
    """A cache folder with the task's CSV and (when media is needed) its PNGs."""
    csv_name, folder = files
    commit = request.revision or COMMIT
    base = BASE_URL.format(repo=repo, commit=commit)
    media = request.need_media and not request.image_dir

    def build(out: Path) -> None:
        table = out / "question" / csv_name
        _fetch(f"{base}/question/{csv_name}", table)
        if not media:
            return
        with table.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        names = [f"query_{r['dataset']}_{r['category_id']}_{r['task_id']}_6.png" for r in rows]
        jobs = [(f"{base}/images/{folder}/{n}", out / "images" / folder / n) for n in names]
        with ThreadPoolExecutor(_WORKERS) as pool:
            list(pool.map(lambda job: _fetch(*job), jobs))

    name = f"figstep-{repo.replace('/', '-')}-{commit[:12]}-{folder}{'' if media else '-labels'}"
    return build_once(Path(request.cache_dir) / "data", name, build)
