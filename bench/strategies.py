"""How images reach the work: serial loop, thread pools, process pools, chunking.

Every strategy has the same three steps so the timing code never needs to know which
one it is measuring:

    pool = strategy.start(workload, images)    # may be None (serial)
    results = strategy.run(pool, workload, images, on_first_result)
    strategy.stop(pool)

``run`` returns results in input order and calls ``on_first_result()`` once, as soon
as the first task's result is in the parent's hands.
"""
from __future__ import annotations

import math
import multiprocessing
import queue
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import repeat

from workloads import tasks
from workloads.tasks import init_worker, run_chunk, run_one

START_METHODS = tuple(multiprocessing.get_all_start_methods())


def default_start_method() -> str:
    return multiprocessing.get_start_method(allow_none=True) or multiprocessing.get_context().get_start_method()


def auto_chunk_size(strategy: str, count: int, workers: int) -> int | None:
    """Chunk size used when the user says ``auto``.

    Chunked submission: one slice per worker (seed 002's answer).
    ``Executor.map``: ``multiprocessing.Pool.map``'s own heuristic, four chunks per worker;
    the same for index ranges over shared or inherited pixels.
    """
    if strategy.endswith("-chunked") or strategy == "dask-scatter":
        return max(1, math.ceil(count / workers))
    if strategy in ("processes-map", "processes-shm", "processes-inherit", "dask-local"):
        # Index ranges cost next to nothing to send, so smaller chunks buy load balance.
        return max(1, math.ceil(count / (4 * workers)))
    return None


@dataclass(frozen=True)
class PoolConfig:
    workers: int = 1
    chunk_size: int | None = None
    start_method: str | None = None
    cv_threads: int | None = None
    scheduler: str | None = None      # Dask: an existing scheduler instead of a LocalCluster
    scheduler_timeout: float = 10.0   # Dask: seconds to wait for that scheduler
    image_spec: dict | None = None    # Dask: lets workers generate the image set themselves


class Strategy:
    name = ""
    family = ""          # serial | threads | processes
    chunked = False      # takes a chunk size
    sliced = False       # every task is one contiguous slice (can write a folder per task)
    needs_model = False  # only for workloads with a model (``has_model``)
    description = ""

    def __init__(self, config: PoolConfig):
        self.config = config

    _reports = None

    def start(self, workload, images=None):
        return None

    def stop(self, pool) -> None:
        if pool is not None:
            pool.shutdown(wait=True)

    def submit_first(self, pool, workload, images, index: int):
        """One real image, sent the way this strategy sends it: the start-up probe's
        task (bench.probes), so a strategy that never pickles pixels is not made to."""
        return pool.submit(run_one, workload, index, images[index])

    def describe_pool(self, pool) -> None:
        """Collect facts about a live pool that cost time to ask (Dask: a round trip to
        every worker); the timing code calls it outside every timer."""

    def worker_pids(self, pool) -> list[int]:
        """Pids of the pool's worker processes (empty for serial and threads)."""
        procs = getattr(pool, "_processes", None) or {}
        return [p for p in procs]

    def worker_reports(self) -> list[dict]:
        """What each worker's initializer reported since the last call (see init_worker)."""
        out = []
        while self._reports is not None and not self._reports.empty():
            out.append(self._reports.get())
        return out

    def run(self, pool, workload, images, on_first_result):
        raise NotImplementedError


def _submit_all(pool, fn, calls, on_first_result) -> list:
    """Submit ``fn(*args)`` for every args tuple in ``calls``, in order.

    ``on_first_result`` is attached to the first future as soon as it is submitted, so
    it fires when that task's result arrives - not after the whole submit loop, which
    for 10,000 tasks takes longer than the first task.
    """
    futures = []
    for args in calls:
        futures.append(pool.submit(fn, *args))
        if len(futures) == 1:
            futures[0].add_done_callback(lambda _f: on_first_result())
    return futures


def _collect(futures, on_first_result) -> list:
    """Results in submission order. ``on_first_result`` is called again once the first
    result is in hand: callers keep the earliest call (see timing.FirstResult), this
    one only matters where a future runs its callbacks late (Dask)."""
    it = iter(futures)
    first = next(it, None)
    if first is None:
        return []
    results = [first.result()]
    on_first_result()
    results.extend(f.result() for f in it)
    return results


