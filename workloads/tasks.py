"""Module-level task functions that pools send to workers (importable, so spawn and
forkserver workers can unpickle references to them)."""
from __future__ import annotations

import os
import threading
import time

from workloads.base import Workload, register

last_report = None   # this worker's init_worker report (read remotely by Dask's client.run)


def init_worker(workload, cv_threads: int | None, report=None) -> dict:
    """Pool initializer, once in every worker: ``report`` (a queue) receives its pid,
    thread, how long ``worker_setup`` took and OpenCV's thread count there, which it also
    returns (a pool ignores an initializer's result; a library's worker reads it)."""
    import cv2

    if cv_threads is not None:
        cv2.setNumThreads(cv_threads)
    start = time.perf_counter()
    facts = workload.worker_setup()
    setup_s = time.perf_counter() - start
    # built in a local: a thread pool's workers run this side by side, and filling the
    # shared global let one thread's report overwrite another's before it was sent
    mine = dict(facts) if isinstance(facts, dict) else {}   # e.g. pose's model_load_s
    mine.update({"pid": os.getpid(), "thread": threading.get_ident(),
                 "setup_s": setup_s, "cv_threads": cv2.getNumThreads()})
    global last_report
    last_report = mine
    if report is not None:
        report.put(mine)
    return mine


def run_one(workload, index, image):
    """One image per task (the classic saving-images-in-a-loop question's
    ``submit(save_img, i, img, dst)``)."""
    return workload.process(index, image)


def run_chunk(workload, start, images):
    """One contiguous slice per task (the answer to the classic question)."""
    process = workload.for_task(start).process
    return [process(start + k, image) for k, image in enumerate(images)]


def noop(*args):
    """Does nothing, but its arguments are still pickled: the classic question's probe."""


# -- pixels that never cross a pipe ---------------------------------------------
# The image set a worker reads by index. Set either before a fork (inherited,
# copy-on-write) or by attaching to a shared-memory block in the initializer.
_images = None
_shm = None   # keeps the SharedMemory mapping alive for as long as the worker lives


def generate_images_here(spec: dict) -> None:
    """This worker's own copy of an image set, made from its spec: nothing transferred."""
    global _images
    from workloads.images import ImageSetSpec, generate

    _images = generate(ImageSetSpec.from_dict(spec))


def set_inherited_images(images) -> None:
    """Parent side, before forking the pool: children inherit this global."""
    global _images
    _images = images


def init_worker_shm(workload, cv_threads, report, shm_name: str, shape, dtype: str) -> None:
    """Initializer for the shared-memory strategy: attach once, then read by index."""
    global _images, _shm
    from multiprocessing import shared_memory

    import numpy as np

    _shm = shared_memory.SharedMemory(name=shm_name)
    _images = np.ndarray(shape, dtype=np.dtype(dtype), buffer=_shm.buf)
    init_worker(workload, cv_threads, report)


def run_range(workload, start: int, stop: int):
    """Process images ``start..stop`` of the worker's own image set (no pixels sent)."""
    if _images is None:
        raise RuntimeError("no image set in this worker (inherit needs the fork start method)")
    return run_chunk(workload, start, _images[start:stop])


@register
class NoopWorkload(Workload):
    """Does nothing with an image, but is sent exactly like a real workload: the classic
    question's probe ("the same call with a function that does nothing")."""

    name = "noop"
    rank = 30
    label = "noop"
    needs_verify_pass = False

    @classmethod
    def from_params(cls, params: dict) -> "NoopWorkload":
        return cls()

    def with_output(self, out_dir: str) -> "NoopWorkload":
        return self

    def process(self, index, image):
        return None

    def outputs(self, results, count: int) -> dict:
        return {str(i): None for i in range(count)}

    @staticmethod
    def differs(a, b) -> bool:
        return False


PAGE = 4096


class ArrivalWorkload(NoopWorkload):
    """A no-op that reads one byte of every memory page of its image: shared or inherited
    pixels are mapped lazily and arrive on first touch, which the real work always does,
    so the decomposition's transfer covers every way a pixel reaches a worker."""

    name = "arrival"
    label = "arrival"

    def process(self, index, image):
        import numpy as np

        flat = np.asarray(image).reshape(-1).view(np.uint8)
        if flat.size:
            int(flat[::PAGE].sum()) + int(flat[-1])
        return None

