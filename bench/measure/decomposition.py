"""Measured around a case's passes, outside the figures they explain: memory per worker
(sampled during an untimed warm pass) and the cold total split into start-up, transfer and
work, each part the median of rounds on fresh pools taken right after each cold pass, so
each round is compared with a cold pass seconds old (docs/measurements.md).
"""
from __future__ import annotations

import math
import os
import statistics
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from bench.measure.memory import WORKER_FAMILIES, PeakSampler, memory_metadata, snapshot, workers_idle
from workloads import tasks

# warm no-op passes, their median the warm transfer: up to 3 while they are short (a
# one-second pass is steady enough alone, and 10,000 per-image tasks take seconds)
TRANSFER_PASSES = 3
TRANSFER_MIN_TIME = 1.0
# how long a done-callback may still be on its way after its future's result() returned
CALLBACK_WAIT_S = 5.0


def transfer_probe(strategy):
    """The no-op a transfer pass runs: pixels read through a mapping arrive on first
    touch, so there it reads one byte of every page; elsewhere touching would only add
    microseconds a task that the cold pass never pays."""
    return tasks.ArrivalWorkload() if strategy.pixels_mapped else tasks.NoopWorkload()


class LastDone:
    """When the last of ``count`` futures finished: their done-callbacks run as each
    result arrives (in the pool's own thread), whoever is waiting on what."""

    def __init__(self, clock, count: int):
        self._clock = clock
        self._left = count
        self._lock = threading.Lock()
        self._done = threading.Event()
        self.at: float | None = None
        if count == 0:
            self._done.set()

    def __call__(self, _future) -> None:
        now = self._clock()
        with self._lock:
            self.at = now if self.at is None else max(self.at, now)
            self._left -= 1
            if self._left <= 0:
                self._done.set()

    def wait(self, timeout: float = CALLBACK_WAIT_S) -> float:
        """The time the last one finished (a callback may still be on its way when
        ``result()`` has returned)."""
        self._done.wait(timeout)
        with self._lock:
            return self.at if self.at is not None else self._clock()


@dataclass
class Round:
    """One decomposition round on a fresh pool, in seconds."""
    startup: float        # start + first image per worker + shutdown
    transfer: float       # first no-op pass: pixels moved for the first time
    work: float           # one real pass less the warm no-op passes around it


