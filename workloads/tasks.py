"""Module-level task functions that pools send to workers.

They must be importable (not in ``__main__``) so spawn and forkserver workers can
unpickle references to them.
"""
from __future__ import annotations

_worker_workload = None


def init_worker(workload, cv_threads: int | None) -> None:
    """Pool initializer: runs once in every worker before any task."""
    global _worker_workload
    if cv_threads is not None:
        import cv2

        cv2.setNumThreads(cv_threads)
    workload.worker_setup()
    _worker_workload = workload


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
