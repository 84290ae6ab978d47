"""Cold and warm measurement of one case.

Every figure is taken by :func:`timed`, which reads the clock immediately before and
after the work it wraps. There is no timer that lives across measurements, so seed
002's bug (a timer started once and never reset between strategies) cannot happen by
construction; ``tests/test_timing.py`` proves it with a fake clock.

Cold: pool start + all work + shutdown, what a user's script sees, plus the time from
the start to the first result; repeated on fresh pools while they are short (median). Warm: a pool that is already started and has done one
warm-up pass; only the passes themselves are timed.

Paired serial passes: a pool case can also time the serial loop on the same images,
one serial pass next to each of its own timed passes, before and after it in turn. Its
speedup is then taken from passes seconds apart, so a shared disk or CPU that drifts
from minute to minute (this project's VM: file creation 0.1-0.9 ms depending on the
minute) slows both sides alike, instead of comparing a pool case with a serial case
measured minutes earlier.

Pass folders go to a trash (bench.measure.trash), removed in bulk between passes and
the disk settled after, as a race's are: a folder removed right after its pass hands
the kernel work (a journal to commit, blocks to free) that the next timed pass pays
for - a serial pass after a pool pass's clean-up read several times slower, and the
paired speedup far better than it was.
"""
from __future__ import annotations

import os
import shutil
import statistics
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable

from bench.measure.trash import Trash

Clock = Callable[[], float]

COLD_MIN_TIME = 2.0     # seconds of cold passes a case collects, at least one pass...
COLD_MAX_PASSES = 5     # ...and at most this many


def timed(fn, clock: Clock = time.perf_counter):
    """Run ``fn()`` and return ``(result, seconds)``; the timer is fresh on every call."""
    start = clock()
    result = fn()
    return result, clock() - start


@dataclass
class CaseTiming:
    count: int
    cold_total: float                 # median of the cold passes
    cold_first_result: float          # median of their first results
    cold_values: list[float] = field(default_factory=list)   # seconds per cold pass
    warmups: list[float] = field(default_factory=list)   # seconds per pass
    values: list[float] = field(default_factory=list)    # seconds per pass
    last_results: list = field(default_factory=list)
    last_out_dir: str = ""
    cold_workers: list = field(default_factory=list)   # init_worker reports, cold pool
    warm_workers: list = field(default_factory=list)   # init_worker reports, warm pool
    paired_serial: list[float] = field(default_factory=list)   # seconds per serial pass

    def per_image(self, seconds: float) -> float:
        return seconds / self.count


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
    """Start a pool, do all the work, shut the pool down: one wall-clock figure.

    Returns ``(total, first_result, results)``; ``first_result`` is measured from the
    same start as ``total``.
    """
    workload = workload.with_output(out_dir)
    first = FirstResult(clock)

    def whole():
        pool = strategy.start(workload, images)
        try:
            return strategy.run(pool, workload, images, first)
        finally:
            strategy.stop(pool)

    start = clock()
    results = whole()
    total = clock() - start
    first_result = (first.at - start) if first.at is not None else total
    return total, first_result, results


def measure_case(strategy, workload, images, out_root: str, *, warmups: int = 1,
                 values: int = 3, clock: Clock = time.perf_counter,
                 on_pass: Callable[[str, float], None] | None = None,
                 probes=None, paired_serial=None, trash: Trash | None = None) -> CaseTiming:
    """Cold passes on fresh pools, then warm-up and timed passes on one more pool.

    ``probes`` (bench.measure.probes.CaseProbes) takes its own measurements between these
    steps - never inside a timed pass: the decomposition's round on a fresh pool after
    each cold pass, the idle and busy memory around the first warm-up pass, the warm
    no-op transfer passes last.

    ``paired_serial`` (a serial strategy) times one serial pass over the same images
    next to every timed pass, before it and after it in turn, so that what the first of
    a pair leaves behind favours neither side (and one untimed before the warm pool
    starts, so its first call's costs stay out), into a fresh folder of its own.

    Every pass's folder but the last timed one goes to ``trash`` (a fresh Trash by
    default), emptied only between passes, and all of it by the time this returns.
    """
    if values < 1:
        raise ValueError("need at least one timed pass")
    dirs = PassDirs(out_root)
    trash = Trash() if trash is None else trash
    try:
        return _measure_case(strategy, workload, images, dirs, trash, warmups, values, clock,
                             on_pass, probes, paired_serial)
    finally:
        trash.empty()


