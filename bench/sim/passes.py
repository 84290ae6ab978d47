"""How long a simulated pass takes: the machine's truth, then its noise, drift and stalls
(docs/sim.md, "What the model does"). One seeded numpy Generator per model: the same seed
and the same calls in the same order give the same seconds.
"""
from __future__ import annotations

import bisect
import math

import numpy as np

from bench.sim.machine import Machine, argument, is_number


def lognormal_sigma(cv: float) -> float:
    """The log-space spread of a lognormal whose coefficient of variation is ``cv``."""
    return math.sqrt(math.log1p(cv * cv))


class PassModel:
    def __init__(self, machine: Machine, seed: int):
        self.machine = machine
        self.rng = np.random.default_rng(seed)
        self._noise_sigma = lognormal_sigma(machine.noise_cv)
        # the walk's variance per second (its spread over a minute is the machine's figure)
        self._drift_var_per_s = lognormal_sigma(machine.drift_cv_per_min) ** 2 / 60.0
        # the walk as drawn so far: log speed at sorted times, starting at 1x at time 0
        self._walk_t = [0.0]
        self._walk_log = [0.0]

    def speed(self, sim_time_s: float) -> float:
        """The machine's speed at ``sim_time_s`` relative to time 0 (1.0 = as fast).

        The walk is drawn where it is first asked: past its ends it steps on from the
        nearest point drawn, between two points it is a Brownian bridge between them, so the
        same time always reads the same speed, whatever order the times are asked in."""
        t = float(argument(is_number(sim_time_s), sim_time_s, "sim_time_s", "a number"))
        if self._drift_var_per_s == 0:
            return 1.0
        ts, logs = self._walk_t, self._walk_log
        i = bisect.bisect_left(ts, t)
        if i < len(ts) and ts[i] == t:
            return math.exp(logs[i])
        if i == 0 or i == len(ts):
            near = 0 if i == 0 else len(ts) - 1
            mean, var = logs[near], self._drift_var_per_s * abs(t - ts[near])
        else:
            t0, t1 = ts[i - 1], ts[i]
            share = (t - t0) / (t1 - t0)
            mean = logs[i - 1] + share * (logs[i] - logs[i - 1])
            var = self._drift_var_per_s * (t - t0) * (t1 - t) / (t1 - t0)
        value = float(self.rng.normal(mean, math.sqrt(var)))
        ts.insert(i, t)
        logs.insert(i, value)
        return math.exp(value)

    def pass_s(self, strategy: str, workers: int, n_images: int, sim_time_s: float,
               group: str | None = None) -> float:
        """Seconds one timed pass of ``n_images`` by ``strategy`` at ``workers`` takes when it
        starts at ``sim_time_s`` (seconds since the simulation began)."""
        n = int(argument(is_number(n_images) and float(n_images).is_integer() and n_images >= 0,
                         n_images, "n_images", "a whole number >= 0"))
        seconds = n * self.machine.serial_s_per_image(group) / self.machine.true_speedup(
            strategy, workers)
        seconds /= self.speed(sim_time_s)
        if self._noise_sigma > 0:
            seconds *= math.exp(self.rng.normal(0.0, self._noise_sigma))
        if self.machine.stall_p > 0 and self.rng.random() < self.machine.stall_p:
            seconds *= self.machine.stall_factor
        return seconds
