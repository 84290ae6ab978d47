"""How much longer than planned a race's visits take: what a next visit's or
explanation's time is scaled by, so that a run keeps to its budget when the storage or
the CPUs slow down mid-race (a cost the plan gets wrong slows only its own)."""
from __future__ import annotations

import statistics


class Slowdown:
    """How many times longer than planned one configuration's recent visits took (at least
    1): the median of its last WINDOW ratios, so one stall does not decide and a slow
    minute does."""
    WINDOW = 5

    def __init__(self):
        self.ratios: list[float] = []

    def add(self, planned: float, took: float) -> None:
        if planned > 0:
            self.ratios = (self.ratios + [took / planned])[-self.WINDOW:]

    def factor(self) -> float:
        return max(1.0, statistics.median(self.ratios)) if self.ratios else 1.0

    def last(self) -> float:
        """The last visit's ratio alone: what keeps the run inside its budget when the
        storage has just turned slow (the median needs a few visits to follow)."""
        return max(1.0, self.ratios[-1]) if self.ratios else 1.0


class Slowdowns:
    """Each configuration's own Slowdown; one not visited yet (or an explanation of one)
    takes the median of every configuration's latest ratio - one vote each, so a few
    configurations whose cost the plan misjudges do not scale all the others."""

    def __init__(self):
        self.by_name: dict[str, Slowdown] = {}
        # the serial pass beside every visit is the same work each time: its time over the
        # pilot's is a slowdown every configuration feels before its own slow visit
        self.serial = Slowdown()

    def add(self, name: str, planned: float, took: float) -> None:
        if planned > 0:         # so every Slowdown here has a ratio
            self.by_name.setdefault(name, Slowdown()).add(planned, took)

    def factor(self, name: str | None = None) -> float:
        own = self.by_name.get(name)
        typical = statistics.median([s.last() for s in self.by_name.values()] or [1.0])
        return max(own.factor() if own else typical, self.serial.factor())

    def last(self, name: str | None = None) -> float:
        """What the hard deadline is checked with: the configuration's own last ratio, or
        (not visited yet) the largest latest ratio of any."""
        own = self.by_name.get(name)
        largest = max((s.last() for s in self.by_name.values()), default=1.0)
        return max(own.last() if own else largest, self.serial.last())
