"""The model stage of a run: this rank's share of the calls through the journal, then (rank
0, after every rank is done) all answers gathered from every rank's journal."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field
from rich.console import Console

from mmalign_eval.contracts import Record, Response
from mmalign_eval.distributed import Rank, journal_files, wait_for_all
from mmalign_eval.engines.base import Engine
from mmalign_eval.generation import answer_all
from mmalign_eval.journal import Journal
from mmalign_eval.plans import ModelCall
from mmalign_eval.results import write_json, write_jsonl


class RankTiming(Record):
    """One data-parallel rank's share of the model stage (load balance)."""

    rank: int
    calls: int = Field(description="Calls whose key falls in this rank's shard.")
    generated: int = Field(description="Of those, calls sent to the engine (not journaled).")
    answer_s: float = Field(description="Seconds this rank spent answering its share.")
    finished_at: float = Field(description="Unix time the rank finished its share.")
    idle_s: float = Field(default=0.0, description="Seconds it then waited for the last rank.")


@dataclass(frozen=True)
class Answered:
    """Responses by key (rank 0: all of them) and what this rank did."""

    responses: dict[str, Response]
    generated: int  # calls this rank sent to the engine
    reused: int  # calls whose answer a journal already held
    ranks: tuple[RankTiming, ...] = ()  # rank 0 of a parallel run: every rank's share


def timing_file(run_dir: Path, rank: int) -> Path:
    """Where a rank records how long its share took, for rank 0's load-balance figures."""
    return run_dir / f"timing.rank{rank}.json"


def rank_timings(run_dir: Path, world: int) -> tuple[RankTiming, ...]:
    """Every rank's timing, with the idle time each spent waiting for the slowest."""
    read = [
        RankTiming.model_validate_json(timing_file(run_dir, r).read_text(encoding="utf-8"))
        for r in range(world)
        if timing_file(run_dir, r).is_file()
    ]
    last = max((t.finished_at for t in read), default=0.0)
    return tuple(t.model_copy(update={"idle_s": last - t.finished_at}) for t in read)


def failed_file(run_dir: Path, rank: Rank) -> Path:
    """Where a rank leaves its failed calls for rank 0 (failures are never journaled)."""
    return run_dir / f"failed.rank{rank.rank}.jsonl"


def answer_share(
    engine: Engine, calls: Sequence[ModelCall], run_dir: Path, rank: Rank, console: Console
) -> Answered:
    """Answer this rank's calls; in a parallel run, wait for the others and gather (rank 0)."""
    namespace = engine.response_namespace
    mine = [c for c in calls if rank.owns(c.key(namespace))] if rank.parallel else list(calls)
    with Journal(run_dir / rank.journal_name(), also=journal_files(run_dir)) as journal:
        # Counted before answering: calls sharing a key with another call of this run (e.g.
        # POPE questions common to several splits) are answered now, not by the journal.
        reused = sum(c.key(namespace) in journal for c in mine)
        if reused:  # only this rank's share: other ranks may be writing theirs meanwhile
            console.print(f"resuming: {reused} responses already in the journal")
        started = time.perf_counter()
        responses, generated = answer_all(engine, journal, mine, console)
    if not rank.parallel:
        return Answered(responses, generated, reused)
    write_jsonl(failed_file(run_dir, rank), [r for r in responses.values() if r.error])
    spent = time.perf_counter() - started
    timing = RankTiming(
        rank=rank.rank,
        calls=len(mine),
        generated=generated,
        answer_s=spent,
        finished_at=time.time(),
    )
    write_json(timing_file(run_dir, rank.rank), timing)
    wait_for_all(rank)
    if not rank.main:
        return Answered({}, generated, reused)
    gathered = gather(calls, run_dir, namespace, rank.world)
    return Answered(gathered, generated, reused, rank_timings(run_dir, rank.world))


def gather(
    calls: Sequence[ModelCall], run_dir: Path, namespace: str, world: int
) -> dict[str, Response]:
    """Every call's response from all ranks' journals and failure files."""
    failed: dict[str, Response] = {}
    for other in range(world):
        path = failed_file(run_dir, Rank(other, world))
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                response = Response.model_validate_json(line)
                failed[response.key] = response
    files = journal_files(run_dir)
    out: dict[str, Response] = {}
    with Journal(files[0], also=files) as journal:
        for call in calls:
            key = call.key(namespace)
            out[key] = (
                journal.get(key)
                or failed.get(key)
                or Response(
                    key=key, text="", finish_reason="error", error="no rank answered this call"
                )
            )
    return out
