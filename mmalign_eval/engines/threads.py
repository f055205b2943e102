"""CPU threads of an in-process model: the cores free for it, not the machine's.

torch starts one thread per physical core of the machine; in a container limited to fewer
cores, beside other busy processes, or on one of several data-parallel ranks, those threads
contend and generation slows many times over (measured: the POPE demo took 59.8 s with two
busy processes on this 2-core machine at 2 threads, 18.2 s at 1). The default is therefore
OMP_NUM_THREADS when set (torchrun and the harness's own launcher set it per rank), else the
cores in this process's CPU affinity less the machine's current load (the 1-minute load
average, rounded), at least one; `--threads` overrides both.
"""

from __future__ import annotations

import os


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def busy_cores() -> int:
    """Cores other processes keep busy: the 1-minute load average, rounded (0 if unknown)."""
    try:
        return round(os.getloadavg()[0])
    except OSError:
        return 0


def cpu_threads(requested: int | None) -> int:
    """The thread count to use: --threads, else OMP_NUM_THREADS, else the free cores."""
    if requested is not None:
        return requested
    env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    cores = available_cores()
    return max(1, min(cores, cores - busy_cores()))


def apply_threads(requested: int | None) -> int:
    """Set torch's intra-op thread count (see cpu_threads) and return it."""
    import torch

    threads = cpu_threads(requested)
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads
