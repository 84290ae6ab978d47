"""One run: machine facts, parallel capacity, every case, the summary."""
from __future__ import annotations

import sys
import time
from dataclasses import asdict, replace

from bench.model.request import RunRequest
from bench.model.settings import RunSettings
from bench.run import interrupt
from bench.measure.capacity import CAPACITY_TRIES, capacity_is_low, measure_capacity
from bench.run.cleanup import kill_descendants
from bench.measure.machine import available_cpus, collect
from bench.results import ResultsFile, ResultsWriteError, utc_now
from bench.run.resume import resume_command
from bench.strategies import default_start_method
from bench.output.summary import low_capacity_warning, render
from bench.plan.budget import format_duration
from bench.texts import messages


def echo(text: str = "") -> None:
    print(text, flush=True)


def warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_session(request: RunRequest, race_plan, path: str, results: ResultsFile | None = None,
                skipped=(), after_summary=None, plan: dict | None = None,
                plan_inputs: dict | None = None) -> int:
    """Measure ``race_plan`` into ``path`` (``results``: the file being resumed, if any).
    ``plan`` and ``plan_inputs`` go into a new results file, for ``--resume``;
    ``after_summary(results, echo)`` prints after the summary (a run never imports the CLI).

    Returns the exit code: 0 all measured, 1 some failed, 3 the results file could not
    be written, 130/143 interrupted (results so far kept, resume command printed).
    """
    state = {"results": results, "planned": len(race_plan.cases())}
    try:
        return _session(request, path, state, skipped, race_plan, after_summary, plan, plan_inputs)
    except KeyboardInterrupt as exc:
        return _interrupted(exc, request, path, state)
    except ResultsWriteError as exc:
        interrupt.handled()
        kill_descendants()
        warn(messages.ERROR_LINE.format(error=exc))
        if exc.saved:
            warn(messages.DISK_FULL_KEPT.format(
                saved=exc.saved, command=resume_command(request.command, path, request.case_timeout)))
        return 3


