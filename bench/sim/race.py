"""The real planner and race on a simulated machine (docs/sim.md): only the case processes
(:class:`SimProcess`, passes drawn by bench.sim.passes) and the clock (:class:`SimClock`)
are replaced; every decision is bench's own code.
"""
from __future__ import annotations

import functools
import math
import statistics
import tempfile
from dataclasses import asdict, dataclass, field

from bench.model.settings import RunSettings
from bench.plan import budget as bud
from bench.results import ResultsFile
from bench.run.race import Race
from bench.sim.machine import Machine
from bench.sim.passes import PassModel
from workloads.images import ImageSetSpec

# how near the true best a configuration put out may be before its elimination counts as
# a wrong one (the 2%)
SAME_SPEED = 0.02


class SimClock:
    """Simulated seconds since the run started."""

    def __init__(self, start: float = 0.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


class SimProcess:
    """A case process on the simulated machine: the commands of
    bench.run.case_process.CaseProcess, each answered from the pass model and taking its
    simulated time on the clock."""

    def __init__(self, setup: dict, model: PassModel, clock: SimClock):
        self.model, self.clock = model, clock
        spec = setup.get("spec") or {}
        self.images = ImageSetSpec.from_dict(spec["images"]) if spec.get("images") else None
        self.group = (f"{spec['workload']} {self.images.size.label} {self.images.content}"
                      if self.images else None)
        self.serial_slice = int(spec.get("serial_slice") or (self.images.count if self.images else 0))
        self.live: set[str] = set()

    def start(self, timeout: float) -> dict:
        self.clock.advance(bud.HOST_START_S)
        return {"ok": True, "generate_s": 0.0}

    def alive(self) -> bool:
        return True

    answering = alive

    def stop(self) -> dict:
        return {}

    def kill(self) -> None:
        pass

    def _pass(self, case=None) -> float:
        """A pass of ``case``'s pool, or of the serial loop over the serial slice."""
        strategy, workers, n = ((case.strategy, case.workers, self.images.count) if case
                                else ("serial", 1, self.serial_slice))
        seconds = self.model.pass_s(strategy, workers, n, self.clock.now, self.group)
        self.clock.advance(seconds)
        return seconds

    def pilot(self, timeout: float) -> dict:
        self._pass()                                   # untimed: first-call costs
        seconds = self._pass()
        return {"seconds": seconds, "images": self.serial_slice, "steal": 0.0, "generate_s": 0.0,
                "fs": "simulated"}

    def reference(self, timeout: float) -> dict:
        self._pass()
        return {"outputs": {}, "images": self.serial_slice}

    def serial_pass(self, timeout: float) -> dict:
        return {"seconds": self._pass(), "images": self.serial_slice, "steal": 0.0}

    def _started(self, case) -> dict:
        start = self.model.machine.pool_start_s(case.strategy, case.workers)
        self.clock.advance(start)
        first = self._pass(case)
        self.live.add(case.name)
        return {"start_and_first_pass_s": start + first, "first_result_s": start,
                "worker_reports": [], "facts": {}}

    def prestart(self, cases, timeout: float) -> dict:
        for case in cases:
            self.clock.advance(self.model.machine.pool_start_s(case.strategy, case.workers))
        return {}

    def visit(self, case, timeout: float, keep: bool = False) -> dict:
        from bench.strategies import STRATEGIES

        reply = {}
        if case.name not in self.live:
            reply["started"] = self._started(case)
        reply.update(seconds=self._pass(case), steal=0.0)
        if not STRATEGIES[case.strategy].keep_alive:     # a cluster closed after each pass
            self.live.discard(case.name)
            self.clock.advance(self.model.machine.pool_start_s(case.strategy, case.workers))
        return reply

    def outputs(self, case, timeout: float) -> dict:
        return {"outputs": {}, "fs": "simulated"}

    def close_all(self, timeout: float) -> dict:
        self.live.clear()
        return {"seconds": {}}

    def explain(self, case, timeout: float, **kw) -> dict:
        start = self.model.machine.pool_start_s(case.strategy, case.workers)
        cold = start + self._pass(case)
        self.clock.advance(start)
        for _ in range(3):                               # the decomposition and memory passes
            self._pass(case)
        return {"metadata": {"explain_cold_total_s": cold, "explain_cold_passes": 1,
                             "explain_first_result_s": start}, "worker_reports": []}

    def probe(self, case, timeout: float, **kw) -> dict:
        from bench.plan.fitting import probe_estimate

        seconds = probe_estimate(case)                   # what the plan expects it to take
        self.clock.advance(seconds)
        values = max(1, int(kw.get("values") or 3))
        return {"values_s": [seconds / (values + 1)] * values, "warmups_s": [],
                "metadata": {}, "date": "2026-01-01T00:00:00+00:00", "duration_s": seconds}


class _Results(ResultsFile):
    """The results in memory: a simulated run writes no file."""

    def save(self) -> None:
        self.saved = len(self.benchmarks) + len(self.failed)


class _Quiet:
    def __getattr__(self, name):
        return lambda *a, **k: None


@dataclass
class GroupOutcome:
    group: str
    pick: tuple                    # (strategy, workers, chunk size)
    pick_speedup: float            # the pick's true speedup
    best: tuple                    # (strategy, workers, true speedup) over 1 .. 2 x CPUs
    best_planned: tuple            # the same over the worker counts the plan could race
    wrong_outs: list = field(default_factory=list)   # put out within SAME_SPEED of the leader
    plateau_workers: int | None = None               # the fewest within 5% the answer names
    plateau_speedup: float = 0.0                     # its true speedup
    best_count: int | None = None                    # the best count the answer names
    best_count_speedup: float = 0.0                  # its true speedup

    @property
    def ratio(self) -> float:
        return self.pick_speedup / self.best[2] if self.best[2] else 0.0


@dataclass
class SeedOutcome:
    seed: int
    wall_s: float
    budget_s: float
    groups: list
    left_out: list = field(default_factory=list)     # groups the plan had no room for (keys)

    @property
    def over(self) -> float:
        return self.wall_s / self.budget_s


def simulate(machine: Machine, seed: int, mode: str = "full", budget_s: float | None = None,
             workloads=("imwrite",)) -> SeedOutcome:
    """One run of ``bench all`` (its codec groups) on the simulated machine."""
    from bench.analysis.load import analyse
    from bench.analysis.recommend import answer_group
    from bench.plan.configurations import PlanOptions
    from bench.plan.overhead import plan_overhead_race
    from bench.plan.planner import PlanRequest, build_plan
    from workloads.codecs import Codec
    from workloads.imwrite import ImwriteWorkload

    params = ImwriteWorkload.params_for(Codec())
    req = PlanRequest(mode=mode, budget_s=budget_s, codec_workloads=list(workloads), pose=False,
                      pipelines=[], codec_params=params, seed=seed,
                      overhead=plan_overhead_race(PlanOptions(quick=mode == "quick", seed=seed),
                                                  machine.cpus))
    plan = build_plan(req, machine.cpus, machine.memory_bytes)
    clock = SimClock(bud.RUN_START_S + bud.CAPACITY_S)   # the run's start and capacity reading
    machine_meta = {"hostname": "simulated", "bench_available_cpus": machine.cpus,
                    "bench_logical_cpus": machine.cpus, "bench_parallel_capacity": float(machine.cpus)}
    results = _Results(tempfile.gettempdir() + "/bench-sim.json",
                       run={"machine": machine_meta, "capacity": {"capacity": float(machine.cpus)},
                            "mode": "race", "settings": asdict(RunSettings(verify=False))})
    race = SimRace(plan, RunSettings(verify=False, capacity=float(machine.cpus)), results,
                   machine_meta, _Quiet(), 0.0, float(machine.cpus), seed=seed, clock=clock)
    race.machine_model = PassModel(machine, seed)
    race.run()
    wall = clock.now + bud.END_S
    analysis = analyse(results)
    outcomes = []
    by_key = {g.key: g for g in analysis.groups()}
    for group in plan.groups:
        measured = by_key.get(group.key)
        if measured is None:
            continue
        answer = answer_group(measured, analysis)
        choice = answer.choice
        names = list(dict.fromkeys(c.strategy for c in group.ordered or group.entrants))
        key = f"{group.workload} {group.images.size.label} {group.images.content}"
        best = machine.true_best(names, 2 * machine.cpus)
        ladder = sorted({c.workers for c in group.ordered or group.entrants})
        best_planned = machine.true_best(names, ladder)
        # the pick is what the recommendation names first: its choice (strategy, workers,
        # chunk); next to it the answer names its line's best count and plateau
        workers = choice.workers
        speedup = functools.partial(machine.true_speedup, choice.strategy)
        best_count = answer.best_workers if answer.best_workers and choice.family != "serial" else workers
        out = results.run.get("race", {}).get(group.key, {}).get("out", {})
        true = {c.name: machine.true_speedup(c.strategy, c.workers)
                for c in group.entrants if c.family != "serial"}
        leader = max(true.values(), default=0.0)
        wrong = [name for name in out if name in true and true[name] >= (1 - SAME_SPEED) * leader]
        outcomes.append(GroupOutcome(key, (choice.strategy, workers, choice.chunk_size),
                                     speedup(workers), best, best_planned, wrong, answer.plateau_workers,
                                     speedup(answer.plateau_workers or workers), best_count,
                                     speedup(best_count)))
    return SeedOutcome(seed, wall, plan.budget_s, outcomes, [g.key for g in plan.left_out])


class SimRace(Race):
    """The Race, writing its pyperf benchmarks only where they are read (the finalists'
    choice, a group's end) instead of after every round: the same decisions, a fifth of
    the time."""
    publish_all = False
    machine_model: PassModel

    def _start_process(self, setup):
        process = SimProcess(setup, self.machine_model, self.clock)
        process.start(0)
        return process

    def _publish(self, state):
        if self.publish_all or state.status == "done":
            super()._publish(state)
        else:
            self.section[state.key] = state.section()

    def _finalists(self, state, count):
        self.publish_all = True
        try:
            return super()._finalists(state, count)
        finally:
            self.publish_all = False


def summarise(outcomes: list[SeedOutcome], mode: str) -> dict:
    """Over the seeds: how often the pick is within 5% (a full run) or 10% (quick) of the
    true best, the worst wall time against the budget, wrong eliminations."""
    within = 0.05 if mode == "full" else 0.10
    picks = [g for o in outcomes for g in o.groups]
    return {
        "seeds": len(outcomes),
        "groups": len(picks),
        "within": within,
        "picks_within": sum(g.ratio >= 1 - within for g in picks),
        "pick_ratio_median": statistics.median([g.ratio for g in picks]) if picks else math.nan,
        "pick_ratio_worst": min((g.ratio for g in picks), default=math.nan),
        "best_counts_within": sum(g.best_count_speedup >= (1 - within) * g.best[2] for g in picks),
        "wall_over_budget_worst": max((o.over for o in outcomes), default=math.nan),
        "runs_within_budget_10pct": sum(o.over <= 1.10 for o in outcomes),
        "groups_with_wrong_outs": sum(bool(g.wrong_outs) for g in picks),
    }
