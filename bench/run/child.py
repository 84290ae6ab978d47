"""Child side of case isolation: ``python -m bench.run.child SPEC.json RESULT.json``.

Each case runs in a fresh interpreter: no pool, thread or model left over from an
earlier case can change its numbers, and a crash, a hang or a leak stays inside it.
The result (or the reason for failure) is written as JSON for the parent.
"""
from __future__ import annotations

import json
import os
import statistics
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures.process import BrokenProcessPool

from bench.measure.probes import CaseProbes
from bench.model.case import Case
from bench.model.settings import RunSettings
from bench.results import utc_now
from bench.results.paired import paired_speedup
from bench.strategies import PoolConfig, make_strategy
from bench.measure.timing import measure_case
from bench.measure.verify import VerificationError, check_names, verify_against_serial
from bench.texts import messages


def run_case(case: Case, settings: RunSettings) -> dict:
    import cv2

    from bench.measure.machine import filesystem_of
    from workloads.images import fingerprint, generate
    from workloads.registry import make_workload

    cv_threads = case.cv_threads if case.cv_threads is not None else settings.cv_threads
    if cv_threads is not None:
        cv2.setNumThreads(cv_threads)   # serial and thread cases run in this process
    started = time.perf_counter()
    images = generate(case.images)
    workload = make_workload(case.workload, case.params)
    if case.out_layout is not None:
        if workload.with_layout is None:
            raise ValueError(f"the {case.workload} workload writes no files: it has no output layout")
        workload = workload.with_layout(case.out_layout)
    workload.prepare_parent()   # pose: import mediapipe, no model
    strategy = make_strategy(case.strategy, PoolConfig(
        case.workers, case.chunk_size, case.start_method, cv_threads,
        scheduler=settings.scheduler, scheduler_timeout=settings.scheduler_timeout,
        image_spec=case.images.as_dict()))
    if workload.measure is not None:       # overhead probes that time themselves
        result = workload.measure(strategy, images, settings.values)
        result.update(ok=True, date=utc_now(), duration_s=time.perf_counter() - started)
        result["metadata"]["image_fingerprint"] = fingerprint(images)
        result["metadata"].update(strategy.facts)
        return result

    out_root = settings.out_dir or None
    # made (and removed again) by the parent, so a killed case leaves nothing behind
    work_root = settings.work_dir or tempfile.mkdtemp(prefix="bench-case-", dir=out_root)
    probes = CaseProbes(strategy.family, case.workers, settings.capacity,
                        settings.serial_per_image_s.get(case.group))
    # The serial loop timed next to a pool's passes (bench/timing.py), but never in a
    # process that must later fork a pool: a model built here (pose) would crash it.
    paired = None
    if (case.family != "serial" and settings.paired_serial
            and not workload.has_model):
        paired = make_strategy("serial", PoolConfig())
    try:
        timing = measure_case(strategy, workload, images, work_root, probes=probes,
                              warmups=settings.warmups, values=settings.values,
                              paired_serial=paired)
        if timing.paired_serial:
            # the decomposition's ideal work from the serial passes timed next to this
            # case's own, not the group's serial case measured minutes earlier
            probes.serial_per_image_s = statistics.median(timing.paired_serial) / len(images)
        check_names(workload, timing.last_out_dir, len(images))
        extra = workload.case_metadata(timing)   # before verification builds more
        verified = "skipped"
        if settings.verify:
            verify_against_serial(strategy, workload, images, timing, work_root)
            verified = "yes"
        save = workload.save_results
        if settings.save_keypoints and save is not None and (
                verified == "yes" or case.strategy == "serial"):
            extra["keypoints_file"] = save(timing.last_results, settings.save_keypoints, case)
        fs = filesystem_of(work_root)
    finally:
        shutil.rmtree(work_root, ignore_errors=True)

    count = len(images)
    return {
        "ok": True,
        "values_s": timing.values,
        "warmups_s": timing.warmups,
        "date": utc_now(),
        "duration_s": time.perf_counter() - started,
        "metadata": {
            "cold_total_s": timing.cold_total,
            "cold_passes": len(timing.cold_values),
            "cold_min_s": min(timing.cold_values),
            "cold_max_s": max(timing.cold_values),
            "cold_per_image_s": timing.cold_total / count,
            "first_result_s": timing.cold_first_result,
            "image_fingerprint": fingerprint(images),
            "out_fs": fs,
            "verified": verified,
            "cv_threads_parent": cv2.getNumThreads(),
            "cv_threads_setting": cv_threads,
            **worker_metadata(timing.warm_workers),
            **paired_metadata(timing.paired_serial, timing.values),
            **probes.metadata(strategy, count, timing.cold_values),
            **strategy.facts,      # Dask: the cluster's workers and versions
            **extra,
        },
    }


def paired_metadata(serial_passes: list[float], values: list[float]) -> dict:
    """The speedup over serial passes timed alternately with this case's own passes:
    the median of the per-pass ratios, as a race's (bench.results.paired)."""
    if not serial_passes:
        return {}
    return {"paired_serial_s": statistics.median(serial_passes),
            "paired_serial_min_s": min(serial_passes), "paired_serial_max_s": max(serial_passes),
            # one per timed pass, in order: pass k's speedup is passes[k] / values[k]
            "paired_serial_passes_s": " ".join(repr(float(x)) for x in serial_passes),
            "paired_speedup": paired_speedup(serial_passes, values)}


def worker_metadata(reports: list[dict]) -> dict:
    """Per-worker facts from the pool initializers: set-up (model load) time, cv threads."""
    if not reports:
        return {}
    setups = [r["setup_s"] for r in reports]
    return {
        "pool_workers_started": len(reports),
        "worker_setup_s": statistics.median(setups),
        "worker_setup_max_s": max(setups),
        "cv_threads_worker": max(r["cv_threads"] for r in reports),
    }


def explain(exc: BaseException) -> str:
    """One readable line for a failed case."""
    if isinstance(exc, BrokenProcessPool):
        return messages.BROKEN_POOL
    if isinstance(exc, VerificationError):
        return str(exc)
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else '(no message)'}"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    spec_path, result_path = argv
    with open(spec_path) as fh:
        spec = json.load(fh)
    case = Case.from_dict(spec["case"])
    try:
        result = run_case(case, RunSettings.from_dict(spec.get("settings")))
        code = 0
    except Exception as exc:  # noqa: BLE001 - any failure becomes a recorded failed case
        result = {"ok": False, "reason": explain(exc), "traceback": traceback.format_exc()}
        code = 1
    tmp = result_path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(result, fh)
    os.replace(tmp, result_path)
    return code


if __name__ == "__main__":
    sys.exit(main())
