"""``multiprocessing.Pool`` strategies: the API the scripts this suite answers use.

* ``pool-apply-async``          one ``apply_async`` per image;
* ``pool-apply-async-folders``  one ``apply_async`` per input sub-folder (the folders may
                                hold very different numbers of files; a generated set is
                                one folder);
* ``pool-imap``                 ``Pool.imap`` with a chunksize, results in input order;
* ``pool-imap-unordered``       ``Pool.imap_unordered`` with a chunksize: results arrive
                                as they finish, each with its index, and are put back in
                                input order (every index once, or the pass fails).

Every result is collected - ``AsyncResult.get()`` or the iterator - so an exception
raised in a worker reaches the parent. The scripts' silent pitfall (``apply_async``
submitted, never collected: its exceptions vanish) is never done here. A worker that
dies is replaced by the pool while its task is lost, so ``get()`` waits forever: the
race's command timeout ends that configuration (``ProcessPoolExecutor`` would raise
``BrokenProcessPool`` instead).
"""
from __future__ import annotations

import math
import multiprocessing
from concurrent.futures import Future

from bench.strategies.base import Strategy, flatten
from workloads import tasks
from workloads.files import folder_runs, run_numbered


class PoolHandle:
    """A ``multiprocessing.Pool`` and what the timing code and the probes ask of any
    pool: ``submit`` giving a ``concurrent.futures.Future``."""

    def __init__(self, pool):
        self.pool = pool

    def submit(self, fn, *args) -> Future:
        future = Future()
        self.pool.apply_async(fn, args, callback=future.set_result, error_callback=future.set_exception)
        return future


def pool_chunksize(count: int, workers: int) -> int:
    """``Pool.map``'s own heuristic: about four chunks per worker."""
    return max(1, math.ceil(count / (4 * workers)))


class _Pool(Strategy):
    family = "processes"

    def start(self, workload, images=None):
        ctx = multiprocessing.get_context(self.config.start_method)
        workload.check_fork(ctx.get_start_method())
        self._reports = ctx.SimpleQueue()
        return PoolHandle(ctx.Pool(self.config.workers, initializer=tasks.init_worker,
                                   initargs=(workload, self.config.cv_threads, self._reports)))

    def stop(self, handle) -> None:
        if handle is not None:
            handle.pool.close()
            handle.pool.join()

    def worker_pids(self, handle) -> list[int]:
        return [p.pid for p in getattr(handle.pool, "_pool", [])]

    def _chunksize(self, count: int) -> int:
        return self.config.chunk_size or pool_chunksize(count, self.config.workers)


def _collect(pending: list, on_first_result) -> list:
    """Every result, in submission order: ``get()`` re-raises a worker's exception."""
    results = []
    for r in pending:
        results.append(r.get())
        if len(results) == 1:
            on_first_result()
    return results


def _first(on_first_result):
    return lambda _result: on_first_result()


class PoolApplyAsync(_Pool):
    name = "pool-apply-async"
    description = "multiprocessing.Pool.apply_async, one task per image, every result collected"

    def run(self, handle, workload, images, on_first_result):
        pool = handle.pool
        pending = [pool.apply_async(tasks.run_one, (workload, i, item),
                                    callback=_first(on_first_result) if i == 0 else None)
                   for i, item in enumerate(images)]
        return _collect(pending, on_first_result)


class PoolApplyAsyncFolders(_Pool):
    name = "pool-apply-async-folders"
    files_only = True
    sliced = True
    description = "multiprocessing.Pool.apply_async, one task per input sub-folder"

    def run(self, handle, workload, images, on_first_result):
        pool = handle.pool
        pending = [pool.apply_async(tasks.run_chunk, (workload, s, images[s:e]),
                                    callback=_first(on_first_result) if k == 0 else None)
                   for k, (s, e) in enumerate(folder_runs(images))]
        return flatten(_collect(pending, on_first_result))


class PoolImap(_Pool):
    name = "pool-imap"
    chunked = True
    description = "multiprocessing.Pool.imap with a chunksize, results in input order"
    ordered = True

    def _results(self, pool, calls, chunksize):
        return pool.imap(run_numbered, calls, chunksize)

    def run(self, handle, workload, images, on_first_result):
        calls = ((workload, i, item) for i, item in enumerate(images))
        pairs = []
        for pair in self._results(handle.pool, calls, self._chunksize(len(images))):
            pairs.append(pair)
            if len(pairs) == 1:
                on_first_result()
        return reorder(pairs, len(images))


class PoolImapUnordered(PoolImap):
    name = "pool-imap-unordered"
    description = ("multiprocessing.Pool.imap_unordered with a chunksize, results re-ordered "
                   "by index")

    def _results(self, pool, calls, chunksize):
        return pool.imap_unordered(run_numbered, calls, chunksize)


def reorder(pairs: list, count: int) -> list:
    """Results put back in input order by the index each carries; an index missing or
    seen twice fails the pass (results handed over in arrival order would fail the
    verification against the serial loop, item by item)."""
    out = [_MISSING] * count
    for index, result in pairs:
        if not 0 <= index < count or out[index] is not _MISSING:
            raise ValueError(f"result for item {index} arrived twice or out of range")
        out[index] = result
    missing = [i for i, r in enumerate(out) if r is _MISSING]
    if missing:
        raise ValueError(f"{len(missing)} result(s) never arrived (first: item {missing[0]})")
    return out


_MISSING = object()

STRATEGIES = (PoolApplyAsync, PoolApplyAsyncFolders, PoolImap, PoolImapUnordered)
