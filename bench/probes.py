"""Measurements taken around a case's passes, outside the figures they explain.

* memory: an idle baseline of every worker (started and set up, no work yet) and the
  peak of every worker and of the case process while the pool works (the warm-up pass,
  so sampling never runs during a timed value);
* decomposition of the cold total into start-up, transfer and work:
    startup  = a fresh pool of the case's workload: start, one real image per worker,
               sent the strategy's own way (so each worker's set-up - a model load - and
               first call are included), and later its shutdown; less the ordinary work
               of those images, which every pass does again (serial time per image);
    transfer = on that same fresh pool, before it shuts down, one pass of the same
               strategy with a workload that only reads one byte of every page of its
               image: pixels pickled and piped (or copied to shared memory) exactly as
               in the real passes (seed 002's own probe), and, as in a cold pass, for
               the first time (fresh pipes, fresh worker heaps, unmapped shared pages);
    work     = the median warm pass minus the same no-op pass on the warm pool (median
               of a few): what the pass took beyond moving the pixels; split into its
               ideal part (the serial loop's time for the set / the parallelism the case
               can use: min(workers, tasks, measured parallel capacity)) and contention
               (the rest: disk, memory bandwidth, GIL).
  The sum is compared with the measured cold total (``decomp_error``): what it leaves
  out is the work's own first-time costs (cold caches, a fresh folder) and the overlap
  of moving and working within a pass.
"""
from __future__ import annotations

import math
import statistics
import time
from contextlib import contextmanager

from bench.memory import WORKER_FAMILIES, PeakSampler, memory_metadata, snapshot, workers_idle
from workloads import tasks

# warm no-op passes, their median the warm transfer: up to 3 while they are short (a
# one-second pass is steady enough alone, and 10,000 per-image tasks take seconds)
TRANSFER_PASSES = 3
TRANSFER_MIN_TIME = 1.0


class CaseProbes:
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
        self.startup_s = 0.0
        self.transfer_s = 0.0           # warm: no-op pass on the warm pool
        self.transfer_cold_s = None     # first: no-op pass on a fresh pool
        self._startups, self._transfers_cold = [], []
        self._probe_images = 0

    # -- memory ------------------------------------------------------------------
    def pool_ready(self, strategy, pool) -> None:
        """Bring every worker up (spawn starts them on demand), then take the idle baseline."""
        self.parent_before = snapshot_self()
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
    def measure_fresh_pool(self, strategy, workload, images, scratch_dir: str | None = None) -> None:
        """Start-up and first-time transfer, on a pool as fresh as the cold pass's.

        Start-up: start, one real image per worker - every worker's set-up (a pose model
        load) and first call (codec initialisation) are costs a cold run pays once per
        worker - and, at the end, shutdown. Transfer: in between, one pass that only
        brings every image's pixels into the workers, the first time this pool moves them.
        """
        if self.family == "serial":
            return
        if scratch_dir is not None:
            workload = workload.with_output(scratch_dir)
        start = self.clock()
        pool = strategy.start(workload, images)
        try:
            n = min(self.workers, len(images))
            for f in [strategy.submit_first(pool, workload, images, i) for i in range(n)]:
                f.result()
            self._probe_images = n
            ready = self.clock()
            strategy.run(pool, tasks.ArrivalWorkload(), images, lambda: None)
            moved = self.clock()
        finally:
            strategy.stop(pool)
        self._startups.append((ready - start) + (self.clock() - moved))
        self._transfers_cold.append(moved - ready)
        # taken once per cold pass: the median of as many as the cold figure has
        self.startup_s = statistics.median(self._startups)
        self.transfer_cold_s = statistics.median(self._transfers_cold)

    def measure_transfer(self, strategy, pool, images) -> None:
        """The same no-op pass on the warm pool: what moving the pixels costs in every
        warm pass (median of a few while they are short: one short pass is at the mercy
        of the noise)."""
        if self.family == "serial":
            return
        passes = []
        while len(passes) < TRANSFER_PASSES and sum(passes) < TRANSFER_MIN_TIME:
            start = self.clock()
            strategy.run(pool, tasks.ArrivalWorkload(), images, lambda: None)
            passes.append(self.clock() - start)
        self.transfer_s = statistics.median(passes)

    def probe_work(self) -> float:
        """The ordinary work inside the start-up probe: its images are processed again
        in every pass, so only what their first call costs beyond a warm one (codec
        set-up, a model's first inference) is start-up. Estimated from the serial loop's
        time per image over the parallelism those images had; 0 without a serial case."""
        n = self._probe_images
        if not (self.serial_per_image_s and n):
            return 0.0
        return self.serial_per_image_s * n / max(1.0, min(n, self.capacity or n))

    def parallelism(self, strategy, count: int) -> float:
        if self.family == "serial":
            return 1.0
        chunk = getattr(strategy.config, "chunk_size", None)
        n_tasks = math.ceil(count / chunk) if chunk else count
        limit = min(self.workers, n_tasks)
        if self.capacity:
            limit = min(limit, self.capacity)
        return max(1.0, limit)

    def metadata(self, strategy, count: int, cold_total: float, warm_pass_s: float) -> dict:
        meta = {}
        if self.busy is not None:
            meta.update(memory_metadata(self.busy, self.idle,
                                        self.parent_before if self.family == "threads" else None,
                                        self.family))
        if self.family == "serial":
            return meta
        # work: what the warm pass took beyond moving the pixels (the warm no-op pass);
        # transfer: what moving them cost the first time, as in the cold pass
        work = max(0.0, warm_pass_s - self.transfer_s)
        transfer = self.transfer_s if self.transfer_cold_s is None else self.transfer_cold_s
        startup = max(0.0, self.startup_s - self.probe_work())
        total = startup + transfer + work
        meta.update({
            "decomp_startup_s": startup,
            "decomp_startup_probe_s": self.startup_s,
            "decomp_transfer_s": transfer,
            "decomp_transfer_warm_s": self.transfer_s,
            "decomp_work_s": work,
            "decomp_sum_s": total,
            "decomp_error": total / cold_total - 1 if cold_total > 0 else 0.0,
        })
        if self.serial_per_image_s:
            # what the work would take if it scaled perfectly: the serial loop's time over
            # the usable parallelism; the rest of the work is contention (disk, memory
            # bandwidth, the GIL, oversubscribed cores)
            ideal = self.serial_per_image_s * count / self.parallelism(strategy, count)
            meta.update({
                "decomp_work_ideal_s": min(ideal, work),
                "decomp_contention_s": work - min(ideal, work),
                "decomp_parallelism": self.parallelism(strategy, count),
            })
        return meta


def snapshot_self() -> dict | None:
    import os

    return snapshot(os.getpid())