def _flatten(chunks) -> list:
    return [r for chunk in chunks for r in chunk]


def _chunk_bounds(count: int, chunk: int):
    return [(s, min(s + chunk, count)) for s in range(0, count, chunk)]


class Serial(Strategy):
    name = "serial"
    family = "serial"
    description = "a plain for loop in one process (the baseline)"

    def run(self, pool, workload, images, on_first_result):
        if len(images) == 0:
            return []
        process = workload.process
        results = [process(0, images[0])]
        on_first_result()
        for index in range(1, len(images)):
            results.append(process(index, images[index]))
        return results


class _ThreadPoolMixin:
    family = "threads"

    def start(self, workload, images=None):
        self._reports = queue.SimpleQueue()
        # cv_threads is process-wide: for threads it is applied once by the case process
        return ThreadPoolExecutor(
            self.config.workers, initializer=init_worker, initargs=(workload, None, self._reports))


def _check_fork(workload, ctx) -> None:
    """Let a workload refuse a fork pool (pose: a model was built in this process)."""
    check = getattr(workload, "check_fork", None)
    if check is not None:
        check(ctx.get_start_method())


class _ProcessPoolMixin:
    family = "processes"

    def start(self, workload, images=None):
        ctx = multiprocessing.get_context(self.config.start_method)
        _check_fork(workload, ctx)
        self._reports = ctx.SimpleQueue()
        return ProcessPoolExecutor(
            self.config.workers, mp_context=ctx, initializer=init_worker,
            initargs=(workload, self.config.cv_threads, self._reports))


class _PerImage:
    def run(self, pool, workload, images, on_first_result):
        calls = ((workload, i, img) for i, img in enumerate(images))
        return _collect(_submit_all(pool, run_one, calls, on_first_result), on_first_result)


class _Chunked:
    chunked = True
    sliced = True

    def run(self, pool, workload, images, on_first_result):
        calls = ((workload, s, images[s:e]) for s, e in _chunk_bounds(len(images), self.config.chunk_size))
        return _flatten(_collect(_submit_all(pool, run_chunk, calls, on_first_result), on_first_result))


class Threads(_PerImage, _ThreadPoolMixin, Strategy):
    name = "threads"
    description = "ThreadPoolExecutor, one submit per image"


class ThreadsChunked(_Chunked, _ThreadPoolMixin, Strategy):
    name = "threads-chunked"
    description = "ThreadPoolExecutor, one submit per contiguous slice"


class Processes(_PerImage, _ProcessPoolMixin, Strategy):
    name = "processes"
    description = "ProcessPoolExecutor, one submit per image, pixels pickled (seed 002)"


class ProcessesChunked(_Chunked, _ProcessPoolMixin, Strategy):
    name = "processes-chunked"
    description = "ProcessPoolExecutor, one submit per slice, pixels pickled per slice"


class ProcessesMap(_ProcessPoolMixin, Strategy):
    name = "processes-map"
    chunked = True
    description = "ProcessPoolExecutor.map with chunksize, pixels pickled per image"

    def run(self, pool, workload, images, on_first_result):
        it = pool.map(run_one, repeat(workload), range(len(images)), images,
                      chunksize=self.config.chunk_size)
        results = []
        for r in it:
            if not results:
                results.append(r)
                on_first_result()
            else:
                results.append(r)
        return results


class _Ranges:
    """Submit ``(start, stop)`` index ranges; workers already hold the pixels."""
    chunked = True
    sliced = True
    pixels_mapped = True   # read through a mapping: pages arrive on first touch (bench.probes)

    def submit_first(self, pool, workload, images, index: int):
        return pool.submit(tasks.run_range, workload, index, index + 1)

    def run(self, pool, workload, images, on_first_result):
        calls = ((workload, s, e) for s, e in _chunk_bounds(len(images), self.config.chunk_size))
        return _flatten(_collect(_submit_all(pool, tasks.run_range, calls, on_first_result),
                                 on_first_result))


