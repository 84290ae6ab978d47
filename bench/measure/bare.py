"""Bare pools: what a user would write by hand, to hold bench's own figures against
(``bench.measure.selfcheck``). Each keeps its pool warm across passes and writes every
pass into the folder it is given, as a race visit does; nothing else.

``python -m bench.measure.bare`` serves them from an interpreter of its own that imports
nothing of bench's harness, as a user's script runs, answering one command a line on
stdin (``run FAMILY FOLDER`` -> the pass's seconds, timed in here) with one JSON line.
"""
from __future__ import annotations

import json
import math
import multiprocessing
import os
import sys
import threading
import time
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


def _noop() -> None:
    return None


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
        init, initargs = _set_params, (params,)
        if name == "processes-chunked":
            self.bounds = _slices(count, workers)
        elif name == "processes-inherit":
            _images = images                    # the children inherit it at fork
            self.bounds = _slices(count, 4 * workers)
        elif name == "processes-shm":
            from multiprocessing import shared_memory

            import numpy as np

            self.block = shared_memory.SharedMemory(create=True, size=max(1, images.nbytes))
            self.view = np.ndarray(images.shape, images.dtype, buffer=self.block.buf)
            init, initargs = _attach, (self.block.name, images.shape, images.dtype.str, params)
            self.bounds = _slices(count, 4 * workers)
        else:
            raise ValueError(f"no bare pool for {name}")
        self.pool = ProcessPoolExecutor(workers, mp_context=fork, initializer=init,
                                        initargs=initargs)

    def bring_up(self) -> None:
        """Start every worker now (fork), before any pass: see GroupWork.prestart."""
        if self.pool is not None:
            for f in [self.pool.submit(_noop) for _ in range(self.workers)]:
                f.result()

    def run(self, out: str) -> None:
        if self.pool is None:
            _write(0, self.images, out)
            return
        if self.name in ("threads-chunked", "processes-chunked"):
            futures = [self.pool.submit(_write, s, self.images[s:e], out) for s, e in self.bounds]
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


def _steal() -> tuple[int, int] | None:
    """(stolen, total) CPU ticks, as bench.measure.steal reads them (not imported: this
    interpreter carries nothing of bench's but this module)."""
    try:
        with open("/proc/stat") as fh:
            ticks = [int(x) for x in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    return (ticks[7], sum(ticks)) if len(ticks) == 8 else None


def serve(spec: dict, workers: int, families: list[str], params: list) -> None:
    """Answer ``run FAMILY FOLDER`` and ``facts`` until ``quit`` or the end of stdin."""
    from workloads.images import ImageSetSpec, generate

    images = generate(ImageSetSpec.from_dict(spec))
    pools = {f: Bare(f, images, workers, params) for f in families}
    try:
        for b in pools.values():
            b.bring_up()
        print(json.dumps({"ok": True, "pid": os.getpid()}), flush=True)
        for line in sys.stdin:
            cmd, *args = line.split()
            if cmd == "quit":
                break
            if cmd == "facts":
                reply = {"pid": os.getpid(), "threads": threading.active_count(),
                         "bench_modules": sorted(m for m in sys.modules
                                                 if m.startswith("bench.") and m != __name__
                                                 and m not in ("bench.measure",))}
            else:
                family, folder = args
                before = _steal()
                start = time.perf_counter()
                pools[family].run(folder)
                seconds = time.perf_counter() - start
                after = _steal()
                steal = None
                if before and after and after[1] > before[1]:
                    steal = (after[0] - before[0]) / (after[1] - before[1])
                reply = {"seconds": seconds, "steal": steal}
            print(json.dumps(dict(reply, ok=True)), flush=True)
    finally:
        for b in pools.values():
            b.close()


if __name__ == "__main__":
    serve(json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(","), json.loads(sys.argv[4]))
