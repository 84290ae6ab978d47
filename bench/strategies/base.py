"""The strategy interface and the pieces every strategy family shares.

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
from dataclasses import dataclass

from workloads import tasks

START_METHODS = tuple(multiprocessing.get_all_start_methods())


def default_start_method() -> str:
    return multiprocessing.get_start_method(allow_none=True) or multiprocessing.get_context().get_start_method()


def auto_chunk_size(strategy: str, count: int, workers: int) -> int | None:
    """Chunk size used when the user says ``auto``: the strategy's ``tasks_per_worker``
    slices per worker (None: the strategy has no ``auto`` rule)."""
    per = getattr(REGISTRY.get(strategy), "tasks_per_worker", None)
    return None if per is None else max(1, math.ceil(count / (per * workers)))


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
    """What the timing code, the planner and the probes may ask of any strategy."""

    name = ""
    family = ""            # serial | threads | processes | dask
    description = ""
    chunked = False        # takes a chunk size
    sliced = False         # every task is one contiguous slice (can write a folder per task)
    needs_model = False    # only for workloads with a model (``has_model``)
    fork_only = False      # only under the fork start method (pixels inherited at fork)
    pixels_mapped = False  # workers read pixels through a mapping: pages arrive on first touch
    keep_alive = True      # a race keeps the pool between visits (False: a cluster's heartbeats
                           # would disturb the other configurations' passes)

    # -- what the planner, the charts, the snippets and the tie-break read off the registry
    simplicity: int | None = None  # its rank in the tie-break, lower is simpler: of configurations
                                   # too close to call, the simplest is picked (unique, required)
    tasks_per_worker: int | None = None  # the ``auto`` chunk rule: slices per worker (None: none)
    tier_role = ""         # in a budgeted plan: "winner" (usually fastest), "baseline" (what users
                           # write first, or a library's defaults), "variant" (a library's other
                           # ways: at W only), "" (the rest)
    winner_rank: tuple[int, int] | None = None  # a winner's place in the order a short budget keeps
                           # them: (codecs, pose): pose moves pixels once per slice as well as not at all
    suits_stateful = False  # raced by default on a stateful task with a model (pose)
    library = ""           # the library it calls (joblib, mpire), "" for the standard library's pools
    library_default: tuple[str, ...] = ()  # a library with its defaults, the naive baseline a review
                           # shows: for a "stateless" task, a "stateful" one (a model per worker), both
    files_only = False     # its tasks need a set of files: never offered on generated images
    on_files_only = False  # planned by default only in groups of files (bench.plan.file_groups)
    next_to_dask = False   # a local pool ``bench dask`` measures next to the cluster at the same
                           # worker count: the best local answer the cluster must beat
    layout_default = False  # a sliced strategy raced with a folder per task by default (imwrite)
    style: tuple[str, str] | None = None  # (Okabe-Ito colour, matplotlib marker) in every chart;
                           # None: a spare pair chosen by name (bench.output.charts.style)
    snippet = ""           # the shape of ``recommend --code``'s script (bench.output.snippets):
                           # loop, per-image, slices, map, shm, inherit; "" for none
    route = ""             # how the pixels reach the work, in the snippet's docstring

    # -- its part in the groups of files (bench.plan.file_groups: ``bench run`` on a user's folder,
    # the pipelines of ``bench all``); a library's defaults (library_default) join them, last
    files_rank: int | None = None  # its place in the groups of files (unique): their cases' order
                           # and the list a refusal names; None: not raced there
    files_role = ""        # "at-w": raced at W next to the pick, swept after; "anti-pattern": only
                           # for state rebuilt in every task (--init-per-item) or when named;
                           # "" the general rules (bench.plan.tiers)
    pipeline_first = False  # an "at-w" one in the first tier of bench all's pipelines
    files_read = False     # in the read-only group (imread) on the same files too
    files_quick: tuple[str, ...] = ()  # the pipelines' groups --quick keeps it in: "task", "read"

    def __init__(self, config: PoolConfig):
        self.config = config
        self._reports = None
        self.facts: dict = {}   # found while the pool ran (Dask: its workers), kept with the case

    @classmethod
    def forks_process(cls, start_method: str | None) -> bool:
        """Whether the pool's workers are forked from the process that runs the case, so
        they inherit whatever that process has loaded (a model must not be among it)."""
        return cls.family == "processes" and (start_method or default_start_method()) == "fork"

    def start(self, workload, images=None):
        return None

    def _process_context(self, workload, method: str | None = None):
        """The start method's context for a pool of processes, once the workload has had
        its say on forking (pose: a model was built here), with the queue its workers'
        set-up reports come back on."""
        ctx = multiprocessing.get_context(method or self.config.start_method)
        workload.check_fork(ctx.get_start_method())
        self._reports = ctx.SimpleQueue()
        return ctx

    def stop(self, pool) -> None:
        if pool is not None:
            pool.shutdown(wait=True)

    def submit_first(self, pool, workload, images, index: int):
        """One real image, sent the way this strategy sends it: the start-up probe's
        task (bench.measure.decomposition), so a strategy that never pickles pixels is not made to."""
        return pool.submit(tasks.run_one, workload, index, images[index])

    def describe_pool(self, pool) -> None:
        """Collect facts about a live pool that cost time to ask (Dask: a round trip to
        every worker); the timing code calls it outside every timer."""

    def worker_pids(self, pool) -> list[int]:
        """Pids of the pool's worker processes (empty for serial and threads)."""
        return list(getattr(pool, "_processes", None) or {})

    def worker_reports(self) -> list[dict]:
        """What each worker's initializer reported since the last call (see init_worker)."""
        out = []
        while self._reports is not None and not self._reports.empty():
            out.append(self._reports.get())
        return out

    def run(self, pool, workload, images, on_first_result):
        raise NotImplementedError