def _measure_case(strategy, workload, images, dirs: PassDirs, trash: Trash, warmups: int,
                  values: int, clock: Clock, on_pass, probes, paired_serial) -> CaseTiming:
    count = len(images)

    # Cold passes, each on a fresh pool, until COLD_MIN_TIME is spent (at most
    # COLD_MAX_PASSES): one short cold pass on a shared machine is off by 15-25%, and it
    # is the figure the decomposition is checked against, round by round. The median is
    # reported.
    totals, firsts, cold_workers = [], [], None
    while True:
        trash.tidy()                      # outside the timer, once in many passes
        cold_dir = dirs.fresh()
        total, first, _ = measure_cold(strategy, workload, images, cold_dir, clock)
        trash.add(cold_dir)
        totals.append(total)
        firsts.append(first)
        if on_pass:
            on_pass("cold", total)
        reports = strategy.worker_reports()
        cold_workers = reports if cold_workers is None else cold_workers
        if probes is not None:
            # the decomposition's round for this cold pass, seconds after it, writing
            # into folders of its own inside one that goes to the trash afterwards
            scratch = PassDirs(dirs.fresh())
            probes.measure_fresh_pool(strategy, workload, images, scratch.fresh)
            trash.add(scratch.root)
            strategy.worker_reports()   # the probe pool's workers are not the warm pool's
        if len(totals) >= COLD_MAX_PASSES or sum(totals) >= COLD_MIN_TIME:
            break
    timing = CaseTiming(count=count, cold_total=statistics.median(totals),
                        cold_first_result=statistics.median(firsts), cold_values=totals,
                        cold_workers=cold_workers)

    if paired_serial is not None and warmups > 0:
        # its first call's costs stay out of the timed serial passes; run before the warm
        # pool exists, so a thread pool's memory growth does not include it
        _serial_pass(paired_serial, workload, images, dirs, trash, clock)
    pool = strategy.start(workload, images)
    try:
        if probes is not None:
            probes.pool_ready(strategy, pool)
        def paired_pass():
            seconds = _serial_pass(paired_serial, workload, images, dirs, trash, clock)
            timing.paired_serial.append(seconds)
            if on_pass:
                on_pass("paired serial", seconds)

        for k in range(warmups + values):
            paired = paired_serial is not None and k >= warmups
            serial_after = paired and (k - warmups) % 2 == 1
            if paired and not serial_after:
                paired_pass()
            trash.tidy()
            out_dir = dirs.fresh()
            w = workload.with_output(out_dir)
            # memory is sampled in the first warm-up pass only, never in a timed one
            # (with --warmups 0 it is not sampled at all)
            sampled = probes is not None and k == 0 and warmups > 0
            with (probes.sampled_pass(strategy, pool) if sampled else nullcontext()):
                results, seconds = timed(
                    lambda: strategy.run(pool, w, images, lambda: None), clock)
            is_warmup = k < warmups
            (timing.warmups if is_warmup else timing.values).append(seconds)
            if on_pass:
                on_pass("warmup" if is_warmup else "value", seconds)
            if k == warmups + values - 1:
                timing.last_results, timing.last_out_dir = results, out_dir
            else:
                trash.add(out_dir)
            if serial_after:
                paired_pass()
        if probes is not None:
            probes.measure_transfer(strategy, pool, images)
        strategy.describe_pool(pool)
    finally:
        strategy.stop(pool)
    timing.warm_workers = strategy.worker_reports()
    return timing


def _serial_pass(serial, workload, images, dirs: PassDirs, trash: Trash, clock: Clock) -> float:
    trash.tidy()
    out_dir = dirs.fresh()
    w = workload.with_output(out_dir)
    _, seconds = timed(lambda: serial.run(None, w, images, lambda: None), clock)
    trash.add(out_dir)
    return seconds

