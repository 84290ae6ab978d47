"""joblib: what ``Parallel(n_jobs=...)(delayed(f)(...) for ...)`` costs, with its defaults
(docs/libraries.md: the four strategies, how each pool is kept warm and read).

One thing is not the library's default: loky keeps *one* executor per process and hands
it to every ``Parallel``, and a case process holds several configurations' pools at
once, so each pool's executor is taken out of loky's slot as soon as it is made
(:func:`_own_executor`): the next configuration starts its own workers, as a second
script would, instead of killing these or inheriting them warm.
"""
from __future__ import annotations

import math
import queue

from bench.strategies.base import chunk_bounds, register
from bench.strategies.libraries import worker
from bench.strategies.libraries.pools import LibraryPool, LibraryStrategy, require, version
from bench.texts import messages
from workloads import tasks


def _own_executor(executor) -> None:
    """Take this pool's executor out of loky's one-per-process slot (see the module)."""
    from joblib import executor as joblib_executor
    from joblib.externals.loky import reusable_executor as loky

    with loky._executor_lock:        # noqa: SLF001 - loky's singleton has no public release
        if loky._executor is executor:     # noqa: SLF001
            loky._executor = None          # noqa: SLF001
            loky._executor_kwargs = None   # noqa: SLF001
        joblib_executor._executor_args = None   # noqa: SLF001


class JoblibPool(LibraryPool):
    """A ``Parallel`` entered as a context manager, and its backend's workers."""

    def __init__(self, parallel, reports, cv_threads):
        super().__init__(reports, cv_threads)
        self.parallel = parallel
        self.backend = parallel._backend                      # noqa: SLF001
        self.executor = getattr(self.backend, "_workers", None)   # loky's; None for threads
        if self.executor is not None:
            _own_executor(self.executor)

    def map(self, calls, count: int, on_first_result) -> list:
        from joblib import delayed

        task = delayed(worker.call)
        # batch_size='auto' starts every call at 1 and doubles while batches are quick;
        # a kept Parallel would start where its last call ended, a user's script (one
        # call) from 1: each pass starts afresh on the warm workers
        reset = getattr(self.backend, "reset_batch_stats", None)    # threads: always 1
        if reset is not None:
            reset()
        pairs = self.parallel(task(self.cv_threads, fn, *args) for fn, *args in calls)
        return self.collect(pairs, on_first_result)

    def submit(self, fn, *args):
        """One task straight to the backend's workers (the probes' first images and
        no-ops), pickled by the same reducers as the ``Parallel`` calls."""
        out, done, failed = self.future()
        if self.executor is not None:
            # the memmapping reducer files arrays under the current Parallel's folder
            self.executor._temp_folder_manager.set_current_context(self.parallel._id)   # noqa: SLF001
            inner = self.executor.submit(worker.call, self.cv_threads, fn, *args)

            def settle(f):
                exc = f.exception()
                failed(exc) if exc is not None else done(f.result())

            inner.add_done_callback(settle)
        elif hasattr(self.backend, "_get_pool"):
            self.backend._get_pool().apply_async(                 # noqa: SLF001
                worker.call, (self.cv_threads, fn) + args, callback=done, error_callback=failed)
        else:
            # n_jobs=1: joblib's SequentialBackend runs every call here, in the caller
            try:
                done(worker.call(self.cv_threads, fn, *args))
            except Exception as exc:                              # noqa: BLE001
                failed(exc)
        return out

    def worker_pids(self) -> list[int]:
        return list(getattr(self.executor, "_processes", None) or {})      # threads: no executor

    def shutdown(self, wait: bool = True) -> None:
        try:
            self.parallel.__exit__(None, None, None)   # joblib removes its memmapped files
        finally:
            if self.executor is not None:
                self.executor.shutdown(wait=wait)


class _Joblib(LibraryStrategy):
    family = "processes"
    library = "joblib"
    tier_role = "variant"
    prefer = None

    @classmethod
    def forks_process(cls, start_method: str | None) -> bool:
        # loky starts fresh interpreters whatever the start method; n_jobs=1 runs every
        # call in the calling process, which then builds the model itself
        return False

    def start(self, workload, images=None):
        joblib = require("joblib")
        self._reports = queue.SimpleQueue()
        parallel = joblib.Parallel(n_jobs=self.config.workers, return_as="generator", prefer=self.prefer)
        parallel.__enter__()
        try:
            backend = type(parallel._backend).__name__             # noqa: SLF001
            if self.config.workers > 1 and backend == "SequentialBackend":
                raise ValueError(messages.LIBRARY_NO_POOL.format(
                    name=self.name, backend=backend, workers=self.config.workers))
            self.facts = {"library_version": version("joblib"), "joblib_backend": backend}
            # threads share the case process's OpenCV setting (applied there once)
            cv = None if self.family == "threads" else self.config.cv_threads
            return JoblibPool(parallel, self._reports, cv)
        except BaseException:
            parallel.__exit__(None, None, None)
            raise


# joblib (hexagons) in the colour of the pool it stands next to, on a long-dashed line
@register
class Joblib(_Joblib):
    name = "joblib"
    simplicity = 140
    tier_role = "baseline"
    library_default = ("stateless", "stateful")
    suits_stateful = True
    style = ("sky", "H")
    description = "joblib.Parallel with its defaults (loky, batch_size='auto'), one delayed call per image"


@register
class JoblibThreads(_Joblib):
    name = "joblib-threads"
    simplicity = 150
    style = ("orange", "H")
    family = "threads"
    prefer = "threads"
    description = "joblib.Parallel(prefer='threads'), one delayed call per image"


@register
class JoblibChunked(_Joblib):
    name = "joblib-chunked"
    simplicity = 160
    tasks_per_worker = 1
    suits_stateful = True
    style = ("blue", "H")
    chunked = True
    sliced = True
    description = "joblib.Parallel, one delayed call per contiguous slice, its pixels with it"

    def calls(self, workload, images):
        return ((tasks.run_chunk, workload, s, images[s:e])
                for s, e in chunk_bounds(len(images), self.config.chunk_size))


@register
class JoblibMemmap(_Joblib):
    """Every call gets the whole set: joblib memmaps it once it is above max_nbytes."""
    name = "joblib-memmap"
    simplicity = 170
    style = ("purple", "H")      # a file every worker maps, like shared memory
    sliced = True
    pixels_mapped = True   # workers read a memmap: pages arrive on first touch
    description = ("joblib.Parallel, one delayed call per worker's slice with the whole image set, "
                   "which joblib memmaps (max_nbytes='1M')")

    def calls(self, workload, images):
        per_worker = max(1, math.ceil(len(images) / max(1, self.config.workers)))
        return ((worker.slice_of, workload, images, s, e) for s, e in chunk_bounds(len(images), per_worker))

    def submit_first(self, pool, workload, images, index: int):
        return pool.submit(worker.slice_of, workload, images, index, index + 1)
