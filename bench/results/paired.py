"""The paired speedup, one definition for every path that writes ``paired_speedup``: the
median of each pool pass's ratio to the serial pass timed next to it (seconds apart, so a
disk or CPU drifting from minute to minute slows both alike) - not the median serial pass
over the median pool pass, which sets passes of different minutes against each other.
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