REGISTRY: dict[str, type[Strategy]] = {}


def register(cls: type[Strategy]) -> type[Strategy]:
    """The one entry point for a strategy: once registered, the planner's tiers, the
    groups of files, the charts, the snippets and the tie-break read what it declares. Kept
    in ``simplicity`` order, so no list derived from the registry depends on which module
    was imported first."""
    if not cls.name or cls.simplicity is None:
        raise ValueError(f"{cls.__name__}: a strategy declares its name and its simplicity rank")
    for other in REGISTRY.values():
        if other is not cls and other.name == cls.name:
            raise ValueError(f"two strategies named {cls.name!r}")
        if other is not cls and other.simplicity == cls.simplicity:
            raise ValueError(f"{cls.name} and {other.name} share simplicity rank {cls.simplicity}")
        if other is not cls and cls.files_rank is not None and other.files_rank == cls.files_rank:
            raise ValueError(f"{cls.name} and {other.name} share files rank {cls.files_rank}")
    if cls.files_rank is None and (cls.files_role or cls.pipeline_first or cls.files_read
                                   or cls.files_quick):
        raise ValueError(f"{cls.name}: a part in the groups of files needs its files_rank")
    ordered = sorted({**REGISTRY, cls.name: cls}.items(), key=lambda kv: kv[1].simplicity)
    REGISTRY.clear()
    REGISTRY.update(ordered)
    return cls


def gather(results, on_first_result) -> list:
    """Every result of ``results``, in its order; ``on_first_result()`` as soon as the
    first is in hand (callers keep the earliest call, see timing.FirstResult)."""
    out = []
    for r in results:
        out.append(r)
        if len(out) == 1:
            on_first_result()
    return out


def submit_all(pool, fn, calls, on_first_result) -> list:
    """``fn(*args)`` submitted for every args tuple in ``calls``; the results in order.

    ``on_first_result`` is attached to the first future as soon as it is submitted, so
    it fires when that task's result arrives - not after the whole submit loop, which
    for 10,000 tasks takes longer than the first task. gather calls it again, which only
    matters where a future runs its callbacks late (Dask).
    """
    futures = []
    for args in calls:
        futures.append(pool.submit(fn, *args))
        if len(futures) == 1:
            futures[0].add_done_callback(lambda _f: on_first_result())
    return gather((f.result() for f in futures), on_first_result)


def flatten(chunks) -> list:
    return [r for chunk in chunks for r in chunk]


def chunk_bounds(count: int, chunk: int):
    return [(s, min(s + chunk, count)) for s in range(0, count, chunk)]


class PerImage:
    """One task per image, its pixels sent with it."""

    def run(self, pool, workload, images, on_first_result):
        calls = ((workload, i, img) for i, img in enumerate(images))
        return submit_all(pool, tasks.run_one, calls, on_first_result)


class Chunked:
    """One task per contiguous slice, the slice's pixels sent with it."""

    chunked = True
    sliced = True
    tasks_per_worker = 1

    def run(self, pool, workload, images, on_first_result):
        calls = ((workload, s, images[s:e]) for s, e in chunk_bounds(len(images), self.config.chunk_size))
        return flatten(submit_all(pool, tasks.run_chunk, calls, on_first_result))


class Ranges:
    """Submit ``(start, stop)`` index ranges; workers already hold the pixels."""

    chunked = True
    sliced = True
    tasks_per_worker = 4   # index ranges cost next to nothing to send: balance the load
    pixels_mapped = True   # read through a mapping: pages arrive on first touch (bench.measure.decomposition)

    def submit_first(self, pool, workload, images, index: int):
        return pool.submit(tasks.run_range, workload, index, index + 1)

    def run(self, pool, workload, images, on_first_result):
        calls = ((workload, s, e) for s, e in chunk_bounds(len(images), self.config.chunk_size))
        return flatten(submit_all(pool, tasks.run_range, calls, on_first_result))
