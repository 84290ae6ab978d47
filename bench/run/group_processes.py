"""A group's case processes, as the race sees them."""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Callable

from bench.run.case_process import CaseError, CaseProcess, CommandFailed, ProcessDied
from bench.strategies import STRATEGIES

if TYPE_CHECKING:                      # annotations only
    from bench.plan.planner import GroupPlan


class GroupProcesses:
    """One case process for everything, or (a workload with a model) one more for the pools
    that fork, which must never share a process with a model. ``start_process(setup)`` and
    ``forget_process(proc)`` come from the race, which kills what is left at its end."""

    def __init__(self, start_process: Callable[[dict], CaseProcess], forget_process: Callable[[CaseProcess], None],
                 spec: dict, plan: GroupPlan):
        self.start_process, self.forget_process = start_process, forget_process
        self.spec = spec
        self.split = plan.has_model and any(self._forks(c) for c in plan.entrants)
        self.serial = start_process({"spec": spec})      # times the serial loop; holds a model
        self.fork = start_process({"spec": spec}) if self.split else None

    @staticmethod
    def _forks(case) -> bool:
        return STRATEGIES[case.strategy].forks_process(case.start_method)

    def for_case(self, case) -> CaseProcess:
        return self.fork if self.split and self._forks(case) else self.serial

    def after_failure(self, exc: Exception) -> None:
        """A command failed: each process that died, a fresh one for the others. Not only
        the case's own: a visit of a forking pool also times the serial loop, and a serial
        pass that hangs kills the serial process, not the fork."""
        if isinstance(exc, ProcessDied):
            for proc in (self.serial, self.fork):
                if proc is not None and not proc.answering():
                    self._replace(proc)

    def _replace(self, old: CaseProcess) -> None:
        old.kill()      # mostly dead already (a call kills a process before ProcessDied)
        self.forget_process(old)
        fresh = self.start_process({"spec": self.spec})
        if old is self.serial:
            self.serial = fresh
        else:
            self.fork = fresh

    def prestart(self, cases) -> None:
        """Every pool started before any works (bench.measure.visits.GroupWork.prestart);
        a pool that fails to start is left to its first visit, which records the failure."""
        for proc in (self.serial, self.fork):
            mine = [c for c in cases if self.for_case(c) is proc]     # none for an absent fork
            if mine:
                try:
                    proc.prestart(mine, 120 + 10 * len(mine))
                except CommandFailed:
                    pass
                except ProcessDied as exc:
                    self.after_failure(exc)

    def close_all(self) -> dict:
        closed = {}
        for proc in (self.serial, self.fork):
            if proc is not None and proc.alive():
                with contextlib.suppress(CaseError):
                    closed.update(proc.close_all(120)["seconds"])
        return closed

    def stop(self) -> None:
        for proc in (self.serial, self.fork):
            if proc is not None:
                proc.stop()
                self.forget_process(proc)
