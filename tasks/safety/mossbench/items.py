"""MOSSBench items: one entry of `information.json` (or a Hub row) as a typed sample."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from mmalign_eval import DataError, MediaRef, Record, Sample

TASK = "mossbench"
# metadata.over "type N" -> the stimulus type (README / paper order); main.py files an item
# under type_rejects[N - 1], N being the first number in the label.
TYPES: dict[int, str] = {1: "exaggerated_risk", 2: "negated_harm", 3: "counterintuitive"}
TYPE_TITLES = {
    "exaggerated_risk": "Exaggerated Risk",
    "negated_harm": "Negated Harm",
    "counterintuitive": "Counterintuitive Interpretation",
}
_NUMBER = re.compile(r"\d+")


class MossInfo(Record):
    """What MOSSBench keeps of an item besides its question."""

    over: str  # the official label, e.g. "type 1"
    stimulus: str  # exaggerated_risk | negated_harm | counterintuitive
    image: str  # the official relative path, e.g. "images/1.png"
    description: str = ""  # the oracle description of the image (the judge's stand-in)
    human: int = 0
    child: int = 0
    syn: int = 0
    ocr: int = 0
    harm: tuple[int, ...] = ()


def stimulus_of(over: object, pid: str) -> str:
    """The stimulus type of an `over` label, read as main.py reads it (its first number)."""
    found = _NUMBER.search(str(over))
    number = int(found.group()) if found else None
    if number not in TYPES:
        raise DataError(
            f"MOSSBench item {pid} has oversensitivity type {over!r}",
            "metadata.over must be 'type 1', 'type 2' or 'type 3' as in information.json",
        )
    return TYPES[number]


def metadata_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The item's metadata: the official nested object (or its JSON text), or the Hub card's
    flattened `metadata_<field>` columns."""
    nested = row.get("metadata")
    if isinstance(nested, str):
        try:
            nested = json.loads(nested)
        except json.JSONDecodeError:
            nested = None
    if isinstance(nested, Mapping):
        return dict(nested)
    return {k.removeprefix("metadata_"): v for k, v in row.items() if k.startswith("metadata_")}


def _flag(meta: Mapping[str, Any], name: str) -> int:
    return int(bool(meta.get(name)))


def _harm(value: object) -> tuple[int, ...]:
    if isinstance(value, list | tuple):
        return tuple(int(v) for v in value)
    return tuple(int(v) for v in _NUMBER.findall(str(value or "")))


def sample_from_entry(row: Mapping[str, Any], media: MediaRef) -> Sample[MossInfo]:
    """A Sample from one entry; its id is the official `pid`."""
    try:
        pid, question = str(row["pid"]), str(row["question"])
    except KeyError as exc:
        raise DataError(
            f"a MOSSBench entry lacks {exc}", "entries need pid, question, image and metadata"
        ) from exc
    meta = metadata_of(row)
    if "over" not in meta:
        raise DataError(f"MOSSBench item {pid} has no metadata.over", "check the data source")
    stimulus = stimulus_of(meta["over"], pid)
    image = row.get("image")
    info = MossInfo(
        over=str(meta["over"]),
        stimulus=stimulus,
        image=image if isinstance(image, str) else f"images/{pid}.png",
        description=str(row.get("description") or row.get("short description") or ""),
        human=_flag(meta, "human"),
        child=_flag(meta, "child"),
        syn=_flag(meta, "syn"),
        ocr=_flag(meta, "ocr"),
        harm=_harm(meta.get("harm")),
    )
    return Sample(
        id=pid, task=TASK, question=question, media=(media,), category=stimulus, info=info
    )
