"""The paired speedup: one definition for every path that writes ``paired_speedup``.

A pool pass and the serial pass timed next to it (seconds apart) share the machine's
state of that moment: a disk or CPU that drifts from minute to minute slows both alike.
So each pair gives its own ratio, and the speedup is the median of those ratios - not
the median of the serial passes over the median of the pool passes, which mixes passes
timed in different minutes (a slow minute's serial pass set against a fast minute's
pool pass) and reads another number from the same passes.
"""
from __future__ import annotations

import statistics
from typing import Sequence


def paired_ratios(serial: Sequence[float], pool: Sequence[float]) -> list[float]:
    """Per pair, the serial pass over the pool pass timed next to it (both in the same
    unit: seconds per pass over the same images, or seconds per image); a pool pass that
    read no time (a clock too coarse) gives no ratio."""
    if len(serial) != len(pool):
        raise ValueError(f"{len(serial)} serial passes for {len(pool)} pool passes: "
                         "each pool pass needs the serial pass timed next to it")
    return [s / p for s, p in zip(serial, pool) if p > 0]


def paired_speedup(serial: Sequence[float], pool: Sequence[float]) -> float | None:
    """The median of the per-pair ratios (None without a pair to take one from)."""
    ratios = paired_ratios(serial, pool)
    return statistics.median(ratios) if ratios else None
