"""Bare pools: what a user would write by hand, to hold bench's own figures against.

Each keeps its pool warm across passes and writes every pass into the folder it is
given, as a race visit does; nothing else - no harness, no first-result callbacks, no
worker reports. ``bench.measure.selfcheck`` times them next to bench's figure for the
same images.
"""
from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import cv2

_images = None        # a worker's image set: inherited at fork, or mapped shared memory
_shm = None
_params: list = []


def _write(start: int, images, out: str) -> None:
    for k, image in enumerate(images):
        cv2.imwrite(os.path.join(out, f"{start + k}.jpg"), image, _params)


def _write_range(start: int, stop: int, out: str) -> None:
    _write(start, _images[start:stop], out)


def _attach(name: str, shape, dtype: str, params) -> None:
    global _images, _shm, _params
    from multiprocessing import shared_memory

    import numpy as np

    _shm = shared_memory.SharedMemory(name=name)
    _images = np.ndarray(shape, dtype=np.dtype(dtype), buffer=_shm.buf)
    _params = list(params)


def _set_params(params) -> None:
    global _params
    _params = list(params)


def _slices(count: int, parts: int):
    size = math.ceil(count / parts)
    return [(s, min(s + size, count)) for s in range(0, count, size)]


class Bare:
    """``run(out)`` writes every image into ``out``; ``close()`` ends the pool."""

    def __init__(self, name: str, images, workers: int, params):
        global _images, _params
        self.name, self.images, self.workers = name, images, workers
        _params = list(params)
        count = len(images)
        self.pool = None
        self.block = None
        if name == "serial":
            return
        if name == "threads-chunked":
            self.pool = ThreadPoolExecutor(workers)
            self.bounds = _slices(count, workers)
            return
        fork = multiprocessing.get_context("fork")
        if name == "processes-chunked":
            self.pool = ProcessPoolExecutor(workers, mp_context=fork, initializer=_set_params,
                                            initargs=(params,))
            self.bounds = _slices(count, workers)
        elif name == "processes-inherit":
            _images = images                    # the children inherit it at fork
            self.pool = ProcessPoolExecutor(workers, mp_context=fork, initializer=_set_params,
                                            initargs=(params,))
            self.bounds = _slices(count, 4 * workers)
        elif name == "processes-shm":
            from multiprocessing import shared_memory

            import numpy as np

            self.block = shared_memory.SharedMemory(create=True, size=max(1, images.nbytes))
            self.view = np.ndarray(images.shape, images.dtype, buffer=self.block.buf)
            self.pool = ProcessPoolExecutor(workers, mp_context=fork, initializer=_attach,
                                            initargs=(self.block.name, images.shape, images.dtype.str, params))
            self.bounds = _slices(count, 4 * workers)
        else:
            raise ValueError(f"no bare pool for {name}")

    def bring_up(self) -> None:
        """Start every worker now (fork), before any pass: see GroupHost.prestart."""
        from workloads.tasks import noop

        if self.pool is not None:
            for f in [self.pool.submit(noop) for _ in range(self.workers)]:
                f.result()

    def run(self, out: str) -> None:
        if self.pool is None:
            _write(0, self.images, out)
        elif self.name in ("threads-chunked", "processes-chunked"):
            futures = [self.pool.submit(_write, s, self.images[s:e], out) for s, e in self.bounds]
            for f in futures:
                f.result()
        else:
            if self.block is not None:
                self.view[...] = self.images      # as processes-shm: one copy per pass
            futures = [self.pool.submit(_write_range, s, e, out) for s, e in self.bounds]
            for f in futures:
                f.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        if self.block is not None:
            self.view = None
            self.block.close()
            self.block.unlink()
