"""The overhead probes' plan: pool start-up per start method and worker count, the no-op
round trip per payload, and pickling per image size; joblib's and mpire's next to the
pools they stand in for; a Dask cluster's start-up and round trips (``bench dask``)."""
from __future__ import annotations

from dataclasses import replace

from bench.model.case import Case
from bench.plan.configurations import PlanOptions, default_count, worker_sweep
from bench.strategies import START_METHODS, STRATEGIES, default_start_method, libraries
from workloads.images import ImageSetSpec, ImageSize

# payload size, images per pass (full), images per pass (quick or None to skip)
OVERHEAD_PAYLOADS = (
    ("1x1x1", 2000, 1000),          # as good as no payload: a 1-pixel array
    ("50x50x1", 2000, 1000),
    ("256x256x3", 500, 200),
    ("640x480x3", 200, None),
    ("1920x1080x3", 40, None),
)


# what users reach for instead, with the libraries' defaults
LIBRARY_PROBES = ("joblib", "joblib-threads", "mpire")


def _library_cases(workload: str, spec: ImageSetSpec, workers: int) -> list[Case]:
    return [Case(workload, spec, {}, name, workers, None,
                 default_start_method() if STRATEGIES[name].family == "processes" else None)
            for name in libraries.installed(list(LIBRARY_PROBES))]


def overhead_payloads(opts: PlanOptions, limit: int | None = None) -> list[tuple[ImageSize, int]]:
    """(payload size, tasks per pass) for round trips and pickling: the default sizes, or
    the user's sizes after the 1-pixel no-payload probe."""
    if opts.sizes:
        pairs = [(ImageSize(1, 1, 1), 1000)] + [(s, default_count(s, opts.quick)) for s in opts.sizes]
    else:
        pairs = [(ImageSize.parse(size), quick if opts.quick else full)
                 for size, full, quick in OVERHEAD_PAYLOADS if not (opts.quick and quick is None)]
    return [(size, opts.n_images or (min(count, limit) if limit else count)) for size, count in pairs]


def plan_overhead(opts: PlanOptions, cpus: int) -> list[Case]:
    """``bench overhead``: every probe, pool start-up over the worker sweep up to twice
    the usable ``cpus``."""
    workers = opts.workers or ([cpus] if opts.quick else worker_sweep(cpus))
    methods = opts.start_methods or [m for m in ("fork", "spawn", "forkserver") if m in START_METHODS]
    one_pixel = ImageSetSpec(ImageSize(1, 1, 1), 1, "noise", opts.seed)
    cases = []
    for w in workers:
        cases.append(Case("pool-start", one_pixel, {}, "threads", w))
        cases.extend(Case("pool-start", one_pixel, {}, "processes", w, None, m) for m in methods)
        cases.extend(_library_cases("pool-start", one_pixel, w))
    specs = [ImageSetSpec(size, count, "noise", opts.seed) for size, count in overhead_payloads(opts)]
    for spec in specs:
        cases.append(Case("roundtrip", spec, {}, "threads", cpus))
        cases.append(Case("roundtrip", spec, {}, "processes", cpus, None, default_start_method()))
        cases.extend(_library_cases("roundtrip", spec, cpus))
    return cases + [Case("pickle", spec, {}, "serial") for spec in specs if spec.size.nbytes > 1]


def plan_overhead_race(opts: PlanOptions, usable: int) -> list[Case]:
    """The probes of a budgeted run: pool start at the usable CPUs (and twice that in a
    full run) per start method, the round trip and pickling per payload."""
    workers = opts.workers or ([usable] if opts.quick else [usable, 2 * usable])
    return plan_overhead(replace(opts, workers=workers), usable)


def dask_probes(opts: PlanOptions, workers: int) -> list[Case]:
    """A Dask cluster's start-up, and its round trip on the first payloads (a few hundred:
    a Dask task costs ~1-3 ms)."""
    one_pixel = ImageSetSpec(ImageSize(1, 1, 1), 1, "noise", opts.seed)
    payloads = overhead_payloads(opts, limit=300)
    return [Case("pool-start", one_pixel, {}, "dask", workers)] + [
        Case("roundtrip", ImageSetSpec(size, count, "noise", opts.seed), {}, "dask", workers)
        for size, count in (payloads if opts.sizes else payloads[:3])]
