"""The lines of mm_reward_bench.jsonl as pairs, and the pairs as samples.

A line is one (chosen, rejected) pair: `id`, `image` or `video`, `prompt`, `chosen`,
`rejected`, `chosen_reason`, `rejected_reason`. Lines sharing an `id` are one prompt with
several pairs (the released file: 170 pairs of 46 prompts, 2 to 6 each); the official
script groups by `id` for ACC+. A pair's sample id is `<id>:<k>`, k its position among the
prompt's lines in file order (from 0), so ids stay the same whether or not videos are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mmalign_eval import DataError, Record, Sample
from mmalign_eval.contracts import MediaRef

from .categories import counted_category, prompt_category, prompt_keywords, scored_category

TASK = "mm_rlhf_rewardbench"
TEXT_FIELDS = ("prompt", "chosen", "rejected")


class PairInfo(Record):
    """One pair with what the official script reads of it, and its prompt's group facts."""

    group: str  # the line's `id`: pairs sharing it form one prompt (ACC+)
    index: int  # position among the prompt's lines in the file, from 0
    group_size: int  # the prompt's pairs in this evaluation (videos left out when skipped)
    chosen: str
    rejected: str
    image: str = ""
    video: str = ""
    category: str | None = None  # counted_category
    scored_category: str | None = None
    group_category: str | None = None  # prompt_category of the group
    group_keywords: tuple[str, ...] = ()  # prompt_keywords of the group


@dataclass(frozen=True)
class Pair:
    """A checked line: texts, media paths ("" when absent) and an embedded image cell."""

    line: int
    id: str
    prompt: str
    chosen: str
    rejected: str
    image: str = ""
    video: str = ""
    cell: Any = None  # a datasets Image cell ({'bytes', 'path'}) of a Hub-layout table

    @property
    def is_video(self) -> bool:
        """A video pair: the official inference reads frames, as it does when `image` is
        empty (`if image_file: ... else: process_video`)."""
        return not self.image and not self.cell and bool(self.video)


def _path(value: object, field: str, where: str) -> tuple[str, Any]:
    """A media field as text ('' when absent or null) and an image cell, if it is one."""
    if value is None:
        return "", None
    if isinstance(value, str):
        return value, None
    if isinstance(value, Mapping) and field == "image":
        return str(value.get("path") or ""), value
    raise DataError(f"{where}: '{field}' is {type(value).__name__}, not a path", "fix the line")


def read_pairs(rows: Iterable[Mapping[str, Any]], where: str) -> list[Pair]:
    """Pairs of the lines; a line without an id or one of the texts is an error naming it."""
    pairs = []
    for number, row in enumerate(rows, start=1):
        place = f"{where} line {number}"
        texts = [row.get(field) for field in TEXT_FIELDS]
        if row.get("id") is None or not all(isinstance(t, str) for t in texts):
            raise DataError(
                f"{place} lacks an id or one of {', '.join(TEXT_FIELDS)} as text",
                f"each line needs id, {', '.join(TEXT_FIELDS)} and an image or video path",
            )
        image, cell = _path(row.get("image"), "image", place)
        video, _ = _path(row.get("video"), "video", place)
        prompt, chosen, rejected = (str(t) for t in texts)
        pairs.append(Pair(number, str(row["id"]), prompt, chosen, rejected, image, video, cell))
    return pairs


def _info(pair: Pair, index: int, members: Sequence[Pair]) -> PairInfo:
    paths = [(p.image, p.video) for p in members]
    return PairInfo(
        group=pair.id, index=index, group_size=len(members), chosen=pair.chosen,
        rejected=pair.rejected, image=pair.image, video=pair.video,
        category=counted_category(pair.image, pair.video),
        scored_category=scored_category(pair.image, pair.video),
        group_category=prompt_category(paths), group_keywords=prompt_keywords(paths),
    )  # fmt: skip


def pair_samples(
    pairs: Sequence[Pair], media: Callable[[Pair], tuple[MediaRef, ...]], keep_videos: bool
) -> tuple[list[Sample[PairInfo]], list[Pair]]:
    """Samples of the kept pairs, grouped by prompt in order of first appearance, and the
    video pairs left out (keep_videos False)."""
    groups: dict[str, list[tuple[int, Pair]]] = {}
    for pair in pairs:
        indexed = groups.setdefault(pair.id, [])
        indexed.append((len(indexed), pair))
    samples: list[Sample[PairInfo]] = []
    skipped = [p for p in pairs if p.is_video and not keep_videos]
    for group, indexed in groups.items():
        kept = [(k, p) for k, p in indexed if keep_videos or not p.is_video]
        members = [p for _, p in kept]
        for index, pair in kept:
            info = _info(pair, index, members)
            sample = Sample(
                id=f"{group}:{index}", task=TASK, question=pair.prompt, media=media(pair),
                cluster=group, category=info.category or "none", info=info,
            )  # fmt: skip
            samples.append(sample)
    return samples, skipped
