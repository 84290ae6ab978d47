"""``multiprocessing.Pool`` strategies: the API the scripts this suite answers use
(docs/own-work.md).

Every result is collected (``AsyncResult.get()`` or the iterator), so a worker's
exception reaches the parent: never the scripts' silent pitfall of ``apply_async``
never collected. A worker that dies is replaced by the pool while its task is lost, so
``get()`` would wait forever; a watch thread fails the pass with :class:`PoolWorkerDied`
instead, as ``ProcessPoolExecutor`` raises ``BrokenProcessPool``.
"""
from __future__ import annotations

import math
import signal
import threading
from concurrent.futures import Future
from contextlib import suppress

from bench.strategies.base import Strategy, flatten, gather, register
from workloads import tasks
from workloads.files import folder_runs, run_numbered


WATCH_S = 0.25          # how often the watch looks at the pool's workers


class PoolWorkerDied(RuntimeError):
    """A worker of a ``multiprocessing.Pool`` exited during a pass: its task is lost."""


class PoolHandle:
    """A ``multiprocessing.Pool`` with an executor's ``submit``, and its watch thread (see
    the module): the pass (the user's code, untouched) raises instead of waiting."""

    def __init__(self, pool):
        self.pool = pool
        self.seen = self.workers()  # every worker the pool has had: the pool forgets the dead
        self.broken = False         # a task was lost: close() and join() would wait for it
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._watching, name="bench-pool-watch", daemon=True)
        self._watch.start()

    def submit(self, fn, *args) -> Future:
        future = Future()
        self.pool.apply_async(fn, args, callback=future.set_result, error_callback=future.set_exception)
        return future

    def workers(self) -> dict:
        return {p.pid: p for p in list(getattr(self.pool, "_pool", []))}

    def dead_worker(self) -> str | None:
        """What became of a worker that exited, or None. The pool reaps a dead worker and
        starts another within a tenth of a second, so a worker that is gone, or one that
        was not there before (its replacement), says as much as an exit code."""
        current = self.workers()
        gone = [pid for pid in self.seen if pid not in current]
        new = [pid for pid in current if pid not in self.seen]
        self.seen.update(current)
        for pid, p in self.seen.items():
            code = p.exitcode
            if code is not None:
                how = (f"killed by {signal.Signals(-code).name}" if code < 0 and -code in signal.valid_signals()
                       else f"exit code {code}")
                return (f"a worker of the multiprocessing.Pool (pid {pid}) died ({how}) during the "
                        "pass: its task is lost, and Pool would wait for it forever")
        if gone or new:
            return ("a worker of the multiprocessing.Pool died during the pass and was replaced: "
                    "its task is lost, and Pool would wait for it forever")
        return None

    def _watching(self) -> None:
        while not self._stop.wait(WATCH_S):
            why = self.dead_worker()
            if why is None:
                continue
            self.broken = True
            error = PoolWorkerDied(why)
            # what the pool's result thread does with a worker's exception: every job
            # still awaited (apply_async results, imap iterators) is given this one
            for job in list(getattr(self.pool, "_cache", {}).values()):
                with suppress(KeyError, IndexError):      # it completed meanwhile
                    job._set(getattr(job, "_index", 0), (False, error))   # noqa: SLF001
            return

    def close(self) -> None:
        self._stop.set()
        self._watch.join()


def pool_chunksize(count: int, workers: int) -> int:
    """``Pool.map``'s own heuristic: about four chunks per worker."""
    return max(1, math.ceil(count / (4 * workers)))


class _Pool(Strategy):
    family = "processes"
    on_files_only = True       # next to concurrent.futures in groups of files
    files_role = "at-w"

    def start(self, workload, images=None):
        ctx = self._process_context(workload)
        return PoolHandle(ctx.Pool(self.config.workers, initializer=tasks.init_worker,
                                   initargs=(workload, self.config.cv_threads, self._reports)))

    def stop(self, handle) -> None:
        handle.close()
        if handle.broken:
            handle.pool.terminate()
        else:
            handle.pool.close()
        handle.pool.join()

    def worker_pids(self, handle) -> list[int]:
        return list(handle.workers())

    def _chunksize(self, count: int) -> int:
        return self.config.chunk_size or pool_chunksize(count, self.config.workers)


def _apply_all(pool, fn, calls, on_first_result) -> list:
    """``apply_async`` for every args tuple, the first with ``on_first_result`` as its
    callback; every result collected in order (``get()`` re-raises a worker's exception)."""
    pending = [pool.apply_async(fn, args,
                                callback=(lambda _r: on_first_result()) if k == 0 else None)
               for k, args in enumerate(calls)]
    return gather((r.get() for r in pending), on_first_result)


# multiprocessing.Pool (crosses) in the colour of the concurrent.futures pool it stands next to
@register
class PoolApplyAsync(_Pool):
    name = "pool-apply-async"
    simplicity = 210
    files_rank = 100
    style = ("sky", "x")
    description = "multiprocessing.Pool.apply_async, one task per image, every result collected"

    def run(self, handle, workload, images, on_first_result):
        calls = ((workload, i, item) for i, item in enumerate(images))
        return _apply_all(handle.pool, tasks.run_one, calls, on_first_result)


@register
class PoolApplyAsyncFolders(_Pool):
    name = "pool-apply-async-folders"
    simplicity = 220
    files_rank = 110
    style = ("blue", "x")
    files_only = True
    sliced = True
    description = "multiprocessing.Pool.apply_async, one task per input sub-folder"

    def run(self, handle, workload, images, on_first_result):
        calls = ((workload, s, images[s:e]) for s, e in folder_runs(images))
        return flatten(_apply_all(handle.pool, tasks.run_chunk, calls, on_first_result))


@register
class PoolImap(_Pool):
    name = "pool-imap"
    simplicity = 230
    files_rank = 120
    pipeline_first = True
    files_quick = ("task",)
    style = ("green", "x")
    chunked = True
    description = "multiprocessing.Pool.imap with a chunksize, results in input order"
    imap = "imap"      # the Pool method a pass calls

    def run(self, handle, workload, images, on_first_result):
        calls = ((workload, i, item) for i, item in enumerate(images))
        pairs = getattr(handle.pool, self.imap)(run_numbered, calls, self._chunksize(len(images)))
        return reorder(gather(pairs, on_first_result), len(images))


@register
class PoolImapUnordered(PoolImap):
    name = "pool-imap-unordered"
    simplicity = 240
    files_rank = 130
    pipeline_first = False
    files_quick = ()
    style = ("yellow", "x")
    description = ("multiprocessing.Pool.imap_unordered with a chunksize, results re-ordered "
                   "by index")
    imap = "imap_unordered"


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
