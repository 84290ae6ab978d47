"""What a running race shows: elapsed time and an ETA, group by group, round by round; on
a terminal one status line rewritten twice a second, elsewhere (a log, CI) a line per
round. The ETA: the run's expected end (each group's share of the budget, the estimate
of what is left, the closing summary and charts) less now.
"""
from __future__ import annotations

import math
import statistics
import sys
import threading
import time

from bench.plan.budget import END_S, format_duration

TICK_S = 0.5


def clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    def __init__(self, plan, started: float, stream=None, tty: bool | None = None):
        self.plan = plan
        self.started = started
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.expected_end = started + (min(plan.estimate_s, plan.budget_s) if plan.policy.within_budget
                                       else plan.estimate_s)
        self.status = ""
        self.group_index = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="bench-progress", daemon=True)
        if self.tty:
            self._thread.start()

    # -- what the race reports --------------------------------------------------------------
    def phase(self, name: str, count: int) -> None:
        self._line(f"{name}: {count} probes")

    def group(self, key: str, configs: int, share_end: float) -> None:
        self.group_index += 1
        if share_end == math.inf:          # measured in full: this group's estimate
            share_end = time.perf_counter() + self.plan.groups[self.group_index - 1].estimate()
        self._end_after(share_end)
        self.status = f"[{self.group_index}/{len(self.plan.groups)}] {key}: {configs} configurations"
        self._line(self.status)

    def note(self, text: str) -> None:      # about the group being raced
        self._line(text)

    def step(self, name: str, seconds: float | None) -> None:
        if self.tty:
            self._redraw()

    def round(self, state) -> None:
        racing = state.racing()
        lead = max(racing, key=lambda c: _median(c.ratios()), default=None)
        text = (f"  round {state.rounds}: {len(racing)} of {len(state.configs)} still racing"
                + (f"; leading: {_short(lead.name)} {_median(lead.ratios()):.2f}x the serial loop"
                   if lead is not None and lead.ratios() else ""))
        self.status = f"[{self.group_index}/{len(self.plan.groups)}] {state.key} round {state.rounds}"
        self._line(text + f"  ({self._times()})")

    def group_done(self, key: str, state) -> None:
        self._end_after(time.perf_counter())
        outcome = {"tie": "a tie", "winner": "one left", "budget": "its share of the budget spent",
                   "rounds": "the most rounds", "none left": "none left",
                   "in full": "every configuration's visits"}.get(state.outcome, state.outcome)
        self._line(f"  {key}: {state.rounds} rounds in {format_duration(state.duration_s)}, "
                   f"ended by {outcome}")

    def close(self) -> None:
        self._stop.set()
        if self.tty:
            self._thread.join()
            with self._lock:
                self.stream.write("\r\033[K")
                self.stream.flush()

    def _end_after(self, group_end: float) -> None:
        """The run's expected end: the groups not started yet, then the closing summary."""
        self.expected_end = group_end + sum(g.estimate() for g in self.plan.groups[self.group_index:]) + END_S

    # -- drawing ------------------------------------------------------------------------------
    def _times(self) -> str:
        now = time.perf_counter()
        return (f"elapsed {clock(now - self.started)}, "
                f"ETA {clock(max(0.0, self.expected_end - now))}")

    def _line(self, text: str) -> None:
        with self._lock:
            if self.tty:
                self.stream.write("\r\033[K")
            self.stream.write(text + "\n")
            self.stream.flush()
        if self.tty:
            self._redraw()

    def _redraw(self) -> None:
        with self._lock:
            self.stream.write(f"\r\033[K{self.status} · {self._times()}")
            self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(TICK_S):
            self._redraw()


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _short(name: str) -> str:
    """The configuration part of a case name: strategy/wN[/cC][/method]..."""
    return "/".join(name.split("/")[3:])
