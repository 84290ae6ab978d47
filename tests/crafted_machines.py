"""Results files of machines that differ: CPUs, capacity, memory, image counts, and the
two formats bench writes (one run per case, or a budgeted race with one run per visit).

Throughputs are given in images per second, so which pick, ratio and significance a
comparison finds is decided here, not by the machine the tests run on.
"""
from __future__ import annotations

from crafted import GiB, MACHINE, bench_for, case, values_around
from bench.results import ResultsFile, race_benchmark


def machine(cpus: int, capacity: float, host: str = "box", mem_available: int = 12 * GiB) -> dict:
    return dict(MACHINE, hostname=host, bench_available_cpus=cpus, bench_logical_cpus=cpus,
                bench_parallel_capacity=capacity, bench_mem_available=mem_available)


def write(path, benches, m: dict, capacity: float, readings=None, race: dict | None = None,
          started="2026-11-22T10:00:00+00:00", repeats=None) -> str:
    run = {"started": started, "command": "python -m bench all", "machine": m,
           "capacity": {"capacity": capacity, "processes": m["bench_available_cpus"],
                        **({"readings": readings} if readings else {}),
                        **({"repeats": repeats} if repeats else {})},
           "settings": {"values": 5}}
    if race is not None:
        run.update(mode="race", race=race)
    rf = ResultsFile(str(path), run=run)
    for b in benches:
        rf.add(b)
    rf.save()
    return str(path)


def exhaustive(path, rates: dict, cpus=2, capacity=1.9, count=100, host="small", spread=0.01,
               n=5, mem=None, size=(64, 64, 3), meta=None, repeats=None, **kw) -> str:
    """rates: {strategy: {workers: img/s}} ('serial': {1: img/s}); one run per case;
    ``meta``: metadata every case carries (where the outputs went, say)."""
    benches = []
    for strategy, by_workers in rates.items():
        for w, rate in by_workers.items():
            chunk = -(-count // w) if strategy.endswith("-chunked") else None
            extra = dict(mem or {}) if strategy.startswith("processes") else {}
            benches.append(bench_for(case(strategy, w, chunk, count=count, size=size), rate,
                                     spread, n=n, **extra, **(meta or {})))
    return write(path, benches, machine(cpus, capacity, host, **kw), capacity, repeats=repeats)


def raced(path, speedups: dict, serial_rate: float, cpus=8, capacity=7.5, count=400,
          host="big", visits=4, spread=0.01, outcome="winner", readings=None, probes=(),
          rounds: dict | None = None) -> str:
    """speedups: {(strategy, workers): paired speedup}; one run per visit, a serial pass
    paired with each, as a budgeted run writes them; ``probes``: overhead benchmarks the
    run wrote too; ``rounds``: {(strategy, workers): the round of each of its visits}
    where it is not one visit in each of rounds 1 .. ``visits``."""
    m = machine(cpus, capacity, host)
    serial_case = case("serial", count=count)
    benches, serial_runs = [], []
    for (strategy, w), sp in speedups.items():
        chunk = -(-count // w) if strategy.endswith("-chunked") else None
        c = case(strategy, w, chunk, count=count)
        its_rounds = (rounds or {}).get((strategy, w)) or list(range(1, visits + 1))
        serial_s = values_around(serial_rate, spread, len(its_rounds))   # seconds per image
        # each pool pass against another serial pass than its own: speedups that vary by
        # about the spread, as measured ones do
        pool_s = [s / sp for s in reversed(serial_s)]
        vs = [{"round": r, "pool_s": p * count, "serial_per_image_s": s,
               "date": "2026-11-22T10:00:00+00:00"} for r, p, s in zip(its_rounds, pool_s, serial_s)]
        serial_runs += vs
        figures = {"paired_speedup": sp, "race_status": "racing", "verified": "yes",
                   "paired_serial_passes_s": " ".join(repr(s * count) for s in serial_s),
                   "race_visits": len(its_rounds)}
        benches.append(race_benchmark(c, vs, figures, m))
    serial_visits = [{"round": v["round"], "pool_s": v["serial_per_image_s"] * count,
                      "serial_per_image_s": v["serial_per_image_s"], "date": v["date"]}
                     for v in serial_runs]
    benches.insert(0, race_benchmark(serial_case, serial_visits,
                                     {"race_status": "reference", "verified": "yes"}, m))
    benches += list(probes)
    group = serial_case.group
    race = {group: {"status": "done", "outcome": outcome, "rounds": visits}}
    return write(path, benches, m, capacity, readings=readings, race=race)
