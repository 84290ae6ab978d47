"""A budgeted run: each group's configurations raced in rounds inside the budget (a pilot,
paired visits, eliminations by bench.analysis.racing), then its finalists and naive
baselines explained (docs/race.md, "The race"). The results file is saved after every
round; a configuration that fails, hangs or crashes costs only itself.
"""
from __future__ import annotations

import math
import random
import statistics
import time
import zlib
from dataclasses import asdict, dataclass, field, replace

from bench.analysis import racing
from bench.measure.steal import STEAL_LIMIT
from bench.measure.verify import VerificationError, compare_outputs
from bench.plan import budget as bud
from bench.plan import search
from bench.plan.planner import GroupPlan, Plan
from bench.results import case_benchmark, utc_now
from bench.run import interrupt
from bench.run.group_processes import GroupProcesses
from bench.run.case_process import CaseError, CaseProcess, CommandFailed, ProcessDied
from bench.run.slowdown import Slowdowns
from bench.run.race_state import (FAILED, NOT_RACED_BUDGET, NOT_RACED_SEARCH, NOT_RACED_SLOW, OUT, RACING,
                                  ConfigState, GroupState, restore, visit_record)
from bench.texts import messages

STEAL_RETAKES = 2
# a serial pass this many times the recent ones (_stalled) stalled: the visit is retaken
SERIAL_OUTLIER = 2.0
SERIAL_WINDOW = 5
# far behind the leader: visited every PARK_EVERY rounds (_unparked)
PARK_BELOW = 0.5
PARK_BELOW_JUDGED = 0.9
PARK_EVERY = 3
MAX_ROUNDS = {"quick": 12, "full": 30}
# a pilot this much slower than planned keeps only the entrants that get MIN_VISITS each
# (_fit_to_pilot), at least MIN_KEPT besides the baselines
SLOW_PILOT = 1.5
MIN_VISITS = racing.TIE_MIN_VISITS
MIN_KEPT = 2
PROCESS_START_TIMEOUT_S = 300
MIN_COMMAND_TIMEOUT_S = 30


@dataclass
class _Group:
    """What every step of one group's race reads; the pilot sets its costs (the pace),
    where its rounds end and, verifying, the serial loop's outputs."""
    plan: GroupPlan
    state: GroupState
    procs: GroupProcesses
    costs: bud.Costs | None = None
    race_end: float = math.inf
    reference: dict | None = None
    # its serial passes so far, those retaken too (what a stall is judged by)
    serial_seen: list[float] = field(default_factory=list)

    def racing_at_w(self) -> list[ConfigState]:
        return [c for c in self.state.racing() if c.case.workers == self.plan.w and c.visits]