class ColdDecomposition:
    def __init__(self, family: str, workers: int, capacity: float | None,
                 serial_per_image_s: float | None, clock=time.perf_counter):
        self.family = family
        self.workers = workers
        self.capacity = capacity
        self.serial_per_image_s = serial_per_image_s
        self.clock = clock
        self.idle = None
        self.parent_before = None
        self.busy: PeakSampler | None = None
        self.transfer_s = 0.0           # warm: no-op pass on the warm pool
        self.rounds: list[Round] = []   # one per cold pass, in the same order
        self._probe_images = 0

    # -- memory ------------------------------------------------------------------
    def pool_ready(self, strategy, pool) -> None:
        """Bring every worker up (spawn starts them on demand), then take the idle baseline."""
        self.parent_before = snapshot(os.getpid())
        if pool is None:
            return
        futures = [pool.submit(tasks.noop) for _ in range(self.workers)]
        for f in futures:
            f.result()
        if self.family in WORKER_FAMILIES:
            self.idle = workers_idle(strategy.worker_pids(pool))

    @contextmanager
    def sampled_pass(self, strategy, pool):
        with PeakSampler(lambda: strategy.worker_pids(pool)) as sampler:
            yield
        self.busy = sampler

    # -- decomposition -------------------------------------------------------------
    def measure_fresh_pool(self, strategy, workload, images, fresh_dir=None) -> None:
        """One decomposition round, right after a cold pass, on a pool as fresh as its.
        ``fresh_dir()`` gives an empty folder for each batch of writes (a file that exists
        already is cheaper to write than a new one)."""
        if self.family == "serial":
            return
        into = (lambda w: w.with_output(fresh_dir())) if fresh_dir is not None else (lambda w: w)
        first_images, real_pass = into(workload), into(workload)
        noop = transfer_probe(strategy)
        start = self.clock()
        pool = strategy.start(first_images, images)
        try:
            n = min(self.workers, len(images))
            firsts = [strategy.submit_first(pool, first_images, images, i) for i in range(n)]
            ready_at = LastDone(self.clock, len(firsts))
            for f in firsts:
                f.add_done_callback(ready_at)
            # the first no-op pass goes in right behind them: a cold pass submits while its
            # workers start, and what the start hides the parts must not count twice
            strategy.run(pool, noop, images, lambda: None)
            for f in firsts:
                f.result()
            moved = self.clock()
            ready = min(ready_at.wait(), moved)
            self._probe_images = n
            # the real pass between two warm no-op passes: their mean is what moving the
            # pixels cost it, whether the pool still warms up or the machine drifts
            strategy.run(pool, noop, images, lambda: None)
            before = self.clock()
            strategy.run(pool, real_pass, images, lambda: None)
            worked = self.clock()
            strategy.run(pool, noop, images, lambda: None)
            after = self.clock()
        finally:
            strategy.stop(pool)
        warm_move = ((before - moved) + (after - worked)) / 2
        self.rounds.append(Round(startup=(ready - start) + (self.clock() - after),
                                 transfer=moved - ready,
                                 work=max(0.0, (worked - before) - warm_move)))

    def measure_transfer(self, strategy, pool, images) -> None:
        """The same no-op pass on the warm pool: what moving the pixels costs in every
        warm pass."""
        if self.family == "serial":
            return
        passes = []
        while len(passes) < TRANSFER_PASSES and sum(passes) < TRANSFER_MIN_TIME:
            start = self.clock()
            strategy.run(pool, transfer_probe(strategy), images, lambda: None)
            passes.append(self.clock() - start)
        self.transfer_s = statistics.median(passes)

    def first_images_work(self, round_: Round, strategy, count: int) -> float:
        """The ordinary work inside a round's start-up (its first images are processed
        again in every pass): the round's real pass per image on one worker, times the
        images each worker had."""
        n = self._probe_images
        if not (n and count):
            return 0.0
        per_image_one_worker = round_.work * self.parallelism(strategy, count) / count
        return per_image_one_worker * n / max(1.0, min(n, self.capacity or n))

    def parallelism(self, strategy, count: int) -> float:
        if self.family == "serial":
            return 1.0
        chunk = strategy.config.chunk_size
        n_tasks = math.ceil(count / chunk) if chunk else count
        limit = min(self.workers, n_tasks)
        if self.capacity:
            limit = min(limit, self.capacity)
        return max(1.0, limit)

    def metadata(self, strategy, count: int, cold_values: list[float]) -> dict:
        meta = {}
        if self.busy is not None:
            meta.update(memory_metadata(self.busy, self.idle,
                                        self.parent_before if self.family == "threads" else None,
                                        self.family))
        if self.family == "serial" or not self.rounds:
            return meta
        startups = [max(0.0, r.startup - self.first_images_work(r, strategy, count))
                    for r in self.rounds]
        sums = [su + r.transfer + r.work for su, r in zip(startups, self.rounds)]
        # each round against the cold pass right before it: the same minute of the disk
        misses = [total / cold - 1 for total, cold in zip(sums, cold_values) if cold > 0]
        startup = statistics.median(startups)
        transfer = statistics.median(r.transfer for r in self.rounds)
        work = statistics.median(r.work for r in self.rounds)
        meta.update({
            "decomp_startup_s": startup,
            "decomp_startup_probe_s": statistics.median(r.startup for r in self.rounds),
            "decomp_transfer_s": transfer,
            "decomp_transfer_warm_s": self.transfer_s,
            "decomp_work_s": work,
            "decomp_sum_s": startup + transfer + work,
            "decomp_rounds": len(self.rounds),
            "decomp_error": statistics.median(misses) if misses else 0.0,
            "decomp_round_errors": " ".join(f"{m:.4f}" for m in misses),
        })
        if self.serial_per_image_s:
            # the work if it scaled perfectly; the rest is contention
            parallelism = self.parallelism(strategy, count)
            ideal = min(self.serial_per_image_s * count / parallelism, work)
            meta.update({"decomp_work_ideal_s": ideal, "decomp_contention_s": work - ideal,
                         "decomp_parallelism": parallelism})
        return meta
