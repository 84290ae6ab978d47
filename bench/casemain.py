"""Child side of case isolation: ``python -m bench.casemain SPEC.json RESULT.json``.

Each case runs in a fresh interpreter: no pool, thread or model left over from an
earlier case can change its numbers, and a crash, a hang or a leak stays inside it.
The result (or the reason for failure) is written as JSON for the parent.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone

from bench import messages
from bench.plan import Case
from bench.strategies import PoolConfig, make_strategy
from bench.timing import measure_case
from bench.verify import VerificationError, check_names, verify_against_serial


def run_case(case: Case, settings: dict) -> dict:
    import cv2

    from bench.machine import filesystem_of
    from workloads.images import fingerprint, generate
    from workloads.registry import make_workload

    if settings.get("cv_threads") is not None:
        cv2.setNumThreads(settings["cv_threads"])   # serial and thread cases run here
    started = time.perf_counter()
    images = generate(case.images)
    workload = make_workload(case.workload, case.params)
    strategy = make_strategy(case.strategy, PoolConfig(
        case.workers, case.chunk_size, case.start_method, settings.get("cv_threads")))

    out_root = settings.get("out_dir") or None
    # made (and removed again) by the parent, so a killed case leaves nothing behind
    work_root = settings.get("work_dir") or tempfile.mkdtemp(prefix="bench-case-", dir=out_root)
    try:
        timing = measure_case(strategy, workload, images, work_root,
                              warmups=settings.get("warmups", 1), values=settings.get("values", 3))
        check_names(workload, timing.last_out_dir, len(images))
        verified = "skipped"
        if settings.get("verify", True):
            verify_against_serial(strategy, workload, images, timing, work_root)
            verified = "yes"
        fs = filesystem_of(work_root)
    finally:
        shutil.rmtree(work_root, ignore_errors=True)

    count = len(images)
    return {
        "ok": True,
        "values_s": timing.values,
        "warmups_s": timing.warmups,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "duration_s": time.perf_counter() - started,
        "metadata": {
            "cold_total_s": timing.cold_total,
            "cold_per_image_s": timing.cold_total / count,
            "first_result_s": timing.cold_first_result,
            "image_fingerprint": fingerprint(images),
            "out_fs": fs,
            "verified": verified,
            "cv_threads_parent": cv2.getNumThreads(),
            "cv_threads_setting": settings.get("cv_threads"),
        },
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
        result = run_case(case, spec.get("settings", {}))
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
