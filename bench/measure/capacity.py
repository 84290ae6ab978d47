"""Measured parallel capacity: how much faster N processes do pure CPU work than one.

Core counts lie (SMT siblings, cgroup quotas, noisy neighbours); this is what the
machine actually delivers right now, and efficiency is judged against it.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import statistics
import time

from bench.measure.steal import busy_ticks, cpu_times as stolen_and_total

# our own processes that stay alive idle, and so are no reason to wait
IDLE_HELPERS = ("resource_tracker", "forkserver")


def cpu_kernel(iterations: int) -> int:
    """Pure-Python integer work: no I/O, no allocation to speak of, holds the GIL."""
    acc = 0
    for i in range(iterations):
        acc = (acc + i * i) % 1000003
    return acc


def _worker(kernel, iterations, barrier, queue):
    barrier.wait()
    start = time.perf_counter()
    kernel(iterations)
    queue.put((start, time.perf_counter()))


def _span(n: int, iterations: int, ctx, kernel=cpu_kernel) -> float:
    """Wall time from the first worker's start to the last worker's end (``perf_counter``
    is one clock for all processes on Linux; the barrier leaves process start-up out)."""
    barrier = ctx.Barrier(n)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(kernel, iterations, barrier, queue)) for _ in range(n)]
    for p in procs:
        p.start()
    stamps = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join()
    return max(e for _, e in stamps) - min(s for s, _ in stamps)


# below this share of the processes it ran, the capacity says more about the moment than
# the machine (2-core VM: 1.49-1.53 right after heavy work, 1.88-2.01 after a rest)
LOW_SHARE = 0.85


def capacity_is_low(capacity: dict) -> bool:
    n, value = capacity.get("processes") or 0, capacity.get("capacity")
    return n > 1 and value is not None and value < LOW_SHARE * n


def capacity_from(single: float, parallel: float, n: int) -> float:
    """N processes each doing the single-process work in ``parallel`` seconds."""
    return n * single / parallel


def busy_descendants() -> list:
    """Our descendants still at work (not the idle helpers)."""
    import psutil

    out = []
    for p in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if p.status() != psutil.STATUS_ZOMBIE and not any(
                    name in arg for arg in p.cmdline() for name in IDLE_HELPERS):
                out.append(p)
    return out


def wait_until_ours_ended(timeout: float = 10.0, poll: float = 0.05, find=busy_descendants) -> dict:
    """Wait (at most ``timeout`` s) until nothing bench started is still running: a reading
    taken beside them measures them too. Says how long it waited and for what."""
    start = time.perf_counter()
    seen = set()
    while True:
        busy = find()
        seen.update(_name(p) for p in busy)
        if not busy or time.perf_counter() - start >= timeout:
            return {"waited_s": round(time.perf_counter() - start, 3), "waited_for": sorted(seen),
                    "still_running": len(busy)}
        time.sleep(poll)


def _name(p) -> str:
    try:
        return " ".join(p.cmdline()[:3])[:80] or p.name()
    except Exception:  # noqa: BLE001 - a process that ended meanwhile
        return "?"


class OthersShare:
    """The shares of the CPU time that others (not this process or its reaped children) used
    and the hypervisor stole while a reading ran; None where /proc/stat cannot be read."""

    def __init__(self, cpus: int, read=stolen_and_total, ours=os.times, busy=busy_ticks,
                 clock=time.perf_counter):
        self.cpus, self._read, self._ours, self._clock = cpus, read, ours, clock
        self._busy = busy
        self.others = self.stolen = None

    def __enter__(self):
        # ours: CPU seconds of this process and of the children it has waited for
        self._start = (self._read(), self._busy(), sum(self._ours()[:4]), self._clock())
        return self

    def __exit__(self, *exc):
        stolen_total, busy, ours, wall = self._start
        end_st, end_busy, end_ours, end_wall = self._read(), self._busy(), sum(self._ours()[:4]), self._clock()
        if stolen_total is None or end_st is None or busy is None or end_busy is None:
            return
        ticks = end_st[1] - stolen_total[1]
        if ticks <= 0:
            return
        tick_s = (end_wall - wall) * self.cpus / ticks     # seconds of CPU per tick, measured
        self.stolen = (end_st[0] - stolen_total[0]) / ticks
        others = (end_busy - busy) * tick_s - (end_ours - ours)
        self.others = max(0.0, others / ((end_wall - wall) * self.cpus))


def measure_capacity(n: int, iterations: int = 3_000_000, repeats: int = 3,
                     kernel=cpu_kernel) -> dict:
    """Median over ``repeats`` of the speedup of ``n`` processes over one, each running
    ``kernel(iterations)``, and each repeat's own (two machines' can be tested)."""
    ctx = multiprocessing.get_context("spawn" if "fork" not in multiprocessing.get_all_start_methods() else "fork")
    singles, parallels = [], []
    with OthersShare(os.cpu_count() or n) as share:
        for _ in range(repeats):
            singles.append(_span(1, iterations, ctx, kernel))
            parallels.append(_span(n, iterations, ctx, kernel))
    single, parallel = statistics.median(singles), statistics.median(parallels)
    return {"processes": n, "single_s": single, "parallel_s": parallel,
            "capacity": capacity_from(single, parallel, n),
            "repeats": [round(capacity_from(s, p, n), 3) for s, p in zip(singles, parallels)],
            "others_share": None if share.others is None else round(share.others, 3),
            "stolen_share": None if share.stolen is None else round(share.stolen, 3)}


# readings of a run's capacity, their median kept: odd, so the median is one reading's
# own figure; three, so one disturbed reading cannot move it
CAPACITY_TRIES = 3


def median_reading(readings: list[dict]) -> dict:
    """The reading whose capacity is the median of ``readings``; of an even number, the
    lower middle one's figures with the median capacity."""
    ordered = sorted(readings, key=lambda r: r["capacity"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["capacity"] = statistics.median(r["capacity"] for r in ordered)
    return middle


# a first reading this far below the median of the others is explained in the file
FAR_BELOW = 0.85
# others using this share of the CPUs, or the hypervisor stealing it, explain a low reading
BUSY_SHARE = 0.10


def explain_readings(readings: list[dict]) -> str | None:
    """Why the first reading is far below the others, from what was measured beside it
    (None when it is not)."""
    if len(readings) < 2:
        return None
    first, rest = readings[0], readings[1:]
    typical = statistics.median(r["capacity"] for r in rest)
    if first["capacity"] >= FAR_BELOW * typical:
        return None
    head = f"the first reading ({first['capacity']:.2f}) is far below the others (median {typical:.2f})"
    others, stolen = first.get("others_share"), first.get("stolen_share")
    causes = []
    if others is not None and others >= BUSY_SHARE:
        causes.append(f"other processes used {others:.0%} of the CPUs meanwhile")
    if stolen is not None and stolen >= BUSY_SHARE:
        causes.append(f"the hypervisor took {stolen:.0%} of the CPU time")
    if causes:
        return f"{head}: " + " and ".join(causes) + "; the later readings were taken after it"
    seen = ", ".join(f"{k} {first[k]:.0%}" for k in ("others_share", "stolen_share") if first.get(k) is not None)
    # seen on this project's VM: back-to-back readings 1.43-2.03 with nothing else busy
    return (f"{head}, with nothing else measured busy ({seen or 'not measurable here'}): not "
            "bench's processes, nor time the hypervisor reports stolen - the host's load, "
            "which a guest cannot see, or the CPUs' clock")
