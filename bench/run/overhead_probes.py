"""The overhead probes of a budgeted run, measured briefly in one case process.

Pool start-up and pickling time themselves (their workloads' ``measure``); the round
trip of a no-op task is one untimed pass on a warm pool, then a few timed ones. The
result has the shape of a finished case (bench.results.case_benchmark reads it).
"""
from __future__ import annotations

import time

from bench.model.case import Case
from bench.results import utc_now
from bench.strategies import PoolConfig, make_strategy


def run_probe(case: Case, values: int = 3, scheduler: str | None = None,
              scheduler_timeout: float = 10.0) -> dict:
    """``scheduler``: a Dask probe's cluster is that scheduler's (--scheduler), not a
    LocalCluster of its own."""
    from workloads.images import fingerprint, generate
    from workloads.registry import make_workload

    started = time.perf_counter()
    images = generate(case.images)
    workload = make_workload(case.workload, case.params)
    strategy = make_strategy(case.strategy, PoolConfig(case.workers, case.chunk_size, case.start_method,
                                                      scheduler=scheduler,
                                                      scheduler_timeout=scheduler_timeout))
    if workload.measure is not None:
        result = workload.measure(strategy, images, values)
    else:
        result = _round_trip(strategy, workload, images, values)
    result["metadata"]["image_fingerprint"] = fingerprint(images)
    result["metadata"].update(strategy.facts)
    result.update(ok=True, date=utc_now(), duration_s=time.perf_counter() - started)
    return result


def _round_trip(strategy, workload, images, values: int) -> dict:
    from bench.measure.timing import timed

    pool = strategy.start(workload, images)
    try:
        strategy.run(pool, workload, images, lambda: None)        # every worker up and warm
        passes = [timed(lambda: strategy.run(pool, workload, images, lambda: None))[1]
                  for _ in range(values)]
        strategy.describe_pool(pool)
    finally:
        strategy.stop(pool)
    return {"values_s": passes, "warmups_s": [], "metadata": {"probe": "warm pool"}}
