"""Module-level task functions that pools send to workers.

They must be importable (not in ``__main__``) so spawn and forkserver workers can
unpickle references to them.
"""
from __future__ import annotations

import os
import threading
import time

_worker_workload = None


def init_worker(workload, cv_threads: int | None, report=None) -> None:
    """Pool initializer: runs once in every worker before any task.

    ``report`` (a queue) receives one dict per worker: its pid, thread, how long
    ``worker_setup`` took (model load for pose) and OpenCV's thread count there.
    """
    global _worker_workload
    import cv2

    if cv_threads is not None:
        cv2.setNumThreads(cv_threads)
    start = time.perf_counter()
    workload.worker_setup()
    setup_s = time.perf_counter() - start
    _worker_workload = workload
    if report is not None:
        report.put({"pid": os.getpid(), "thread": threading.get_ident(),
                    "setup_s": setup_s, "cv_threads": cv2.getNumThreads()})


def run_one(workload, index, image):
    """One image per task (seed 002's ``submit(save_img, i, img, dst)``)."""
    return workload.process(index, image)


def run_chunk(workload, start, images):
    """One contiguous slice per task (seed 002's answer)."""
    process = workload.process
    return [process(start + k, image) for k, image in enumerate(images)]


def noop(*args):
    """Does nothing, but its arguments are still pickled: seed 002's overhead probe."""
    return None
