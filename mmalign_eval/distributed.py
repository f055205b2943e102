"""Data-parallel runs: N ranks share the calls of one run by content key.

`torchrun --nproc-per-node N -m mmalign_eval run ...` (or `accelerate launch`, or
`--data-parallel N`, which starts the ranks itself) gives each rank RANK, WORLD_SIZE and
LOCAL_RANK. Every rank plans the same run and answers the calls whose content key falls in
its shard (`int(key) % world == rank`: the same call lands on the same rank whatever the
batch order), journaling into its own file of the one run folder. Rank 0 waits for all,
then judges, scores and writes the results from every rank's journal. A rerun with another
number of ranks resumes from what any rank journaled, since journals are read by key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from mmalign_eval.errors import HarnessError

BARRIER_TIMEOUT = timedelta(hours=24)  # generation of a large suite may take long


@dataclass(frozen=True)
class Rank:
    """This process's place in a data-parallel run (rank 0 of 1 when run alone)."""

    rank: int = 0
    world: int = 1
    local: int = 0

    @property
    def main(self) -> bool:
        """Whether this rank judges, scores and writes the results."""
        return self.rank == 0

    @property
    def parallel(self) -> bool:
        """Whether other ranks share the run."""
        return self.world > 1

    def owns(self, key: str) -> bool:
        """Whether the call with this content key is this rank's to answer."""
        return int(key[:16], 16) % self.world == self.rank

    def journal_name(self) -> str:
        """This rank's journal file in the run folder (a lone run keeps journal.jsonl)."""
        return f"journal.rank{self.rank}.jsonl" if self.parallel else "journal.jsonl"


def current_rank() -> Rank:
    """The rank torchrun, accelerate or --data-parallel set in the environment."""
    try:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        rank = int(os.environ.get("RANK", "0"))
        local = int(os.environ.get("LOCAL_RANK", str(rank)))
    except ValueError as exc:
        raise HarnessError(f"bad RANK/WORLD_SIZE/LOCAL_RANK in the environment: {exc}") from exc
    if world < 1 or not 0 <= rank < world:
        raise HarnessError(f"rank {rank} of a world of {world} is not a valid rank")
    return Rank(rank, world, local)


def journal_files(run_dir: Path) -> list[Path]:
    """Every journal of a run folder: the lone run's and each rank's."""
    return sorted(run_dir.glob("journal*.jsonl"))


def wait_for_all(rank: Rank) -> None:
    """Block until every rank has answered its shard (a no-op when run alone).

    The barrier goes through torch.distributed (gloo: CPU and GPU alike, since only a
    barrier crosses). If a rank dies, torchrun (or --data-parallel) stops the others; what
    each rank journaled stays, so rerunning the command finishes the dead rank's share.
    """
    if not rank.parallel:
        return
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group(
            backend="gloo", rank=rank.rank, world_size=rank.world, timeout=BARRIER_TIMEOUT
        )
    dist.barrier()


def finish(rank: Rank) -> None:
    """Leave the process group (after the last barrier)."""
    if rank.parallel:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.destroy_process_group()
