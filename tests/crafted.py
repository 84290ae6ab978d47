"""Results files with known answers, built the way bench writes them.

Throughputs are given in images per second; each case gets values spread by a known
relative amount around it, so which case is best, which differences are significant
and what fits in memory are all decided by the test, not by the machine.
"""
from __future__ import annotations

import pyperf

from bench.plan.configurations import Case
from bench.results import ResultsFile, case_benchmark
from workloads.images import ImageSetSpec, ImageSize

GiB = 2**30
MACHINE = {"hostname": "testbox", "bench_cpu_model": "Test CPU 9000", "bench_available_cpus": 4,
           "bench_logical_cpus": 4, "bench_physical_cores": 4, "bench_mem_total": 16 * GiB,
           "bench_mem_available": 12 * GiB, "bench_default_start_method": "fork",
           "bench_parallel_capacity": 3.8, "bench_python": "3.11.7"}


def values_around(rate: float, spread: float, n: int = 5) -> list[float]:
    """n seconds-per-image values whose mean is 1/rate and whose relative deviation is
    about ``spread`` (symmetric, so the median is exactly 1/rate)."""
    base = 1.0 / rate
    offsets = [(-1 + 2 * i / (n - 1)) for i in range(n)] if n > 1 else [0.0]
    return [base * (1 + spread * o) for o in offsets]


def case(strategy="serial", workers=1, chunk=None, method=None, workload="imwrite",
         size=(64, 64, 3), count=100, content="smooth") -> Case:
    family_method = method if method is not None else ("fork" if strategy.startswith("processes") else None)
    # chunk sizes here follow the worker count, as the planner's "auto" does
    return Case(workload, ImageSetSpec(ImageSize(*size), count, content, 0), {}, strategy, workers,
                chunk, family_method, chunk_rule="auto" if chunk is not None else None)


def bench_for(c: Case, rate: float, spread: float = 0.01, n: int = 5, **meta) -> pyperf.Benchmark:
    """A benchmark exactly as the runner writes it (values per pass, divided per image)."""
    count = c.images.count
    per_pass = [v * count for v in values_around(rate, spread, n)]
    result = {"values_s": per_pass, "warmups_s": [per_pass[0]], "date": "2026-11-22T10:00:00+00:00",
              "duration_s": 1.0,
              "metadata": dict({"cold_total_s": count / rate * 1.2, "cold_per_image_s": 1.2 / rate,
                                "first_result_s": 0.01, "verified": "yes"}, **meta)}
    return case_benchmark(c, result, dict(MACHINE))


def raw_bench(name: str, values: list[float], **meta) -> pyperf.Benchmark:
    """A benchmark for workloads the registry may not know yet (pose, pool-start, ...)."""
    metadata = dict(MACHINE, name=name, unit="second", loops=1, **meta)
    run = pyperf.Run(values, metadata=metadata, collect_metadata=False)
    return pyperf.Benchmark([run])


def results_file(path: str, benches, mem_available: int | None = 12 * GiB,
                 capacity: float = 3.8, failed=()) -> str:
    machine = dict(MACHINE)
    if mem_available is None:
        machine.pop("bench_mem_available")
    else:
        machine["bench_mem_available"] = mem_available
    rf = ResultsFile(str(path), run={"started": "2026-11-22T10:00:00+00:00", "command": "python -m bench all",
                                     "machine": machine,
                                     "capacity": {"capacity": capacity, "processes": 4},
                                     "settings": {"values": 5}})
    for b in benches:
        rf.add(b)
    for name, reason in failed:
        rf.add_failure(name, {}, reason, "2026-11-22")
    rf.save()
    return str(path)


def sweep(strategy: str, rates: dict, spread: float = 0.01, chunked: bool = False, **meta) -> list:
    """One configuration at several worker counts: {workers: img/s}."""
    out = []
    for w, rate in rates.items():
        chunk = (100 + w - 1) // w if chunked else None
        extra = meta.get(w, meta.get("all", {}))
        out.append(bench_for(case(strategy, w, chunk), rate, spread, **extra))
    return out


def known_best(path) -> str:
    """Serial 1,000 img/s; processes-chunked peaks at 4 workers (2,000, significantly
    above 2 workers' 1,920, which is within 5%); threads flat."""
    benches = [bench_for(case("serial"), 1000)]
    benches += sweep("threads", {1: 950, 2: 1100, 4: 1050})
    benches += sweep("processes-chunked", {1: 900, 2: 1920, 4: 2000, 8: 1700}, chunked=True)
    return results_file(path, benches)
