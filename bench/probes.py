"""Measurements taken around a case's passes, outside the figures they explain.

* memory: an idle baseline of every worker (started and set up, no work yet) and the
  peak of every worker and of the case process while the pool works (the warm-up pass,
  so sampling never runs during a timed value);
* decomposition of the cold total into start-up, transfer and work:
    startup  = a fresh pool of the case's workload: start, one real image per worker (so
               each worker's set-up - a model load - and first call are included), shut down;
    transfer = one pass of the same strategy on the warm pool with a workload that does
               nothing: pixels pickled and piped (or copied to shared memory) exactly as
               in the real passes (seed 002's own probe);
    work     = the median warm pass minus the transfer pass: what the pass took beyond
               moving the pixels; split into its ideal part (the serial loop's time for
               the set / the parallelism the case can use: min(workers, tasks, measured
               parallel capacity)) and contention (the rest: disk, memory bandwidth, GIL).
  The sum is compared with the measured cold total (``decomp_error``): what it leaves
  out is the cold pass's first-time costs (page faults, cold caches, a fresh folder).
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager

from bench.memory import WORKER_FAMILIES, PeakSampler, memory_metadata, snapshot, workers_idle
from workloads import tasks


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
        self.transfer_s = 0.0

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
    def measure_startup(self, strategy, workload, images, scratch_dir: str | None = None) -> None:
        """A fresh pool of the real workload doing one real image per worker: every
        worker's set-up (a pose model load) and first call (codec initialisation, first
        page faults) are start-up costs a cold run pays once per worker."""
        if self.family == "serial":
            return
        if scratch_dir is not None:
            workload = workload.with_output(scratch_dir)
        start = self.clock()
        pool = strategy.start(workload, images)
        try:
            n = min(self.workers, len(images))
            for f in [pool.submit(tasks.run_one, workload, i, images[i]) for i in range(n)]:
                f.result()
        finally:
            strategy.stop(pool)
        self.startup_s = self.clock() - start

    def measure_transfer(self, strategy, pool, images) -> None:
        if self.family == "serial":
            return
        start = self.clock()
        strategy.run(pool, tasks.NoopWorkload(), images, lambda: None)
        self.transfer_s = self.clock() - start

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
        # work: what the warm pass took beyond moving the pixels (the no-op pass)
        work = max(0.0, warm_pass_s - self.transfer_s)
        total = self.startup_s + self.transfer_s + work
        meta.update({
            "decomp_startup_s": self.startup_s,
            "decomp_transfer_s": self.transfer_s,
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
