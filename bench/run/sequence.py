"""Run a list of cases one after another into a results file, with progress."""
from __future__ import annotations

import time
from typing import Callable

from bench.model.settings import RunSettings
from bench.run import interrupt
from bench.run.isolation import run_isolated
from bench.run.resources import default_case_timeout
from bench.results import ResultsFile, case_benchmark, utc_now
from bench.texts.units import format_time_per_image


def run_cases(cases, settings: RunSettings, results: ResultsFile, machine_meta: dict,
              timeout: float | None, echo: Callable[[str], None] = print,
              done: int = 0, total: int | None = None) -> ResultsFile:
    """Measure every case; the results file is saved after each one.

    ``timeout`` None means each case gets :func:`bench.run.resources.default_case_timeout`.
    ``done``/``total`` number the progress lines when a run is resumed. A signal that
    arrives while a finished case is being recorded waits until the file is saved.
    """
    total = total or done + len(cases)
    width = len(str(total))
    # The serial loop's time per image, per group: later cases of the group use it to
    # split their cold total into start-up, transfer and work (bench/probes.py).
    serial = dict(settings.serial_per_image_s)
    for b in results.benchmarks:
        if b.get_metadata().get("strategy") == "serial":
            serial[b.get_metadata().get("group")] = b.median()
    for i, case in enumerate(cases, done + 1):
        interrupt.check()
        label = f"[{i:>{width}}/{total}] {case.name}"
        limit = timeout or default_case_timeout(case, settings)
        started = time.perf_counter()
        outcome = run_isolated(case.as_dict(), settings.with_(serial_per_image_s=dict(serial)), limit)
        elapsed = time.perf_counter() - started
        with interrupt.deferred():
            if outcome.ok:
                bench = case_benchmark(case, outcome.result, machine_meta)
                results.add(bench)
                if case.strategy == "serial":
                    serial[case.group] = bench.median()
                echo(f"{label:<80} {format_time_per_image(bench.median())}  ({elapsed:.1f} s)")
            else:
                results.add_failure(case.name, case.as_dict(), outcome.reason, utc_now(),
                                    outcome.detail)
                echo(f"{label:<80} FAILED: {outcome.reason}")
            results.save()
    return results
