"""The time a run may take, and what the steps of a group's race are expected to cost.
Deliberately simple: the pilot pass measures the real figure."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

QUICK_BUDGET_S = 90.0          # --quick: a first look, the libraries' defaults in every group included
DEFAULT_BUDGET_S = 540.0       # bench all: a thorough run
OVERRUN = 0.10                 # a run never ends more than this share past its budget

# fixed parts of a run (seconds)
RUN_START_S = 1.5              # machine facts
CAPACITY_S = 2.5               # the parallel-capacity probe
END_S = 5.0                    # summary, recommendation, charts
HOST_START_S = 0.8             # a case process: interpreter, numpy, OpenCV
MODEL_IMPORT_S = 2.0           # mediapipe in a case process (pose)
VISIT_OVERHEAD_S = 0.004       # two commands to case processes and their replies

# rounds each configuration should get, at least (elimination needs two visits, a tie more)
MIN_ROUNDS = {"quick": 3, "full": 5}
# visits a configuration needs before a race calls it tied (bench.analysis.racing)
VISITS_TO_JUDGE = 3
SURVIVING = (1.0, 1.0, 0.6, 0.4, 0.35, 0.3, 0.3, 0.3)

# pool start: a fixed part and a part per worker, by start method (measured on a
# 2-core VM: fork ~8 ms for 2 workers, spawn ~190 ms, forkserver ~150 ms)
POOL_START_S = {"threads": (0.001, 0.0002), "fork": (0.006, 0.003),
                "spawn": (0.12, 0.045), "forkserver": (0.12, 0.035), "dask": (0.7, 0.15)}
# what one task costs the parent beyond its work: a process pool pickles and pipes
TASK_OVERHEAD_S = {"serial": 0.0, "threads": 0.000015, "processes": 0.00015, "dask": 0.002}

_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*$")


def parse_duration(text: str) -> float:
    """Seconds from ``90``, ``90s``, ``3m``, ``1m30s``, ``1h``; ValueError otherwise."""
    m = _DURATION.match(text.lower())
    if not m or not any(m.groups()):
        raise ValueError(f"{text!r} is not a duration such as 90s, 3m or 1h")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if not 0 < total <= 7 * 24 * 3600:
        raise ValueError(f"{text!r}: a budget must be more than 0 and at most a week")
    return total


def format_duration(seconds: float) -> str:
    """'1 min 25 s', '48 s', '2 h 05 min'."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        m, s = divmod(int(round(seconds)), 60)
        return f"{m} min {s:02d} s"
    h, m = divmod(int(round(seconds / 60)), 60)
    return f"{h} h {m:02d} min"


# JPEG encoding per image, measured on a 2-core VM: a fixed part, and per byte of
# pixels - noise (nothing to predict) costs about twice what photo-like content does
ENCODE_FIXED_S = 40e-6
ENCODE_PER_BYTE_S = {"noise": 5e-9, "smooth": 2e-9, "person": 2e-9}


def seconds_per_image(workload: str, size, content: str, params: dict) -> float:
    """What one image is expected to cost the serial loop (a plan's first guess; the
    pilot pass measures the real figure)."""
    from workloads.registry import workload_class

    hook = workload_class(workload).expected_seconds_per_image
    if hook is not None:
        return float(hook(size, params))
    seconds = ENCODE_FIXED_S + ENCODE_PER_BYTE_S.get(content, 5e-9) * size.nbytes
    if params.get("name") == "png":
        seconds *= 1 + int(params.get("png_level", 3))
    return seconds


# making an image set: per byte, and per image for content drawn image by image
GENERATE_S = {"noise": (1e-9, 0.0), "smooth": (3e-9, 2e-5), "person": (2e-9, 1e-3)}


def generate_s(content: str, count: int, image_bytes: int) -> float:
    per_byte, per_image = GENERATE_S.get(content, GENERATE_S["smooth"])
    return count * (image_bytes * per_byte + per_image)


def pool_start_s(case) -> float:
    # joblib's loky workers are fresh interpreters whatever the start method says
    method = "spawn" if case.strategy.startswith("joblib") and case.family == "processes" \
        else case.start_method
    key = case.family if case.family in ("threads", "dask") else (method or "fork")
    fixed, per_worker = POOL_START_S.get(key, POOL_START_S["spawn"])
    return fixed + per_worker * case.workers


@dataclass(frozen=True)
class Costs:
    """Expected seconds of the parts of one group's race."""
    seconds_per_image: float     # serial
    count: int                   # images per pass
    serial_slice: int            # images of the paired serial pass
    usable: int                  # CPUs
    worker_setup_s: float = 0.0  # per worker (a model load), paid at pool start

    def __post_init__(self):
        # a plan prices the same configurations over and over. Not a field: eq, hash and
        # repr stay those of the figures above
        object.__setattr__(self, "_memo", {})

    def _memoised(self, key: tuple, compute) -> float:
        value = self._memo.get(key)
        if value is None:
            value = self._memo[key] = compute()
        return value

    @property
    def serial_pass(self) -> float:
        return self.serial_slice * self.seconds_per_image

    def pool_pass(self, case) -> float:
        """One pass of ``case``'s pool: the work spread over the CPUs it can use, plus
        what each task costs the parent."""
        return self._memoised(("pass", case.strategy, case.workers, case.chunk_size),
                              lambda: self._pool_pass(case))

    def _pool_pass(self, case) -> float:
        if case.family == "serial":
            return self.count * self.seconds_per_image
        parallel = max(1, min(case.workers, self.usable))
        tasks = self.count if case.chunk_size is None else math.ceil(self.count / case.chunk_size)
        per_task = TASK_OVERHEAD_S.get(case.family, 0.0)
        work = self.count * self.seconds_per_image / parallel
        if case.strategy == "processes-model-per-image":
            work *= 6          # a model built per image costs several inferences
        return max(work, tasks * per_task) + tasks * per_task * 0.2

    def first_visit(self, case) -> float:
        """Pool start and the untimed warm-up pass that makes it warm."""
        key = ("first", case.strategy, case.workers, case.chunk_size, case.start_method)
        return self._memoised(key, lambda: self._first_visit(case))

    def _first_visit(self, case) -> float:
        if case.family == "serial":
            return 0.0
        setup = self.worker_setup_s * (1 if case.family == "threads" else 1.5)
        return pool_start_s(case) + setup + self.pool_pass(case)

    def visit(self, case) -> float:
        return self.serial_pass + self.pool_pass(case) + VISIT_OVERHEAD_S

    def explain(self, case) -> float:
        """Cold pass and decomposition round on fresh pools, a sampled warm pass."""
        if case.family == "serial":
            return 0.0
        return 2 * self.first_visit(case) + 4 * self.pool_pass(case)


def survivors(first: int, stop: int) -> float:
    """The shares of configurations still racing that SURVIVING expects, summed over rounds
    ``first`` to ``stop - 1``."""
    return sum(SURVIVING[min(r, len(SURVIVING) - 1)] for r in range(first, stop))


def race_estimate(costs: Costs, entrants, rounds: int, surviving: bool = True) -> float:
    """Seconds of the race itself: every first visit, then ``rounds`` rounds (all of the
    configurations every round when none is put out)."""
    pools = [c for c in entrants if c.family != "serial"]
    first = sum(costs.first_visit(c) for c in pools)
    per_round = sum(costs.visit(c) for c in pools)
    return first + per_round * (survivors(0, rounds) if surviving else rounds)
