"""The race controller with case processes of known behaviour: who is visited when, who
is out, what the results file holds, and that one configuration's failure costs only
itself."""
import itertools

import pytest

from bench.model.settings import RunSettings
from bench.plan.planner import PlanRequest, build_plan
from bench.results import ResultsFile
from bench.run import race as race_mod
from bench.run.case_process import CaseProcess, CommandFailed, ProcessDied
from bench.run.slowdown import Slowdown, Slowdowns
from workloads.codecs import Codec
from workloads.imwrite import ImwriteWorkload
from workloads.images import ImageSize

SERIAL_S = 0.1           # every serial pass
SPEEDUP = {"threads-chunked": 2.0, "processes-shm": 1.96, "threads": 0.9, "processes": 0.5}


class Quiet:
    """A Progress that records what it was told."""

    def __init__(self):
        self.rounds = []
        self.notes = []

    def phase(self, *a): pass
    def group(self, *a): pass
    def step(self, *a): pass
    def group_done(self, *a): pass

    def note(self, text):
        self.notes.append(text)

    def round(self, state):
        self.rounds.append((state.rounds, sorted(c.name for c in state.racing())))


class FakeHost(CaseProcess):
    """Answers a race's commands (the typed methods of CaseProcess, each one ``call``):
    passes of known duration, outputs equal to serial's."""
    log = []

    def __init__(self, setup, behaviour):
        self.setup, self.behaviour = setup, behaviour
        self.jitter = itertools.cycle([0.99, 1.0, 1.01, 1.005, 0.995])

    def serial_pass(self, timeout):
        return self.call("serial", timeout)

    def visit(self, case, timeout, keep=False):
        return self.call("visit", timeout, case=case.as_dict(), keep=keep)

    def outputs(self, case, timeout):
        return self.call("outputs", timeout, case=case.as_dict())

    def explain(self, case, timeout, **kw):
        return self.call("explain", timeout, case=case.as_dict(), **kw)

    dead = False

    def alive(self):
        return not self.dead

    def answering(self):
        return not self.dead

    def call(self, cmd, timeout, **kw):
        if self.dead:
            raise ProcessDied("the case process is not running")
        FakeHost.log.append((cmd, kw.get("case", {}).get("strategy")))
        if cmd == "pilot" or cmd == "serial":
            return {"ok": True, "seconds": SERIAL_S, "images": 20, "steal": 0.0}
        if cmd == "reference":
            return {"ok": True, "outputs": {str(i): "same" for i in range(20)}, "images": 20}
        strategy = kw.get("case", {}).get("strategy")
        fault = self.behaviour.get(strategy)
        if cmd == "visit":
            if fault == "raise":
                raise CommandFailed("RuntimeError: deliberate", "traceback")
            if fault == "die":
                self.dead = True        # as CaseProcess.call: a process that dies is killed
                raise ProcessDied("the case process was killed by SIGKILL")
            reply = {"ok": True, "seconds": SERIAL_S / SPEEDUP[strategy] * next(self.jitter), "steal": 0.0}
            if not hasattr(self, "started_" + strategy):
                setattr(self, "started_" + strategy, True)
                reply["started"] = {"start_and_first_pass_s": 0.2, "first_result_s": 0.01,
                                    "worker_reports": []}
            return reply
        if cmd == "outputs":
            outputs = {str(i): "same" for i in range(20)}
            if fault == "differ":
                outputs["3"] = "different"
            return {"ok": True, "outputs": outputs, "fs": "tmpfs"}
        if cmd == "close_all":
            return {"ok": True, "seconds": {}}
        if cmd == "explain":
            return {"ok": True, "metadata": {"explain_cold_total_s": 0.3, "explain_cold_passes": 1,
                                             "explain_first_result_s": 0.01}, "worker_reports": []}
        return {"ok": True}

    def stop(self):
        return {}

    def kill(self):
        pass


def run_race(tmp_path, monkeypatch, behaviour=None, budget=60.0, in_full=None, **race_options):
    FakeHost.log = []
    monkeypatch.setattr(race_mod.Race, "_start_process", lambda self, setup: FakeHost(setup, behaviour or {}))
    req = PlanRequest(mode="quick", budget_s=budget, codec_workloads=["imwrite"], pose=False,
                  sizes=[ImageSize(16, 16, 1)], n_images=20, workers=[2],
                  strategies=["serial", *SPEEDUP], layouts=["flat"],
                  codec_params=ImwriteWorkload.params_for(Codec()))
    plan = build_plan(req, 2, 8 * 1024 ** 3)
    if in_full:
        plan.measure_in_full(in_full)
    results = ResultsFile(str(tmp_path / "r.json"), run={})
    progress = Quiet()
    import time
    race = race_mod.Race(plan, RunSettings(), results, {}, progress, time.perf_counter(), 2.0,
                         **race_options)
    race.run()
    return plan, ResultsFile.load(results.path), progress


