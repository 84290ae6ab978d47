"""The cluster path's plan: Dask start-up and round trips, then one image set through the
cluster and through the best local strategies at the same worker count."""
from __future__ import annotations

from dataclasses import replace

from bench.measure.machine import available_cpus
from bench.model.case import Case
from bench.plan.matrix import DASK_STRATEGIES, PlanOptions, plan_cases
from bench.plan.overhead import overhead_payloads
from workloads.images import ImageSetSpec, ImageSize

# The cluster path next to the best local ones, on one size (a cluster pays off per
# task only when the work per task is large; 256x256 shows it without a long run).
DASK_GROUP = ("imwrite", "256x256x3", "smooth", 500, 100)
DASK_LOCAL_PEERS = ("serial", "processes-chunked", "processes-shm")


def plan_dask(opts: PlanOptions, cluster_workers: int | None = None) -> list[Case]:
    """Dask cases: cluster start-up and round trips, then one image set through the
    cluster and through the best local strategies at the same worker count."""
    workers = [cluster_workers] if cluster_workers else (opts.workers or [available_cpus()])
    one_pixel = ImageSetSpec(ImageSize(1, 1, 1), 1, "noise", opts.seed)
    cases = [Case("pool-start", one_pixel, {}, "dask", w) for w in workers]
    # a Dask task costs ~1-3 ms: a few hundred round trips measure it well enough
    payloads = overhead_payloads(opts, limit=300)
    for size, count in (payloads if opts.sizes else payloads[:3]):
        for w in workers:
            cases.append(Case("roundtrip", ImageSetSpec(size, count, "noise", opts.seed), {}, "dask", w))
    strategies = list(DASK_LOCAL_PEERS + DASK_STRATEGIES)
    if opts.explicit_strategies:
        strategies = [s for s in strategies if s in opts.explicit_strategies]
    if opts.sizes or opts.workloads:     # the image sets the user asked for
        return cases + plan_cases(replace(opts, workers=workers, strategies=strategies,
                                          layouts=opts.layouts or ["flat"],
                                          explicit_strategies=(), cv_threads_variant=False))
    workload, size, content, count, quick_count = DASK_GROUP
    count = opts.n_images or (quick_count if opts.quick else count)
    local = PlanOptions(sizes=[ImageSize.parse(size)], contents=[content], n_images=count,
                        workloads=[workload], workers=workers, seed=opts.seed, params=opts.params,
                        layouts=["flat"],
                        start_methods=opts.start_methods, strategies=strategies)
    return cases + plan_cases(local)
