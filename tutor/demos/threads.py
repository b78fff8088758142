"""How many threads generation uses: as many as there are idle cores, so a busy core cannot stall it.

Generating one token multiplies a single row by every weight matrix, split across torch's OpenMP threads,
which wait for each other at the end of every product. When another process (or the app's own drawing)
holds one of the cores, the thread that shares it falls behind and every product waits for it: on 2 cores
with one taken, 2 threads run at a fraction of 1 thread's speed. So before a generation the tutor counts
the idle cores this process may use (``/proc/stat`` over 30 ms, or the load average where there is no
``/proc``) and takes one thread a free core; and if a step then takes far longer than the fastest one so
far, load has arrived mid-run and it drops to one thread (``ThreadGuard``). bench/generate_load.py
measures it.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

PROC_STAT = "/proc/stat"
PROBE_SECONDS = 0.03
SLOW_STEP = 2.5  # a step this many times slower than the fastest: another process took a core


def usable_cores() -> list[int]:
    """The CPUs this process may run on (its affinity), else every CPU."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return list(range(os.cpu_count() or 1))


def _cpu_times(cores: list[int]) -> dict[int, tuple[int, int]] | None:
    """(busy, total) jiffies per core from /proc/stat, or None where it cannot be read."""
    try:
        with open(PROC_STAT, encoding="ascii") as stat:
            lines = stat.read().splitlines()
    except OSError:
        return None
    wanted = {f"cpu{core}": core for core in cores}
    times = {}
    for line in lines:
        name, *fields = line.split()
        if name in wanted and len(fields) >= 5:
            numbers = [int(value) for value in fields[:8]]
            idle = numbers[3] + numbers[4]  # idle + iowait
            times[wanted[name]] = (sum(numbers) - idle, sum(numbers))
    return times if len(times) == len(cores) else None


def idle_cores(cores: list[int] | None = None, seconds: float = PROBE_SECONDS) -> float:
    """How many of ``cores`` were idle over the next ``seconds`` (while this thread sleeps)."""
    cores = cores if cores is not None else usable_cores()
    before = _cpu_times(cores)
    if before is None:
        return max(0.0, len(cores) - os.getloadavg()[0])  # the load average: slower to follow, but there
    time.sleep(seconds)
    after = _cpu_times(cores)
    if after is None:
        return float(len(cores))
    idle = 0.0
    for core in cores:
        busy = after[core][0] - before[core][0]
        total = after[core][1] - before[core][1]
        idle += 1.0 - busy / total if total > 0 else 1.0
    return idle


def choose_threads(limit: int | None = None) -> int:
    """One thread a core that is idle now (a core at least 3/4 idle counts), at least 1, at most ``limit``
    (default: the cores this process may use)."""
    cores = usable_cores()
    most = min(limit or len(cores), len(cores))
    if most <= 1:
        return 1
    return max(1, min(most, int(idle_cores(cores) + 0.25)))


class ThreadGuard:
    """Watches step times; ``after_step`` says when to fall back to one thread (load arrived mid-run)."""

    def __init__(self, threads: int):
        self.threads = threads
        self.fastest = float("inf")
        self.steps = 0

    def after_step(self, seconds: float) -> int:
        """The thread count for the next step, given how long the last one took."""
        self.steps += 1
        self.fastest = min(self.fastest, seconds)
        if self.threads > 1 and self.steps > 3 and seconds > SLOW_STEP * self.fastest:
            self.threads = 1
        return self.threads


@contextmanager
def torch_threads(threads: int):
    """Run the block with ``threads`` torch threads, then put the previous count back.

    Call it in the thread that runs the model: OpenMP keeps its team size per calling thread.
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