def test_every_round_visits_the_survivors_in_a_fresh_order_each_paired_with_a_serial_pass(tmp_path, monkeypatch):
    plan, results, progress = run_race(tmp_path, monkeypatch)
    visits = [s for cmd, s in FakeHost.log if cmd == "visit"]
    paired = [(cmd, s) for cmd, s in FakeHost.log if cmd in ("serial", "visit")]
    pairs = [paired[i:i + 2] for i in range(0, len(paired), 2)]
    assert len(pairs) == len(visits)                               # always paired
    # each configuration's visits take the serial pass first, then after, in turn
    orders = {}
    for pair in pairs:
        (first, _), (second, _) = pair
        strategy = next(s for cmd, s in pair if cmd == "visit")
        assert {first, second} == {"serial", "visit"}
        orders.setdefault(strategy, []).append(first)
    for strategy, firsts in orders.items():
        assert firsts == ["serial", "visit"] * (len(firsts) // 2) + ["serial"] * (len(firsts) % 2), strategy
    by_strategy = {b.get_metadata()["strategy"]: b for b in results.benchmarks}
    leader_runs = by_strategy["threads-chunked"].get_runs()
    assert [r.get_metadata()["paired_order"] for r in leader_runs[:2]] == ["serial-first", "pool-first"]
    first_round = visits[:4]
    assert sorted(first_round) == sorted(SPEEDUP)
    rounds = [tuple(visits[i:i + 4]) for i in range(0, 8, 4)]
    assert rounds[0] != rounds[1]                                  # a fresh order each round
    section = results.run["race"][plan.groups[0].key]
    assert section["status"] == "done" and section["rounds"] >= 3
    out = section["out"]
    assert any("processes/w2" in name for name in out)             # 4x slower: out
    assert not any("threads-chunked" in name for name in out)      # the leader stays


def test_the_file_holds_a_run_per_visit_and_speedups_from_the_same_visits(tmp_path, monkeypatch):
    plan, results, _ = run_race(tmp_path, monkeypatch)
    by_strategy = {b.get_metadata()["strategy"]: b for b in results.benchmarks}
    leader = by_strategy["threads-chunked"]
    runs = leader.get_runs()
    assert len(runs) >= 3
    assert [r.get_metadata()["race_round"] for r in runs] == list(range(1, len(runs) + 1))
    meta = leader.get_metadata()
    assert meta["paired_speedup"] == pytest.approx(2.0, rel=0.02)
    assert meta["verified"] == "yes"
    # the leader is explained: cold passes on fresh pools of its own
    assert meta["cold_total_s"] == pytest.approx(0.3) and meta["explain_cold_passes"] == 1
    # the others: explained (0.3), or their first pass on a fresh pool (0.2; no shutdown
    # was timed here)
    for strategy, bench in by_strategy.items():
        m = bench.get_metadata()
        if strategy != "serial":
            assert m["cold_total_s"] == pytest.approx(0.3 if "explain_cold_passes" in m else 0.2)
    serial = by_strategy["serial"]
    # the pilot (round 0), then one serial pass paired with every pool visit
    assert len(serial.get_runs()) == 1 + sum(len(b.get_runs()) for s, b in by_strategy.items() if s != "serial")
    assert serial.median() == pytest.approx(SERIAL_S / 20)          # seconds per image


def test_a_failing_configuration_costs_only_itself(tmp_path, monkeypatch):
    plan, results, _ = run_race(tmp_path, monkeypatch,
                                behaviour={"processes-shm": "raise", "threads": "differ"})
    failed = {f["name"].split("/")[3]: f["reason"] for f in results.failed}
    assert "deliberate" in failed["processes-shm"]
    assert "differ" in failed["threads"]
    strategies = {b.get_metadata()["strategy"] for b in results.benchmarks}
    assert "threads-chunked" in strategies and "processes-shm" not in strategies


def test_a_case_process_that_dies_is_started_again_for_the_others(tmp_path, monkeypatch):
    starts = []
    original = FakeHost.__init__

    def counting(self, setup, behaviour):
        starts.append(setup)
        original(self, setup, behaviour)

    monkeypatch.setattr(FakeHost, "__init__", counting)
    plan, results, _ = run_race(tmp_path, monkeypatch, behaviour={"processes": "die"})
    assert any("SIGKILL" in f["reason"] for f in results.failed)
    assert len(starts) >= 2                    # the probes' none, the group's, its restart
    assert {b.get_metadata()["strategy"] for b in results.benchmarks} >= {"threads-chunked"}


def test_the_race_keeps_to_its_budget(tmp_path, monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(race_mod.time, "perf_counter", lambda: clock[0])
    real_call = FakeHost.call

    def slow_call(self, cmd, timeout, **kw):
        clock[0] += 0.5 if cmd in ("serial", "visit") else 0.01     # each pass: half a second
        return real_call(self, cmd, timeout, **kw)

    monkeypatch.setattr(FakeHost, "call", slow_call)
    plan, results, progress = run_race(tmp_path, monkeypatch, budget=30.0)
    assert clock[0] <= 30.0 * 1.1
    section = results.run["race"][plan.groups[0].key]
    assert section["outcome"] in ("budget", "tie", "winner")


def test_a_disk_that_turns_slow_mid_race_does_not_push_the_run_past_its_budget(tmp_path, monkeypatch):
    """The pilot ran as planned; after the first pool passes the disk turns slow and every
    pass takes 4 s, an explanation 8 s (a slow minute of the VM's disk). The visits and
    explanations left are sized by how long the last ones took, so the run ends inside
    its budget + 10% (with the plan's costs alone it ended 36% over here, and 16% over on
    the VM's disk)."""
    clock = [0.0]
    monkeypatch.setattr(race_mod.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(race_mod, "SLOW_PILOT", 1e9)        # the pilot itself was not slow
    real_call = FakeHost.call
    passes = [0]

    def slow_call(self, cmd, timeout, **kw):
        slow = False
        if cmd in ("serial", "visit"):
            passes[0] += 1
            slow = passes[0] > 6
            clock[0] += 9.0 if slow else 0.05
        elif cmd == "explain":
            clock[0] += 12.0
        else:
            clock[0] += 0.01
        reply = real_call(self, cmd, timeout, **kw)
        if slow and cmd == "serial":
            reply = dict(reply, seconds=reply["seconds"] * 90)     # what the pass itself timed
        return reply

    monkeypatch.setattr(FakeHost, "call", slow_call)
    plan, results, progress = run_race(tmp_path, monkeypatch, budget=40.0)
    assert clock[0] <= 40.0 * 1.1
    assert passes[0] > 6                                     # it did race in the slow minute


def test_a_configuration_the_plan_misjudges_scales_only_its_own_next_visits():
    """A Dask configuration starts a cluster for every pass (10x its plan); the others run
    as planned: their next visits are not scaled by its ratio, a first visit takes the
    median of every configuration's latest ratio, one vote each."""
    s = Slowdowns()
    for _ in range(3):
        s.add("dask", 1.0, 10.0)
        s.add("threads", 1.0, 1.0)
        s.add("processes", 1.0, 1.2)
    assert s.factor("dask") == pytest.approx(10.0)
    assert s.factor("threads") == 1.0
    assert s.factor("never-visited") == pytest.approx(1.2)      # median of 10, 1, 1.2
    assert Slowdowns().factor("x") == 1.0
    for _ in range(3):                                           # the serial passes slow 4x:
        s.serial.add(0.1, 0.4)                                   # the storage, felt by all
    assert s.factor("threads") == pytest.approx(4.0) and s.factor("dask") == pytest.approx(10.0)


def test_slowdown_is_the_median_of_the_recent_visits_against_their_plan():
    s = Slowdown()
    assert s.factor() == 1.0
    for took in (1.0, 1.1, 0.9):
        s.add(1.0, took)
    assert s.factor() == 1.0                                 # as planned (never below 1)
    s.add(1.0, 30.0)                                         # one stall does not decide
    assert s.factor() == pytest.approx(1.05)
    for _ in range(3):
        s.add(2.0, 10.0)                                     # a slow minute does
    assert s.factor() == pytest.approx(5.0)


def test_passes_far_slower_than_planned_keep_the_entrants_that_get_three_visits(tmp_path, monkeypatch):
    """The fake serial loop takes 5 ms an image where the plan expected microseconds (a
    disk in a slow minute): when the share cannot give every entrant its visits (here 30
    each, one entrant kept besides the baselines), the race keeps the baselines and the
    first entrants by priority, and names the rest."""
    monkeypatch.setattr(race_mod, "MIN_VISITS", 30)
    monkeypatch.setattr(race_mod, "MIN_KEPT", 1)
    plan, results, progress = run_race(tmp_path, monkeypatch, budget=15.0)
    assert len(plan.groups[0].entrants) == 5                        # serial and four pools planned
    section = results.run["race"][plan.groups[0].key]
    left_out = [name for name, why in section["not_raced"].items() if why == "pilot"]
    raced = [c["strategy"] for c in section["entrants"]]
    assert left_out and progress.notes and "left out" in progress.notes[0]
    assert set(raced) == {"threads", "processes", "threads-chunked"}  # the baselines, the first other
    assert [name.split("/")[3] for name in left_out] == ["processes-shm"]
    assert not {b.get_metadata()["name"] for b in results.benchmarks} & set(left_out)
    visits = {b.get_metadata()["strategy"]: len(b.get_runs()) for b in results.benchmarks
              if b.get_metadata()["strategy"] != "serial"}
    assert set(visits) == set(raced)


def test_passes_as_fast_as_planned_race_every_entrant(tmp_path, monkeypatch):
    monkeypatch.setattr(race_mod, "SLOW_PILOT", 1e9)            # whatever the fake's speed
    monkeypatch.setattr(race_mod, "MIN_VISITS", 30)
    monkeypatch.setattr(race_mod, "MIN_KEPT", 1)
    plan, results, progress = run_race(tmp_path, monkeypatch, budget=15.0)
    section = results.run["race"][plan.groups[0].key]
    assert "pilot" not in section["not_raced"].values() and progress.notes == []
    assert len(section["entrants"]) == 4


@pytest.mark.parametrize("failed", [11, 10])
def test_a_serial_loop_that_fails_on_more_than_half_the_items_fails_the_group(tmp_path, monkeypatch, failed):
    """11 of the pilot's 20 items failing is a loop that times its errors: the group fails
    before any visit, every configuration with the one reason; 10 of 20 is raced."""
    real_call = FakeHost.call

    def call(self, cmd, timeout, **kw):
        reply = real_call(self, cmd, timeout, **kw)
        if cmd == "pilot":
            reply.update(items_failed=failed, first_failure="day1/3.jpg: ValueError: no face")
        return reply

    monkeypatch.setattr(FakeHost, "call", call)
    plan, results, _ = run_race(tmp_path, monkeypatch)
    section = results.run["race"][plan.groups[0].key]
    if failed == 10:
        assert not results.failed and section["outcome"] != "failed"
        assert {b.get_metadata()["strategy"] for b in results.benchmarks} >= {"serial", "threads-chunked"}
        return
    assert section["outcome"] == "failed" and not results.benchmarks
    assert len(results.failed) == len(plan.groups[0].entrants)              # the serial loop too
    assert {f["reason"] for f in results.failed} == {
        "11 of 20 items failed in the serial loop (the first: day1/3.jpg: ValueError: no face); a loop "
        "that fails on most items times its errors, not the work, so none of this group is raced"}
    assert not [cmd for cmd, _ in FakeHost.log if cmd in ("reference", "visit")]


def test_a_race_and_a_run_in_full_write_the_median_of_the_visits_ratios():
    """Pairs 4/1, 4/2, 12/4 (serial over pool, seconds per pass): the figure says 3x, the
    median of the pairs' ratios; the median serial pass over the median pool pass would
    say 2x. A race and a plan measured in full (--exhaustive, overhead, dask) write their
    figures through this one ConfigState."""
    from bench.model.case import Case
    from bench.run.race_state import ConfigState, visit_record
    from workloads.images import ImageSetSpec

    spec = ImageSetSpec(ImageSize(16, 16, 1), 4, "noise", 0)
    state = ConfigState(Case("imwrite", spec, ImwriteWorkload.params_for(Codec()), "threads-chunked", 2, 2))
    serial, pool = [4.0, 4.0, 12.0], [1.0, 2.0, 4.0]
    state.visits = [visit_record(k + 1, p, {"seconds": s, "images": 4}, None, pool_first=k % 2 == 1)
                    for k, (s, p) in enumerate(zip(serial, pool))]
    assert state.figures()["paired_speedup"] == pytest.approx(3.0)


def test_a_plan_measured_in_full_visits_everyone_its_visits_and_puts_none_out(tmp_path, monkeypatch):
    """--exhaustive: processes is 4x slower than the leader and would be out after two
    rounds of a race; in full every configuration gets exactly --values visits, none is
    out, every one is explained, and each file figure is the median of its visits' ratios
    (the pool passes alternate 0.5x/2x their planted time around a fixed serial pass, so
    the ratio of medians and the median of ratios differ)."""
    real_call = FakeHost.call
    swing = itertools.cycle([0.5, 2.0, 1.0, 1.0])
    serial_swing = itertools.cycle([1.0, 1.0, 1.8])       # under a stall (SERIAL_OUTLIER)

    def call(self, cmd, timeout, **kw):
        reply = real_call(self, cmd, timeout, **kw)
        if cmd == "visit":
            reply = dict(reply, seconds=reply["seconds"] * next(swing))
        if cmd == "serial":
            reply = dict(reply, seconds=reply["seconds"] * next(serial_swing))
        return reply

    monkeypatch.setattr(FakeHost, "call", call)
    plan, results, progress = run_race(tmp_path, monkeypatch, in_full=3)
    section = results.run["race"][plan.groups[0].key]
    assert section["outcome"] == "in full" and section["rounds"] == 3 and not section["out"]
    visits = [s for cmd, s in FakeHost.log if cmd == "visit"]
    assert sorted(visits) == sorted(list(SPEEDUP) * 3)
    assert {s for cmd, s in FakeHost.log if cmd == "explain"} == set(SPEEDUP)
    disagree = 0
    for bench in results.benchmarks:
        meta = bench.get_metadata()
        if meta["strategy"] == "serial":
            continue
        runs = [r.get_metadata() for r in bench.get_runs()]
        pool = [r.values[0] for r in bench.get_runs()]                 # seconds per image
        ratios = sorted(m["paired_serial_per_image_s"] / p for m, p in zip(runs, pool))
        of_medians = sorted(m["paired_serial_per_image_s"] for m in runs)[1] / sorted(pool)[1]
        assert meta["paired_speedup"] == pytest.approx(ratios[1], rel=1e-3)
        disagree += abs(of_medians / ratios[1] - 1) > 0.05
    assert disagree            # the planted passes tell the two definitions apart


def test_the_race_takes_its_case_timeout_and_explain_all_in_its_constructor(tmp_path, monkeypatch):
    """--case-timeout bounds every command that runs a case's work (starting and closing
    pools have their own bounds); --explain all explains every configuration visited."""
    timeouts = []
    real_call = FakeHost.call

    def timed_call(self, cmd, timeout, **kw):
        if cmd not in ("prestart", "close_all"):
            timeouts.append(timeout)
        return real_call(self, cmd, timeout, **kw)

    monkeypatch.setattr(FakeHost, "call", timed_call)
    run_race(tmp_path, monkeypatch, case_timeout=7, explain_all=True)
    assert timeouts and set(timeouts) == {7}
    visited = {s for cmd, s in FakeHost.log if cmd == "visit"}
    assert {s for cmd, s in FakeHost.log if cmd == "explain"} == visited


def test_a_visit_retaken_after_cpu_steal_leaves_its_discarded_passes_out_of_every_figure(tmp_path, monkeypatch):
    """The first pass pair of every configuration is taken while 30% of the CPU time was
    stolen: it is taken again, and the discarded pair (a serial pass 10x slower, planted
    so that it would show) enters neither the serial figures nor the timed total."""
    real_call = FakeHost.call
    stolen = set()

    def call(self, cmd, timeout, **kw):
        reply = real_call(self, cmd, timeout, **kw)
        if cmd == "visit" and kw["case"]["strategy"] not in stolen:
            stolen.add(kw["case"]["strategy"])
            FakeHost.steal_next = True
            reply = dict(reply, steal=0.3)
        elif cmd == "serial" and getattr(FakeHost, "steal_next", False):
            FakeHost.steal_next = False
            reply = dict(reply, seconds=reply["seconds"] * 10, steal=0.3)
        return reply

    monkeypatch.setattr(FakeHost, "call", call)
    plan, results, _ = run_race(tmp_path, monkeypatch)
    by_strategy = {b.get_metadata()["strategy"]: b for b in results.benchmarks}
    serial = by_strategy["serial"]
    pools = sum(len(b.get_runs()) for s, b in by_strategy.items() if s != "serial")
    assert len(serial.get_runs()) == 1 + pools                  # the pilot and one per visit kept
    assert max(v for r in serial.get_runs() for v in r.values) == pytest.approx(SERIAL_S / 20)
    facts = results.run["facts"]
    assert facts["retaken_s"] > 0
    kept = sum(r.values[0] * 20 for b in by_strategy.values() for r in b.get_runs())   # the pilot too
    assert facts["timed_s"] == pytest.approx(kept, abs=0.01)


def test_the_race_searches_the_worker_count_of_its_leaders_and_finds_a_peak_between_rungs(tmp_path, monkeypatch):
    """16 CPUs; processes-chunked's speedup peaks at 12 workers (planted, noise-free but for
    a 1% jitter), threads are flat at 1.6x. The race enters the leaders' lines along the
    coarse ladder (2 .. 32), then the counts halfway around the best rung (16: 12 and 24),
    and 12 ends as the fastest configuration measured."""
    from bench.sim.machine import usl, usl_peaking_at

    kappa = usl_peaking_at(12, 0.02)

    def speedup(strategy, workers):
        if strategy.startswith("threads"):
            return 1.6
        return usl(workers, 0.02, kappa)

    real_call = FakeHost.call

    def call(self, cmd, timeout, **kw):
        reply = real_call(self, cmd, timeout, **kw)
        if cmd == "visit":
            case = kw["case"]
            reply = dict(reply, seconds=SERIAL_S / speedup(case["strategy"], case["workers"]) * next(self.jitter))
        return reply

    monkeypatch.setitem(SPEEDUP, "processes-chunked", 1.0)     # replaced by the curve above
    monkeypatch.setattr(FakeHost, "call", call)
    monkeypatch.setattr(race_mod.Race, "_start_process", lambda self, setup: FakeHost(setup, {}))
    FakeHost.log = []
    req = PlanRequest(mode="full", budget_s=600, codec_workloads=["imwrite"], pose=False,
                      sizes=[ImageSize(16, 16, 1)], n_images=20, layouts=["flat"],
                      strategies=["serial", "threads-chunked", "processes-chunked"],
                      codec_params=ImwriteWorkload.params_for(Codec()))
    plan = build_plan(req, 16, 64 * 1024 ** 3)
    (group,) = plan.groups
    assert group.searches() and group.w == 16
    results = ResultsFile(str(tmp_path / "r.json"), run={})
    import time
    race_mod.Race(plan, RunSettings(), results, {}, Quiet(), time.perf_counter(), 16.0).run()
    section = results.run["race"][group.key]
    assert section["search"]["stage"] == 2
    speeds = {(b.get_metadata()["strategy"], b.get_metadata()["workers"]): b.get_metadata().get("paired_speedup")
              for b in results.benchmarks if b.get_metadata()["strategy"] != "serial"}
    counts = sorted(w for s, w in speeds if s == "processes-chunked")
    assert set(counts) >= {2, 4, 8, 12, 16, 24, 32}       # the coarse ladder and the refinement
    assert max(speeds, key=lambda k: speeds[k] or 0) == ("processes-chunked", 12)


def test_the_overhead_probes_timed_passes_count_in_the_timed_share(tmp_path, monkeypatch):
    """Each probe's timed values join the run's timed seconds (0.25 s each here), as a
    visit's pool and serial passes do; the untimed start of its process does not."""
    from bench.model.case import Case
    from workloads.images import ImageSetSpec

    real_call = FakeHost.call

    def call(self, cmd, timeout, **kw):
        if cmd == "probe":
            return {"ok": True, "values_s": [0.1, 0.15], "warmups_s": [], "metadata": {},
                    "date": "2026-12-07T00:00:00+00:00", "duration_s": 1.0}
        return real_call(self, cmd, timeout, **kw)

    monkeypatch.setattr(FakeHost, "call", call)
    FakeHost.log = []
    monkeypatch.setattr(race_mod.Race, "_start_process", lambda self, setup: FakeHost(setup, {}))
    one_pixel = ImageSetSpec(ImageSize(1, 1, 1), 1, "noise", 0)
    probes = [Case("pool-start", one_pixel, {}, "threads", 2), Case("pool-start", one_pixel, {}, "threads", 4)]
    req = PlanRequest(mode="quick", budget_s=60, codec_workloads=[], pose=False, pipelines=[], overhead=probes)
    plan = build_plan(req, 2, 8 * 1024 ** 3)
    assert not plan.groups and len(plan.overhead) == 2
    results = ResultsFile(str(tmp_path / "r.json"), run={})
    import time
    race_mod.Race(plan, RunSettings(), results, {}, Quiet(), time.perf_counter(), 2.0).run()
    assert results.run["facts"]["timed_s"] == pytest.approx(0.5)
    assert len(results.benchmarks) == 2


def _stall_serial_passes(monkeypatch, stalls) -> None:
    """The k-th paired serial pass (from 1, the pilot not counted) takes 3x as long where
    ``stalls(k)``: a stall the pool pass beside it does not see."""
    real_call = FakeHost.call
    serials = [0]

    def call(self, cmd, timeout, **kw):
        reply = real_call(self, cmd, timeout, **kw)
        if cmd == "serial":
            serials[0] += 1
            if stalls(serials[0]):
                reply = dict(reply, seconds=reply["seconds"] * 3.0)
        return reply

    monkeypatch.setattr(FakeHost, "call", call)


def test_a_stalled_serial_pass_is_retaken_and_credits_no_pool_with_the_stall(tmp_path, monkeypatch):
    """Every fourth serial pass after the first three takes 3x as long (a stall the pool
    pass next to it did not see): the visit is retaken, so no configuration's speedup reads
    3x its planted one, and the stalled passes enter no figure, only the retaken seconds.
    A serial pass 1.8x the others is no stall: kept."""
    _stall_serial_passes(monkeypatch, lambda k: k > 3 and k % 4 == 0)
    plan, results, _ = run_race(tmp_path, monkeypatch)
    assert results.run["facts"]["retaken_s"] > 0
    for b in results.benchmarks:
        meta = b.get_metadata()
        if meta["strategy"] == "serial":
            assert max(v for r in b.get_runs() for v in r.values) == pytest.approx(SERIAL_S / 20)
        else:
            assert meta["paired_speedup"] == pytest.approx(SPEEDUP[meta["strategy"]], rel=0.03)
    assert race_mod._stalled(1.8, [1.0] * 5) is False and race_mod._stalled(3.0, [1.0] * 5) is True
    assert race_mod._stalled(3.0, [1.0]) is True                # the pilot alone is a reference
    assert race_mod._stalled(3.0, [3.0, 1.0]) is True           # ... unless it stalled itself
    assert race_mod._stalled(3.0, []) is False


def test_a_stall_in_the_first_visit_is_judged_against_the_pilot(tmp_path, monkeypatch):
    """The first paired serial pass of the group stalls (3x): only the pilot came before it,
    and that is enough to see it. The visit is retaken; no speedup reads 3x its planted one."""
    _stall_serial_passes(monkeypatch, lambda k: k == 1)
    plan, results, _ = run_race(tmp_path, monkeypatch)
    assert results.run["facts"]["retaken_s"] > 0
    for b in results.benchmarks:
        meta = b.get_metadata()
        if meta["strategy"] != "serial":
            assert meta["paired_speedup"] == pytest.approx(SPEEDUP[meta["strategy"]], rel=0.03)


def _best_at_4(threads: float):
    """Pools that scale far worse than a plan assumes on 16 CPUs: processes-chunked planted
    best at 4 workers (a USL curve, 1x at 16), the other process pools 0.8 of it, threads
    flat at ``threads``."""
    from bench.sim.machine import usl, usl_peaking_at

    kappa = usl_peaking_at(4, 0.002)

    def speedup(strategy, workers):
        if strategy.startswith("threads"):
            return threads
        return usl(workers, 0.002, kappa) * (1.0 if strategy == "processes-chunked" else 0.8)

    return speedup


def _race_slow_pools(tmp_path, monkeypatch, speedup):
    """A full run's 256x256 group on 16 CPUs whose pools run at ``speedup(strategy,
    workers)`` (the serial loop as planned): its race section, and per (strategy, workers)
    the rounds of its visits and its paired speedup."""
    req = PlanRequest(mode="full", budget_s=240, codec_workloads=["imwrite"], pose=False,
                      sizes=[ImageSize(256, 256, 3)], layouts=["flat"],
                      codec_params=ImwriteWorkload.params_for(Codec()))
    plan = build_plan(req, 16, 64 * 1024 ** 3)
    group = next(g for g in plan.groups if "256x256" in g.key)
    plan.groups = [group]
    assert group.searches() and any(t > 0 for t in group.tiers.values())
    costs = group.costs
    # the fake's serial pass (20 images) costs what the plan expects per image
    monkeypatch.setitem(globals(), "SERIAL_S", 20 * costs.seconds_per_image)
    clock = [0.0]
    real_call = FakeHost.call

    def call(self, cmd, timeout, **kw):
        if cmd == "visit":
            case = kw["case"]
            FakeHost.log.append((cmd, case["strategy"]))
            took = costs.count * costs.seconds_per_image / speedup(case["strategy"], case["workers"])
            clock[0] += took
            return {"ok": True, "seconds": took * next(self.jitter), "steal": 0.0}
        if cmd == "serial":
            clock[0] += costs.serial_pass
        return real_call(self, cmd, timeout, **kw)

    monkeypatch.setattr(FakeHost, "call", call)
    monkeypatch.setattr(race_mod.Race, "_start_process", lambda self, setup: FakeHost(setup, {}))
    monkeypatch.setattr(race_mod.time, "perf_counter", lambda: clock[0])
    FakeHost.log = []
    results = ResultsFile(str(tmp_path / "r.json"), run={})
    race_mod.Race(plan, RunSettings(verify=False), results, {}, Quiet(), 0.0, 16.0).run()
    rounds, speeds = {}, {}
    for b in results.benchmarks:
        meta = b.get_metadata()
        if meta["strategy"] != "serial":
            key = (meta["strategy"], meta["workers"])
            rounds[key] = [int(r.get_metadata()["race_round"]) for r in b.get_runs()]
            speeds[key] = meta["paired_speedup"]
    return results.run["race"][group.key], rounds, speeds


def test_pools_far_slower_than_planned_leave_round_one_to_the_worker_count_search(tmp_path, monkeypatch):
    """16 CPUs, the serial loop as planned, but the pools scale far worse than the plan
    assumes (processes-chunked planted best at 4 workers, 1x at 16; the other process pools
    0.8 of it; threads 1.2x flat). Round one visits tier 0, then the leaders' lines enter
    along the ladder in the same round; the later tiers' configurations that the search's
    visits leave no time for are not raced, and named so; the search is refined, and
    processes-chunked is measured at its planted best count and picked there."""
    section, rounds, speeds = _race_slow_pools(tmp_path, monkeypatch, _best_at_4(threads=1.2))
    assert section["search"]["stage"] == 2
    assert "search" in section["not_raced"].values()
    ladder = [k for k in rounds if k[0] == "processes-chunked" and k[1] in (2, 4, 8)]
    assert len(ladder) == 3 and all(min(rounds[k]) == 1 for k in ladder)     # entered in round one
    assert max(speeds, key=speeds.get) == ("processes-chunked", 4)


def test_a_pool_family_read_near_the_line_at_w_gets_a_second_visit_before_the_search(tmp_path, monkeypatch):
    """Threads lead at W (1.8x, flat); processes-chunked reads 0.56 of them there, truly
    best at 4 workers (planted) - one visit's noise decides whether its family is searched.
    Both get a second visit in round one before the leaders are read, and the process line
    is searched and picked at 4."""
    section, rounds, speeds = _race_slow_pools(tmp_path, monkeypatch, _best_at_4(threads=1.8))
    assert rounds[("processes-chunked", 16)][:2] == [1, 1]
    leader = max((k for k in rounds if k[0].startswith("threads") and k[1] == 16), key=speeds.get)
    assert rounds[leader][:2] == [1, 1]
    # the others at W were read once in round one
    others = [k for k in rounds if k[1] == 16 and k not in (leader, ("processes-chunked", 16))]
    assert others and all(rounds[k].count(1) == 1 for k in others)
    assert all(min(rounds[("processes-chunked", w)]) == 1 for w in (2, 4, 8))
    assert max(speeds, key=speeds.get) == ("processes-chunked", 4)


def test_a_configuration_far_behind_the_leader_is_visited_every_third_round_only(tmp_path, monkeypatch):
    """processes and threads read 0.25 and 0.45 of threads-chunked (planted): until the test
    can put them out they are visited in rounds 1, 4, 7 ... only, and every figure of them is
    a real visit; processes-shm (0.98 of the leader) and the leader every round."""
    monkeypatch.setattr(race_mod.racing, "eliminate", lambda *a, **k: [])     # nobody goes out
    monkeypatch.setattr(race_mod.racing, "all_tied", lambda samples: False)
    plan, results, progress = run_race(tmp_path, monkeypatch, budget=600.0)
    rounds = {b.get_metadata()["strategy"]: [int(r.get_metadata()["race_round"]) for r in b.get_runs()]
              for b in results.benchmarks if b.get_metadata()["strategy"] != "serial"}
    last = max(max(v) for v in rounds.values())
    assert last >= 7
    for strategy in ("processes", "threads"):
        assert rounds[strategy] == list(range(1, last + 1, race_mod.PARK_EVERY))
    for strategy in ("threads-chunked", "processes-shm"):
        assert rounds[strategy] == list(range(1, last + 1))


def test_a_pool_slower_than_any_plan_in_the_last_seconds_is_not_started_past_the_deadline():
    """A per-image process pool read 0.4x the serial loop in an earlier group; in this one
    its plan says 0.2 s a pass, but with 0.4x a pass of 256 images at 12.5 ms is 8 s: its
    first visit (a warm-up and a timed pass, and the serial pass) is sized so."""
    from bench.plan.budget import Costs
    from bench.run.race_state import ConfigState
    from bench.model.case import Case
    from workloads.images import ImageSetSpec

    race = race_mod.Race.__new__(race_mod.Race)
    race.slowdown, race.slowest = Slowdowns(), {}
    spec = ImageSetSpec(ImageSize(1920, 1080, 3), 256, "smooth", 0)
    cfg = ConfigState(Case("imwrite", spec, ImwriteWorkload.params_for(Codec()), "processes", 16, None))
    costs = Costs(0.0125, 256, 24, 16)
    assert race._worst_visit(cfg, costs) == 0.0              # nothing measured yet: the plan's
    race.slowest = {"processes": 0.4, "threads": 1.5}
    assert race._worst_visit(cfg, costs) == pytest.approx(2 * 256 * 0.0125 / 0.4 + 24 * 0.0125)
    race.slowest = {"threads": 1.5, "processes-shm": 0.8}    # its own strategy unseen: the slowest
    assert race._worst_visit(cfg, costs) == pytest.approx(2 * 256 * 0.0125 / 0.8 + 24 * 0.0125)


def test_on_a_few_cpus_the_search_waits_for_round_two_and_takes_nothing_from_the_strategies():
    """A full plan on 2 CPUs searches 1, 2, 4 workers, but round one races every tier: the
    search enters after it, as the budget goes to the strategies where CPUs are few."""
    from bench.run.race_state import ConfigState, GroupState

    req = PlanRequest(mode="full", budget_s=None, codec_workloads=["imwrite"], pose=False,
                      sizes=[ImageSize(256, 256, 3)], codec_params=ImwriteWorkload.params_for(Codec()))
    for cpus, early in ((2, False), (16, True)):
        group = build_plan(req, cpus, 64 * 1024 ** 3).groups[0]
        assert group.searches()
        state = GroupState(group.key, {c.name: ConfigState(c) for c in group.entrants if c.family != "serial"},
                           group.entrants[0])
        race = race_mod.Race.__new__(race_mod.Race)
        assert race._searches_in_round_one(race_mod._Group(group, state, None), 1) is early


class _Visited:
    """A configuration as the round's rules see it: its name (its case too), its visits'
    rounds and ratios."""

    def __init__(self, name, ratios=(), rounds=()):
        self.name = self.case = name
        self._ratios = list(ratios)
        self.visits = [{"round": r} for r in rounds]

    def ratios(self):
        return self._ratios


def test_a_configuration_judged_10_percent_behind_is_parked_and_one_low_reading_is_not():
    """Planted medians against a leader at 2.0: 1.9 (0.95) is visited every round; 1.7
    (0.85) with two visits waits PARK_EVERY rounds from its last; the same 1.7 read once
    is visited (one reading may be a stall); 0.9 (0.45) read once waits."""
    leader = _Visited("leader", [2.0, 2.0], [1, 2])
    near = _Visited("near", [1.9, 1.9], [1, 2])
    judged_behind = _Visited("judged-behind", [1.7, 1.7], [1, 2])
    once_behind = _Visited("once-behind", [1.7], [2])
    far_once = _Visited("far-once", [0.9], [2])
    new = _Visited("new")
    order = [leader, near, judged_behind, once_behind, far_once, new]
    names = lambda cs: {c.name for c in cs}
    assert names(race_mod._unparked(order, 3)) == {"leader", "near", "once-behind", "new"}
    assert names(race_mod._unparked(order, 2 + race_mod.PARK_EVERY)) == names(order)


class _Costs:
    """A plan's visit times by configuration name (first visits cost nothing more here)."""

    def __init__(self, seconds):
        self.seconds = seconds

    def visit(self, case):
        return self.seconds[case]

    def first_visit(self, case):
        return 0.0


def _visiting_race(now, hard_deadline, costs):
    """A race whose visits only take their planned time on a fake clock and are listed."""
    race = race_mod.Race.__new__(race_mod.Race)
    clock = [now]
    race.clock = lambda: clock[0]
    race.hard_deadline, race.slowdown, race.slowest, race.visited = hard_deadline, Slowdowns(), {}, []

    def visit(g, cfg, r):
        race.visited.append(cfg.name)
        clock[0] += costs.seconds[cfg.name]
    race._visit = visit
    return race


def test_a_visit_that_would_pass_the_hard_deadline_waits_and_the_others_go_on():
    """At 100 s of a run whose hard deadline is 150 s, in round one of a group (the first
    two rounds run whole, whatever the group's share): a 60 s visit would end past the
    deadline and is not started; the 5 s ones are, and the round counts as finished, so
    the group's race goes on (this visit alone ended a 256-CPU group's race after round
    one). Nothing fitting, or in a later round the share running out, ends it."""
    costs = _Costs({"slow": 60.0, "a": 5.0, "b": 5.0})
    cfgs = [_Visited("slow"), _Visited("a"), _Visited("b")]
    race = _visiting_race(100.0, 150.0, costs)
    assert race._visit_each(race_mod._Group(None, None, None, costs, 140.0), cfgs, 1) is True
    assert race.visited == ["a", "b"]
    race = _visiting_race(100.0, 150.0, costs)
    assert race._visit_each(race_mod._Group(None, None, None, costs, 140.0), cfgs[:1], 1) is False
    assert race.visited == []
    race = _visiting_race(100.0, 150.0, costs)     # the share ends at 107 s: b does not fit
    assert race._visit_each(race_mod._Group(None, None, None, costs, 107.0), cfgs[1:], 5) is False
    assert race.visited == ["a"]