class Race:
    def __init__(self, plan: Plan, settings, results, machine_meta: dict, progress,
                 started: float, capacity: float | None, seed: int = 0,
                 case_timeout: float | None = None, explain_all: bool = False,
                 clock=None):
        self.plan, self.settings, self.results = plan, settings, results
        # bench.sim's clock is simulated; perf_counter is looked up per call (tests patch it)
        self.clock = clock or (lambda: time.perf_counter())
        self.machine_meta, self.progress = machine_meta, progress
        self.started, self.capacity, self.seed = started, capacity, seed
        self.case_timeout = case_timeout        # None: each command's timeout sized to its work
        self.explain_all = explain_all or plan.policy.explain_all
        self.policy = plan.policy
        self.deadline = started + plan.budget_s - bud.END_S
        # past this nothing new starts: the run would end more than OVERRUN past its budget
        self.hard_deadline = started + plan.budget_s * (1 + bud.OVERRUN / 2) - bud.END_S
        if not self.policy.within_budget:          # measured in full: the budget ends nothing
            self.deadline = self.hard_deadline = math.inf
        self.timed_s = 0.0
        self.retaken_s = 0.0          # passes taken again after CPU steal: in no figure
        self.slowdown = Slowdowns()
        self.processes: list[CaseProcess] = []
        # each strategy's slowest paired speedup so far, in any group: _worst_visit
        self.slowest: dict[str, float] = {}
        self.section = results.run.setdefault("race", {})

    def run(self) -> None:
        try:
            if self.plan.overhead:
                self._probes(self.plan.overhead)
            for i, group in enumerate(self.plan.groups):
                interrupt.check()
                if self.section.get(group.key, {}).get("status") == "done":
                    continue                      # resumed: this group finished before
                self._race_group(group, self._share_end(i))
        finally:
            for proc in self.processes:
                proc.kill()
            self.processes = []

    def _share_end(self, index: int) -> float:
        """This group's share of what is left: by its estimate among the groups left."""
        now = self.clock()
        if self.deadline == math.inf:
            return math.inf
        left = [g.estimate() for g in self.plan.groups[index:]]
        return now + max(0.0, self.deadline - now) * left[0] / max(sum(left), 1e-9)

    def _save(self) -> None:
        run = self.results.run
        wall = self.clock() - self.started
        run["facts"] = dict(run.get("facts", {}), timed_s=round(self.timed_s, 2),
                            retaken_s=round(self.retaken_s, 2),
                            wall_s=round(wall, 2), timed_share=round(self.timed_s / wall, 4) if wall else 0.0,
                            budget_s=self.plan.budget_s, estimated_s=round(self.plan.estimate_s, 1))
        with interrupt.deferred():
            self.results.save()

    def _start_process(self, setup: dict) -> CaseProcess:
        proc = CaseProcess(setup, self.settings.out_dir, self.plan.usable)
        self.processes.append(proc)
        proc.start(PROCESS_START_TIMEOUT_S)
        return proc

    def _forget_process(self, proc: CaseProcess) -> None:
        """A case process stopped on purpose: nothing left for the run's end to kill."""
        if proc in self.processes:
            self.processes.remove(proc)

    def _probes(self, cases) -> None:
        self.progress.phase("overheads", len(cases))
        proc = self._start_process({"kind": "probes"})
        try:
            for case in cases:
                interrupt.check()
                started = self.clock()
                try:
                    result = proc.probe(case, self.case_timeout or MIN_COMMAND_TIMEOUT_S * 4,
                                        values=self.settings.values, scheduler=self.settings.scheduler,
                                        scheduler_timeout=self.settings.scheduler_timeout)
                    self.results.add(case_benchmark(case, result, self.machine_meta))
                    self.timed_s += sum(result.get("values_s") or ())
                except CaseError as exc:
                    self._add_failure(case, exc)
                    if isinstance(exc, ProcessDied):         # killed by the call that failed
                        self._forget_process(proc)
                        proc = self._start_process({"kind": "probes"})
                self.progress.step(case.name, self.clock() - started)
        finally:
            proc.stop()
        self._save()

    def _race_group(self, plan: GroupPlan, share_end: float) -> None:
        t0 = self.clock()
        serial = next(c for c in plan.entrants if c.family == "serial")
        state = self._state_for(plan, serial)
        state.status = "racing"
        self.progress.group(plan.key, len(state.configs), share_end)
        spec = {"workload": plan.workload, "params": plan.params, "images": plan.images.as_dict(),
                "serial_slice": plan.serial_slice, "settings": asdict(self.settings),
                "capacity": self.capacity, "serial_case": serial.as_dict()}
        try:
            procs = GroupProcesses(self._start_process, self._forget_process, spec, plan)
        except CaseError as exc:
            self._fail_group(state, exc)
            return
        g = _Group(plan, state, procs)
        try:
            if not state.pilot:
                pilot = procs.serial.pilot(self._timeout(plan, 20))
                self.timed_s += pilot["seconds"]
                _check_failures(pilot)
                state.pilot = {"serial_pass_s": pilot["seconds"], "images": pilot["images"],
                               "seconds_per_image": pilot["seconds"] / pilot["images"],
                               "generate_s": round(pilot.get("generate_s", 0.0), 3),
                               "fs": pilot.get("fs")}
                # the pilot is a serial pass too (round 0): a serial-only group has its figure
                state.serial_passes.append({"seconds": pilot["seconds"], "images": pilot["images"],
                                            "steal": pilot.get("steal"), "round": 0, "date": utc_now()})
            g.serial_seen = [p["seconds"] for p in state.serial_passes]
            if self.settings.verify:
                g.reference = procs.serial.reference(self._timeout(plan, 20))
                state.serial_extra = dict(g.reference.get("case_metadata") or {})
            per_image = state.pilot["seconds_per_image"]
            g.costs = replace(plan.costs, seconds_per_image=per_image, serial_slice=plan.serial_slice)
            explain_reserve = min(0.25 * max(0.0, share_end - self.clock()),
                                  plan.explain_estimate(g.costs))
            g.race_end = share_end - explain_reserve
            if self.policy.within_budget and not any(c.visits for c in state.configs.values()):
                self._fit_to_pilot(g)
        except CaseError as exc:
            # the serial loop itself failed: nothing in this group can be compared
            procs.stop()
            self._fail_group(state, exc)
            return
        try:
            self._rounds(g)
            for name, seconds in procs.close_all().items():
                if name in state.configs and seconds is not None:
                    state.configs[name].cold.setdefault("shutdown_s", seconds)
            state.finalists = self._finalists(state, plan.finalists)
            self._explain(g, share_end)
            state.status = "done"       # not on an interrupt: --resume goes on with its rounds
        finally:
            procs.stop()
            state.duration_s += self.clock() - t0
            self._publish(state)
            self._save()
            self.progress.group_done(plan.key, state)

    def _finalists(self, state: GroupState, count: int) -> list[str]:
        """What the recommendation will name (its pick, and the fastest if another, from
        the same decision it prints), then the fastest still racing."""
        from bench.analysis.load import analyse
        from bench.analysis.recommend import answer_group

        self._publish(state)
        named = []
        try:
            analysis = analyse(self.results)
            group = next(g for g in analysis.groups() if g.key == state.key)
            answer = answer_group(group, analysis)
            named = [r.name for r in (answer.choice, answer.best) if r.family != "serial"]
        except (StopIteration, ValueError, ZeroDivisionError):
            pass
        ranked = sorted((c for c in state.configs.values() if c.status in (RACING, OUT) and c.visits),
                        key=lambda c: (c.status != RACING, -_speedup(c)))
        out = list(dict.fromkeys(named))
        more = [c.name for c in ranked if c.name not in out]
        return out + more[:max(count, len(named)) - len(out)]

    def _explain(self, g: _Group, share_end: float) -> None:
        state, plan, costs = g.state, g.plan, g.costs
        wanted = list(state.finalists) + [c.name for c in plan.baselines()]
        if self.explain_all:
            wanted = [n for n, c in state.configs.items() if c.visits]
        for name in dict.fromkeys(wanted):
            cfg = state.configs.get(name)
            if cfg is None or cfg.status == FAILED or not cfg.visits:
                continue
            interrupt.check()
            per_image = statistics.median(v["serial_per_image_s"] for v in cfg.visits)
            # in full (--exhaustive) every configuration is explained as a finalist is
            baseline = name not in state.finalists and not self.policy.explain_all
            cold_only = cfg.case.strategy == "processes-model-per-image" or (
                baseline and not plan.explains_baselines_fully())
            # what it needs, as the visits went, and at least its passes at the paired
            # speedup its visits read (a plan can be 40x short): past the share, left out
            needed = (costs.first_visit(cfg.case) + costs.pool_pass(cfg.case) if cold_only
                      else costs.explain(cfg.case)) * self.slowdown.factor(name)
            measured = (2 if cold_only else 8) * self._pool_s(cfg, costs)
            if self.clock() + max(needed, measured) > share_end and not self.explain_all:
                break
            try:
                reply = g.procs.for_case(cfg.case).explain(
                    cfg.case, self._timeout(plan, 20), rounds=1, serial_per_image_s=per_image,
                    memory=not cold_only, decompose=not cold_only)
            except CaseError as exc:
                cfg.explained = {"explain_failed": exc.reason}
                g.procs.after_failure(exc)
                continue
            cfg.explained = reply["metadata"]
            if reply.get("worker_reports"):
                cfg.reports = reply["worker_reports"]

    def _fit_to_pilot(self, g: _Group) -> None:
        """A pilot far slower than planned would leave every configuration one visit, which
        decides nothing: keep the entrants, in the plan's order, that get MIN_VISITS each,
        the baselines always (docs/race.md, "Pilot"). Slow pools alone: _fit_search."""
        costs, planned = g.costs, g.plan.costs
        if costs.seconds_per_image <= SLOW_PILOT * planned.seconds_per_image:
            return
        left = g.race_end - self.clock()
        keep, spent, others = [], 0.0, 0
        baselines = {c.name for c in g.plan.baselines()}
        for name, cfg in g.state.configs.items():
            cost = costs.first_visit(cfg.case) + MIN_VISITS * costs.visit(cfg.case)
            if name in baselines or others < MIN_KEPT or spent + cost <= left:
                keep.append(name)
                spent += cost
                others += name not in baselines
        self._leave_out(g, [name for name in g.state.configs if name not in keep], NOT_RACED_SLOW,
                        messages.RACE_FIT_TO_PILOT, kept=len(keep), visits=MIN_VISITS,
                        ratio=costs.seconds_per_image / planned.seconds_per_image)

    def _leave_out(self, g: _Group, names: list[str], why: str, note: str, **facts) -> None:
        """Entrants not raced after all (``why``: NOT_RACED_*), and ``note`` saying so."""
        for name in names:
            del g.state.configs[name]
            g.state.not_raced[name] = why
        if names:
            self.progress.note(note.format(dropped=len(names), **facts))

    def _fail_group(self, state: GroupState, exc) -> None:
        """Every configuration of a group whose serial loop (or case process) failed."""
        self._add_failure(state.serial, exc)
        for cfg in state.configs.values():
            self._add_failure(cfg.case, exc)
            cfg.status, cfg.out_reason = FAILED, exc.reason
        state.status, state.outcome = "done", "failed"
        self.section[state.key] = state.section()
        self._save()
        self.progress.group_done(state.key, state)

    def _state_for(self, plan: GroupPlan, serial) -> GroupState:
        stored = self.section.get(plan.key)
        configs = {c.name: ConfigState(c) for c in plan.entrants if c.family != "serial"}
        state = GroupState(plan.key, configs, serial)
        state.not_raced = {name: NOT_RACED_BUDGET for name in plan.left_out_defaults()}
        if stored:
            restore(state, stored, self.results)
        return state

    def _timeout(self, plan: GroupPlan, passes: float) -> float:
        return self.case_timeout or max(MIN_COMMAND_TIMEOUT_S,
                                        20 * (passes * plan.costs.count * plan.costs.seconds_per_image))

    def _rounds(self, g: _Group) -> None:
        state, plan = g.state, g.plan
        rng = random.Random(zlib.crc32(f"{self.seed}/{state.key}".encode()))
        g.procs.prestart([c.case for c in state.racing() if not c.visits])
        for r in range(state.rounds + 1, (self.policy.visits or MAX_ROUNDS[plan.mode]) + 1):
            order = state.racing()
            if not order:
                break
            rng.shuffle(order)
            if self.policy.eliminate:
                order = _unparked(order, r)
            if self._searches_in_round_one(g, r):
                # tier 0 visited, the leaders at W are known: the search enters before the tail
                head = [c for c in order if plan.tiers.get(c.name) == 0]
                tail = [c for c in order if plan.tiers.get(c.name) != 0]
                finished_round = self._visit_each(g, head, r)
                # whether a pool family is searched, read from one visit near the line: a
                # second visit each first (bench.plan.search.near_the_line)
                near = search.near_the_line(g.racing_at_w(), _speedup, plan.mode)
                # extra visits: one refused at the deadline does not end a round whose
                # configurations all had theirs
                self._visit_each(g, near, r)
                added = self._search(g, r, early=True)
                tail = self._fit_search(g, tail) + added
                rng.shuffle(tail)
                finished_round = self._visit_each(g, tail, r) and finished_round
            else:
                finished_round = self._visit_each(g, order, r)
            state.rounds = r
            self._judge(state, r)
            self._search(g, r)
            self._publish(state)
            self._save()
            self.progress.round(state)
            if not finished_round or self.clock() > g.race_end:
                state.outcome = state.outcome or "budget"
                break
            if not self.policy.eliminate:
                continue            # in full: every configuration gets its visits
            if plan.searches() and state.search_stage < 2:
                continue            # the worker-count search is not done: no end yet
            racing_now = state.racing()
            samples = {c.name: c.ratios() for c in racing_now}
            if len(racing_now) <= 1 and all(len(v) >= racing.TIE_MIN_VISITS for v in samples.values()):
                state.outcome = "winner" if racing_now else "none left"
                break
            if len(racing_now) > 1 and racing.all_tied(samples):
                state.outcome = "tie"
                break
        else:
            state.outcome = "rounds" if self.policy.eliminate else "in full"

    def _visit_each(self, g: _Group, cfgs: list, r: int) -> bool:
        """One visit to each of ``cfgs`` that the time left allows; False (the race ends)
        when the group's share ran out before one of them, or when none fitted."""
        costs = g.costs
        share_over, visited, refused = False, 0, 0
        for cfg in cfgs:
            interrupt.check()
            planned = costs.visit(cfg.case) + (costs.first_visit(cfg.case) if not cfg.visits else 0)
            needed = planned * self.slowdown.factor(cfg.name)
            now = self.clock()
            # the first two rounds run whole (two visits to be judged) unless the run would
            # overrun; later ones stop where the group's share ends (docs/race.md, "End")
            if r > 2 and now + needed > g.race_end:
                share_over = True
                continue            # a cheaper one may still fit in the share
            if now + max(needed, planned * self.slowdown.last(cfg.name),
                         self._worst_visit(cfg, costs)) > self.hard_deadline:
                # it could end past the hard deadline: it waits, the others go on
                refused += 1
                continue
            self._visit(g, cfg, r)
            self.slowdown.add(cfg.name, planned, self.clock() - now)
            visited += 1
        return not share_over and not (refused and not visited)

    def _pool_s(self, cfg: ConfigState, costs) -> float:
        """One pool pass of ``cfg`` at the paired speedup its visits read (not visited yet:
        its strategy's, else any strategy's, slowest in this run); 0 before any visit."""
        if cfg.visits:
            speedup = _speedup(cfg)
        elif self.slowest:
            speedup = self.slowest.get(cfg.case.strategy, min(self.slowest.values()))
        else:
            return 0.0
        return costs.count * costs.seconds_per_image * self.slowdown.serial.factor() / max(speedup, 1e-3)

    def _worst_visit(self, cfg: ConfigState, costs) -> float:
        """A visit's time at _pool_s: what the hard deadline is kept with (a plan's pass
        time can be 40x off where pools scale badly; a speedup read in the run is not)."""
        pool = self._pool_s(cfg, costs)
        if not pool:
            return 0.0
        return (pool * 2 if not cfg.visits else pool) + costs.serial_pass * self.slowdown.serial.factor()

    def _searches_in_round_one(self, g: _Group, r: int) -> bool:
        # on a few CPUs the search waits for round two: the budget goes to the strategies
        plan, state = g.plan, g.state
        return (r == 1 and plan.searches() and plan.w >= search.MANY_CPUS and state.search_stage == 0
                and any(plan.tiers.get(c.name) == 0 for c in state.racing()))

    def _fit_search(self, g: _Group, tail: list) -> list:
        """The rest of round one once the search has entered (bench.plan.search.tail_that_fits,
        at the pace the visits so far went); those that do not fit are not raced, and said so."""
        if not tail:
            return tail
        state, plan = g.state, g.plan
        lines = [(state.configs[n].case, state.configs[n]) for n in state.search_leaders]
        others = [c for c in state.racing() if c not in tail]
        kept = search.tail_that_fits(tail, others, lines, g.costs,
                                     lambda c: self.slowdown.factor(c.name),
                                     g.race_end - self.clock(), plan.ordered, plan.w, plan.mode)
        self._leave_out(g, [c.name for c in tail if c not in kept], NOT_RACED_SEARCH,
                        messages.RACE_FIT_TO_SEARCH)
        return kept

    def _search(self, g: _Group, round_: int, early: bool = False) -> list:
        """The configurations the worker-count search (bench.plan.search) adds. ``early``: in
        round one, once tier 0 had its visits (the entrants get their first visit in it)."""
        state, plan = g.state, g.plan
        if not plan.searches() or state.search_stage >= 2:
            return []
        visited = [c for c in state.configs.values() if c.visits and c.status != FAILED]
        added = []
        if state.search_stage == 0 and round_ >= search.SEARCH_ROUND:
            at_w = [c for c in visited if c.case.workers == plan.w]
            leaders = search.leaders(at_w, _speedup)
            added = search.coarse_cases([c.case for c in leaders], plan.ordered, plan.w, plan.ladder,
                                        plan.mode)
            state.search_leaders = [c.name for c in leaders]
            # entered during a round counts as entered before it: the refinement comes
            # after the entrants' REFINE_AFTER-th visit either way
            state.search_stage, state.search_round = 1, round_ - 1 if early else round_
        elif state.search_stage == 1 and round_ >= state.search_round + search.REFINE_AFTER:
            added = search.refinement_entrants([state.configs[n].case for n in state.search_leaders],
                                               visited, g.racing_at_w(), _speedup, plan.w,
                                               plan.search_top, plan.mode)
            state.search_stage = 2
        added = [c for c in added if c.name not in state.configs and c.name not in state.not_raced]
        for case in added:
            state.configs[case.name] = ConfigState(case)
            plan.entrants.append(case)
        g.procs.prestart(added)
        return [state.configs[c.name] for c in added]

    def _judge(self, state: GroupState, round_: int) -> None:
        if not self.policy.eliminate:
            return
        samples = {c.name: c.ratios() for c in state.racing()}
        # the error is spent over the rounds a race can hold (bench.analysis.racing)
        for verdict in racing.eliminate(samples, round_no=round_, rounds_planned=MAX_ROUNDS[self.plan.mode]):
            if verdict.out:
                cfg = state.configs[verdict.name]
                cfg.status, cfg.out_round = OUT, round_
                cfg.out_reason = (f"{verdict.ratio:.2f}x the leader's speedup, significantly "
                                  f"slower (p={verdict.p_value:.3g})")

    def _visit(self, g: _Group, cfg: ConfigState, round_: int) -> None:
        keep = self.settings.verify and cfg.verified == "pending"
        timeout = self._timeout(g.plan, 10)
        # every other visit times the pool pass first: what a pair's first pass leaves
        # behind (warm caches, dirty pages) favours each side alike
        pool_first = len(cfg.visits) % 2 == 1
        for attempt in range(STEAL_RETAKES + 1):
            try:
                if not pool_first:
                    serial = g.procs.serial.serial_pass(timeout)
                pool = g.procs.for_case(cfg.case).visit(cfg.case, timeout, keep=keep)
                if pool_first:
                    serial = g.procs.serial.serial_pass(timeout)
            except CaseError as exc:
                self._fail(g, cfg, exc)
                return
            if g.state.pilot.get("serial_pass_s"):      # what the next visits need: all time spent
                self.slowdown.serial.add(g.state.pilot["serial_pass_s"], serial["seconds"])
            if "started" in pool:
                started = pool["started"]
                cfg.cold = {"start_and_first_pass_s": started["start_and_first_pass_s"],
                            "first_result_s": started["first_result_s"]}
                cfg.reports = started.get("worker_reports") or cfg.reports
                cfg.extra.update(started.get("facts") or {})
            if pool.get("shutdown_s") is not None:
                cfg.cold["shutdown_s"] = pool["shutdown_s"]
            steal = max((x for x in (serial.get("steal"), pool.get("steal")) if x is not None), default=None)
            stolen = steal is not None and steal > STEAL_LIMIT
            stalled = _stalled(serial["seconds"], g.serial_seen)
            g.serial_seen.append(serial["seconds"])
            # a retake that would end past the hard deadline is not taken: the pair stands
            again = self.clock() + serial["seconds"] + pool["seconds"] <= self.hard_deadline
            if (stolen or stalled) and again and attempt < STEAL_RETAKES:
                # again; the discarded pair enters no figure, only the count
                self.retaken_s += serial["seconds"] + pool["seconds"]
                continue
            self.timed_s += serial["seconds"] + pool["seconds"]
            g.state.timed_s += serial["seconds"] + pool["seconds"]
            g.state.serial_passes.append(dict(serial, round=round_, date=utc_now()))
            cfg.visits.append(visit_record(round_, pool["seconds"], serial, steal, pool_first))
            ratio, strategy = cfg.ratios()[-1], cfg.case.strategy
            self.slowest[strategy] = min(ratio, self.slowest.get(strategy, ratio))
            break
        self.progress.step(cfg.name, None)
        if keep:
            self._verify(g, cfg)

    def _verify(self, g: _Group, cfg: ConfigState) -> None:
        from workloads.registry import make_workload

        try:
            got = g.procs.for_case(cfg.case).outputs(cfg.case, self._timeout(g.plan, 10))
            workload = make_workload(cfg.case.workload, cfg.case.params)
            compare_outputs(workload, g.reference["outputs"], got["outputs"],
                            sample_only=g.reference["images"] < cfg.count)
            cfg.verified = "yes"
            cfg.out_fs = got.get("fs")
            cfg.extra.update(got.get("case_metadata") or {})
        except (VerificationError, CaseError) as exc:
            self._fail(g, cfg, exc)

    def _fail(self, g: _Group, cfg: ConfigState, exc: Exception) -> None:
        """``cfg`` failed: a command, or outputs unlike the serial loop's."""
        cfg.status, cfg.out_reason = FAILED, str(exc)
        cfg.out_round = g.state.rounds + 1
        self._add_failure(cfg.case, exc)
        g.procs.after_failure(exc)

    def _add_failure(self, case, exc: Exception) -> None:
        self.results.add_failure(case.name, case.as_dict(), str(exc), utc_now(),
                                 getattr(exc, "detail", ""))

    def _publish(self, state: GroupState) -> None:
        for bench in state.benchmarks(self.machine_meta):
            self.results.add(bench)
        self.section[state.key] = state.section()


