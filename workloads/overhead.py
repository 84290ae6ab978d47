"""Overhead probes, each run as an ordinary case (docs/measurements.md): ``roundtrip`` a
real case's submission with a no-op task; ``pool-start`` and ``pickle`` time themselves
(``measure``) instead of going through a pool pass.
"""
from __future__ import annotations

import pickle
import statistics
import time

from workloads.base import register
from workloads.tasks import NoopWorkload, noop


@register
class RoundTripWorkload(NoopWorkload):
    name = "roundtrip"
    rank = 40
    kind = "overhead"
    label = "noop"


@register
class PoolStartWorkload(NoopWorkload):
    name = "pool-start"
    rank = 50
    kind = "overhead"
    label = "first-result"
    fixed_group = True     # the image set is a 1-pixel dummy: leave it out of the name

    @staticmethod
    def measure(strategy, images, repeats: int, clock=time.perf_counter) -> dict:
        """``repeats`` fresh pools: start to first no-op result, then to all workers up."""
        first, ready, shutdown = [], [], []
        workers = strategy.config.workers
        for _ in range(repeats + 1):
            start = clock()
            pool = strategy.start(NoopWorkload(), images)
            try:
                futures = [pool.submit(noop) for _ in range(workers)]
                futures[0].result()
                first.append(clock() - start)
                for f in futures:
                    f.result()
                ready.append(clock() - start)
                if len(ready) == 1 and hasattr(strategy, "describe_pool"):
                    strategy.describe_pool(pool)      # untimed: Dask's cluster facts
            finally:
                t = clock()
                strategy.stop(pool)
                shutdown.append(clock() - t)
        # The first start in a fresh process also pays one-off costs (forkserver starts its
        # server, spawn warms the page cache): it is what a script's first pool costs,
        # so it is kept on its own; the values are the pools after it.
        later = slice(1, None) if len(first) > 1 else slice(None)
        return {"values_s": first[later], "warmups_s": [],
                "metadata": {"first_pool_start_s": first[0],
                             "all_workers_ready_s": statistics.median(ready[later]),
                             "shutdown_s": statistics.median(shutdown[later])}}


@register
class PickleWorkload(NoopWorkload):
    name = "pickle"
    rank = 60
    kind = "overhead"
    label = f"protocol{pickle.HIGHEST_PROTOCOL}"

    @staticmethod
    def measure(strategy, images, repeats: int, clock=time.perf_counter) -> dict:
        protocol = pickle.HIGHEST_PROTOCOL
        dumps, loads = pickle.dumps, pickle.loads
        size = len(dumps(images[0], protocol))

        def one_pass():
            start = clock()
            for image in images:
                loads(dumps(image, protocol))
            return clock() - start

        warm = one_pass()
        values = [one_pass() for _ in range(repeats)]
        return {"values_s": values, "warmups_s": [warm],
                "metadata": {"pickled_bytes": size, "pickle_protocol": protocol,
                             "raw_bytes": int(images[0].nbytes)}}
