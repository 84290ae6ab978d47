"""One run: machine facts, parallel capacity, every case, the summary."""
from __future__ import annotations

import sys
import time

from bench.plan.settings import RunSettings
from bench.run import interrupt
from bench.output import messages
from bench.measure.capacity import capacity_is_low, measure_capacity
from bench.run.cleanup import kill_descendants
from bench.measure.machine import available_cpus, collect
from bench.results import ResultsFile, ResultsWriteError, utc_now
from bench.run.resume import resume_command
from bench.run.sequence import run_cases
from bench.strategies import default_start_method
from bench.output.summary import low_capacity_warning, render


def echo(text: str = "") -> None:
    print(text, flush=True)


def warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_session(args, cases, path: str, results: ResultsFile | None = None,
                skipped=(), planned: int | None = None) -> int:
    """Run ``cases`` into ``path``; ``results`` is the file being resumed, if any.

    Returns the exit code: 0 all measured, 1 some failed, 3 the results file could not
    be written, 130/143 interrupted (results so far kept, resume command printed).
    """
    state = {"results": results, "planned": planned or len(cases)}
    try:
        return _session(args, cases, path, state, skipped)
    except KeyboardInterrupt as exc:
        return _interrupted(exc, args, path, state)
    except ResultsWriteError as exc:
        interrupt.handled()
        kill_descendants()
        warn(f"bench: error: {exc}")
        if exc.saved:
            warn(f"the file keeps the {exc.saved} case(s) saved before; free space, then resume "
                 f"with: {resume_command(args.command, path, args.case_timeout)}")
        return 3


def _session(args, cases, path: str, state: dict, skipped) -> int:
    started = time.perf_counter()
    results = state["results"]
    if results is None:
        machine = collect(default_start_method())
        echo(f"bench {args.command}: {len(cases)} cases on {machine.get('hostname', '?')} "
             f"({machine.get('bench_cpu_model', '?')}, {available_cpus()} CPUs)")
        echo(messages.RESULTS_WRITTEN.format(path=path))
        echo("measuring parallel capacity (pure CPU work, 1 vs N processes) ...")
        capacity = measure_capacity(available_cpus(), iterations=1_500_000 if args.quick else 3_000_000)
        interrupt.check()
        echo(f"parallel capacity: {capacity['capacity']:.2f} with {capacity['processes']} processes")
        if capacity_is_low(capacity):
            warn(low_capacity_warning(capacity))
        machine["bench_parallel_capacity"] = round(capacity["capacity"], 3)
        results = ResultsFile(path, run={
            "started": utc_now(),
            "command": " ".join(sys.argv),
            "argv": list(getattr(args, "argv", None) or sys.argv[1:]),
            "plan": getattr(args, "plan", None),
            "machine": machine,
            "capacity": capacity,
            # the capacity goes to every case: the decomposition's work part uses it
            "settings": RunSettings.from_args(args).with_(capacity=capacity["capacity"]).recorded(),
        })
        state["results"] = results
    else:      # resuming: same machine facts and capacity as the run it continues
        machine = results.run.get("machine", {})
        results.run.setdefault("resumed", []).append({"date": utc_now(), "argv": list(args.argv)})
        results.run.pop("interrupted", None)
        echo(f"bench {args.command}: resuming {path}: {results.saved} of {state['planned']} "
             f"cases already there, {len(cases)} to run")
    if skipped:
        results.run["skipped"] = [s.as_dict() for s in skipped]
    results.save()
    done = state["planned"] - len(cases)
    run_cases(cases, RunSettings.from_dict(results.run["settings"]), results, machine, timeout=args.case_timeout,
              echo=echo, done=done, total=state["planned"])
    interrupt.check()          # a signal whose exception Python swallowed
    results.run["finished"] = utc_now()
    results.run["duration_s"] = round(time.perf_counter() - started, 1)
    results.save()
    echo()
    echo(render(results))
    echo()
    if args.command == "all":
        from bench.cli.answers import end_of_run   # the recommendation and the charts
        end_of_run(results, echo)
        echo()
    echo(messages.RESULTS_WRITTEN.format(path=path))
    echo(messages.COMPARE_HINT.format(path=path))
    return 1 if results.failed else 0


def _interrupted(exc: KeyboardInterrupt, args, path: str, state: dict) -> int:
    """Ctrl-C / SIGTERM: the case in flight is already ended (bench.run.isolation); end what
    else we started, keep the results file, say how to go on."""
    interrupt.handled()
    kill_descendants()
    name = interrupt.signal_name(exc)
    results = state["results"]
    if results is None:
        warn(f"bench: interrupted by {name} before any case ran; nothing to resume")
        return interrupt.exit_code(exc)
    results.run["interrupted"] = utc_now()
    try:
        results.save()
    except ResultsWriteError as err:
        warn(f"bench: error: {err}")
    n = len(results.benchmarks) + len(results.failed)
    warn(f"bench: interrupted by {name}: {n} of {state['planned']} cases are in {path}")
    warn(f"resume with: {resume_command(args.command, path, args.case_timeout)}")
    return interrupt.exit_code(exc)