class ProcessesShm(_Ranges, Strategy):
    """Pixels copied once per pass into one shared-memory block; workers map it once.

    The copy into the block is inside every timed pass (it is what moving the pixels
    costs with this strategy); creating and unlinking the block belong to start/stop.
    The block is unlinked in ``stop`` and, should ``start`` fail half-way, there too.
    """
    name = "processes-shm"
    family = "processes"
    description = "ProcessPoolExecutor, pixels in multiprocessing.shared_memory, index ranges sent"

    def __init__(self, config):
        super().__init__(config)
        self._block = None
        self._view = None

    def start(self, workload, images=None):
        from multiprocessing import shared_memory

        import numpy as np

        if images is None:
            raise ValueError("processes-shm needs the image set when the pool starts")
        ctx = multiprocessing.get_context(self.config.start_method)
        _check_fork(workload, ctx)
        self._reports = ctx.SimpleQueue()
        self._block = shared_memory.SharedMemory(create=True, size=max(1, images.nbytes))
        try:
            self._view = np.ndarray(images.shape, images.dtype, buffer=self._block.buf)
            return ProcessPoolExecutor(
                self.config.workers, mp_context=ctx, initializer=tasks.init_worker_shm,
                initargs=(workload, self.config.cv_threads, self._reports, self._block.name,
                          images.shape, images.dtype.str))
        except BaseException:
            self._release()
            raise

    def run(self, pool, workload, images, on_first_result):
        self._view[...] = images
        return super().run(pool, workload, images, on_first_result)

    def submit_first(self, pool, workload, images, index: int):
        self._view[index] = images[index]     # only this image: the set's copy is transfer
        return super().submit_first(pool, workload, images, index)

    def stop(self, pool) -> None:
        try:
            super().stop(pool)
        finally:
            self._release()

    def _release(self) -> None:
        self._view = None
        if self._block is not None:
            block, self._block = self._block, None
            block.close()
            try:
                block.unlink()
            except FileNotFoundError:
                pass

    @property
    def shm_name(self) -> str | None:
        return self._block.name if self._block is not None else None


class ProcessesInherit(_Ranges, Strategy):
    """Workers inherit the image set from the parent at fork (copy-on-write pages)."""
    name = "processes-inherit"
    family = "processes"
    fork_only = True
    description = "ProcessPoolExecutor under fork, pixels inherited from a module global"

    def start(self, workload, images=None):
        method = self.config.start_method or default_start_method()
        if method != "fork":
            raise ValueError(f"processes-inherit needs the fork start method, not {method}: "
                             "only forked children inherit the parent's memory")
        if images is None:
            raise ValueError("processes-inherit needs the image set when the pool starts")
        ctx = multiprocessing.get_context("fork")
        _check_fork(workload, ctx)
        tasks.set_inherited_images(images)
        self._reports = ctx.SimpleQueue()
        # ProcessPoolExecutor forks all workers at the first submit; the global is set by then.
        return ProcessPoolExecutor(
            self.config.workers, mp_context=ctx, initializer=init_worker,
            initargs=(workload, self.config.cv_threads, self._reports))

    def stop(self, pool) -> None:
        try:
            super().stop(pool)
        finally:
            tasks.set_inherited_images(None)


class ProcessesModelPerImage(Processes):
    """Seed 000's anti-pattern: a new model built inside every task, used once.

    Only for workloads with a model (``has_model``); the workload's
    ``with_model_per_image()`` copy builds, uses and closes a model per image, so the
    results show what per-image model construction costs against one model per worker.
    """
    name = "processes-model-per-image"
    needs_model = True
    description = "ProcessPoolExecutor, one submit per image, a new model built in every task (seed 000)"

    def start(self, workload, images=None):
        return super().start(self._per_image(workload), images)

    def run(self, pool, workload, images, on_first_result):
        return super().run(pool, self._per_image(workload), images, on_first_result)

    def submit_first(self, pool, workload, images, index: int):
        return super().submit_first(pool, self._per_image(workload), images, index)

    @staticmethod
    def _per_image(workload):
        make = getattr(workload, "with_model_per_image", None)   # no model: plain processes
        return make() if make is not None else workload


STRATEGIES = {cls.name: cls for cls in (
    Serial, Threads, Processes, ThreadsChunked, ProcessesChunked, ProcessesMap,
    ProcessesShm, ProcessesInherit, ProcessesModelPerImage)}


def _register_dask() -> None:
    """Dask strategies live in their own module; they need the optional engine only
    when a Dask case actually runs."""
    from bench import dask_strategies

    for cls in dask_strategies.STRATEGIES:
        STRATEGIES[cls.name] = cls


_register_dask()


def make_strategy(name: str, config: PoolConfig) -> Strategy:
    return STRATEGIES[name](config)
