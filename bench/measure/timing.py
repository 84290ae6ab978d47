"""The clock around a pass: :func:`timed`, a cold pass (:func:`measure_cold`), the first
result's moment, a fresh folder per pass.

Every figure reads the clock immediately before and after the work it wraps: no timer
lives across measurements, so one never reset between strategies cannot happen
(``tests/measure/test_timing.py`` proves it with a fake clock).
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from typing import Callable


Clock = Callable[[], float]


def timed(fn, clock: Clock = time.perf_counter):
    """Run ``fn()`` and return ``(result, seconds)``; the timer is fresh on every call."""
    start = clock()
    result = fn()
    return result, clock() - start


class PassDirs:
    """A fresh, empty output folder for every pass, prepared outside the timers."""

    def __init__(self, root: str):
        self.root = root
        self._n = 0

    def fresh(self) -> str:
        path = os.path.join(self.root, f"pass-{self._n}")
        self._n += 1
        os.makedirs(path)
        return path

    @staticmethod
    def remove(path: str) -> None:
        shutil.rmtree(path, ignore_errors=True)


class FirstResult:
    """The moment the first result arrived: the earliest of possibly several signals
    (a future's done-callback, from another thread, and the collecting loop)."""

    def __init__(self, clock: Clock):
        self._clock = clock
        self._lock = threading.Lock()
        self.at: float | None = None

    def __call__(self) -> None:
        now = self._clock()
        with self._lock:
            if self.at is None or now < self.at:
                self.at = now


def measure_cold(strategy, workload, images, out_dir: str, clock: Clock = time.perf_counter):
    """Start a pool, do all the work, shut the pool down: ``(total, first_result,
    results)``, the first result measured from the same start as the total."""
    workload = workload.with_output(out_dir)
    first = FirstResult(clock)
    start = clock()
    pool = strategy.start(workload, images)
    try:
        results = strategy.run(pool, workload, images, first)
    finally:
        strategy.stop(pool)
    total = clock() - start
    first_result = (first.at - start) if first.at is not None else total
    return total, first_result, results
