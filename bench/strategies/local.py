"""Strategies on this machine: the serial loop, thread pools and process pools.

Process strategies differ in how the pixels reach a worker: pickled per image or per
slice, copied once into shared memory, or inherited at fork.
"""
from __future__ import annotations

import queue
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import suppress
from itertools import repeat

from bench.strategies.base import (Chunked, PerImage, Ranges, Strategy, default_start_method,
                                   gather, register)
from workloads import tasks
from workloads.tasks import init_worker, run_one


@register
class Serial(Strategy):
    name = "serial"
    family = "serial"
    description = "a plain for loop in one process (the baseline)"
    simplicity = 10
    suits_stateful = True
    files_rank = 10
    files_read = True
    files_quick = ("task", "read")
    style = ("black", "o")
    snippet = "loop"
    route = "a plain loop in one process"

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


class _ProcessPoolMixin:
    family = "processes"

    def start(self, workload, images=None):
        return self._executor(self._process_context(workload), workload)

    def _executor(self, ctx, workload, initializer=init_worker, *shared):
        """Its workers run ``initializer(workload, cv_threads, reports, *shared)``."""
        return ProcessPoolExecutor(
            self.config.workers, mp_context=ctx, initializer=initializer,
            initargs=(workload, self.config.cv_threads, self._reports, *shared))


@register
class Threads(PerImage, _ThreadPoolMixin, Strategy):
    name = "threads"
    description = "ThreadPoolExecutor, one submit per image"
    simplicity = 20
    tier_role = "baseline"
    suits_stateful = True
    files_rank = 30
    files_role = "at-w"
    files_read = True
    style = ("orange", "s")
    snippet = "per-image"
    route = "one task per image on a thread pool (the threads share the pixels)"


@register
class ThreadsChunked(Chunked, _ThreadPoolMixin, Strategy):
    name = "threads-chunked"
    description = "ThreadPoolExecutor, one submit per contiguous slice"
    simplicity = 40
    tier_role = "winner"
    winner_rank = (0, 3)
    files_rank = 20
    layout_default = True
    style = ("vermillion", "D")
    snippet = "slices"
    route = "one task per contiguous slice on a thread pool (the threads share the pixels)"


@register
class Processes(PerImage, _ProcessPoolMixin, Strategy):
    name = "processes"
    description = "ProcessPoolExecutor, one submit per image, pixels pickled (the classic saving-images-in-a-loop script)"
    simplicity = 30
    tier_role = "baseline"
    suits_stateful = True
    files_rank = 40
    files_role = "at-w"
    pipeline_first = True
    files_read = True
    files_quick = ("task",)
    style = ("sky", "^")
    snippet = "per-image"
    route = "one task per image, its pixels pickled to a worker process"


@register
class ProcessesChunked(Chunked, _ProcessPoolMixin, Strategy):
    name = "processes-chunked"
    description = "ProcessPoolExecutor, one submit per slice, pixels pickled per slice"
    simplicity = 50
    tier_role = "winner"
    winner_rank = (3, 1)
    suits_stateful = True
    next_to_dask = True
    files_rank = 50
    files_role = "at-w"
    files_read = True
    files_quick = ("read",)
    style = ("blue", "v")
    snippet = "slices"
    route = "one task per contiguous slice, the slice's pixels pickled to a worker"


@register
class ProcessesMap(_ProcessPoolMixin, Strategy):
    name = "processes-map"
    chunked = True
    description = "ProcessPoolExecutor.map with chunksize, pixels pickled per image"
    simplicity = 60
    tasks_per_worker = 4        # Pool.map's own heuristic
    suits_stateful = True
    files_rank = 60
    files_role = "at-w"
    pipeline_first = True
    files_quick = ("task",)
    style = ("green", "P")
    snippet = "map"
    route = "Executor.map with a chunksize, each image's pixels pickled"

    def run(self, pool, workload, images, on_first_result):
        return gather(pool.map(run_one, repeat(workload), range(len(images)), images,
                               chunksize=self.config.chunk_size), on_first_result)


@register
class ProcessesShm(Ranges, _ProcessPoolMixin, Strategy):
    """Pixels copied once per pass into one shared-memory block; workers map it once.

    The copy is inside every timed pass (it is what moving the pixels costs here);
    creating and unlinking the block belong to start (also if it fails half-way) and stop.
    """
    name = "processes-shm"
    description = "ProcessPoolExecutor, pixels in multiprocessing.shared_memory, index ranges sent"
    simplicity = 70
    tier_role = "winner"
    winner_rank = (1, 0)
    suits_stateful = True
    next_to_dask = True
    layout_default = True
    style = ("purple", "X")
    snippet = "shm"
    route = ("the pixels copied once into shared memory, which every worker maps; "
             "tasks carry index ranges only")

    _block = None
    _view = None

    def start(self, workload, images=None):
        from multiprocessing import shared_memory

        import numpy as np

        if images is None:
            raise ValueError("processes-shm needs the image set when the pool starts")
        ctx = self._process_context(workload)
        self._block = shared_memory.SharedMemory(create=True, size=max(1, images.nbytes))
        try:
            self._view = np.ndarray(images.shape, images.dtype, buffer=self._block.buf)
            return self._executor(ctx, workload, tasks.init_worker_shm, self._block.name,
                                  images.shape, images.dtype.str)
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
            with suppress(FileNotFoundError):
                block.unlink()


@register
class ProcessesInherit(Ranges, _ProcessPoolMixin, Strategy):
    """Workers inherit the image set from the parent at fork (copy-on-write pages)."""
    name = "processes-inherit"
    fork_only = True
    description = "ProcessPoolExecutor under fork, pixels inherited from a module global"
    simplicity = 80
    tier_role = "winner"
    winner_rank = (2, 2)
    suits_stateful = True
    layout_default = True
    style = ("yellow", "*")
    snippet = "inherit"
    route = ("the pixels inherited by the workers at fork (copy-on-write); tasks "
             "carry index ranges only")

    def start(self, workload, images=None):
        method = self.config.start_method or default_start_method()
        if method != "fork":
            raise ValueError(f"processes-inherit needs the fork start method, not {method}: "
                             "only forked children inherit the parent's memory")
        if images is None:
            raise ValueError("processes-inherit needs the image set when the pool starts")
        ctx = self._process_context(workload, "fork")
        tasks.set_inherited_images(images)
        # ProcessPoolExecutor forks all workers at the first submit; the global is set by then.
        return self._executor(ctx, workload)

    def stop(self, pool) -> None:
        try:
            super().stop(pool)
        finally:
            tasks.set_inherited_images(None)


@register
class ProcessesModelPerImage(Processes):
    """The OpenPose script's anti-pattern: a new model built inside every task, used once
    (the workload's ``with_model_per_image()`` copy), against one model per worker."""
    name = "processes-model-per-image"
    needs_model = True
    description = "ProcessPoolExecutor, one submit per image, a new model built in every task (as the OpenPose script does)"
    simplicity = 90
    files_rank = 140
    files_role = "anti-pattern"
    pipeline_first = False      # not what its parent class is in the groups of files
    files_read = False
    files_quick = ()
    style = ("vermillion", "d")
    route = "one task per image, a new model built in every task"

    # with_model_per_image(): a workload without a model answers itself
    def start(self, workload, images=None):
        return super().start(workload.with_model_per_image(), images)

    def run(self, pool, workload, images, on_first_result):
        return super().run(pool, workload.with_model_per_image(), images, on_first_result)

    def submit_first(self, pool, workload, images, index: int):
        return super().submit_first(pool, workload.with_model_per_image(), images, index)
