"""Where a benchmark's data comes from: `--data` picks synthetic data, a local copy or the Hub.

A benchmark declares the loaders it has; `Sources.load` dispatches on the `--data` value
once, with the same errors for every benchmark: a path that does not exist, a benchmark
without a default source, a source kind the benchmark does not offer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic

from typing_extensions import TypeVar

from mmalign_eval.errors import DataError, UsageError
from mmalign_eval.sources import is_local_path, is_synthetic, synthetic_size
from mmalign_eval.task import DataRequest, LoadedData

Info = TypeVar("Info", default=Any)


@dataclass(frozen=True)
class Sources(Generic[Info]):
    """The data sources of one benchmark task."""

    task: str
    synthetic: Callable[[DataRequest, int], LoadedData[Info]] | None = None
    synthetic_size: int = 20  # N of a bare `--data synthetic`
    synthetic_minimum: int = 1
    local: Callable[[DataRequest, Path], LoadedData[Info]] | None = None
    hub: Callable[[DataRequest, str], LoadedData[Info]] | None = None
    hub_repo: str | None = None  # the default source; None: --data is required
    required: tuple[str, str] = ("", "")  # (error, hint) when --data is required and absent

    def load(self, request: DataRequest) -> LoadedData[Info]:
        """The samples of the source the request names."""
        source = request.source
        if source is not None and not source.strip():
            raise UsageError(f"empty --data for {self.task}", "pass synthetic, a path or a Hub id")
        if source is not None and is_synthetic(source):
            if self.synthetic is None:
                raise UsageError(f"{self.task} has no synthetic data", "pass its real data")
            size = synthetic_size(source, self.synthetic_size, self.synthetic_minimum)
            return self.synthetic(request, size)
        if source is not None and (is_local_path(source) or self.hub is None):
            return self._local(request, Path(source).expanduser())
        if source is None and self.hub_repo is None:
            raise UsageError(*self.required)
        if self.hub is None:
            raise UsageError(f"{self.task} has no Hugging Face source", "pass a local copy")
        return self.hub(request, source or self.hub_repo or "")

    def _local(self, request: DataRequest, path: Path) -> LoadedData[Info]:
        if self.local is None:
            raise UsageError(f"{self.task} cannot read local data", "omit --data")
        if not path.exists():
            raise DataError(f"data path not found: {path}", "check --data")
        return self.local(request, path)
