"""One run: machine facts, parallel capacity, every case, the summary."""
from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

from bench import messages
from bench.capacity import measure_capacity
from bench.machine import available_cpus, collect
from bench.results import ResultsFile
from bench.runner import run_cases
from bench.strategies import default_start_method
from bench.summary import render


def echo(text: str = "") -> None:
    print(text, flush=True)


def run_settings(args) -> dict:
    return {
        "warmups": args.warmups,
        "values": args.values or 3,
        "verify": args.verify,
        "cv_threads": args.cv_threads,
        "out_dir": args.out_dir,
        "scheduler": args.scheduler,
        "scheduler_timeout": args.scheduler_timeout,
        "save_keypoints": getattr(args, "save_keypoints", None),
    }


def run_session(args, cases, path: str) -> int:
    started = time.perf_counter()
    machine = collect(default_start_method())
    echo(f"bench {args.command}: {len(cases)} cases on {machine.get('hostname', '?')} "
         f"({machine.get('bench_cpu_model', '?')}, {available_cpus()} CPUs)")
    echo(messages.RESULTS_WRITTEN.format(path=path))
    echo("measuring parallel capacity (pure CPU work, 1 vs N processes) ...")
    capacity = measure_capacity(available_cpus(), iterations=1_500_000 if args.quick else 3_000_000)
    echo(f"parallel capacity: {capacity['capacity']:.2f} with {capacity['processes']} processes")
    machine["bench_parallel_capacity"] = round(capacity["capacity"], 3)
    settings = run_settings(args)
    settings["capacity"] = capacity["capacity"]
    results = ResultsFile(path, run={
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "machine": machine,
        "capacity": capacity,
        "settings": settings,
    })
    results.save()
    run_cases(cases, settings, results, machine, timeout=args.case_timeout, echo=echo)
    results.run["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    results.run["duration_s"] = round(time.perf_counter() - started, 1)
    results.save()
    echo()
    echo(render(results))
    echo()
    if args.command == "all":
        from bench.answers import end_of_run   # the recommendation and the charts
        end_of_run(results, echo)
        echo()
    echo(messages.RESULTS_WRITTEN.format(path=path))
    echo(messages.COMPARE_HINT.format(path=path))
    return 1 if results.failed else 0