def _session(request: RunRequest, path: str, state: dict, skipped, race_plan, after_summary,
             plan: dict | None, plan_inputs: dict | None) -> int:
    started = time.perf_counter()
    results = state["results"]
    if results is None:
        machine = collect(default_start_method())
        cpus = available_cpus()
        where = (f"{machine.get('hostname', '?')} ({machine.get('bench_cpu_model', '?')}, "
                 f"{cpus} CPU{'s' if cpus != 1 else ''})")
        planned = dict(command=request.command, configurations=race_plan.configurations(),
                       groups=len(race_plan.groups), probes=len(race_plan.overhead), where=where,
                       estimate=format_duration(race_plan.estimate_s))
        if race_plan.policy.within_budget:
            echo(messages.RACE_PLANNED.format(**planned, budget=format_duration(race_plan.budget_s)))
        else:
            echo(messages.IN_FULL_PLANNED.format(**planned, visits=race_plan.policy.visits))
        for line in race_plan.plan_lines():
            echo(line)
        echo(messages.RESULTS_WRITTEN.format(path=path))
        echo(messages.MEASURING_CAPACITY)
        capacity = measure_capacity_steadily(cpus, 1_000_000 if request.quick else 2_000_000)
        interrupt.check()
        readings = capacity.get("readings", [])
        echo(messages.CAPACITY_MEASURED.format(capacity=capacity["capacity"], processes=capacity["processes"])
             + (messages.CAPACITY_READINGS.format(readings=", ".join(f"{x:.2f}" for x in readings))
                if len(readings) > 1 else ""))
        if capacity_is_low(capacity):
            warn(low_capacity_warning(capacity))
        machine["bench_parallel_capacity"] = round(capacity["capacity"], 3)
        results = ResultsFile(path, run={
            "started": utc_now(),
            "command": " ".join(sys.argv),
            "argv": list(request.argv or sys.argv[1:]),
            "plan": plan,
            "machine": machine,
            "capacity": capacity,
            # the capacity goes to every case: the decomposition's work part uses it
            "settings": asdict(replace(request.settings(), capacity=capacity["capacity"])),
            "plan_inputs": plan_inputs,
            "mode": race_plan.policy.name,
            # the groups this budget had no room for: the answer names them at the end too
            "left_out": [{"group": g.key, "estimated_s": round(g.estimate(), 1),
                          "for_the_search": g in race_plan.for_the_search} for g in race_plan.left_out],
        })
        state["results"] = results
    else:      # resuming: same machine facts and capacity as the run it continues
        machine = results.run.get("machine", {})
        results.run.setdefault("resumed", []).append({"date": utc_now(), "argv": list(request.argv)})
        results.run.pop("interrupted", None)
        echo(messages.RESUMING.format(command=request.command, path=path, saved=results.saved,
                                      planned=state["planned"],
                                      left=max(0, state["planned"] - results.saved)))
    if skipped:
        results.run["skipped"] = [asdict(s) for s in skipped]
    results.save()
    settings = RunSettings.from_dict(results.run["settings"])
    from bench.output.progress import Progress   # imported once the capacity is measured
    from bench.run.race import Race

    progress = Progress(race_plan, started)
    try:
        Race(race_plan, settings, results, machine, progress, started, settings.capacity,
             seed=request.seed, case_timeout=request.case_timeout,
             explain_all=request.explain == "all").run()
    finally:
        progress.close()
    interrupt.check()          # a signal whose exception Python swallowed
    results.run["finished"] = utc_now()
    results.run["duration_s"] = round(time.perf_counter() - started, 1)
    results.save()
    echo()
    echo(render(results))
    echo()
    if after_summary is not None:
        after_summary(results, echo)
        echo()
    facts = results.run.get("facts", {})
    if facts.get("timed_s") is not None:
        wall = time.perf_counter() - started
        echo(messages.TIMED_SHARE.format(timed=format_duration(facts["timed_s"]),
                                         wall=format_duration(wall), share=facts["timed_s"] / wall))
        results.run["facts"] = dict(facts, wall_s=round(wall, 2),
                                    timed_share=round(facts["timed_s"] / wall, 4))
        results.save()
    echo(messages.RESULTS_WRITTEN.format(path=path))
    echo(messages.COMPARE_HINT.format(path=path))
    return 1 if results.failed else 0


def measure_capacity_steadily(cpus: int, iterations: int, tries: int = CAPACITY_TRIES) -> dict:
    """The parallel capacity: the median of ``tries`` readings, taken once nothing bench
    started is still running. Always ``tries`` of them: keeping the highest, or reading
    again only after a low one, leans high (efficiencies over 100%); a median of a fixed
    number has no such lean. Every reading is recorded with what ran beside it."""
    from bench.measure.capacity import explain_readings, median_reading, wait_until_ours_ended

    quiet = wait_until_ours_ended()
    full = [measure_capacity(cpus, iterations=iterations) for _ in range(max(1, tries))]
    taken = [{"capacity": round(c["capacity"], 3), "others_share": c.get("others_share"),
              "stolen_share": c.get("stolen_share"), "repeats": c.get("repeats")} for c in full]
    out = dict(median_reading(full), readings=[r["capacity"] for r in taken], reading_facts=taken,
               before=quiet)
    if note := explain_readings(taken):
        out["note"] = note
    return out


def _interrupted(exc: KeyboardInterrupt, request: RunRequest, path: str, state: dict) -> int:
    """Ctrl-C / SIGTERM: end what we started, keep the results file, say how to go on."""
    interrupt.handled()
    kill_descendants()
    name = interrupt.signal_name(exc)
    results = state["results"]
    if results is None:
        warn(messages.INTERRUPTED_EARLY.format(signal=name))
        return interrupt.exit_code(exc)
    results.run["interrupted"] = utc_now()
    try:
        results.save()
    except ResultsWriteError as err:
        warn(messages.ERROR_LINE.format(error=err))
    n = len(results.benchmarks) + len(results.failed)
    warn(messages.INTERRUPTED.format(signal=name, done=n, planned=state["planned"], path=path))
    warn(messages.RESUME_WITH.format(command=resume_command(request.command, path, request.case_timeout)))
    return interrupt.exit_code(exc)
