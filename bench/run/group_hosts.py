"""A group's case processes, as the race sees them: one for everything, or (a workload
with a model) one more for the pools that fork; which one runs a configuration, starting
a fresh one after a death, starting every pool before any works, closing them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from bench.run.host import CommandFailed, Host, HostDied
from bench.strategies import STRATEGIES

if TYPE_CHECKING:                      # annotations only
    from bench.plan.race import GroupPlan


class GroupHosts:
    """A group's case processes: one for everything, or (a workload with a model) one
    more for the pools that fork, which must never share a process with a model.

    ``start_host(setup)`` starts a case process and returns it; ``forget_host(host)`` is
    told of each one stopped. Both come from whoever keeps every process of the run (the
    race, which kills what is left at its end), so this module never imports the race.
    """

    def __init__(self, start_host: Callable[[dict], Host], forget_host: Callable[[Host], None],
                 spec: dict, plan: GroupPlan):
        self.start_host, self.forget_host = start_host, forget_host
        self.spec, self.plan = spec, plan
        self.split = plan.has_model and any(self._forks(c) for c in plan.entrants)
        self.main = start_host({"spec": spec})
        self.fork = start_host({"spec": spec}) if self.split else None

    @staticmethod
    def _forks(case) -> bool:
        return STRATEGIES[case.strategy].forks_host(case.start_method)

    def serial_host(self) -> Host:
        return self.main

    def for_case(self, case) -> Host:
        return self.fork if self.split and self._forks(case) else self.main

    def restart_after(self, case) -> None:
        """The process that ran ``case`` died: start a fresh one for the others."""
        old = self.for_case(case)
        old.kill()
        fresh = self.start_host({"spec": self.spec})
        if old is self.main:
            self.main = fresh
        else:
            self.fork = fresh

    def prestart(self, cases) -> None:
        """Every pool started before any works (bench.measure.visits.GroupHost.prestart);
        a pool that fails to start is left to its first visit, which records the failure."""
        for host in (self.main, self.fork):
            if host is None:
                continue
            mine = [c.as_dict() for c in cases if self.for_case(c) is host]
            if mine:
                try:
                    host.call("prestart", 120 + 10 * len(mine), cases=mine)
                except CommandFailed:
                    pass
                except HostDied:
                    fresh = self.start_host({"spec": self.spec})
                    if host is self.main:
                        self.main = fresh
                    else:
                        self.fork = fresh

    def close_all(self) -> dict:
        closed = {}
        for host in (self.main, self.fork):
            if host is not None and host.alive():
                try:
                    closed.update(host.call("close_all", 120)["seconds"])
                except (CommandFailed, HostDied):
                    pass
        return closed

    def stop(self) -> None:
        for host in (self.main, self.fork):
            if host is not None:
                host.stop()
                self.forget_host(host)
