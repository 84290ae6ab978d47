"""mpire: what ``WorkerPool(n_jobs=W).map(f, args)`` costs, with its default chunking, in
the case's start method (docs/libraries.md: the three strategies).

The pool is kept warm between passes with ``keep_alive=True`` (mpire's default ends the
workers after every ``map``). A pass uses ``imap``, the ordered iterator ``map`` gathers
into a list, so the first result can be seen arriving.
"""
from __future__ import annotations

import queue
from concurrent.futures import wait
from functools import partial

from bench.strategies.base import default_start_method, register
from bench.strategies.libraries import worker
from bench.strategies.libraries.pools import LibraryPool, LibraryStrategy, require, version
from bench.texts import messages


class MpirePool(LibraryPool):
    """A started ``WorkerPool`` and the one function every task goes through (mpire
    keeps workers between calls only while ``func`` and ``worker_init`` stay the same)."""

    def __init__(self, pool, func, init, reports, cv_threads):
        super().__init__(reports, cv_threads)
        self.pool, self.func, self.init = pool, func, init
        self._applied: list = []

    def map(self, calls, count: int, on_first_result) -> list:
        # mpire mixes up a worker's apply task and map chunks when both are in flight
        # ("'tuple' object is not callable"): the probes' single tasks finish first
        wait(self._applied)
        self._applied = []
        args = ((self.cv_threads, fn, *rest) for fn, *rest in calls)
        pairs = self.pool.imap(self.func, args, iterable_len=count, worker_init=self.init)
        return self.collect(pairs, on_first_result)

    def submit(self, fn, *args):
        if not self.pool._workers:                 # noqa: SLF001
            # workers started by apply_async cannot run an ordered map later (mpire picks
            # a worker's task wrapper once, when it starts): start them with a map
            self.pool.map(self.func, [], iterable_len=0, worker_init=self.init)
        out, done, failed = self.future()
        self.pool.apply_async(self.func, (self.cv_threads, fn) + args, callback=done,
                              error_callback=failed, worker_init=self.init)
        self._applied.append(out)
        return out

    def worker_pids(self) -> list[int]:
        return [w.pid for w in list(self.pool._workers or []) if getattr(w, "pid", None)]   # noqa: SLF001

    def shutdown(self, wait: bool = True) -> None:
        try:
            self.pool.stop_and_join(keep_alive=False)
        finally:
            self.pool.terminate()


class _Mpire(LibraryStrategy):
    family = "processes"
    library = "mpire"
    tier_role = "variant"
    shared = False
    state = False

    def _method(self) -> str:
        return self.config.start_method or default_start_method()

    def start(self, workload, images=None):
        mpire = require("mpire")
        method = self._method()
        workload.check_fork(method)          # pose: never fork a process that built a model
        self._reports = queue.SimpleQueue()
        self._shared_count = len(images) if self.shared and images is not None else None
        pool = mpire.WorkerPool(n_jobs=self.config.workers, start_method=method, keep_alive=True,
                                shared_objects=images if self.shared else None,
                                use_worker_state=self.state)
        cv = self.config.cv_threads
        if self.state:
            func, init = worker.call_state, partial(worker.init_state, workload, cv)
        else:
            func, init = (worker.call_shared if self.shared else worker.call), None
        self.facts = {"library_version": version("mpire")}
        return MpirePool(pool, func, init, self._reports, cv)


# mpire (triangles right) in the colour of the pool it stands next to, on a long-dashed line
@register
class Mpire(_Mpire):
    name = "mpire"
    simplicity = 180
    tier_role = "baseline"
    library_default = ("stateless",)
    suits_stateful = True
    style = ("green", ">")        # chunks of its own choosing, like map
    description = "mpire.WorkerPool.map with its default chunking, pixels in every task's arguments"


@register
class MpireShared(_Mpire):
    name = "mpire-shared"
    simplicity = 190
    style = ("yellow", ">")       # inherited at fork
    shared = True
    fork_only = True
    pixels_mapped = True     # inherited pages arrive on first touch (bench.measure.decomposition)
    description = "mpire.WorkerPool(shared_objects=images) under fork, default chunking, an index per task"

    def start(self, workload, images=None):
        method = self._method()
        if method != "fork":
            raise ValueError(messages.LIBRARY_NEEDS_FORK.format(name=self.name, method=method))
        if images is None:
            raise ValueError(f"{self.name} needs the image set when the pool starts")
        return super().start(workload, images)

    def calls(self, workload, images):
        if len(images) != self._shared_count:
            raise ValueError(messages.LIBRARY_SHARED_SET.format(
                name=self.name, got=len(images), want=self._shared_count))
        return ((worker.image_at, workload, i) for i in range(len(images)))

    def submit_first(self, pool, workload, images, index: int):
        return pool.submit(worker.image_at, workload, index)


@register
class MpireState(_Mpire):
    name = "mpire-state"
    simplicity = 200
    tier_role = "baseline"
    library_default = ("stateful",)
    suits_stateful = True
    style = ("vermillion", ">")   # a model per worker
    state = True
    needs_model = True
    description = "mpire.WorkerPool(use_worker_state=True), worker_init sets each worker up once, default chunking"