def _speedup(cfg: ConfigState) -> float:
    """The median of its paired speedups: what the race ranks a configuration by."""
    return statistics.median(cfg.ratios())


def _unparked(order: list, round_: int) -> list:
    """The configurations a round visits: one under PARK_BELOW of the leader's paired
    speedup, or under PARK_BELOW_JUDGED once it has two visits, only every PARK_EVERY
    rounds (docs/race.md, "Far behind")."""
    medians = {c.name: _speedup(c) for c in order if c.visits}
    if not medians:
        return order
    top = max(medians.values())

    def parked(c) -> bool:
        share = medians[c.name] / top
        return share < PARK_BELOW or (share < PARK_BELOW_JUDGED
                                        and len(c.visits) >= racing.MIN_VISITS)

    return [c for c in order if c.name not in medians or not parked(c)
            or round_ - max(v["round"] for v in c.visits) >= PARK_EVERY]


def _stalled(serial_s: float, seen: list) -> bool:
    """A serial pass far slower than the group's recent ones, the pilot and retaken ones
    included (docs/race.md, "Stolen CPU"). Below three passes the fastest is the
    reference: a stall only slows, and the pilot may have stalled itself."""
    recent = seen[-SERIAL_WINDOW:]
    if not recent:
        return False
    reference = statistics.median(recent) if len(recent) >= 3 else min(recent)
    return serial_s > SERIAL_OUTLIER * reference


def _check_failures(pilot: dict) -> None:
    """A serial loop that fails on most items times how fast an exception is raised, not
    the work: the group fails (nothing in it is compared) when more than half failed."""
    failed, images = pilot.get("items_failed") or 0, pilot["images"]
    if failed * 2 > images:
        raise CommandFailed(messages.RACE_MOSTLY_FAILED.format(
            failed=failed, images=images, first=pilot.get("first_failure") or "unknown"))
