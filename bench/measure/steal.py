"""CPU time the hypervisor gave to other guests (``steal`` in /proc/stat), over a span:
a pass timed while a vCPU was taken away measures the neighbours, so its share tells
such a reading apart, to be taken again. None elsewhere than Linux.
"""
from __future__ import annotations

PROC_STAT = "/proc/stat"
# user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is
# already counted in user, so the total is the first eight fields
STEAL_FIELD = 7
# a pass during which more of the CPU time than this was stolen is taken again
STEAL_LIMIT = 0.10


def _ticks(path: str) -> list[int] | None:
    try:
        with open(path) as fh:
            first = fh.readline().split()
        if not first or first[0] != "cpu" or len(first) < STEAL_FIELD + 2:
            return None
        return [int(x) for x in first[1:STEAL_FIELD + 2]]
    except (OSError, ValueError):
        return None


def cpu_times(path: str = PROC_STAT) -> tuple[int, int] | None:
    """(stolen, total) clock ticks of all CPUs since boot, or None where not readable."""
    ticks = _ticks(path)
    return None if ticks is None else (ticks[STEAL_FIELD], sum(ticks))


def busy_ticks(path: str = PROC_STAT) -> int | None:
    """All CPUs' busy ticks since boot: user nice system irq softirq (not idle, iowait, steal)."""
    t = _ticks(path)
    return None if t is None else t[0] + t[1] + t[2] + t[5] + t[6]


class StealMeter:
    """``with StealMeter() as m: ...`` then ``m.share``: stolen / total CPU time inside."""

    def __init__(self, read=cpu_times):
        self._read = read
        self._start = None
        self.share: float | None = None

    def __enter__(self) -> "StealMeter":
        self._start = self._read()
        return self

    def __exit__(self, *exc) -> None:
        end = self._read()
        if self._start is None or end is None:
            return
        stolen, total = end[0] - self._start[0], end[1] - self._start[1]
        # a span shorter than a clock tick has no ticks at all: nothing seen, nothing stolen
        self.share = stolen / total if total > 0 else 0.0
