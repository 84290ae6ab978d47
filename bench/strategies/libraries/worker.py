"""Worker side of the library strategies: the functions joblib and mpire run.

Every task goes through a ``call*`` function, which hands back ``(report, value)``: the
worker's set-up facts (``workloads.tasks.init_worker``'s report) with the first task a
worker thread runs after its set-up, None after that; the parent strips it
(bench.strategies.libraries.pools). Set-up happens once per worker thread, before its
first task of a workload, as a module-level cache in a user's script does (mpire's
``worker_init``: ``init_state``). Module level, so spawned workers can unpickle them.
"""
from __future__ import annotations

import threading

from workloads import tasks
from workloads.base import Workload

_local = threading.local()      # .done: set-up keys done in this thread; .pending: report


def _set_up(workload, cv_threads) -> dict:
    # a copy of this thread's own report: threads set up side by side never share one
    return dict(tasks.init_worker(workload, cv_threads))


def _ensure_setup(cv_threads, workload) -> None:
    done = getattr(_local, "done", None)
    if done is None:
        done = _local.done = set()
    if workload is None:
        return
    key = type(workload).__name__, workload.label   # what a set-up depends on, not where it writes
    if key in done:
        return
    done.add(key)
    report = _set_up(workload, cv_threads)
    if not isinstance(workload, tasks.NoopWorkload):      # a probe's no-op reports nothing
        _local.pending = report


def _take_report():
    report = getattr(_local, "pending", None)
    _local.pending = None
    return report


def _workload_of(args) -> Workload | None:
    return args[0] if args and isinstance(args[0], Workload) else None


def call(cv_threads, fn, *args):
    """One task: set this worker up for the task's workload (once), then ``fn(*args)``."""
    _ensure_setup(cv_threads, _workload_of(args))
    value = fn(*args)
    return _take_report(), value


def call_shared(shared, cv_threads, fn, *args):
    """The same for a pool with mpire ``shared_objects``: mpire passes them first; only
    ``image_at`` reads them."""
    _ensure_setup(cv_threads, _workload_of(args))
    value = fn(shared, *args) if fn is image_at else fn(*args)
    return _take_report(), value


def init_state(workload, cv_threads, worker_state) -> None:
    """mpire ``worker_init`` with ``use_worker_state``: the workload's set-up, once per
    worker, its facts kept in the worker's state until the first task sends them."""
    worker_state["report"] = _set_up(workload, cv_threads)


def call_state(worker_state, cv_threads, fn, *args):
    """A task of a pool with worker state: set up by ``init_state`` already."""
    value = fn(*args)
    return worker_state.pop("report", None), value


# -- task bodies ---------------------------------------------------------------------
def image_at(shared, workload, index: int):
    """One image of the image set mpire shares with every worker (``shared_objects``)."""
    return workload.process(index, shared[index])


def slice_of(workload, images, start: int, stop: int):
    """Images ``start..stop`` of the whole set, which every call is given (joblib
    memmaps it in the workers once it is larger than ``max_nbytes``)."""
    process = workload.for_task(start).process
    return [process(i, images[i]) for i in range(start, stop)]
