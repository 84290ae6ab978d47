"""Memory of the case process and of every pool worker, sampled while the pool works:
RSS, USS (what one more worker adds) and PSS (docs/measurements.md). pyperf's
--track-memory cannot see pool children at all.
"""
from __future__ import annotations

import os
import threading
from typing import Callable

import psutil

FIELDS = ("rss", "uss", "pss")
WORKER_FAMILIES = ("processes", "dask")   # strategies whose workers are separate processes


def snapshot(pid: int) -> dict[str, int] | None:
    """RSS, USS and PSS of one process in bytes, or None if it has gone."""
    try:
        info = psutil.Process(pid).memory_full_info()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None
    return {f: int(getattr(info, f, 0)) for f in FIELDS}


class PeakSampler:
    """Samples the case process and the pids ``pids()`` returns every ``interval`` s,
    keeping the peak of each field per process (what a worker held while busy)."""

    def __init__(self, pids: Callable[[], list[int]], interval: float = 0.02):
        self._pids = pids
        self._interval = interval
        self._parent = os.getpid()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.workers: dict[int, dict[str, int]] = {}
        self.parent: dict[str, int] = {f: 0 for f in FIELDS}
        self.samples = 0

    def sample_once(self) -> None:
        self._merge(self.parent, snapshot(self._parent))
        for pid in self._pids():
            self._merge(self.workers.setdefault(pid, {f: 0 for f in FIELDS}), snapshot(pid))
        self.samples += 1

    @staticmethod
    def _merge(peak: dict, snap: dict | None) -> None:
        if snap:
            for f in FIELDS:
                peak[f] = max(peak[f], snap[f])

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample_once()
            self._stop.wait(self._interval)

    def __enter__(self) -> "PeakSampler":
        self.sample_once()
        self._thread = threading.Thread(target=self._loop, name="bench-memory", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample_once()

    def worker_peak(self, field: str) -> int:
        """The largest peak of ``field`` among the workers (what one worker may need)."""
        return max((w[field] for w in self.workers.values()), default=0)


def workers_idle(pids: list[int]) -> dict[str, int]:
    """Largest RSS/USS/PSS among idle workers (started, set up, not working)."""
    peak = {f: 0 for f in FIELDS}
    for pid in pids:
        PeakSampler._merge(peak, snapshot(pid))
    return peak


def memory_metadata(busy: PeakSampler, idle: dict | None, parent_before: dict | None,
                    family: str) -> dict:
    meta = {f"mem_parent_{f}_peak": busy.parent[f] for f in FIELDS}
    meta["mem_samples"] = busy.samples
    if family in WORKER_FAMILIES and busy.workers:
        meta.update({f"mem_worker_{f}_peak": busy.worker_peak(f) for f in FIELDS})
        meta["mem_workers_sampled"] = len(busy.workers)
    if idle and any(idle.values()):
        meta.update({f"mem_idle_worker_{f}": idle[f] for f in FIELDS})
    if parent_before:
        # threads share the parent: what the pool made the parent grow by is their cost
        meta["mem_parent_growth"] = max(0, busy.parent["uss"] - parent_before["uss"])
    return meta
